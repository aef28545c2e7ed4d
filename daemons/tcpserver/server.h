/* server.h: the listener parent's state, shared by its event loop, the
 * admission of a connection and the starting of its child. */
#ifndef MAILSTACK_TCPSERVER_SERVER_H
#define MAILSTACK_TCPSERVER_SERVER_H

#include <sys/types.h>
#include <time.h>

#include "conn_table.h"
#include "ip.h"
#include "limits.h"
#include "listen.h"
#include "options.h"
#include "strbuf.h"
#include "rules/rules_lookup.h"

/* How long the listener is not polled after accept() ran out of
 * descriptors or memory, so that exiting children can free some. */
#define SERVER_BACKOFF_MS 100

struct server {
	const struct server_options *o;
	struct listener listener;
	int sigfd;			/* self-pipe read end */
	struct conn_table table;

	/* admission */
	struct limit_vars env_vars;	/* MAXCONNIP/MAXCONNC/DIEMSG preset */
	struct rules_cache rules;	/* -x, for IP rules' limits */
	int rules_on;
	unsigned long refused[LIMIT_REASONS];

	/* children */
	int fast_spawn;			/* no per-connection work: vfork+exec */
	const char *path;		/* $PATH at start, for the fast path */
	unsigned long fork_failures;

	struct timespec backoff_until;	/* CLOCK_MONOTONIC; 0 = none */
	struct strbuf line;		/* scratch for log lines, memory kept */
};

/* A connection just accepted on fd. */
struct server_conn {
	int fd;
	struct ip_addr remote;		/* as accepted (may be v4-mapped) */
	unsigned remote_port;
};

/* Sets up everything but the listener (already open): table sized from
 * -c, limit variables, rules cache, spawn mode. Dies on failure. */
void server_init(struct server *s, const struct server_options *o);

/* Admission (admit.c): refuses c in the parent when a limit says so (the
 * message is sent and fd closed) and returns 1; returns 0 to go on. */
int server_admit_refuse(struct server *s, const struct server_conn *c);

/* Starting the child (spawn.c): returns its pid, or -1 after logging the
 * drop warning (fd is closed either way in the parent). */
pid_t server_spawn(struct server *s, const struct server_conn *c);
/* 1 when nothing per connection needs a forked child (no -x, -H -R and
 * -l given, no banner), so vfork + exec with a prepared environment
 * serves exactly as the full child would. */
int server_can_spawn_fast(const struct server_options *o);

/* The event loop (loop.c): poll, accept, reap. Never returns; SIGTERM
 * exits 0, leaving the children alone. */
void server_run(struct server *s) __attribute__((noreturn));

#endif
