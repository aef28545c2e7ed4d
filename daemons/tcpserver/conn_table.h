/* conn_table.h: the listener's exact table of live connections: by child
 * pid, and a count per client address (IPv6 per /k) and per network.
 * Sized from -c, and grown only when the limit is raised past it: no
 * allocation per connection, O(1) add and remove. */
#ifndef MAILSTACK_TCPSERVER_CONN_TABLE_H
#define MAILSTACK_TCPSERVER_CONN_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ip.h"

/* One live connection, as the control socket shows it. */
struct conn_info {
	pid_t pid;		/* < 0: a ticket, the child is being started */
	struct ip_addr remote;	/* v4-mapped addresses are stored as IPv4 */
	unsigned remote_port;
	unsigned local_port;
	time_t start;
	/* Adopted: a session this process did not start (an earlier
	 * listener's, found at start-up, see adopt.h). ticks: its start
	 * in clock ticks since boot (/proc/PID/stat field 22), which tells
	 * it from a later process given the same pid; 0 when not known. */
	unsigned char adopted;	/* CONN_OWN, CONN_ADOPTED, CONN_ADOPTED_CHILD */
	unsigned long long ticks;
};

/* Who ends a connection's entry: the reaping of a child (CONN_OWN, and
 * CONN_ADOPTED_CHILD, an adopted session that is our child, as after a
 * re-exec whose state was lost), or the watch of a foreign process
 * (CONN_ADOPTED, see pidwatch.h). */
enum {
	CONN_OWN = 0,
	CONN_ADOPTED,
	CONN_ADOPTED_CHILD
};

/* Internal: a slot per connection, a counter per address or network key.
 * Chains are indices (UINT32_MAX ends a chain). */
struct conn_slot {
	struct conn_info info;	/* info.pid 0 = free */
	uint32_t next;		/* pid chain, or free list */
	uint32_t ip_ref;	/* index in ips */
	uint32_t net_ref;	/* index in nets */
};

struct conn_count {
	struct ip_addr key;	/* masked address */
	uint32_t count;		/* 0 = free */
	uint32_t next;
};

struct conn_counts {
	struct conn_count *items;	/* capacity entries */
	uint32_t *buckets;		/* nbuckets heads */
	uint32_t mask;			/* nbuckets - 1 */
	uint32_t free;			/* free list head */
	unsigned bits4, bits6;		/* key prefix lengths */
	size_t used;			/* distinct keys */
};

struct conn_table {
	struct conn_slot *slots;
	uint32_t *pid_buckets;
	uint32_t pid_mask;
	uint32_t free;
	size_t capacity;
	size_t count;
	size_t adopted;		/* of count, not CONN_OWN */
	struct conn_counts ips;
	struct conn_counts nets;
};

/* Allocates room for capacity connections (0 is allowed). ip6_bits: IPv6
 * clients are one "IP" per /ip6_bits; net4_bits/net6_bits: network sizes.
 * Returns 0, or -1 with errno ENOMEM. */
int conn_table_init(struct conn_table *t, size_t capacity, unsigned ip6_bits,
    unsigned net4_bits, unsigned net6_bits);
/* Makes room for capacity connections (no-op when it is not more than
 * now), moving every entry into new, larger arrays. Returns 0, or -1 with
 * errno ENOMEM and the table unchanged. */
int conn_table_grow(struct conn_table *t, size_t capacity);
/* Releases the memory; accepts a zeroed table. */
void conn_table_free(struct conn_table *t);

/* Records ci (its remote is unmapped when v4-mapped). ci->pid may be a
 * negative ticket, for a connection counted before its child's pid is
 * known (see conn_table_rekey). Returns 0, or -1 with errno ENOSPC (table
 * full) or EEXIST (pid already present) or EINVAL (pid 0); the table is
 * unchanged on error. */
int conn_table_add(struct conn_table *t, const struct conn_info *ci);
/* Gives the connection keyed old (a ticket) the key pid. Returns 0, or -1
 * with errno ENOENT (no old), EEXIST (pid present) or EINVAL (a key 0);
 * the table is unchanged on error. */
int conn_table_rekey(struct conn_table *t, pid_t old, pid_t pid);
/* Forgets pid (or a ticket). Returns 1 and copies its info into out (may be NULL), or 0
 * when pid is not in the table. */
int conn_table_remove(struct conn_table *t, pid_t pid, struct conn_info *out);

/* Live connections in all, and of them the adopted ones. */
size_t conn_table_count(const struct conn_table *t);
size_t conn_table_count_adopted(const struct conn_table *t);
/* The entry of pid (borrowed, valid until the table changes), or NULL. */
const struct conn_info *conn_table_find(const struct conn_table *t, pid_t pid);
/* Live connections from ip's address key (IPv6: its /ip6_bits) and from
 * its network. ip may be v4-mapped. */
unsigned long conn_table_count_ip(const struct conn_table *t,
    const struct ip_addr *ip);
unsigned long conn_table_count_net(const struct conn_table *t,
    const struct ip_addr *ip);
/* Distinct address keys and network keys in use (for status output). */
size_t conn_table_distinct_ips(const struct conn_table *t);
size_t conn_table_distinct_nets(const struct conn_table *t);

/* The address key ip is counted under (unmapped, IPv6 cut to /k). */
void conn_table_ip_key(const struct conn_table *t, const struct ip_addr *ip,
    struct ip_addr *key);

/* Iterates the live connections in no particular order: *pos starts at 0;
 * each call sets *ci (borrowed, valid until the table changes) and returns
 * 1, or returns 0 at the end. */
int conn_table_next(const struct conn_table *t, size_t *pos,
    const struct conn_info **ci);

/* The address keys by index, so that a report can group connections by
 * the table's own counts instead of hashing or sorting them again. An
 * index is below conn_table_key_slots() and stays the same while its key
 * has connections. */
size_t conn_table_key_slots(const struct conn_table *t);
/* Iterates the address keys in use, in no particular order: *pos starts
 * at 0; each call sets *key and returns 1, or returns 0 at the end. */
int conn_table_next_key(const struct conn_table *t, size_t *pos,
    size_t *key);
/* Connections counted under key index i (0 when unused) and its masked
 * address (borrowed, valid until the table changes). */
unsigned long conn_table_key_count(const struct conn_table *t, size_t i);
const struct ip_addr *conn_table_key_addr(const struct conn_table *t,
    size_t i);
/* The index of ip's address key: 1 and *key, or 0 when no connection
 * comes from it. ip may be v4-mapped. */
int conn_table_key_find(const struct conn_table *t, const struct ip_addr *ip,
    size_t *key);
/* As conn_table_next, also giving the index of the connection's key. */
int conn_table_next_keyed(const struct conn_table *t, size_t *pos,
    const struct conn_info **ci, size_t *key);

#endif
