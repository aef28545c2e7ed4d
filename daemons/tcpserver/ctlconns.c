/* ctlconns.c: the "connections" request: live connections grouped per
 * client address key (ctlgroups.c), one line per group written by hand
 * into the reply, since a full report is thousands of numbers. */
#include <string.h>

#include "ctlgroups.h"
#include "server.h"

/* A line's bytes beyond its pids and its escaped source. */
#define LINE_FIXED (IP_FMT_MAX + 5 * CTL_NUM_MAX + 80)

static char *
put_word(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *
put_num(char *p, unsigned long long n)
{
	return p + ctl_fmt_num(p, n);
}

/* "ip ADDR count N limit L source SRC oldest EPOCH adopted A pids
 * P1,P2,..." */
static int
put_group(struct server *s, const struct ctl_groups *gs, size_t i,
    struct strbuf *src, struct strbuf *out)
{
	const struct ctl_group *g = &gs->g[i];
	unsigned long limit;
	size_t k;
	pid_t pid;
	char *p;

	/* The rules see a real client address, not a /k key. */
	limit = server_ip_limit(s, &g->remote, src);
	if (strbuf_reserve(out, LINE_FIXED + 3 * src->len +
	    g->count * (CTL_NUM_MAX + 1)) < 0)
		return -1;
	p = out->s + out->len;
	p = put_word(p, "ip ");
	p += ip_format(&g->key, p);
	p = put_num(put_word(p, " count "), g->count);
	p = put_num(put_word(p, " limit "), limit);
	p = put_word(p, " source ");
	p += ctl_escape(p, src->s != NULL ? src->s : "", src->len);
	p = put_word(p, " oldest ");
	if (g->oldest < 0) {
		*p++ = '-';
		p = put_num(p, -(unsigned long long)g->oldest);
	} else
		p = put_num(p, (unsigned long long)g->oldest);
	p = put_num(put_word(p, " adopted "), g->adopted);
	p = put_word(p, " pids ");
	for (k = 0; k < g->count; k++) {
		if (k > 0)
			*p++ = ',';
		/* A ticket (the child not started yet) shows as pid 0. */
		pid = gs->pids[g->first + k];
		p = put_num(p, pid > 0 ? (unsigned long long)pid : 0);
	}
	*p++ = '\n';
	*p = '\0';
	out->len = (size_t)(p - out->s);
	return 0;
}

int
server_ctl_connections(struct server *s, const struct ctl_request *req,
    struct strbuf *out)
{
	struct strbuf src = STRBUF_ZERO;
	struct ctl_groups gs;
	size_t i;
	int r;

	if (ctl_groups_build(&gs, &s->table, req->top,
	    req->has_ip ? &req->ip : NULL) < 0)
		return -1;
	r = ctl_put_ok(out);
	for (i = 0; i < gs.n && r == 0 && out->len <= CTL_REPLY_MAX; i++)
		r = put_group(s, &gs, i, &src, out);
	if (r == 0)
		r = ctl_put_end(out);
	strbuf_free(&src);
	ctl_groups_free(&gs);
	return r;
}
