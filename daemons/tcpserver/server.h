/* server.h: the listener parent's state, shared by its event loop, the
 * admission of a connection and the starting of its child. */
#ifndef MAILSTACK_TCPSERVER_SERVER_H
#define MAILSTACK_TCPSERVER_SERVER_H

#include <sys/types.h>
#include <time.h>

#include "conn_table.h"
#include "ctlserver.h"
#include "ip.h"
#include "limits.h"
#include "listen.h"
#include "options.h"
#include "pidwatch.h"
#include "spawnpool.h"
#include "strbuf.h"
#include "rules/rules_lookup.h"

/* How long the listener is not polled after accept() ran out of
 * descriptors or memory, so that exiting children can free some. */
#define SERVER_BACKOFF_MS 100
/* The version this build reports (version.c). */
extern const char server_version[];

/* Where an image that re-execs tells the next one its descriptors. */
#define SERVER_REEXEC_ENV "MAILSTACK_REEXEC"

struct server {
	const struct server_options *o;
	struct listener listener;
	int sigfd;			/* self-pipe read end */
	struct conn_table table;

	/* limits in force (serverlimits.c) */
	struct limits_now cmdline;	/* from the options */
	struct limits_now lim;		/* cmdline, file, "set" */
	int lim_file_read;		/* the file was there at the last read */

	/* admission */
	struct limit_vars env_vars;	/* MAXCONNIP/MAXCONNC/DIEMSG preset */
	struct rules_cache rules;	/* -x, for IP rules' limits */
	int rules_on;
	unsigned long refused[LIMIT_REASONS];
	unsigned long long accepted;	/* past the limits, since start */

	/* children */
	int fast_spawn;			/* no per-connection work: vfork+exec */
	const char *path;		/* $PATH at start, for the fast path */
	unsigned long fork_failures;
	unsigned long denied;		/* deny rules answered by the parent */
	int spawn_forced;		/* SERVER_SPAWN_ENV=fork was given */
	struct spawn_pool pool;		/* the fast path's workers */
	pid_t next_ticket;		/* < 0: table keys of children starting */

	struct ctl_server ctl;		/* -s */
	time_t started;			/* for status: wall clock */
	struct timespec started_mono;	/* and uptime */

	/* the listener's own life (reexec.c, serveradopt.c) */
	char *const *argv;		/* as started, for a re-exec */
	char *exec_path;		/* the binary a re-exec runs */
	time_t image_started;		/* this image's start */
	unsigned long reexecs;		/* since the process started */
	const char *restored;		/* "none", "state" or "adoption" */
	unsigned long unadopted;	/* sessions seen, not adoptable */
	struct pid_watch watch;		/* adopted sessions' ends */
	int reexec_reply;		/* the client to answer, -1 = none */

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

/* Limits (serverlimits.c). server_limits_start: the command line's,
 * then the limits file's over them (a bad file is logged and ignored). */
void server_limits_start(struct server *s);
/* Makes l the limits in force, growing the table when max_connections
 * rises past its size. 0, or -1 with errno ENOMEM (nothing changed). */
int server_limits_use(struct server *s, const struct limits_now *l);
/* Re-reads the limits file over the command line (without -f: the
 * command line again). 0, or -1 after logging the warning, with err
 * holding "FILE:LINE: REASON"; the limits in force stay then. */
int server_limits_reload(struct server *s, char *err, size_t errlen);

/* Control requests (ctlreq.c): answers one request line (len bytes,
 * without '\n') with a block appended to out. Returns 1 when the peer
 * asked to be closed (quit), 2 when it asked for a re-exec (the caller
 * runs server_reexec: the new image answers), 0 otherwise. */
int server_ctl_request(struct server *s, struct strbuf *out,
    const char *line, size_t len);
/* The status lines (not the block around them). 0, or -1 (ENOMEM). */
int server_ctl_status(struct server *s, struct strbuf *out);
/* The connections block for req (ctlconns.c). 0, or -1 (ENOMEM). */
int server_ctl_connections(struct server *s, const struct ctl_request *req,
    struct strbuf *out);

/* What admission learnt of a connection, kept for its child on the fast
 * path: the limit variables, the rule that matched (-x) and, when the
 * rules file could not be read, why (the child's drop reason). */
struct server_admission {
	struct limit_vars v;
	struct rules_match m;	/* borrows from the rules db */
	int matched;		/* a rule matched: m is filled */
	int rules_errno;	/* 0, or why -x could not be read */
};

/* Admission (admit.c): the MAXCONNIP/MAXCONNC/DIEMSG that apply to
 * remote: the environment's, overridden by its IP rule (-x), into a.
 * Returns a->matched. */
int server_limit_vars(struct server *s, const struct ip_addr *remote,
    struct server_admission *a);
/* The per-IP limit for remote now (0 = none); src gets where it comes
 * from: "none", "option", "file", "env" or "rule:" and the rule's key. */
unsigned long server_ip_limit(struct server *s, const struct ip_addr *remote,
    struct strbuf *src);
/* Admission (admit.c): refuses c in the parent when a limit says so (the
 * message is sent and fd closed) and returns 1; returns 0 to go on, with
 * a filled for the child. */
int server_admit_refuse(struct server *s, const struct server_conn *c,
    struct server_admission *a);

/* Starting the child (spawn.c), without the fast path: fork + child_run.
 * Returns its pid, or -1 after logging the drop warning (and sending the
 * busy message); the caller closes fd either way. */
pid_t server_spawn(struct server *s, const struct server_conn *c);
/* Starts s->pool's workers (fast path only; none where RLIMIT_NPROC
 * leaves no room for them). Dies on failure. */
void server_spawn_start(struct server *s);
/* The fast path, in two steps around a worker of s->pool
 * (spawnprep.c): the socket options, the banner, the addresses, the
 * rules and the environment into j: 0 to spawn; 1 when the parent has
 * answered the client itself as the child would have (a deny rule, a
 * rules file that cannot be read, a banner that cannot be written),
 * with the child's log lines under pid 0; the caller closes fd either
 * way. Then (spawn.c) the worker's answer: the pid, logging the pid and
 * ok lines (or the exec failure); or -1 after logging the drop warning
 * and sending the busy message. */
int server_spawn_prepare(struct server *s, const struct server_conn *c,
    const struct server_admission *a, struct spawn_job *j);
pid_t server_spawn_finish(struct server *s, const struct spawn_job *j);
/* 1 when nothing per connection needs a forked child (-H, -R and -l
 * given: no DNS, no ident; a banner short enough to be sent without
 * blocking), so the parent does the child's work and vfork + exec with
 * the prepared environment serves exactly as the full child would.
 * (server_init also turns it off for MAILSTACK_TCPSERVER_SPAWN=fork.) */
int server_can_spawn_fast(const struct server_options *o);
/* The banner's longest length on the fast path: a fresh socket's send
 * buffer always takes it at once. */
#define SERVER_BANNER_FAST_MAX 1024
/* The environment variable that forces the forked child. */
#define SERVER_SPAWN_ENV "MAILSTACK_TCPSERVER_SPAWN"

/* The event loop (loop.c): poll, accept, reap. Never returns; SIGTERM
 * exits 0, leaving the children alone. It reaps first: children that
 * ended during a re-exec are zombies with no SIGCHLD pending. */
void server_run(struct server *s) __attribute__((noreturn));
/* Takes every answer of the spawning workers still in flight (loop.c),
 * so that no connection is between accept and the table. */
void server_spawn_drain(struct server *s);
/* Reaps the children that ended, logging their end lines (loop.c). */
void server_reap(struct server *s);
/* tcpserver's "status: N/MAX" line for n connections (loop.c). */
void server_log_status(const struct server *s, size_t n);

/* Adoption (serveradopt.c). server_adopt_scan: at start, the sessions an
 * earlier listener of the port left, into the table (needs the listener
 * open; run it before privileges are dropped, to see other users'
 * processes). server_adopt_add: one into the table and, unless it is our
 * child, the watch; 0, or -1 when it has ended already or out of memory
 * (logged). server_watch_events: the ends the watch saw, logged and
 * removed (also the polling look when it is due). */
void server_adopt_scan(struct server *s);
int server_adopt_add(struct server *s, const struct conn_info *ci);
/* As server_adopt_add without its log line, for any entry of a re-exec's
 * state (the table grows when it must). */
int server_table_restore(struct server *s, const struct conn_info *ci);
void server_watch_events(struct server *s);

/* Re-exec (reexec.c). server_reexec_init: the binary a re-exec runs
 * (argv[0], else its PATH lookup, else /proc/self/exe), at start.
 * server_reexec_inherited: 1 when this image was started by a re-exec
 * (MAILSTACK_REEXEC, taken out of the environment): the listening and
 * control sockets are the old image's, the table is read from its state
 * (or adopted when that fails); 0 for a fresh start. server_reexec:
 * execs the binary with the state; returns only when that failed: -1,
 * with err. reply_fd: a control client the new image answers, or -1. */
void server_reexec_init(struct server *s, char *const *argv);
int server_reexec_inherited(struct server *s);
int server_reexec(struct server *s, int reply_fd, char *err, size_t errlen);
/* After server_reexec_inherited returned 1 and privileges were checked:
 * the control client that asked for the re-exec gets the status. */
void server_reexec_answer(struct server *s);

#endif
