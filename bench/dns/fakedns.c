/* fakedns.c: the resolver of the listener benchmark's -h line: answers PTR
 * for 127.0.0.1 and A for that name on 127.0.0.1:53, with the tests' fake
 * DNS server (tests/tcpserver_child_dns.c), inside the benchmark's private
 * network namespace only.
 *
 * usage: fakedns [-T seconds] NAME
 * Prints "ready" on stdout once bound, then serves until killed or until
 * the -T limit (default 900 s) has passed. Refuses to run where any
 * network interface other than lo exists, so it can never answer anyone
 * but this machine's own benchmark. Exit: 100 usage, 111 system error. */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tcpserver_child_dns.h"

static int
only_loopback(void)
{
	struct if_nameindex *ifs, *i;
	int ok = 1;

	ifs = if_nameindex();
	if (ifs == NULL)
		return 0;
	for (i = ifs; i->if_index != 0; i++)
		if (strcmp(i->if_name, "lo") != 0)
			ok = 0;
	if_freenameindex(ifs);
	return ok;
}

int
main(int argc, char **argv)
{
	struct fakedns_record recs[2];
	unsigned long secs = 900;
	char *end;
	int c, s;

	while ((c = getopt(argc, argv, "T:")) != -1) {
		if (c != 'T')
			goto usage;
		secs = strtoul(optarg, &end, 10);
		if (*optarg == '\0' || *end != '\0' || secs == 0 || secs > 86400)
			goto usage;
	}
	if (argc - optind != 1 || argv[optind][0] == '\0')
		goto usage;
	if (!only_loopback()) {
		fprintf(stderr, "fakedns: fatal: an interface other than lo exists"
		    " (run inside unshare -n)\n");
		return 111;
	}
	recs[0] = (struct fakedns_record){ FAKEDNS_PTR,
	    "1.0.0.127.in-addr.arpa", argv[optind] };
	recs[1] = (struct fakedns_record){ FAKEDNS_A, argv[optind], "127.0.0.1" };
	s = fakedns_bind();
	if (s == -1) {
		perror("fakedns: fatal: unable to bind to 127.0.0.1 port 53");
		return 111;
	}
	alarm((unsigned)secs);
	printf("ready\n");
	fflush(stdout);
	fakedns_serve(s, recs, 2);
	return 111;
usage:
	fprintf(stderr, "fakedns: usage: fakedns [-T seconds] NAME\n");
	return 100;
}
