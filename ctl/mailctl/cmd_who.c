/* cmd_who.c: mailctl who SERVICE: live connections per client address, largest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "ctl/mailctl/ctl.h"
#include "ctl/mailctl/view.h"

#define WHO_PIDS_SHOWN 5

static const char *const who_heads[] = {
	"IP", "COUNT", "ADOPTED", "LIMIT", "SOURCE", "OLDEST", "PIDS"
};

/* "rule:127.0.0.1 (line 4)" when mailctld found the rule's line. */
static void
who_source_cell(struct table *t, json_t *c)
{
	json_t *line = json_object_get(c, "limit_rule_line");
	char src[256];

	ctl_cell(src, sizeof(src), json_object_get(c, "limit_source"));
	if (json_is_integer(line))
		table_addf(t, "%s (line %lld)", src, (long long)json_integer_value(line));
	else
		table_add(t, src);
}

/* The first WHO_PIDS_SHOWN pids and "+N" for the rest: a table line stays
 * readable with a thousand connections; --json has them all. */
static void
who_pids_cell(struct table *t, json_t *pids)
{
	struct strbuf sb = STRBUF_ZERO;
	size_t i, n = json_array_size(pids);

	for (i = 0; i < n && i < WHO_PIDS_SHOWN; i++)
		strbuf_printf(&sb, "%s%lld", i > 0 ? "," : "",
		    (long long)json_integer_value(json_array_get(pids, i)));
	if (n > WHO_PIDS_SHOWN)
		strbuf_printf(&sb, ",+%zu", n - WHO_PIDS_SHOWN);
	table_add(t, sb.len > 0 ? sb.s : "-");
	strbuf_free(&sb);
}

static void
who_row(struct table *t, json_t *c, long long now)
{
	json_t *oldest = json_object_get(c, "oldest");
	char cell[128];

	view_add(t, json_object_get(c, "ip"));
	view_add(t, json_object_get(c, "count"));
	/* how many of count the listener adopted (after a crash or an s6
	 * restart) rather than started; "-" from a listener that cannot tell */
	view_add(t, json_object_get(c, "adopted"));
	view_add_limit(t, json_object_get(c, "limit"));
	who_source_cell(t, c);
	if (json_is_integer(oldest))
		fmt_age(cell, sizeof(cell), json_integer_value(oldest), now);
	else
		snprintf(cell, sizeof(cell), "-");
	table_add(t, cell);
	who_pids_cell(t, json_object_get(c, "pids"));
}

int
view_who(json_t *conns, long long now, FILE *out)
{
	struct table t;
	size_t i;

	if (table_init(&t, sizeof(who_heads) / sizeof(who_heads[0]), who_heads,
	    "lrrrlrl") == -1)
		return -1;
	for (i = 0; i < json_array_size(conns); i++)
		if (json_is_object(json_array_get(conns, i)))
			who_row(&t, json_array_get(conns, i), now);
	return view_finish(&t, out);
}

static int
who_show(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	return view_who(json_object_get(root, "connections"), x->now, x->out);
}

int
cmd_who(const struct ctl *x)
{
	struct ctl_call call = { "GET", NULL, NULL, NULL, 0, NULL, NULL };
	struct strbuf path = STRBUF_ZERO;
	char *ip = NULL;
	int code, r;

	r = strbuf_printf(&path, "/v1/services/%s/connections", x->cli->service);
	if (x->cli->set & CLI_HAS_TOP)
		r |= strbuf_printf(&path, "?top=%lu", x->cli->top);
	if (x->cli->ip != NULL) {
		if ((ip = http_escape(x->cli->ip)) == NULL)
			r = -1;
		else
			r |= strbuf_printf(&path, "%sip=%s",
			    (x->cli->set & CLI_HAS_TOP) ? "&" : "?", ip);
	}
	free(ip);
	if (r != 0) {
		strbuf_free(&path);
		ctl_complain(x, "out of memory");
		return CTL_EX_LOCAL;
	}
	call.path = path.s;
	code = ctl_run(x, &call, who_show);
	strbuf_free(&path);
	return code;
}
