/* tcpserver_child_dns.h: a private resolver for the tcpserver child tests:
 * a fake DNS server on 127.0.0.1:53 inside the test's own network
 * namespace, and resolv.conf/hosts files that point the system resolver
 * at it. Never usable outside a private namespace. */
#ifndef MAILSTACK_TESTS_TCPSERVER_CHILD_DNS_H
#define MAILSTACK_TESTS_TCPSERVER_CHILD_DNS_H

#include <sys/types.h>

#define FAKEDNS_PTR 12
#define FAKEDNS_A 1

/* One answer: for PTR the name given is a dotted name whose labels are
 * sent as raw bytes; for A a dotted quad. Query names compare without
 * regard to case. */
struct fakedns_record {
	int type;
	const char *name;
	const char *answer;
};

/* In a private mount namespace, points /etc/resolv.conf at 127.0.0.1 and
 * empties /etc/hosts (files written in dir). 0, or -1 when not permitted. */
int fakedns_private_resolver(const char *dir);
/* Undoes the two mounts, so that dir can be removed; does nothing unless
 * fakedns_private_resolver made this process's mounts private. */
void fakedns_private_resolver_end(void);

/* A UDP socket bound to 127.0.0.1:53 (close-on-exec), or -1 with errno
 * set. */
int fakedns_bind(void);
/* Answers the queries that arrive on s from recs, forever; other names get
 * NXDOMAIN. recs is borrowed for as long as it runs. */
void fakedns_serve(int s, const struct fakedns_record *recs, size_t n);

/* Serves recs (until killed) from a child bound to 127.0.0.1:53/udp; other
 * names get NXDOMAIN. Call after util_private_net. Returns the pid, or -1. */
pid_t fakedns_start(const struct fakedns_record *recs, size_t n);

#endif
