/* conn_table.c: live connections by pid, counted per address and network. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn_table.h"

#define NONE UINT32_MAX

/* Twice the capacity, rounded up to a power of two, keeps chains short
 * (load factor <= 0.5) for the cost of 8 bytes per connection. */
static uint32_t
bucket_count(size_t capacity)
{
	uint32_t n = 2;

	while (n < capacity * 2)
		n <<= 1;
	return n;
}

static uint32_t *
buckets_new(uint32_t n)
{
	uint32_t *b = malloc(n * sizeof *b);
	uint32_t i;

	if (b == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		b[i] = NONE;
	return b;
}

static uint32_t
pid_hash(pid_t pid, uint32_t mask)
{
	return ((uint32_t)pid * 2654435761u) >> 7 & mask;
}

/* On failure the caller's conn_table_free releases what was allocated. */
static int
counts_init(struct conn_counts *c, size_t capacity, unsigned bits4,
    unsigned bits6)
{
	uint32_t i, n = bucket_count(capacity);

	c->bits4 = bits4;
	c->bits6 = bits6;
	c->items = calloc(capacity ? capacity : 1, sizeof *c->items);
	c->buckets = buckets_new(n);
	if (c->items == NULL || c->buckets == NULL)
		return -1;
	c->mask = n - 1;
	for (i = 0; i + 1 < capacity; i++)
		c->items[i].next = i + 1;
	if (capacity > 0)
		c->items[capacity - 1].next = NONE;
	c->free = capacity ? 0 : NONE;
	return 0;
}

static void
counts_free(struct conn_counts *c)
{
	free(c->items);
	free(c->buckets);
	memset(c, 0, sizeof *c);
}

static void
counts_key(const struct conn_counts *c, const struct ip_addr *ip,
    struct ip_addr *key)
{
	*key = *ip;
	ip_unmap(key);
	ip_mask(key, key->family == AF_INET ? c->bits4 : c->bits6);
}

/* Index of key's counter, or NONE; *bucket gets its bucket. */
static uint32_t
counts_find(const struct conn_counts *c, const struct ip_addr *key,
    uint32_t *bucket)
{
	uint32_t i;

	*bucket = ip_hash(key) & c->mask;
	for (i = c->buckets[*bucket]; i != NONE; i = c->items[i].next)
		if (ip_equal(&c->items[i].key, key))
			return i;
	return NONE;
}

/* The caller guarantees a free item: there are never more keys than
 * live connections, and the table holds at most capacity of those. */
static uint32_t
counts_incr(struct conn_counts *c, const struct ip_addr *ip)
{
	struct ip_addr key;
	uint32_t b, i;

	counts_key(c, ip, &key);
	i = counts_find(c, &key, &b);
	if (i == NONE) {
		i = c->free;
		c->free = c->items[i].next;
		c->items[i].key = key;
		c->items[i].count = 0;
		c->items[i].next = c->buckets[b];
		c->buckets[b] = i;
		c->used++;
	}
	c->items[i].count++;
	return i;
}

static void
counts_decr(struct conn_counts *c, uint32_t i)
{
	uint32_t b, *link;

	if (--c->items[i].count > 0)
		return;
	b = ip_hash(&c->items[i].key) & c->mask;
	for (link = &c->buckets[b]; *link != i; link = &c->items[*link].next)
		;
	*link = c->items[i].next;
	c->items[i].next = c->free;
	c->free = i;
	c->used--;
}

static unsigned long
counts_get(const struct conn_counts *c, const struct ip_addr *ip)
{
	struct ip_addr key;
	uint32_t b, i;

	counts_key(c, ip, &key);
	i = counts_find(c, &key, &b);
	return i == NONE ? 0 : c->items[i].count;
}

int
conn_table_init(struct conn_table *t, size_t capacity, unsigned ip6_bits,
    unsigned net4_bits, unsigned net6_bits)
{
	uint32_t i, n;

	memset(t, 0, sizeof *t);
	if (capacity >= NONE / 4) {
		errno = ENOMEM;
		return -1;
	}
	n = bucket_count(capacity);
	t->slots = calloc(capacity ? capacity : 1, sizeof *t->slots);
	t->pid_buckets = buckets_new(n);
	if (t->slots == NULL || t->pid_buckets == NULL ||
	    counts_init(&t->ips, capacity, 32, ip6_bits) < 0 ||
	    counts_init(&t->nets, capacity, net4_bits, net6_bits) < 0) {
		conn_table_free(t);
		errno = ENOMEM;
		return -1;
	}
	t->pid_mask = n - 1;
	for (i = 0; i < capacity; i++)
		t->slots[i].next = i + 1 < capacity ? i + 1 : NONE;
	t->free = capacity ? 0 : NONE;
	t->capacity = capacity;
	return 0;
}

int
conn_table_grow(struct conn_table *t, size_t capacity)
{
	struct conn_table bigger;
	const struct conn_info *ci;
	size_t pos = 0;

	if (capacity <= t->capacity)
		return 0;
	if (conn_table_init(&bigger, capacity, t->ips.bits6, t->nets.bits4,
	    t->nets.bits6) < 0)
		return -1;
	/* Cannot fail: the new table is larger and the pids are distinct. */
	while (conn_table_next(t, &pos, &ci))
		(void)conn_table_add(&bigger, ci);
	conn_table_free(t);
	*t = bigger;
	return 0;
}

void
conn_table_free(struct conn_table *t)
{
	free(t->slots);
	free(t->pid_buckets);
	counts_free(&t->ips);
	counts_free(&t->nets);
	memset(t, 0, sizeof *t);
}

static uint32_t
pid_find(const struct conn_table *t, pid_t pid)
{
	uint32_t i;

	for (i = t->pid_buckets[pid_hash(pid, t->pid_mask)]; i != NONE;
	    i = t->slots[i].next)
		if (t->slots[i].info.pid == pid)
			return i;
	return NONE;
}

int
conn_table_add(struct conn_table *t, const struct conn_info *ci)
{
	struct conn_slot *s;
	uint32_t b, i;

	if (ci->pid == 0) {
		errno = EINVAL;
		return -1;
	}
	if (t->free == NONE) {
		errno = ENOSPC;
		return -1;
	}
	if (pid_find(t, ci->pid) != NONE) {
		errno = EEXIST;
		return -1;
	}
	i = t->free;
	s = &t->slots[i];
	t->free = s->next;
	s->info = *ci;
	ip_unmap(&s->info.remote);
	b = pid_hash(ci->pid, t->pid_mask);
	s->next = t->pid_buckets[b];
	t->pid_buckets[b] = i;
	s->ip_ref = counts_incr(&t->ips, &s->info.remote);
	s->net_ref = counts_incr(&t->nets, &s->info.remote);
	t->count++;
	if (ci->adopted != CONN_OWN)
		t->adopted++;
	return 0;
}

int
conn_table_remove(struct conn_table *t, pid_t pid, struct conn_info *out)
{
	uint32_t *link, i;
	struct conn_slot *s;

	if (pid == 0 || t->capacity == 0)
		return 0;
	link = &t->pid_buckets[pid_hash(pid, t->pid_mask)];
	while (*link != NONE && t->slots[*link].info.pid != pid)
		link = &t->slots[*link].next;
	if (*link == NONE)
		return 0;
	i = *link;
	s = &t->slots[i];
	*link = s->next;
	counts_decr(&t->ips, s->ip_ref);
	counts_decr(&t->nets, s->net_ref);
	if (out != NULL)
		*out = s->info;
	if (s->info.adopted != CONN_OWN)
		t->adopted--;
	memset(&s->info, 0, sizeof s->info);
	s->next = t->free;
	t->free = i;
	t->count--;
	return 1;
}

int
conn_table_rekey(struct conn_table *t, pid_t old, pid_t pid)
{
	uint32_t *link, i, b;

	if (old == 0 || pid == 0 || t->capacity == 0) {
		errno = EINVAL;
		return -1;
	}
	if (pid_find(t, pid) != NONE) {
		errno = EEXIST;
		return -1;
	}
	link = &t->pid_buckets[pid_hash(old, t->pid_mask)];
	while (*link != NONE && t->slots[*link].info.pid != old)
		link = &t->slots[*link].next;
	if (*link == NONE) {
		errno = ENOENT;
		return -1;
	}
	i = *link;
	*link = t->slots[i].next;
	t->slots[i].info.pid = pid;
	b = pid_hash(pid, t->pid_mask);
	t->slots[i].next = t->pid_buckets[b];
	t->pid_buckets[b] = i;
	return 0;
}

size_t
conn_table_count(const struct conn_table *t)
{
	return t->count;
}

size_t
conn_table_count_adopted(const struct conn_table *t)
{
	return t->adopted;
}

const struct conn_info *
conn_table_find(const struct conn_table *t, pid_t pid)
{
	uint32_t i;

	if (pid == 0 || t->capacity == 0)
		return NULL;
	i = pid_find(t, pid);
	return i == NONE ? NULL : &t->slots[i].info;
}

unsigned long
conn_table_count_ip(const struct conn_table *t, const struct ip_addr *ip)
{
	return t->capacity ? counts_get(&t->ips, ip) : 0;
}

unsigned long
conn_table_count_net(const struct conn_table *t, const struct ip_addr *ip)
{
	return t->capacity ? counts_get(&t->nets, ip) : 0;
}

size_t
conn_table_distinct_ips(const struct conn_table *t)
{
	return t->ips.used;
}

size_t
conn_table_distinct_nets(const struct conn_table *t)
{
	return t->nets.used;
}

void
conn_table_ip_key(const struct conn_table *t, const struct ip_addr *ip,
    struct ip_addr *key)
{
	counts_key(&t->ips, ip, key);
}

int
conn_table_next(const struct conn_table *t, size_t *pos,
    const struct conn_info **ci)
{
	size_t key;

	return conn_table_next_keyed(t, pos, ci, &key);
}

int
conn_table_next_keyed(const struct conn_table *t, size_t *pos,
    const struct conn_info **ci, size_t *key)
{
	while (*pos < t->capacity) {
		const struct conn_slot *s = &t->slots[(*pos)++];

		if (s->info.pid != 0) {
			*ci = &s->info;
			*key = s->ip_ref;
			return 1;
		}
	}
	return 0;
}

size_t
conn_table_key_slots(const struct conn_table *t)
{
	return t->capacity;
}

int
conn_table_next_key(const struct conn_table *t, size_t *pos, size_t *key)
{
	while (*pos < t->capacity) {
		if (t->ips.items[(*pos)++].count > 0) {
			*key = *pos - 1;
			return 1;
		}
	}
	return 0;
}

unsigned long
conn_table_key_count(const struct conn_table *t, size_t i)
{
	return i < t->capacity ? t->ips.items[i].count : 0;
}

const struct ip_addr *
conn_table_key_addr(const struct conn_table *t, size_t i)
{
	return &t->ips.items[i].key;
}

int
conn_table_key_find(const struct conn_table *t, const struct ip_addr *ip,
    size_t *key)
{
	struct ip_addr k;
	uint32_t b, i;

	if (t->capacity == 0)
		return 0;
	counts_key(&t->ips, ip, &k);
	i = counts_find(&t->ips, &k, &b);
	if (i == NONE)
		return 0;
	*key = i;
	return 1;
}
