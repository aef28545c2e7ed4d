/* ctlreply.c: control reply blocks, written by the listener and read back
 * by its clients (contract in lib/ctlproto.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"
#include "scan.h"

size_t
ctl_escape(char *dst, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c > 32 && c < 127 && c != '%') {
			dst[len++] = (char)c;
			continue;
		}
		dst[len++] = '%';
		dst[len++] = hex[c >> 4];
		dst[len++] = hex[c & 15];
	}
	return len;
}

int
ctl_put_escaped(struct strbuf *sb, const char *s, size_t n)
{
	if (n > (size_t)-1 / 4 || strbuf_reserve(sb, 3 * n) < 0)
		return -1;
	sb->len += ctl_escape(sb->s + sb->len, s, n);
	sb->s[sb->len] = '\0';
	return 0;
}

size_t
ctl_fmt_num(char *dst, unsigned long long n)
{
	char tmp[CTL_NUM_MAX];
	size_t len = 0, i;

	do {
		tmp[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	for (i = 0; i < len; i++)
		dst[i] = tmp[len - 1 - i];
	return len;
}

int
ctl_put_str(struct strbuf *sb, const char *key, const char *value)
{
	if (strbuf_appends(sb, key) < 0 || strbuf_appendc(sb, ' ') < 0 ||
	    ctl_put_escaped(sb, value, strlen(value)) < 0)
		return -1;
	return strbuf_appendc(sb, '\n');
}

int
ctl_put_num(struct strbuf *sb, const char *key, unsigned long long n)
{
	char num[CTL_NUM_MAX + 1];
	size_t len = ctl_fmt_num(num, n);

	num[len++] = '\n';
	if (strbuf_appends(sb, key) < 0 || strbuf_appendc(sb, ' ') < 0)
		return -1;
	return strbuf_append(sb, num, len);
}

int
ctl_put_ok(struct strbuf *sb)
{
	return strbuf_appends(sb, "ok\n");
}

int
ctl_put_end(struct strbuf *sb)
{
	return strbuf_appends(sb, ".\n");
}

int
ctl_put_error(struct strbuf *sb, const char *code, const char *text)
{
	const char *p;

	if (strbuf_printf(sb, "error %s ", code) < 0)
		return -1;
	/* The text may echo a client's bytes: keep the reply printable ASCII
	 * like every other line of the protocol. */
	for (p = text; *p != '\0'; p++)
		if (strbuf_appendc(sb, (unsigned char)*p < 32 ||
		    (unsigned char)*p > 126 ? '?' : *p) < 0)
			return -1;
	return strbuf_appends(sb, "\n.\n");
}

int
ctl_block_complete(const char *s, size_t len)
{
	if (len == 2 && memcmp(s, ".\n", 2) == 0)
		return 1;
	return len >= 3 && memcmp(s + len - 3, "\n.\n", 3) == 0;
}

static int
proto_fail(struct ctl_reply *r)
{
	ctl_reply_free(r);
	errno = EPROTO;
	return -1;
}

/* The first line: "ok" or "error CODE TEXT". */
static int
parse_first(struct ctl_reply *r)
{
	size_t k;

	if (strcmp(r->buf, "ok") == 0) {
		r->ok = 1;
		r->text = r->buf + 2;
		return 0;
	}
	if (strncmp(r->buf, "error ", 6) != 0)
		return -1;
	k = strcspn(r->buf + 6, " ");
	memcpy(r->code, r->buf + 6, k < sizeof r->code ? k : sizeof r->code - 1);
	r->text = r->buf + 6 + k + (r->buf[6 + k] == ' ');
	return 0;
}

int
ctl_reply_parse(char *buf, size_t len, struct ctl_reply *r)
{
	char *p, *nl, **nv;
	size_t cap = 0;

	memset(r, 0, sizeof *r);
	r->buf = buf;
	/* The lines are cut with strchr: a NUL (the listener escapes every
	 * byte below 33) would hide the newline after it. */
	if (!ctl_block_complete(buf, len) || memchr(buf, '\0', len) != NULL)
		return proto_fail(r);
	nl = strchr(buf, '\n');
	*nl = '\0';
	if (parse_first(r) < 0)
		return proto_fail(r);
	for (p = nl + 1; strcmp(p, ".\n") != 0; p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = '\0';
		if (r->nlines == cap) {
			cap = cap ? 2 * cap : 32;
			if ((nv = realloc(r->lines, cap * sizeof *nv)) == NULL) {
				ctl_reply_free(r);
				errno = ENOMEM;
				return -1;
			}
			r->lines = nv;
		}
		r->lines[r->nlines++] = p;
	}
	return 0;
}

void
ctl_reply_free(struct ctl_reply *r)
{
	free(r->lines);
	free(r->buf);
	memset(r, 0, sizeof *r);
}

static void
unescape(const char *v, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < outlen; i++) {
		if (v[i] == '%' && i + 2 < n && scan_hexdigit(v[i + 1]) >= 0 &&
		    scan_hexdigit(v[i + 2]) >= 0) {
			out[o++] = (char)(scan_hexdigit(v[i + 1]) << 4 | scan_hexdigit(v[i + 2]));
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

	if (!ctl_reply_get(r, key, v, sizeof v) ||
	    scan_ulong(v, (unsigned long)-1, &n) == -1)
		return 0;
	*out = (long long)n;
	return 1;
}
