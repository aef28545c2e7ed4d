/* child.h: the per-connection child of mailstack-tcpserver: what it learns
 * about a connection, the environment built from that, and the exec. */
#ifndef MAILSTACK_TCPSERVER_CHILD_H
#define MAILSTACK_TCPSERVER_CHILD_H

#include <stddef.h>

#include "ip.h"
#include "options.h"
#include "strbuf.h"

/* Runs in the forked child; never returns: execs o->prog or _exit(100) on
 * deny / _exit(111) on drop. remote is the peer as accepted: on a
 * dual-stack socket an IPv4 client may be given v4-mapped or plain. The
 * caller has closed the listening socket and called selfpipe_child_reset;
 * log_verbosity and the log prefix are the caller's. */
void child_run(const struct server_options *o, int conn_fd,
    const struct ip_addr *remote, unsigned remote_port)
    __attribute__((noreturn));

/* One connection as the child's environment and log line see it. */
struct child_conn {
	struct ip_addr local;		/* from getsockname */
	unsigned local_port;
	unsigned scope_id;		/* link-local scope of local, 0 = none */
	struct ip_addr remote;
	unsigned remote_port;
	const char *local_host;		/* -l or PTR name; NULL = unset */
	const char *remote_host;	/* escaped PTR name; NULL = unset */
	const char *remote_info;	/* ident answer; NULL = unset */

	/* Filled by child_conn_forms. */
	int v6env;			/* IPv6 socket: TCP6* too, v6 log forms */
	int proto6;			/* PROTO=TCP6 */
	char local_ip[IP_FMT_MAX];	/* TCPLOCALIP */
	char local_ip6[IP_FMT_MAX];	/* TCP6LOCALIP; the log with v6env */
	char remote_ip[IP_FMT_MAX];	/* TCPREMOTEIP, "pid" line, rules key */
	char remote_ip6[IP_FMT_MAX];	/* TCP6REMOTEIP; the log with v6env */
};

/* Fills the text forms, following the Debian IPv6 build on IPv6 sockets
 * (v4-mapped clients get PROTO=TCP and short TCP* forms unless force6,
 * the -6 flag) and ucspi-tcp 0.88 on IPv4 sockets (no TCP6* at all). */
void child_conn_forms(struct child_conn *c, int force6);

/* Fills c->local, local_port and scope_id from getsockname(fd), then the
 * forms. Host/info fields are left as they are. 0, or -1 with errno. */
int child_conn_from_fd(struct child_conn *c, int fd, int force6);

/* The environment edits of one connection, kept as tcpserver's pathexec
 * keeps them: NUL-terminated items "NAME=VALUE" (set) or "NAME" (unset),
 * applied in order to a copy of a base environment. */
struct child_env {
	struct strbuf ops;
};

#define CHILD_ENV_ZERO { STRBUF_ZERO }

/* value NULL means unset. 0, or -1 with errno ENOMEM. */
int child_env_set(struct child_env *ce, const char *name, const char *value);
/* A rule variable "NAME=VALUE" of len bytes (name up to the first '=',
 * any bytes allowed, even an empty name). Items without '=' are ignored,
 * as tcpserver ignores them. 0, or -1 with errno ENOMEM. */
int child_env_put(struct child_env *ce, const char *item, size_t len);
/* The PROTO and TCP* (and TCP6*) edits of c, in tcpserver's order. */
int child_env_add_conn(struct child_env *ce, const struct child_conn *c);
/* Builds a new envp: base (not modified, may be NULL) with the edits
 * applied: a set replaces the first entry of that name, an unset removes
 * it; a removed entry's slot takes the last entry, so the order matches
 * the real tcpserver's. *envp is one allocation: free(*envp). Entries of
 * base are borrowed (base must outlive *envp); the edits are copied.
 * 0, or -1 with errno ENOMEM. */
int child_env_apply(const struct child_env *ce, char *const *base, char ***envp);
void child_env_free(struct child_env *ce);

/* For a parent that spawns without a per-connection child (no -x, -H -R
 * -l given, no banner): the complete envp for c (local_host = -l value,
 * remote_host = remote_info = NULL, forms filled, e.g. with
 * child_conn_from_fd) on top of base (usually environ), which is not
 * touched. free(*envp) after the spawn. 0, or -1 with errno ENOMEM. */
int child_env_build(const struct child_conn *c, char *const *base, char ***envp);

#endif
