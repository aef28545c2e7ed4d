/* ctlgroups.c: live connections grouped per address key: the groups come
 * from the table's per-key counts, the best ones are picked, and one pass
 * over the connections fills in the pids of those only. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctlgroups.h"

#define NONE UINT32_MAX

int
ctl_key_cmp(const struct ip_addr *a, const struct ip_addr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16);
}

/* Negative when a comes first: more connections, then smaller address
 * (ctl_key_cmp's order, on numbers: most groups tie on the count). */
static int
group_cmp(const struct ctl_group *a, const struct ctl_group *b)
{
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->key.family != b->key.family)
		return a->key.family == AF_INET ? -1 : 1;
	if (a->order[0] != b->order[0])
		return a->order[0] < b->order[0] ? -1 : 1;
	if (a->order[1] != b->order[1])
		return a->order[1] < b->order[1] ? -1 : 1;
	return 0;
}

static uint64_t
big_endian(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int
group_qsort_cmp(const void *x, const void *y)
{
	return group_cmp(x, y);
}

static int
pid_cmp(const void *x, const void *y)
{
	pid_t a = *(const pid_t *)x, b = *(const pid_t *)y;

	return a < b ? -1 : a > b;
}

static void
group_init(struct ctl_group *g, const struct conn_table *t, size_t slot)
{
	memset(g, 0, sizeof *g);
	g->key = *conn_table_key_addr(t, slot);
	g->count = conn_table_key_count(t, slot);
	g->slot = slot;
	if (g->key.family == AF_INET)
		g->order[1] = big_endian(g->key.a, 4);
	else {
		g->order[0] = big_endian(g->key.a, 8);
		g->order[1] = big_endian(g->key.a + 8, 8);
	}
}

/* A group's pids come in table order; most groups are small, where
 * insertion beats qsort's calls through a pointer. */
static void
sort_pids(pid_t *p, size_t n)
{
	size_t i, j;
	pid_t v;

	if (n > 32) {
		qsort(p, n, sizeof *p, pid_cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		v = p[i];
		for (j = i; j > 0 && p[j - 1] > v; j--)
			p[j] = p[j - 1];
		p[j] = v;
	}
}

/* A heap whose root is the group that comes last: the one a better
 * candidate replaces when only the first top are kept. */
static void
heap_down(struct ctl_group *h, size_t n, size_t i)
{
	struct ctl_group tmp;
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && group_cmp(&h[c + 1], &h[c]) > 0)
			c++;
		if (group_cmp(&h[c], &h[i]) <= 0)
			return;
		tmp = h[i];
		h[i] = h[c];
		h[c] = tmp;
		i = c;
	}
}

/* Every key in use is a candidate; the first keep of them (in output
 * order) end up sorted in g. Returns how many. */
static size_t
pick_groups(const struct conn_table *t, size_t keep, struct ctl_group *g)
{
	struct ctl_group c;
	size_t pos = 0, slot, n = 0, i;

	if (keep == 0)
		return 0;
	while (conn_table_next_key(t, &pos, &slot)) {
		group_init(&c, t, slot);
		if (n < keep) {
			g[n++] = c;
			if (n == keep)
				for (i = n / 2; i-- > 0;)
					heap_down(g, n, i);
		} else if (group_cmp(&c, &g[0]) < 0) {
			g[0] = c;
			heap_down(g, n, 0);
		}
	}
	qsort(g, n, sizeof *g, group_qsort_cmp);
	return n;
}

/* One pass over the connections: the picked groups' pids, oldest start
 * and the address of the lowest pid (the one the rules are asked about). */
static void
fill_groups(struct ctl_groups *out, const struct conn_table *t,
    const uint32_t *map)
{
	const struct conn_info *ci;
	struct ctl_group *g;
	size_t pos = 0, slot, i;

	while (conn_table_next_keyed(t, &pos, &ci, &slot)) {
		if (map[slot] == NONE)
			continue;
		g = &out->g[map[slot]];
		if (g->filled == g->count)
			continue;
		if (g->filled == 0 || ci->start < g->oldest)
			g->oldest = ci->start;
		if (g->filled == 0 || ci->pid < g->low) {
			g->low = ci->pid;
			g->remote = ci->remote;
		}
		if (ci->adopted != CONN_OWN)
			g->adopted++;
		out->pids[g->first + g->filled++] = ci->pid;
	}
	for (i = 0; i < out->n; i++) {
		g = &out->g[i];
		g->count = g->filled;
		sort_pids(out->pids + g->first, g->count);
	}
}

/* Where each picked group's pids go, and which key index is whose. */
static int
place_groups(struct ctl_groups *out, const struct conn_table *t)
{
	size_t i, slots = conn_table_key_slots(t), total = 0;
	uint32_t *map;

	map = malloc((slots + 1) * sizeof *map);
	if (map == NULL)
		return -1;
	memset(map, 0xff, (slots + 1) * sizeof *map);
	for (i = 0; i < out->n; i++) {
		out->g[i].first = total;
		total += out->g[i].count;
		map[out->g[i].slot] = (uint32_t)i;
	}
	out->pids = malloc((total + 1) * sizeof *out->pids);
	if (out->pids == NULL) {
		free(map);
		return -1;
	}
	fill_groups(out, t, map);
	free(map);
	return 0;
}

int
ctl_groups_build(struct ctl_groups *out, const struct conn_table *t,
    unsigned long top, const struct ip_addr *ip)
{
	size_t slot = 0, room;

	memset(out, 0, sizeof *out);
	if (ip != NULL)
		room = conn_table_key_find(t, ip, &slot) ? 1 : 0;
	else
		room = conn_table_distinct_ips(t);
	if (top > 0 && top < room)
		room = top;
	out->g = malloc((room + 1) * sizeof *out->g);
	if (out->g == NULL)
		return -1;
	if (ip != NULL && room > 0) {
		group_init(&out->g[0], t, slot);
		out->n = 1;
	} else if (ip == NULL)
		out->n = pick_groups(t, room, out->g);
	if (out->n > 0 && place_groups(out, t) < 0) {
		ctl_groups_free(out);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
ctl_groups_free(struct ctl_groups *out)
{
	free(out->g);
	free(out->pids);
	memset(out, 0, sizeof *out);
}
