/* ctlsock.c: talking to a listener's control socket with deadlines. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/deadline.h"
#include "lib/scan.h"
#include "lib/strbuf.h"
#include "web/ctlsock.h"
#include "web/util.h"

static int
connect_unix(const char *path, long long deadline)
{
	struct sockaddr_un sun;
	int fd, err = 0;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (deadline_connect(fd, (struct sockaddr *)&sun, sizeof(sun), deadline) == -1)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* 1 when sb ends with a line holding only "." (the end of a block). */
static int
block_done(const struct strbuf *sb)
{
	if (sb->len == 2 && memcmp(sb->s, ".\n", 2) == 0)
		return 1;
	return sb->len >= 3 && memcmp(sb->s + sb->len - 3, "\n.\n", 3) == 0;
}

static int
read_block(int fd, struct strbuf *sb, long long deadline)
{
	char chunk[16384];

	while (!block_done(sb)) {
		ssize_t r = recv(fd, chunk, sizeof(chunk), 0);

		if (r == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (deadline_wait(fd, POLLIN, deadline) == -1)
				return -1;
			continue;
		}
		if (r == -1)
			return -1;
		if (r == 0 || sb->len + (size_t)r > CTLSOCK_MAX_REPLY) {
			errno = EPROTO;
			return -1;
		}
		if (strbuf_append(sb, chunk, (size_t)r) == -1)
			return -1;
	}
	return 0;
}

/* Splits the block in sb (taken over by r) into its first line and data. */
static int
split_block(struct strbuf *sb, struct ctl_reply *r)
{
	char *p, *nl, **nv;
	size_t cap = 0;

	/* The lines are cut with strchr: a NUL (the listener escapes every
	 * byte below 33) would hide the newline after it and the cut would
	 * write through NULL. */
	if (memchr(sb->s, '\0', sb->len) != NULL) {
		errno = EPROTO;
		return -1;
	}
	r->buf = sb->s;
	sb->s = NULL;
	sb->len = sb->cap = 0;
	nl = strchr(r->buf, '\n');
	*nl = '\0';
	if (strcmp(r->buf, "ok") == 0) {
		r->ok = 1;
		r->text = r->buf + 2;
	} else if (strncmp(r->buf, "error ", 6) == 0) {
		size_t k = strcspn(r->buf + 6, " ");

		memcpy(r->code, r->buf + 6, k < sizeof(r->code) ? k : sizeof(r->code) - 1);
		r->text = r->buf + 6 + k + (r->buf[6 + k] == ' ');
	} else {
		errno = EPROTO;
		return -1;
	}
	for (p = nl + 1; strcmp(p, ".\n") != 0; p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = '\0';
		if (r->nlines == cap) {
			cap = cap ? 2 * cap : 32;
			if ((nv = realloc(r->lines, cap * sizeof(*nv))) == NULL)
				return -1;
			r->lines = nv;
		}
		r->lines[r->nlines++] = p;
	}
	return 0;
}

int
ctlsock_request(const char *path, const char *request, int timeout_ms,
    struct ctl_reply *r)
{
	struct strbuf sb = STRBUF_ZERO;
	long long deadline = deadline_now_ms() + timeout_ms;
	int fd, e;

	memset(r, 0, sizeof(*r));
	if ((fd = connect_unix(path, deadline)) == -1)
		return -1;
	if (deadline_send_all(fd, request, strlen(request), deadline) == -1 ||
	    deadline_send_all(fd, "\n", 1, deadline) == -1 ||
	    read_block(fd, &sb, deadline) == -1 ||
	    split_block(&sb, r) == -1) {
		e = errno;
		close(fd);
		strbuf_free(&sb);
		ctl_reply_free(r);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

void
ctl_reply_free(struct ctl_reply *r)
{
	free(r->lines);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

static void
unescape(const char *v, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < outlen; i++) {
		if (v[i] == '%' && i + 2 < n && util_hexval(v[i + 1]) >= 0 && util_hexval(v[i + 2]) >= 0) {
			out[o++] = (char)(util_hexval(v[i + 1]) << 4 | util_hexval(v[i + 2]));
			i += 2;
		} else
			out[o++] = v[i];
	}
	out[o] = '\0';
}

int
ctl_field(const char *line, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = line;

	while (*p != '\0') {
		size_t k = strcspn(p, " ");
		const char *v = p + k + (p[k] == ' ');
		size_t vn = strcspn(v, " ");

		if (k == klen && memcmp(p, key, klen) == 0) {
			unescape(v, vn, out, outlen);
			return 1;
		}
		p = v + vn + (v[vn] == ' ');
	}
	return 0;
}

int
ctl_reply_get(const struct ctl_reply *r, const char *key, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; i < r->nlines; i++)
		if (ctl_field(r->lines[i], key, out, outlen))
			return 1;
	return 0;
}

int
ctl_reply_num(const struct ctl_reply *r, const char *key, long long *out)
{
	char v[32];
	unsigned long n;

	if (!ctl_reply_get(r, key, v, sizeof(v)) || scan_ulong(v, (unsigned long)-1, &n) == -1)
		return 0;
	*out = (long long)n;
	return 1;
}
