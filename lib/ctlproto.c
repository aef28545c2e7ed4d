/* ctlproto.c: control requests parsed, reply blocks written. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"
#include "limitsfile.h"
#include "scan.h"

static int
fail(struct ctl_error *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct ctl_error *e, const char *code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
	return -1;
}

/* The words of a line: split on single spaces, an empty word (two
 * spaces, a leading or trailing one) is an error. */
struct words {
	const char *w[CTL_LINE_MAX / 2 + 1];
	size_t len[CTL_LINE_MAX / 2 + 1];
	size_t n;
};

static int
split_words(const char *s, size_t len, struct words *ws)
{
	const char *sp;
	size_t n;

	ws->n = 0;
	for (;;) {
		sp = memchr(s, ' ', len);
		n = sp != NULL ? (size_t)(sp - s) : len;
		if (n == 0 || ws->n == sizeof ws->w / sizeof ws->w[0])
			return -1;
		ws->w[ws->n] = s;
		ws->len[ws->n++] = n;
		if (sp == NULL)
			return 0;
		s += n + 1;
		len -= n + 1;
	}
}

static int
word_is(const struct words *ws, size_t i, const char *s)
{
	return ws->len[i] == strlen(s) && memcmp(ws->w[i], s, ws->len[i]) == 0;
}

static int
parse_number(const char *s, size_t n, unsigned long min, unsigned long *out,
    const char *what, struct ctl_error *e)
{
	int r = scan_ulong_n(s, n, LIMITSFILE_MAX_VALUE, out);

	if (r < 0 && errno != ERANGE)
		return fail(e, "usage", "not a number for %s", what);
	if (r < 0 || *out < min)
		return fail(e, "range", "%s must be from %lu to %lu", what, min,
		    LIMITSFILE_MAX_VALUE);
	return 0;
}

/* "connections [top N] [ip ADDR]", in any order, each once. */
static int
parse_connections(const struct words *ws, struct ctl_request *req,
    struct ctl_error *e)
{
	char ip[IP_FMT_MAX];
	size_t i;

	for (i = 1; i < ws->n; i += 2) {
		if (i + 1 == ws->n)
			return fail(e, "usage", "missing value after %.*s",
			    (int)ws->len[i], ws->w[i]);
		if (word_is(ws, i, "top") && req->top == 0) {
			if (parse_number(ws->w[i + 1], ws->len[i + 1], 1,
			    &req->top, "top", e) < 0)
				return -1;
		} else if (word_is(ws, i, "ip") && !req->has_ip) {
			if (ws->len[i + 1] >= sizeof ip)
				return fail(e, "usage", "bad address");
			memcpy(ip, ws->w[i + 1], ws->len[i + 1]);
			ip[ws->len[i + 1]] = '\0';
			if (ip_parse(ip, &req->ip) < 0)
				return fail(e, "usage", "bad address");
			req->has_ip = 1;
		} else
			return fail(e, "usage", "want connections [top N] [ip ADDR]");
	}
	return 0;
}

/* "set KEY=N [KEY=N ...]" */
static int
parse_set(const struct words *ws, struct ctl_request *req,
    struct ctl_error *e)
{
	const char *eq;
	size_t i, klen;
	int k;

	if (ws->n < 2)
		return fail(e, "usage", "want set KEY=N [KEY=N ...]");
	for (i = 1; i < ws->n; i++) {
		eq = memchr(ws->w[i], '=', ws->len[i]);
		klen = eq != NULL ? (size_t)(eq - ws->w[i]) : ws->len[i];
		k = limits_key_find(ws->w[i], klen);
		if (eq == NULL || k < 0)
			return fail(e, "usage", "unknown limit %.*s", (int)klen,
			    ws->w[i]);
		if (req->set[k])
			return fail(e, "usage", "%s given twice",
			    limits_key_name(k));
		if (parse_number(eq + 1, ws->len[i] - klen - 1,
		    k == LIMIT_MAX_CONNECTIONS ? 1 : 0, &req->n[k],
		    limits_key_name(k), e) < 0)
			return -1;
		req->set[k] = 1;
	}
	return 0;
}

int
ctl_parse_request(const char *line, size_t len, struct ctl_request *req,
    struct ctl_error *e)
{
	static struct words ws;

	memset(req, 0, sizeof *req);
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (split_words(line, len, &ws) < 0)
		return fail(e, "usage", "empty word in request");
	if (word_is(&ws, 0, "connections")) {
		req->cmd = CTL_CONNECTIONS;
		return parse_connections(&ws, req, e);
	}
	if (word_is(&ws, 0, "set")) {
		req->cmd = CTL_SET;
		return parse_set(&ws, req, e);
	}
	if (word_is(&ws, 0, "status"))
		req->cmd = CTL_STATUS;
	else if (word_is(&ws, 0, "reload"))
		req->cmd = CTL_RELOAD;
	else if (word_is(&ws, 0, "quit"))
		req->cmd = CTL_QUIT;
	else if (word_is(&ws, 0, "reexec"))
		req->cmd = CTL_REEXEC;
	else
		return fail(e, "usage", "unknown request");
	if (ws.n > 1)
		return fail(e, "usage", "%.*s takes no argument",
		    (int)ws.len[0], ws.w[0]);
	return 0;
}

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
