/* util.c: whole-file reads, paths, folders and ETags for mailctld. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/atomicfile.h"
#include "lib/strbuf.h"
#include "web/token.h"
#include "lib/scan.h"
#include "web/util.h"

int
util_read_file(const char *path, char **buf, size_t *len)
{
	struct strbuf sb = STRBUF_ZERO;
	char chunk[65536];
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (strbuf_append(&sb, chunk, (size_t)r) == -1) {
			r = -1;
			break;
		}
	}
	if (r == -1 || (sb.s == NULL && strbuf_append(&sb, "", 0) == -1)) {
		int e = errno;

		close(fd);
		strbuf_free(&sb);
		errno = e;
		return -1;
	}
	close(fd);
	*buf = sb.s;
	*len = sb.len;
	return 0;
}

char *
util_path(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);

	if (p == NULL)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

int
util_mkdirs(const char *dir)
{
	char *p = strdup(dir), *s;

	if (p == NULL)
		return -1;
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		/* A new folder's name is made durable in its parent, else a
		 * crash could unname the history versions written into it. */
		if (mkdir(p, 0750) == 0 ? atomicfile_sync_dir(p) == -1 : errno != EEXIST) {
			int e = errno;

			free(p);
			errno = e;
			return -1;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return 0;
}

int
util_etag(const void *p, size_t len, char out[80])
{
	unsigned char h[TOKEN_HASH_LEN];
	char hex[2 * TOKEN_HASH_LEN + 1];

	if (token_sha256(p, len, h) == -1)
		return -1;
	token_hex(h, sizeof(h), hex);
	snprintf(out, 80, "\"%s\"", hex);
	return 0;
}

int
util_hexval(char c)
{
	return scan_hexdigit(c);
}

int
util_if_match(const char *header, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = header;

	if (header == NULL)
		return 1;
	while (*p != '\0') {
		size_t k;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		k = strcspn(p, ",");
		while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
			k--;
		if ((k == 1 && p[0] == '*') || (k == n && memcmp(p, etag, n) == 0))
			return 1;
		p += strcspn(p, ",");
	}
	return 0;
}
