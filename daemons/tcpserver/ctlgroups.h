/* ctlgroups.h: the live connections grouped per client address key for
 * the "connections" request, from the table's own per-key counts: no
 * hashing and no sort of the connections themselves. */
#ifndef MAILSTACK_TCPSERVER_CTLGROUPS_H
#define MAILSTACK_TCPSERVER_CTLGROUPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "conn_table.h"
#include "ip.h"

struct ctl_group {
	struct ip_addr key;	/* the masked address key */
	struct ip_addr remote;	/* the client address of the lowest pid */
	size_t count;
	size_t adopted;		/* of count, those adopted (conn_info) */
	time_t oldest;		/* the earliest start */
	size_t first;		/* pids[first .. first + count - 1] */
	size_t slot;		/* the table's index of the key */
	uint64_t order[2];	/* the key as two numbers, for quick sorting */
	size_t filled;		/* while building */
	pid_t low;		/* while building: the lowest pid so far */
};

struct ctl_groups {
	struct ctl_group *g;	/* count desc, then address asc */
	size_t n;
	pid_t *pids;		/* each group's, ascending */
};

/* Groups the live connections of t: all keys, or only ip's key when ip is
 * not NULL; only the first top groups when top > 0 (only theirs are
 * collected). Costs one pass over the table plus a sort of the groups (a
 * selection of top of them). Returns 0, or -1 with errno ENOMEM. */
int ctl_groups_build(struct ctl_groups *out, const struct conn_table *t,
    unsigned long top, const struct ip_addr *ip);
void ctl_groups_free(struct ctl_groups *out);

/* IPv4 before IPv6, then byte order: the "smaller address first". */
int ctl_key_cmp(const struct ip_addr *a, const struct ip_addr *b);

#endif
