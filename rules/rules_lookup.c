/* rules_lookup.c: opening a compiled rules.cdb and finding the rule for a client. */
#include <sys/stat.h>

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules_lookup.h"

struct rules_db {
	struct cdb cdb;
};

/* Candidate keys are built here; longer ones (a long ident answer or
 * host name) fall back to the heap. */
#define KEY_STACK 512

struct keybuf {
	char stack[KEY_STACK];
	char *heap;
	char *s;
	size_t len;
};

int
rules_db_open(struct rules_db **db, const char *path)
{
	struct rules_db *d;
	struct stat st;
	int fd, saved;

	*db = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	/* tcpserver reports an empty file as "invalid argument" */
	if (st.st_size == 0) {
		errno = EINVAL;
		goto fail;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		goto fail;
	if (cdb_init(&d->cdb, fd) == -1) {
		saved = errno;
		free(d);
		close(fd);
		errno = saved ? saved : EPROTO;
		return -1;
	}
	/* the mapping outlives the descriptor */
	close(fd);
	d->cdb.cdb_fd = -1;
	*db = d;
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

void
rules_db_close(struct rules_db **db)
{
	if (db == NULL || *db == NULL)
		return;
	cdb_free(&(*db)->cdb);
	free(*db);
	*db = NULL;
}

static void
match_fill(struct rules_db *db, struct rules_match *m)
{
	const char *p, *end;

	m->key = cdb_getkey(&db->cdb);
	m->keylen = cdb_keylen(&db->cdb);
	m->data = cdb_getdata(&db->cdb);
	m->datalen = cdb_datalen(&db->cdb);
	if (m->key == NULL)
		m->key = "";
	if (m->data == NULL)
		m->data = "";
	m->deny = 0;
	p = m->data;
	end = m->data + m->datalen;
	while (p < end) {
		const char *nul = memchr(p, '\0', end - p);
		if (nul == NULL)
			break;
		if (nul - p == 1 && *p == 'D')
			m->deny = 1;
		p = nul + 1;
	}
}

/* One candidate: 1 hit (m filled), 0 miss, -1 error. */
static int
try_key(struct rules_db *db, const char *key, size_t len, struct rules_match *m)
{
	int r;

	r = cdb_find(&db->cdb, key, (unsigned)len);
	if (r < 0) {
		if (errno == 0)
			errno = EPROTO;
		return -1;
	}
	if (r == 0)
		return 0;
	match_fill(db, m);
	return 1;
}

/* Builds a+b+c in kb (parts may be empty). 0, or -1 out of memory. */
static int
keybuf_set(struct keybuf *kb, const char *a, size_t alen, const char *b,
    size_t blen, const char *c, size_t clen)
{
	size_t need = alen + blen + clen;

	kb->s = kb->stack;
	if (need > sizeof(kb->stack)) {
		free(kb->heap);
		kb->heap = malloc(need);
		if (kb->heap == NULL)
			return -1;
		kb->s = kb->heap;
	}
	memcpy(kb->s, a, alen);
	memcpy(kb->s + alen, b, blen);
	memcpy(kb->s + alen + blen, c, clen);
	kb->len = need;
	return 0;
}

static int
try_parts(struct rules_db *db, struct keybuf *kb, const char *a, size_t alen,
    const char *b, size_t blen, const char *c, size_t clen, struct rules_match *m)
{
	if (keybuf_set(kb, a, alen, b, blen, c, clen) == -1)
		return -1;
	return try_key(db, kb->s, kb->len, m);
}

/* The prefixes of ip ending in '.' or ':', longest first. */
static int
try_ip_prefixes(struct rules_db *db, const char *ip, size_t iplen, struct rules_match *m)
{
	size_t j;
	int r;

	for (j = iplen; j > 0; j--) {
		if (ip[j - 1] != '.' && ip[j - 1] != ':')
			continue;
		r = try_key(db, ip, j, m);
		if (r != 0)
			return r;
	}
	return 0;
}

/* =.suffix for every dot of host, left to right, then '='. */
static int
try_host_suffixes(struct rules_db *db, struct keybuf *kb, const char *host,
    struct rules_match *m)
{
	const char *p;
	int r;

	for (p = host; (p = strchr(p, '.')) != NULL; p++) {
		r = try_parts(db, kb, "=", 1, p, strlen(p), "", 0, m);
		if (r != 0)
			return r;
	}
	return try_key(db, "=", 1, m);
}

/* Steps 1-7 of the lookup order; the empty key is left to the caller. */
static int
lookup_named(struct rules_db *db, struct keybuf *kb, const char *ip,
    const char *host, const char *info, struct rules_match *m)
{
	size_t iplen = strlen(ip);
	size_t hostlen = host != NULL ? strlen(host) : 0;
	size_t infolen = info != NULL ? strlen(info) : 0;
	int r;

	if (info != NULL) {
		r = try_parts(db, kb, info, infolen, "@", 1, ip, iplen, m);
		if (r != 0)
			return r;
		if (host != NULL) {
			r = try_parts(db, kb, info, infolen, "@=", 2, host, hostlen, m);
			if (r != 0)
				return r;
		}
	}
	r = try_key(db, ip, iplen, m);
	if (r != 0)
		return r;
	if (host != NULL) {
		r = try_parts(db, kb, "=", 1, host, hostlen, "", 0, m);
		if (r != 0)
			return r;
	}
	r = try_ip_prefixes(db, ip, iplen, m);
	if (r != 0 || host == NULL)
		return r;
	return try_host_suffixes(db, kb, host, m);
}

int
rules_db_lookup(struct rules_db *db, const char *ip, const char *host,
    const char *info, struct rules_match *m)
{
	struct keybuf kb;
	int r, saved;

	kb.heap = NULL;
	r = lookup_named(db, &kb, ip, host, info, m);
	saved = errno;
	free(kb.heap);
	errno = saved;
	if (r != 0)
		return r;
	return try_key(db, "", 0, m);
}

int
rules_db_lookup_ip(struct rules_db *db, const char *ip, struct rules_match *m)
{
	size_t iplen = strlen(ip);
	int r;

	r = try_key(db, ip, iplen, m);
	if (r != 0)
		return r;
	r = try_ip_prefixes(db, ip, iplen, m);
	if (r != 0)
		return r;
	return try_key(db, "", 0, m);
}

/* The next NUL-terminated item starting with '+', or 0 at the end;
 * bytes after the last NUL are not an item. */
int
rules_match_next_env(const struct rules_match *m, size_t *pos,
    const char **item, size_t *len)
{
	const char *p, *nul;

	while (*pos < m->datalen) {
		p = m->data + *pos;
		nul = memchr(p, '\0', m->datalen - *pos);
		if (nul == NULL) {
			*pos = m->datalen;
			return 0;
		}
		*pos += (size_t)(nul - p) + 1;
		if (*p == '+') {
			*item = p + 1;
			*len = (size_t)(nul - p) - 1;
			return 1;
		}
	}
	return 0;
}

int
rules_match_getenv(const struct rules_match *m, const char *name,
    const char **value, size_t *len)
{
	size_t pos = 0, ilen, nlen = strlen(name);
	const char *item;

	while (rules_match_next_env(m, &pos, &item, &ilen)) {
		if (ilen > nlen && item[nlen] == '=' && memcmp(item, name, nlen) == 0
		    && memchr(item, '=', nlen) == NULL) {
			*value = item + nlen + 1;
			*len = ilen - nlen - 1;
			return 1;
		}
	}
	return 0;
}
