/* child.c: one connection's child, in tcpserver's order: pid line, socket
 * options, banner, names, ident, rules, ok/deny line, exec. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "daemons/tcpserver/child.h"
#include "daemons/tcpserver/ident.h"
#include "daemons/tcpserver/logfmt.h"
#include "daemons/tcpserver/pathexec.h"
#include "daemons/tcpserver/resolve.h"
#include "log.h"
#include "rules/rules_lookup.h"

extern char **environ;

/* Names and ident answer outlive the lookups until exec. */
struct child_names {
	char local[RESOLVE_NAME_MAX];
	struct strbuf local_host;
	struct strbuf remote_host;
	struct ident_reply info;
};

/* "dropping connection, ..." then exit 111, as tcpserver's drop(). */
static void __attribute__((format(printf, 2, 3), noreturn))
child_drop(int with_errno, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_ZERO;
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	if (strbuf_vprintf(&sb, fmt, ap) == -1)
		log_warn("dropping connection, out of memory");
	else if (with_errno) {
		errno = saved;
		log_warn_sys("dropping connection, %s", sb.s);
	} else
		log_warn("dropping connection, %s", sb.s);
	va_end(ap);
	_exit(EX_TEMP);
}

static void __attribute__((noreturn))
child_nomem(void)
{
	child_drop(0, "out of memory");
}

static int
child_write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Steps 2-5: pid line, IP options, TCP_NODELAY, banner, local address. */
static void
child_start(const struct server_options *o, int fd, struct child_conn *c)
{
	struct ip_addr shown = c->remote;
	char ip[IP_FMT_MAX];
	int one = 1;

	if (o->family != 6)
		ip_unmap(&shown);
	ip_format(&shown, ip);
	log_line(2, "pid %ld from %s", (long)getpid(), ip);
	/* 0.88's "kill IP options" is option 1 at IPPROTO_IP (IP_TOS on
	 * Linux, so harmless); kept for strace-level sameness, errors
	 * ignored as tcpserver ignores them. */
	if (!o->keep_ip_options)
		(void)setsockopt(fd, IPPROTO_IP, 1, NULL, 0);
	if (o->nodelay)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (o->banner != NULL && o->banner[0] != '\0' &&
	    child_write_all(fd, o->banner, strlen(o->banner)) == -1)
		child_drop(1, "unable to print banner");
	if (child_conn_from_fd(c, fd, o->family == 6) == -1)
		child_drop(1, "unable to get local address");
}

/* Steps 6-8: local name, remote name (with -p), remote info. */
static void
child_lookup(const struct server_options *o, struct child_conn *c,
    struct child_names *n)
{
	char name[RESOLVE_NAME_MAX];
	struct ident_query q;

	c->local_host = o->local_name;
	if (c->local_host == NULL && resolve_ptr(&c->local, n->local)) {
		if (resolve_escape(&n->local_host, n->local) == -1)
			child_nomem();
		c->local_host = n->local_host.s;
	}
	if (o->remote_host_lookup && resolve_ptr(&c->remote, name) &&
	    (!o->paranoid || resolve_confirm(name, &c->remote))) {
		if (resolve_escape(&n->remote_host, name) == -1)
			child_nomem();
		c->remote_host = n->remote_host.s;
	}
	if (!o->remote_info_lookup)
		return;
	memset(&q, 0, sizeof q);
	q.local = c->local;
	q.local_port = c->local_port;
	q.scope_id = c->scope_id;
	q.remote = c->remote;
	q.remote_port = c->remote_port;
	q.server_port = IDENT_PORT;
	q.timeout = o->ident_timeout;
	if (ident_lookup(&q, &n->info) == 0)
		c->remote_info = n->info.value;
}

/* Step 9: -x. Returns 1 to deny; rule variables go into ce. */
static int
child_rules(const struct server_options *o, const struct child_conn *c,
    struct child_env *ce)
{
	struct rules_db *db = NULL;
	struct rules_match m;
	const char *item;
	size_t pos = 0, len;
	int r, deny;

	if (o->rules_path == NULL)
		return 0;
	if (rules_db_open(&db, o->rules_path) == -1) {
		if (errno == ENOENT && o->rules_missing_ok)
			return 0;
		child_drop(1, "unable to read %s", o->rules_path);
	}
	r = rules_db_lookup(db, c->remote_ip, c->remote_host, c->remote_info, &m);
	if (r == -1)
		child_drop(1, "unable to read %s", o->rules_path);
	deny = r == 1 && m.deny;
	while (r == 1 && rules_match_next_env(&m, &pos, &item, &len)) {
		if (child_env_put(ce, item, len) == -1)
			child_nomem();
	}
	rules_db_close(&db);
	return deny;
}

/* Step 12: the socket on fd 0 and 1, signals as the program expects. */
static void
child_setup_fds(int fd)
{
	sigset_t none;
	int fl;

	if ((fd != 0 && dup2(fd, 0) == -1) || dup2(0, 1) == -1)
		child_drop(1, "unable to set up descriptors");
	if (fd > 1)
		close(fd);
	/* dup2 onto itself keeps close-on-exec, and an accept4'ed socket
	 * may be non-blocking: the program must get a plain socket. */
	(void)fcntl(0, F_SETFD, 0);
	fl = fcntl(0, F_GETFL);
	if (fl != -1 && (fl & O_NONBLOCK))
		(void)fcntl(0, F_SETFL, fl & ~O_NONBLOCK);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void __attribute__((noreturn))
child_exec(const struct server_options *o, int fd, const struct child_env *ce)
{
	char **envp;

	if (child_env_apply(ce, environ, &envp) == -1)
		child_nomem();
	child_setup_fds(fd);
	/* Our own environ is untouched, so PATH is the listener's, not a
	 * rule's, as in tcpserver. */
	pathexec_run(o->prog[0], o->prog, envp, getenv("PATH"));
	child_drop(1, "unable to run %s", o->prog[0]);
}

void
child_run(const struct server_options *o, int conn_fd,
    const struct ip_addr *remote, unsigned remote_port)
{
	static struct child_names names;
	struct child_env ce = CHILD_ENV_ZERO;
	struct child_conn c;
	struct strbuf line = STRBUF_ZERO;
	int deny;

	/* Until exec a vanished client must give EPIPE (a drop), not kill
	 * us: tcpserver's child still ignores SIGPIPE at this point. */
	signal(SIGPIPE, SIG_IGN);
	memset(&c, 0, sizeof c);
	c.remote = *remote;
	c.remote_port = remote_port;
	child_start(o, conn_fd, &c);
	child_lookup(o, &c, &names);
	if (child_env_add_conn(&ce, &c) == -1)
		child_nomem();
	deny = child_rules(o, &c, &ce);
	if (log_verbosity >= 2) {
		if (logfmt_decision(&line, deny, getpid(), &c) == -1)
			child_nomem();
		log_line(2, "%s", line.s);
	}
	if (deny)
		_exit(EX_PERM);
	child_exec(o, conn_fd, &ce);
}
