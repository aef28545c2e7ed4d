/* spawnprep.c: the parent's share of the child's work on the fast path
 * (spawn.c): what child_run does before its exec when there is no DNS
 * and no ident to wait for, in the same order (tcpserver's, see
 * child.c): socket options, banner, local address, rules, environment. A client that the child
 * would not have served (a deny rule, a rules file it cannot read, a
 * banner it cannot write) is answered here as the child would have
 * answered it: the same bytes on the wire (the banner, then the close)
 * and the same log lines, under pid 0 since no process was made, as the
 * limit refusals already are. A flood from a denied address then costs
 * an accept and a close, not a fork. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "daemons/tcpserver/child.h"
#include "daemons/tcpserver/logfmt.h"
#include "errstr.h"
#include "log.h"
#include "server.h"

extern char **environ;

/* The child's "pid N from IP" line, its own (deny line or drop warning,
 * already in s->line) and the parent's "end N status W", with N 0. */
static int
prep_answered(struct server *s, const struct child_conn *cc, int code,
    const char *reason)
{
	if (code == EX_PERM)
		s->denied++;
	log_line(2, "pid 0 from %s", cc->remote_ip);
	if (code == EX_PERM)
		log_line(2, "%s", s->line.s);
	else
		log_warn("dropping connection, %s", reason);
	log_info("end 0 status %d", code << 8);
	return 1;
}

static int
prep_drop(struct server *s, const struct child_conn *cc, const char *what,
    int err)
{
	char reason[512];

	if (err != 0)
		snprintf(reason, sizeof reason, "%s: %s", what, errstr(err));
	else
		snprintf(reason, sizeof reason, "%s", what);
	return prep_answered(s, cc, EX_TEMP, reason);
}

/* Step 4 of child.c: the whole banner at once or a drop; a fresh
 * socket's send buffer holds SERVER_BANNER_FAST_MAX bytes. */
static int
prep_banner(const struct server *s, int fd)
{
	const char *b = s->o->banner;
	size_t n = b == NULL ? 0 : strlen(b);
	ssize_t w;

	if (n == 0)
		return 0;
	do
		w = send(fd, b, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)n)
		return 0;
	if (w >= 0)
		errno = EAGAIN;
	return -1;
}

/* The rule variables after the TCP* ones, as child_rules adds them. */
static int
prep_env(const struct server_admission *a, struct spawn_job *j)
{
	struct child_env ce = CHILD_ENV_ZERO;
	const char *item;
	size_t pos = 0, len;
	int r;

	r = child_env_add_conn(&ce, &j->cc);
	while (r == 0 && a->matched &&
	    rules_match_next_env(&a->m, &pos, &item, &len))
		r = child_env_put(&ce, item, len);
	if (r == 0)
		r = child_env_apply(&ce, environ, &j->envp);
	child_env_free(&ce);
	return r;
}

int
server_spawn_prepare(struct server *s, const struct server_conn *c,
    const struct server_admission *a, struct spawn_job *j)
{
	int one = 1, err;

	if (!s->o->keep_ip_options)
		(void)setsockopt(c->fd, IPPROTO_IP, 1, NULL, 0);
	if (s->o->nodelay)
		(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	memset(&j->cc, 0, sizeof j->cc);
	j->cc.remote = c->remote;
	j->cc.remote_port = c->remote_port;
	j->cc.local_host = s->o->local_name;
	/* A drop before getsockname still needs the remote's forms for
	 * its pid line; the served client gets them from getsockname. */
	j->cc.local = s->listener.addr;
	if (prep_banner(s, c->fd) < 0) {
		err = errno;
		child_conn_forms(&j->cc, s->o->family == 6);
		return prep_drop(s, &j->cc, "unable to print banner", err);
	}
	if (child_conn_from_fd(&j->cc, c->fd, s->o->family == 6) < 0) {
		err = errno;
		child_conn_forms(&j->cc, s->o->family == 6);
		return prep_drop(s, &j->cc, "unable to get local address", err);
	}
	if (a->rules_errno != 0) {
		char what[512];

		snprintf(what, sizeof what, "unable to read %s",
		    s->o->rules_path);
		return prep_drop(s, &j->cc, what, a->rules_errno);
	}
	if (a->matched && a->m.deny) {
		strbuf_reset(&s->line);
		if (log_verbosity >= 2 &&
		    logfmt_decision(&s->line, 1, 0, &j->cc) < 0)
			return prep_drop(s, &j->cc, "out of memory", 0);
		return prep_answered(s, &j->cc, EX_PERM, NULL);
	}
	if (prep_env(a, j) < 0)
		return prep_drop(s, &j->cc, "out of memory", 0);
	j->fd = c->fd;
	return 0;
}
