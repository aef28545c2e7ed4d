/* ctlconns.c: the "connections" request: live connections grouped by
 * client address key, built from the table at request time so that the
 * accept path keeps no per-address lists. */
#include <stdlib.h>
#include <string.h>

#include "server.h"

struct entry {
	struct ip_addr key;
	struct ip_addr remote;
	pid_t pid;
	time_t start;
};

struct group {
	size_t first;		/* in the sorted entries */
	size_t count;
	time_t oldest;
};

/* IPv4 before IPv6, then byte order: "smaller address first". */
static int
key_cmp(const struct ip_addr *a, const struct ip_addr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16);
}

static int
entry_cmp(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = key_cmp(&a->key, &b->key);

	if (c != 0)
		return c;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

/* ctx: the sorted entries, where each group's key is. */
static int
group_cmp(const void *x, const void *y, void *ctx)
{
	const struct group *a = x, *b = y;
	const struct entry *e = ctx;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return key_cmp(&e[a->first].key, &e[b->first].key);
}

/* The live connections (only those of req's address when it has one),
 * sorted by key then pid. Returns how many, or -1 (ENOMEM). */
static long
collect(const struct server *s, const struct ctl_request *req,
    struct entry **out)
{
	const struct conn_info *ci;
	struct ip_addr want;
	struct entry *e;
	size_t pos = 0, n = 0;

	e = malloc((conn_table_count(&s->table) + 1) * sizeof *e);
	if (e == NULL)
		return -1;
	if (req->has_ip)
		conn_table_ip_key(&s->table, &req->ip, &want);
	while (conn_table_next(&s->table, &pos, &ci)) {
		conn_table_ip_key(&s->table, &ci->remote, &e[n].key);
		if (req->has_ip && !ip_equal(&e[n].key, &want))
			continue;
		e[n].remote = ci->remote;
		e[n].pid = ci->pid;
		e[n].start = ci->start;
		n++;
	}
	qsort(e, n, sizeof *e, entry_cmp);
	*out = e;
	return (long)n;
}

static size_t
make_groups(const struct entry *e, size_t n, struct group *g)
{
	size_t i, ng = 0;

	for (i = 0; i < n; i++) {
		if (ng == 0 || !ip_equal(&e[i].key, &e[g[ng - 1].first].key)) {
			g[ng].first = i;
			g[ng].count = 0;
			g[ng].oldest = e[i].start;
			ng++;
		}
		g[ng - 1].count++;
		if (e[i].start < g[ng - 1].oldest)
			g[ng - 1].oldest = e[i].start;
	}
	return ng;
}

/* "ip ADDR count N limit L source SRC oldest EPOCH pids P1,P2,..." */
static int
put_group(struct server *s, const struct entry *e, const struct group *g,
    struct strbuf *src, struct strbuf *out)
{
	char ip[IP_FMT_MAX];
	unsigned long limit;
	size_t i;
	int r = 0;

	ip_format(&e[g->first].key, ip);
	/* The rules see a real client address, not a /k key. */
	limit = server_ip_limit(s, &e[g->first].remote, src);
	r |= strbuf_printf(out, "ip %s count %zu limit %lu source ", ip,
	    g->count, limit);
	r |= ctl_put_escaped(out, src->s != NULL ? src->s : "", src->len);
	r |= strbuf_printf(out, " oldest %lld pids ", (long long)g->oldest);
	for (i = 0; i < g->count; i++)
		r |= strbuf_printf(out, i > 0 ? ",%ld" : "%ld",
		    (long)e[g->first + i].pid);
	r |= strbuf_appendc(out, '\n');
	return r < 0 ? -1 : 0;
}

int
server_ctl_connections(struct server *s, const struct ctl_request *req,
    struct strbuf *out)
{
	struct strbuf src = STRBUF_ZERO;
	struct entry *e;
	struct group *g;
	size_t i, ng;
	long n;
	int r;

	n = collect(s, req, &e);
	if (n < 0)
		return -1;
	g = malloc(((size_t)n + 1) * sizeof *g);
	if (g == NULL) {
		free(e);
		return -1;
	}
	ng = make_groups(e, (size_t)n, g);
	qsort_r(g, ng, sizeof *g, group_cmp, e);
	if (req->top > 0 && req->top < ng)
		ng = req->top;
	r = ctl_put_ok(out);
	for (i = 0; i < ng && r == 0 && out->len <= CTL_OUT_MAX; i++)
		r = put_group(s, e, &g[i], &src, out);
	if (r == 0)
		r = ctl_put_end(out);
	strbuf_free(&src);
	free(g);
	free(e);
	return r;
}
