/* token.c: the tokens file (NAME SCOPE sha256:HEX per line), checking
 * presented tokens in constant time, and making new ones. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "lib/atomicfile.h"
#include "lib/strbuf.h"
#include "web/token.h"
#include "web/util.h"

int
token_sha256(const void *p, size_t len, unsigned char out[TOKEN_HASH_LEN])
{
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, p, len, out) < 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

void
token_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

enum token_scope
token_scope_parse(const char *s)
{
	if (strcmp(s, "read") == 0)
		return TOKEN_READ;
	if (strcmp(s, "admin") == 0)
		return TOKEN_ADMIN;
	return TOKEN_NONE;
}

static int
name_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > TOKEN_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

/* "NAME SCOPE sha256:HEX" */
static int
parse_line(char *line, struct token_entry *e)
{
	char *w[3], *save = NULL;
	size_t i;

	for (i = 0; i < 3; i++)
		if ((w[i] = strtok_r(i == 0 ? line : NULL, " \t\r", &save)) == NULL)
			return -1;
	if (strtok_r(NULL, " \t\r", &save) != NULL || !name_valid(w[0]))
		return -1;
	if ((e->scope = token_scope_parse(w[1])) == TOKEN_NONE)
		return -1;
	if (strncmp(w[2], "sha256:", 7) != 0 || strlen(w[2] + 7) != 2 * TOKEN_HASH_LEN)
		return -1;
	for (i = 0; i < TOKEN_HASH_LEN; i++) {
		int hi = util_hexval(w[2][7 + 2 * i]), lo = util_hexval(w[2][8 + 2 * i]);

		if (hi < 0 || lo < 0)
			return -1;
		e->hash[i] = (unsigned char)(hi << 4 | lo);
	}
	strcpy(e->name, w[0]);
	return 0;
}

int
token_parse(const char *buf, size_t len, struct token_entry **v, size_t *n,
    size_t *badline)
{
	char *text, *line, *nl;
	struct token_entry *arr = NULL, *na;
	size_t count = 0, lineno = 0;

	*badline = 0;
	if ((text = strndup(buf, len)) == NULL)
		return -1;
	for (line = text; line != NULL && *line != '\0'; line = nl != NULL ? nl + 1 : NULL) {
		struct token_entry e;

		lineno++;
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (line[strspn(line, " \t\r")] == '\0' || line[0] == '#')
			continue;
		if (parse_line(line, &e) == -1) {
			free(text), free(arr);
			*badline = lineno;
			errno = EINVAL;
			return -1;
		}
		if ((na = realloc(arr, (count + 1) * sizeof(*arr))) == NULL) {
			free(text), free(arr);
			return -1;
		}
		arr = na;
		arr[count++] = e;
	}
	free(text);
	*v = arr;
	*n = count;
	return 0;
}

int
token_store_init(struct token_store *ts, const char *path)
{
	memset(ts, 0, sizeof(*ts));
	if ((ts->path = strdup(path)) == NULL)
		return -1;
	pthread_mutex_init(&ts->lock, NULL);
	return 0;
}

void
token_store_free(struct token_store *ts)
{
	if (ts->path == NULL)
		return;
	free(ts->path);
	free(ts->v);
	pthread_mutex_destroy(&ts->lock);
	memset(ts, 0, sizeof(*ts));
}

int
token_store_repoint(struct token_store *ts, const char *path)
{
	char *p = strdup(path);

	if (p == NULL)
		return -1;
	pthread_mutex_lock(&ts->lock);
	free(ts->path);
	ts->path = p;
	ts->loaded = 0;	/* read at the next check, changed or not */
	pthread_mutex_unlock(&ts->lock);
	return 0;
}

/* Re-reads the file when stat says it changed; called with the lock held.
 * An unreadable or bad file empties the store (fail closed). */
static void
refresh(struct token_store *ts)
{
	struct token_entry *v = NULL;
	struct stat st;
	char *buf;
	size_t len, n = 0, bad;

	if (stat(ts->path, &st) == -1) {
		free(ts->v), ts->v = NULL, ts->n = 0, ts->loaded = 0;
		return;
	}
	if (ts->loaded && st.st_dev == ts->dev && st.st_ino == ts->ino &&
	    st.st_size == ts->size && st.st_mtim.tv_sec == ts->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == ts->mtime.tv_nsec)
		return;
	free(ts->v), ts->v = NULL, ts->n = 0, ts->loaded = 0;
	if (util_read_file(ts->path, &buf, &len) == -1)
		return;
	if (token_parse(buf, len, &v, &n, &bad) == 0) {
		ts->v = v, ts->n = n, ts->loaded = 1;
		ts->dev = st.st_dev, ts->ino = st.st_ino, ts->size = st.st_size;
		ts->mtime = st.st_mtim;
	}
	free(buf);
}

int
token_store_check(struct token_store *ts, const char *token, size_t len,
    enum token_scope *scope, char *name)
{
	unsigned char h[TOKEN_HASH_LEN];
	size_t i, j;
	int found = 0;

	*scope = TOKEN_NONE;
	if (token_sha256(token, len, h) == -1)
		return -1;
	pthread_mutex_lock(&ts->lock);
	refresh(ts);
	/* Every entry is compared in full, so timing says nothing about
	 * which bytes or which entry matched. */
	for (i = 0; i < ts->n; i++) {
		unsigned char diff = 0;

		for (j = 0; j < TOKEN_HASH_LEN; j++)
			diff |= (unsigned char)(h[j] ^ ts->v[i].hash[j]);
		if (diff == 0 && !found) {
			found = 1;
			*scope = ts->v[i].scope;
			strcpy(name, ts->v[i].name);
		}
	}
	pthread_mutex_unlock(&ts->lock);
	return found;
}

/* Replaces the tokens file keeping its owner: run as root (the packages'
 * first install, an admin adding a token), a plain replacement would hand
 * the file to root and lock out mailctld, which runs as its own user. */
static int
tokens_file_replace(const char *path, const struct strbuf *sb)
{
	struct atomicfile af;
	struct stat st;
	int have = stat(path, &st) == 0;

	if (atomicfile_open(&af, path, NULL, 0600) == -1)
		return -1;
	if (atomicfile_write(&af, sb->s, sb->len) == -1 ||
	    (have && fchown(af.fd, st.st_uid, st.st_gid) == -1 && errno != EPERM)) {
		atomicfile_abort(&af);
		return -1;
	}
	return atomicfile_commit(&af);
}

static int
append_line(const char *path, const char *name, const char *scope, const char *hex)
{
	struct token_entry *v = NULL;
	struct strbuf sb = STRBUF_ZERO;
	char *old = NULL;
	size_t oldlen = 0, n = 0, bad, i;
	int r = -1;

	if (util_read_file(path, &old, &oldlen) == -1 && errno != ENOENT)
		return -1;
	if (old != NULL && token_parse(old, oldlen, &v, &n, &bad) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0) {
			errno = EEXIST;
			goto out;
		}
	if (old != NULL && strbuf_append(&sb, old, oldlen) == -1)
		goto out;
	if (sb.len > 0 && sb.s[sb.len - 1] != '\n' && strbuf_appendc(&sb, '\n') == -1)
		goto out;
	if (strbuf_printf(&sb, "%s %s sha256:%s\n", name, scope, hex) == -1)
		goto out;
	r = tokens_file_replace(path, &sb);
out:
	free(old), free(v);
	strbuf_free(&sb);
	return r;
}

int
token_generate(const char *path, const char *name, const char *scope, char out[65])
{
	unsigned char raw[32], h[TOKEN_HASH_LEN];
	char hex[2 * TOKEN_HASH_LEN + 1];
	size_t got = 0;

	if (!name_valid(name) || token_scope_parse(scope) == TOKEN_NONE) {
		errno = EINVAL;
		return -1;
	}
	while (got < sizeof(raw)) {
		ssize_t r = getrandom(raw + got, sizeof(raw) - got, 0);

		if (r == -1 && errno != EINTR)
			return -1;
		if (r > 0)
			got += (size_t)r;
	}
	token_hex(raw, sizeof(raw), out);
	if (token_sha256(out, 64, h) == -1)
		return -1;
	token_hex(h, sizeof(h), hex);
	return append_line(path, name, scope, hex);
}
