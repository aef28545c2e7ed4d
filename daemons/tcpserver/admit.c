/* admit.c: the parent's decision on a new connection before any fork:
 * per-IP and per-network limits, with the rules' MAXCONNIP/MAXCONNC. */
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

	return s->o->per_ip_limit > 0 || s->o->per_net_limit > 0 ||
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
 * is reopened when the file changes); a missing or broken file sets no
 * limits, the child reports it as it always has. */
static void
rules_vars(struct server *s, const struct server_conn *c,
    struct limit_vars *v)
{
	char key[IP_FMT_MAX];
	struct rules_match m;
	const char *item;
	size_t pos = 0, len;

	if (rules_cache_refresh(&s->rules) < 0 || s->rules.db == NULL)
		return;
	rules_key(s, &c->remote, key);
	if (rules_db_lookup_ip(s->rules.db, key, &m) != 1)
		return;
	while (rules_match_next_env(&m, &pos, &item, &len))
		(void)limits_vars_put(v, item, len);
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
server_admit_refuse(struct server *s, const struct server_conn *c)
{
	struct limit_vars v;
	enum limit_reason r;
	char msg[REFUSE_MAX];
	size_t n;

	if (!limits_may_apply(s))
		return 0;
	v = s->env_vars;
	if (s->rules_on)
		rules_vars(s, c, &v);
	r = limits_decide(s->o, &s->table, &c->remote, &v);
	if (r == LIMIT_OK)
		return 0;
	s->refused[r]++;
	log_refusal(s, c, r);
	n = refuse_message(s->o, r, &v, msg);
	refuse_send(c->fd, msg, n);
	return 1;
}
