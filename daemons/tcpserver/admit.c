/* admit.c: the parent's decision on a new connection before any fork:
 * per-IP and per-network limits, with the rules' MAXCONNIP/MAXCONNC. */
#include <errno.h>
#include <string.h>

#include "daemons/tcpserver/child.h"
#include "daemons/tcpserver/logfmt.h"
#include "log.h"
#include "refuse.h"
#include "server.h"

static int
limits_may_apply(const struct server *s)
{
	const struct limit_vars *v = &s->env_vars;

	return s->lim.n[LIMIT_MAX_PER_IP] > 0 ||
	    s->lim.n[LIMIT_MAX_PER_NETWORK] > 0 ||
	    v->maxconnip.set || v->maxconnc.set || s->rules_on;
}

/* The rules key of the client: the child's TCPREMOTEIP form. */
static void
rules_key(const struct server *s, const struct ip_addr *remote,
    char key[IP_FMT_MAX])
{
	struct child_conn cc;

	memset(&cc, 0, sizeof cc);
	cc.local = s->listener.addr;
	cc.remote = *remote;
	child_conn_forms(&cc, s->o->family == 6);
	memcpy(key, cc.remote_ip, IP_FMT_MAX);
}

/* Only the IP-keyed rules are read here (cheap: the cdb stays mapped and
 * is reopened when the file changes): with -H and -R that is the whole
 * lookup the child would make. A missing or broken file sets no limits;
 * why it failed is kept for the child's drop (-X: missing is fine). */
static void
admission_reset(const struct server *s, struct server_admission *a)
{
	a->v = s->env_vars;
	a->matched = 0;
	a->rules_errno = 0;
}

int
server_limit_vars(struct server *s, const struct ip_addr *remote,
    struct server_admission *a)
{
	char key[IP_FMT_MAX];
	const char *item;
	size_t pos = 0, len;
	int r;

	admission_reset(s, a);
	if (!s->rules_on)
		return 0;
	if (rules_cache_refresh(&s->rules) < 0) {
		a->rules_errno = ENOMEM;
		return 0;
	}
	if (s->rules.db == NULL) {
		if (s->rules.last_errno != ENOENT || !s->o->rules_missing_ok)
			a->rules_errno = s->rules.last_errno;
		return 0;
	}
	rules_key(s, remote, key);
	r = rules_db_lookup_ip(s->rules.db, key, &a->m);
	if (r < 0)
		a->rules_errno = errno;
	if (r != 1)
		return 0;
	a->matched = 1;
	while (rules_match_next_env(&a->m, &pos, &item, &len))
		(void)limits_vars_put(&a->v, item, len);
	return 1;
}

unsigned long
server_ip_limit(struct server *s, const struct ip_addr *remote,
    struct strbuf *src)
{
	struct server_admission a;
	int matched;

	strbuf_reset(src);
	matched = server_limit_vars(s, remote, &a);
	if (a.v.maxconnip.set && a.v.maxconnip.from_rule && matched) {
		(void)strbuf_appends(src, "rule:");
		(void)strbuf_append(src, a.m.key, a.m.keylen);
		return a.v.maxconnip.n;
	}
	if (a.v.maxconnip.set) {
		(void)strbuf_appends(src, "env");
		return a.v.maxconnip.n;
	}
	if (s->lim.n[LIMIT_MAX_PER_IP] == 0) {
		(void)strbuf_appends(src, "none");
		return 0;
	}
	(void)strbuf_appends(src, s->lim.from[LIMIT_MAX_PER_IP] ==
	    LIMIT_FROM_FILE ? "file" : "option");
	return s->lim.n[LIMIT_MAX_PER_IP];
}

/* "deny 0 LOCAL REMOTE FLAG": tcpserver's layout, PID 0 because no
 * process was made, and the limits patch's flag at the end. */
static void
log_refusal(struct server *s, const struct server_conn *c,
    enum limit_reason r)
{
	struct child_conn cc;

	if (log_verbosity < 2)
		return;
	memset(&cc, 0, sizeof cc);
	cc.remote = c->remote;
	cc.remote_port = c->remote_port;
	cc.local_host = s->o->local_name;
	if (child_conn_from_fd(&cc, c->fd, s->o->family == 6) < 0) {
		cc.local = s->listener.addr;
		cc.local_port = s->listener.port;
		child_conn_forms(&cc, s->o->family == 6);
	}
	strbuf_reset(&s->line);
	if (logfmt_decision(&s->line, 1, 0, &cc) < 0 ||
	    strbuf_appendc(&s->line, ' ') < 0 ||
	    strbuf_appends(&s->line, limits_flag(r)) < 0)
		return;
	log_line(2, "%s", s->line.s);
}

int
server_admit_refuse(struct server *s, const struct server_conn *c,
    struct server_admission *a)
{
	enum limit_reason r;
	char msg[REFUSE_MAX];
	size_t n;

	admission_reset(s, a);
	if (!limits_may_apply(s))
		return 0;
	(void)server_limit_vars(s, &c->remote, a);
	r = limits_decide(&s->lim, &s->table, &c->remote, &a->v);
	if (r == LIMIT_OK)
		return 0;
	s->refused[r]++;
	log_refusal(s, c, r);
	n = refuse_message(s->o, r, &a->v, msg);
	refuse_send(c->fd, msg, n);
	return 1;
}
