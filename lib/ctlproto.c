/* ctlproto.c: control requests parsed (the listener) and formatted (its
 * clients); replies are in lib/ctlreply.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"
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

/* "top N": any count of lines a reply can hold. */
static int
parse_top(const char *s, size_t n, unsigned long *out, struct ctl_error *e)
{
	int r = scan_ulong_n(s, n, LIMITS_VALUE_MAX, out);

	if (r < 0 && errno != ERANGE)
		return fail(e, "usage", "top must be a whole number");
	if (r < 0 || *out < 1)
		return fail(e, "range", "top must be from 1 to %lu", LIMITS_VALUE_MAX);
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
			if (parse_top(ws->w[i + 1], ws->len[i + 1], &req->top,
			    e) < 0)
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
		/* The limits table's words, as the file and the API say them. */
		if (limits_value_scan(k, eq + 1, ws->len[i] - klen - 1,
		    &req->n[k], e->text, sizeof e->text) < 0) {
			e->code = errno == ERANGE ? "range" : "usage";
			return -1;
		}
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

static const char *const cmd_names[] = {
	"status", "connections", "set", "reload", "quit", "reexec"
};

/* Appends n bytes of s at *len in out (outlen bytes, NUL kept room for). */
static int
put(char *out, size_t outlen, size_t *len, const char *s, size_t n)
{
	if (*len + n + 1 > outlen) {
		errno = ENOSPC;
		return -1;
	}
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

static int
put_num(char *out, size_t outlen, size_t *len, const char *word, unsigned long n)
{
	char num[CTL_NUM_MAX];

	return put(out, outlen, len, word, strlen(word)) < 0 ? -1 :
	    put(out, outlen, len, num, ctl_fmt_num(num, n));
}

int
ctl_format_request(const struct ctl_request *req, char *out, size_t outlen)
{
	char ip[IP_FMT_MAX], word[64];
	size_t len = 0;
	int k, r;

	if ((unsigned)req->cmd >= sizeof cmd_names / sizeof cmd_names[0]) {
		errno = EINVAL;
		return -1;
	}
	r = put(out, outlen, &len, cmd_names[req->cmd], strlen(cmd_names[req->cmd]));
	if (req->cmd == CTL_CONNECTIONS && req->top > 0)
		r |= put_num(out, outlen, &len, " top ", req->top);
	if (req->cmd == CTL_CONNECTIONS && req->has_ip) {
		ip_format(&req->ip, ip);
		r |= put(out, outlen, &len, " ip ", 4);
		r |= put(out, outlen, &len, ip, strlen(ip));
	}
	for (k = 0; req->cmd == CTL_SET && k < LIMIT_KEYS; k++)
		if (req->set[k]) {
			snprintf(word, sizeof word, " %s=", limits_key_name(k));
			r |= put_num(out, outlen, &len, word, req->n[k]);
		}
	return r < 0 ? -1 : 0;
}
