/* limits.c: the refusal decision for a new connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "limits.h"

static int
value_put(struct limit_value *lv, const char *s, size_t len, int numeric,
    int from_rule)
{
	unsigned long n = 0;

	if (numeric && scan_ulong_n(s, len, OPTIONS_MAX_LIMIT * 1000, &n) < 0)
		return -1;
	lv->set = 1;
	lv->n = n;
	lv->text = s;
	lv->len = len;
	lv->from_rule = from_rule;
	return 1;
}

int
limits_vars_put(struct limit_vars *v, const char *item, size_t len)
{
	const char *eq = memchr(item, '=', len);
	size_t nlen;

	if (eq == NULL)
		return 0;
	nlen = (size_t)(eq - item);
	len -= nlen + 1;
	if (nlen == 9 && memcmp(item, "MAXCONNIP", 9) == 0)
		return value_put(&v->maxconnip, eq + 1, len, 1, 1);
	if (nlen == 8 && memcmp(item, "MAXCONNC", 8) == 0)
		return value_put(&v->maxconnc, eq + 1, len, 1, 1);
	if (nlen == 6 && memcmp(item, "DIEMSG", 6) == 0)
		return value_put(&v->diemsg, eq + 1, len, 0, 1);
	return 0;
}

static void
env_put(struct limit_vars *v, const char *name, char *err, size_t errlen)
{
	const char *value = getenv(name);

	if (value == NULL)
		return;
	if (strcmp(name, "DIEMSG") == 0) {
		value_put(&v->diemsg, value, strlen(value), 0, 0);
		return;
	}
	if (value_put(strcmp(name, "MAXCONNIP") == 0 ? &v->maxconnip :
	    &v->maxconnc, value, strlen(value), 1, 0) < 0 && err[0] == '\0')
		snprintf(err, errlen, "ignoring $%s: not a number: %s", name,
		    value);
}

void
limits_vars_from_env(struct limit_vars *v, char *err, size_t errlen)
{
	memset(v, 0, sizeof *v);
	err[0] = '\0';
	env_put(v, "MAXCONNIP", err, errlen);
	env_put(v, "MAXCONNC", err, errlen);
	env_put(v, "DIEMSG", err, errlen);
}

/* A limit of 0 from -C/-N means "none"; from a variable it means
 * "refuse always", as in the limits patch. */
static int
over(unsigned long count, const struct limit_value *rule, unsigned long opt)
{
	if (rule->set)
		return count >= rule->n;
	return opt > 0 && count >= opt;
}

enum limit_reason
limits_decide(const struct limits_now *l, const struct conn_table *t,
    const struct ip_addr *remote, const struct limit_vars *v)
{
	unsigned long per_ip = l->n[LIMIT_MAX_PER_IP];
	unsigned long per_net = l->n[LIMIT_MAX_PER_NETWORK];

	if ((v->maxconnip.set || per_ip > 0) &&
	    over(conn_table_count_ip(t, remote), &v->maxconnip, per_ip))
		return v->maxconnip.set ? LIMIT_RULE_IP : LIMIT_IP;
	if ((v->maxconnc.set || per_net > 0) &&
	    over(conn_table_count_net(t, remote), &v->maxconnc, per_net))
		return v->maxconnc.set ? LIMIT_RULE_NET : LIMIT_NET;
	return LIMIT_OK;
}

void
limits_from_options(struct limits_now *l, const struct server_options *o)
{
	memset(l, 0, sizeof *l);
	l->n[LIMIT_MAX_CONNECTIONS] = o->limit;
	l->n[LIMIT_MAX_PER_IP] = o->per_ip_limit;
	l->n[LIMIT_MAX_PER_NETWORK] = o->per_net_limit;
}

void
limits_apply_file(const struct limits_now *cmdline,
    const struct limits_file *lf, struct limits_now *out)
{
	int k;

	*out = *cmdline;
	for (k = 0; k < LIMIT_KEYS; k++)
		if (lf->set[k]) {
			out->n[k] = lf->n[k];
			out->from[k] = LIMIT_FROM_FILE;
		}
}

const char *
limits_flag(enum limit_reason r)
{
	switch (r) {
	case LIMIT_IP:
	case LIMIT_RULE_IP:
		return "MAXCONNIP:";
	case LIMIT_NET:
	case LIMIT_RULE_NET:
		return "MAXCONNC:";
	default:
		return "";
	}
}

const char *
limits_name(enum limit_reason r)
{
	static const char *const names[LIMIT_REASONS] = {
		"ok", "ip", "net", "rule-ip", "rule-net"
	};

	return (unsigned)r < LIMIT_REASONS ? names[r] : "?";
}
