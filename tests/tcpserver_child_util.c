/* tcpserver_child_util.c: helpers shared by the tcpserver child tests. */
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "tests/tcpserver_child_util.h"

void
util_hosts_name(char *out, size_t size)
{
	char line[512], ip[64], name[256];
	FILE *f = fopen("/etc/hosts", "r");

	out[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%63s %255s", ip, name) == 2 &&
		    strcmp(ip, "127.0.0.1") == 0) {
			snprintf(out, size, "%s", name);
			break;
		}
	}
	fclose(f);
}

char *
util_scratch_dir(void)
{
	char tmpl[] = "/tmp/tcpserver_child_test.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return NULL;
	return strdup(tmpl);
}

int
util_scratch_remove(char *dir)
{
	char cmd[600];
	int r;

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	r = system(cmd) == 0 ? 0 : -1;
	free(dir);
	return r;
}

int
util_private_net(void)
{
	struct ifreq ifr;
	int s, r;

	if (unshare(CLONE_NEWNET) == -1)
		return -1;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s == -1)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	r = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return r;
}
