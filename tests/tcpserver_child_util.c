/* tcpserver_child_util.c: helpers shared by the tcpserver child tests. */
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

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

static void __attribute__((noreturn))
fake_identd_serve(int ls, int wr, const char *reply)
{
	struct sockaddr_in peer;
	socklen_t plen = sizeof peer;
	char q[256], ip[INET_ADDRSTRLEN], out[320];
	size_t n = 0;
	ssize_t r;
	int c;

	alarm(10);
	c = accept(ls, (struct sockaddr *)&peer, &plen);
	if (c == -1)
		_exit(1);
	while (n < sizeof q - 1 && (r = read(c, q + n, sizeof q - 1 - n)) > 0) {
		n += (size_t)r;
		if (memchr(q, '\n', n) != NULL)
			break;
	}
	q[n] = '\0';
	inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
	snprintf(out, sizeof out, "%s|%s", q, ip);
	if (write(wr, out, strlen(out)) < 0)
		_exit(1);
	close(wr);
	if (reply == NULL)
		pause();
	if (reply[0] != '\0' && write(c, reply, strlen(reply)) < 0)
		_exit(1);
	close(c);
	_exit(0);
}

int
fake_identd_start(struct fake_identd *f, unsigned port, const char *reply)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int ls, p[2], one = 1;

	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls == -1)
		return -1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(ls, 1) == -1 ||
	    getsockname(ls, (struct sockaddr *)&sin, &len) == -1 || pipe(p) == -1) {
		close(ls);
		return -1;
	}
	f->port = ntohs(sin.sin_port);
	f->pid = fork();
	if (f->pid == 0) {
		close(p[0]);
		fake_identd_serve(ls, p[1], reply);
	}
	close(ls);
	close(p[1]);
	f->report = p[0];
	return f->pid == -1 ? -1 : 0;
}

void
fake_identd_report(struct fake_identd *f, char *buf, size_t size)
{
	struct pollfd pfd = { f->report, POLLIN, 0 };
	size_t n = 0;
	ssize_t r;

	while (n < size - 1 && poll(&pfd, 1, 5000) == 1 &&
	    (r = read(f->report, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

void
fake_identd_stop(struct fake_identd *f)
{
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	close(f->report);
}
