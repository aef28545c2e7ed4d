/* limits.h: whether the listener takes a new connection or refuses it
 * (per-IP and per-network counts from -C/-N, and the MAXCONNIP, MAXCONNC
 * and DIEMSG variables of the QmailToaster "limits" patch). */
#ifndef MAILSTACK_TCPSERVER_LIMITS_H
#define MAILSTACK_TCPSERVER_LIMITS_H

#include <stddef.h>

#include "conn_table.h"
#include "ip.h"
#include "limitsfile.h"
#include "options.h"

enum limit_reason {
	LIMIT_OK = 0,
	LIMIT_IP,		/* -C n reached */
	LIMIT_NET,		/* -N n reached */
	LIMIT_RULE_IP,		/* MAXCONNIP reached (rule or environment) */
	LIMIT_RULE_NET,		/* MAXCONNC reached (rule or environment) */
	LIMIT_REASONS
};

/* Where a limit's current value comes from. */
enum limit_origin {
	LIMIT_FROM_CMDLINE = 0,
	LIMIT_FROM_FILE,
	LIMIT_FROM_SET		/* the control socket's "set" */
};

/* The limits in force: the command line, overridden by the limits file,
 * overridden by "set" until the next reload. */
struct limits_now {
	unsigned long n[LIMIT_KEYS];
	enum limit_origin from[LIMIT_KEYS];
};

/* The command line's limits, all from LIMIT_FROM_CMDLINE. */
void limits_from_options(struct limits_now *l, const struct server_options *o);
/* The limits in force from the command line's and a limits file's: each
 * key the file sets replaces the command line's. */
void limits_apply_file(const struct limits_now *cmdline,
    const struct limits_file *lf, struct limits_now *out);

/* One value of MAXCONNIP, MAXCONNC or DIEMSG: set or not. */
struct limit_value {
	int set;
	unsigned long n;	/* MAXCONNIP, MAXCONNC */
	const char *text;	/* DIEMSG, borrowed, not NUL-terminated */
	size_t len;
	int from_rule;		/* 1 from the rules, 0 from the environment */
};

/* The variables that apply to one client: the listener's environment,
 * overridden by the rule that matched its IP. */
struct limit_vars {
	struct limit_value maxconnip;
	struct limit_value maxconnc;
	struct limit_value diemsg;
};

/* Reads MAXCONNIP, MAXCONNC and DIEMSG from the environment. A value
 * that is not a number is ignored with a warning text in err (err[0] is
 * '\0' when all is well). Pointers borrow from the environment. */
void limits_vars_from_env(struct limit_vars *v, char *err, size_t errlen);
/* Overrides v with NAME=VALUE (len bytes, not NUL-terminated) when NAME is
 * one of the three; other names are ignored. Returns 1 when used, 0 when
 * ignored, -1 when the value of a count is not a number (v unchanged). */
int limits_vars_put(struct limit_vars *v, const char *item, size_t len);

/* What to do with a client: the reason (LIMIT_OK = take it). The limit of
 * a rule variable replaces the -C/-N limit for the clients it covers (so a
 * rule can grant one address more, or 0 = refuse always). The total
 * (-c) is not looked at here: the event loop stops accepting at it. */
enum limit_reason limits_decide(const struct limits_now *l,
    const struct conn_table *t, const struct ip_addr *remote,
    const struct limit_vars *v);

/* The deny-line flag of a reason: "MAXCONNIP:" or "MAXCONNC:" as the
 * limits patch writes them; "" for LIMIT_OK. */
const char *limits_flag(enum limit_reason r);
/* A short name for counters: "ip", "net", "rule-ip", "rule-net". */
const char *limits_name(enum limit_reason r);

#endif
