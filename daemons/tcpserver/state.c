/* state.c: the re-exec state written and read (the format: state.h). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemons/tcpserver/state.h"
#include "errstr.h"
#include "scan.h"
#include "strbuf.h"

static const char *const origin_names[] = { "cmdline", "file", "set" };
static const char *const control_names[] = { "denied", "busy", "timeouts" };

static int
put_conn(struct strbuf *sb, const struct conn_info *ci)
{
	char ip[IP_FMT_MAX];

	ip_format(&ci->remote, ip);
	return strbuf_printf(sb, "conn %ld %s %u %u %lld %u %llu\n",
	    (long)ci->pid, ip, ci->remote_port, ci->local_port,
	    (long long)ci->start, (unsigned)ci->adopted, ci->ticks);
}

static int
put_head(struct strbuf *sb, const struct listener_state *st)
{
	const unsigned long control[] = { st->ctl_denied, st->ctl_busy,
	    st->ctl_timeouts };
	int r = 0, k;

	r |= strbuf_printf(sb, "mailstack-tcpserver-state %d\npid %ld\n"
	    "started %lld\nstarted_mono %lld %ld\nreexecs %lu\naccepted %llu\n",
	    STATE_VERSION, (long)st->pid, (long long)st->started,
	    (long long)st->started_mono.tv_sec, st->started_mono.tv_nsec,
	    st->reexecs, st->accepted);
	for (k = LIMIT_OK + 1; k < LIMIT_REASONS; k++)
		r |= strbuf_printf(sb, "refused %s %lu\n", limits_name(k),
		    st->refused[k]);
	r |= strbuf_printf(sb, "dropped_fork %lu\ndenied %lu\n",
	    st->fork_failures, st->denied);
	for (k = 0; k < 3; k++)
		r |= strbuf_printf(sb, "control %s %lu\n", control_names[k],
		    control[k]);
	for (k = 0; k < LIMIT_KEYS; k++)
		r |= strbuf_printf(sb, "limit %s %lu %s\n", limits_key_name(k),
		    st->lim.n[k], origin_names[st->lim.from[k]]);
	r |= strbuf_printf(sb, "limits_file_read %d\nunadopted %lu\n",
	    st->lim_file_read ? 1 : 0, st->unadopted);
	return r;
}

int
state_write(int fd, const struct listener_state *st)
{
	struct strbuf sb = STRBUF_ZERO;
	size_t i, off = 0;
	ssize_t w;
	int r;

	r = put_head(&sb, st);
	for (i = 0; i < st->nconns && r == 0; i++)
		r = put_conn(&sb, &st->conns[i]);
	if (r == 0)
		r = strbuf_printf(&sb, "end %zu\n", st->nconns);
	while (r == 0 && off < sb.len) {
		w = write(fd, sb.s + off, sb.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = -1;
			break;
		}
		off += (size_t)w;
	}
	strbuf_free(&sb);
	return r;
}

/* The reader's position and the words of the line at hand. */
#define STATE_WORDS 9
struct reader {
	char *p, *end;
	unsigned long line;
	int version;		/* the state's, from its first line */
	char *w[STATE_WORDS];
	size_t n;
	char *err;
	size_t errlen;
};

static int
fail(struct reader *rd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct reader *rd, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(rd->err, rd->errlen, "line %lu: ", rd->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < rd->errlen)
		vsnprintf(rd->err + n, rd->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

/* The next line split into words. 1, 0 at the end of the text (a last
 * line without its newline is truncation), -1 on a malformed line. */
static int
next_line(struct reader *rd)
{
	char *nl, *q;

	if (rd->p == rd->end)
		return 0;
	rd->line++;
	nl = memchr(rd->p, '\n', (size_t)(rd->end - rd->p));
	if (nl == NULL)
		return fail(rd, "truncated: the line has no end");
	*nl = '\0';
	rd->n = 0;
	for (q = rd->p; ; q++) {
		if (rd->n == STATE_WORDS)
			return fail(rd, "too many words");
		rd->w[rd->n++] = q;
		q = strchr(q, ' ');
		if (q == NULL)
			break;
		*q = '\0';
	}
	rd->p = nl + 1;
	return 1;
}

static int
num(struct reader *rd, size_t i, unsigned long max, unsigned long *out)
{
	if (i >= rd->n || scan_ulong(rd->w[i], max, out) < 0)
		return fail(rd, "%s: not a number from 0 to %lu",
		    i < rd->n ? rd->w[i] : "(missing)", max);
	return 0;
}

static int
words(struct reader *rd, size_t n)
{
	if (rd->n != n)
		return fail(rd, "%s: %zu words, want %zu", rd->w[0], rd->n, n);
	return 0;
}

static int
name_index(const char *s, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

static int
read_conn(struct reader *rd, struct listener_state *st, size_t *cap)
{
	struct conn_info ci, *more;
	unsigned long v[6];

	memset(&ci, 0, sizeof ci);
	if (words(rd, 8) < 0 || num(rd, 1, INT_MAX, &v[0]) < 0 ||
	    num(rd, 3, 65535, &v[1]) < 0 || num(rd, 4, 65535, &v[2]) < 0 ||
	    num(rd, 5, LONG_MAX, &v[3]) < 0 ||
	    num(rd, 6, CONN_ADOPTED_CHILD, &v[4]) < 0 ||
	    num(rd, 7, ULONG_MAX, &v[5]) < 0)
		return -1;
	if (v[0] == 0 || ip_parse(rd->w[2], &ci.remote) < 0)
		return fail(rd, "conn: bad pid or address");
	ci.pid = (pid_t)v[0];
	ci.remote_port = (unsigned)v[1];
	ci.local_port = (unsigned)v[2];
	ci.start = (time_t)v[3];
	ci.adopted = (unsigned char)v[4];
	ci.ticks = v[5];
	if (st->nconns == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		more = realloc(st->conns, *cap * sizeof *more);
		if (more == NULL)
			return -1;
		st->conns = more;
	}
	st->conns[st->nconns++] = ci;
	return 0;
}

/* "refused", "control" and "limit": a name, then numbers. */
static int
read_named(struct reader *rd, struct listener_state *st)
{
	unsigned long v;
	int k;

	if (strcmp(rd->w[0], "limit") == 0) {
		if (words(rd, 4) < 0 || num(rd, 2, ULONG_MAX, &v) < 0)
			return -1;
		k = limits_key_find(rd->w[1], strlen(rd->w[1]));
		if (k < 0 || name_index(rd->w[3], origin_names, 3) < 0)
			return fail(rd, "limit: unknown name or origin");
		st->lim.n[k] = v;
		st->lim.from[k] = name_index(rd->w[3], origin_names, 3);
		return 0;
	}
	if (words(rd, 3) < 0 || num(rd, 2, ULONG_MAX, &v) < 0)
		return -1;
	if (strcmp(rd->w[0], "control") == 0) {
		k = name_index(rd->w[1], control_names, 3);
		if (k < 0)
			return fail(rd, "control: unknown counter %s", rd->w[1]);
		*(k == 0 ? &st->ctl_denied : k == 1 ? &st->ctl_busy :
		    &st->ctl_timeouts) = v;
		return 0;
	}
	for (k = LIMIT_OK + 1; k < LIMIT_REASONS; k++)
		if (strcmp(rd->w[1], limits_name(k)) == 0) {
			st->refused[k] = v;
			return 0;
		}
	return fail(rd, "refused: unknown reason %s", rd->w[1]);
}

/* One line after the first; 1 once "end" was read. */
static int
read_item(struct reader *rd, struct listener_state *st, size_t *cap)
{
	const char *w = rd->w[0];
	unsigned long v, ns;

	if (strcmp(w, "conn") == 0)
		return read_conn(rd, st, cap);
	if (strcmp(w, "refused") == 0 || strcmp(w, "control") == 0 ||
	    strcmp(w, "limit") == 0)
		return read_named(rd, st);
	if (strcmp(w, "started_mono") == 0) {
		if (words(rd, 3) < 0 || num(rd, 1, LONG_MAX, &v) < 0 ||
		    num(rd, 2, 999999999, &ns) < 0)
			return -1;
		st->started_mono.tv_sec = (time_t)v;
		st->started_mono.tv_nsec = (long)ns;
		return 0;
	}
	if (words(rd, 2) < 0 || num(rd, 1, ULONG_MAX, &v) < 0)
		return -1;
	if (strcmp(w, "end") == 0) {
		if (v != st->nconns)
			return fail(rd, "end: %lu connections announced, %zu read",
			    v, st->nconns);
		return 1;
	}
	if (strcmp(w, "pid") == 0 && v > 0 && v <= INT_MAX)
		st->pid = (pid_t)v;
	else if (strcmp(w, "started") == 0 && v <= LONG_MAX)
		st->started = (time_t)v;
	else if (strcmp(w, "reexecs") == 0)
		st->reexecs = v;
	else if (strcmp(w, "accepted") == 0)
		st->accepted = v;
	else if (strcmp(w, "dropped_fork") == 0)
		st->fork_failures = v;
	else if (strcmp(w, "denied") == 0 && rd->version >= 2)
		st->denied = v;
	else if (strcmp(w, "limits_file_read") == 0 && v <= 1)
		st->lim_file_read = (int)v;
	else if (strcmp(w, "unadopted") == 0)
		st->unadopted = v;
	else
		return fail(rd, "unknown item \"%s\" or value out of range", w);
	return 0;
}

static int
read_version(struct reader *rd)
{
	unsigned long v;
	int r = next_line(rd);

	if (r == 0)
		return fail(rd, "truncated: empty state");
	if (r < 0)
		return -1;
	if (rd->n != 2 || strcmp(rd->w[0], "mailstack-tcpserver-state") != 0)
		return fail(rd, "not a mailstack-tcpserver state");
	if (scan_ulong(rd->w[1], ULONG_MAX, &v) < 0 || v < STATE_VERSION_MIN ||
	    v > STATE_VERSION)
		return fail(rd, "state version %s, this image reads %d to %d",
		    rd->w[1], STATE_VERSION_MIN, STATE_VERSION);
	rd->version = (int)v;
	return 0;
}

static int
parse(char *text, size_t len, struct listener_state *st, char *err,
    size_t errlen)
{
	struct reader rd;
	size_t cap = 0;
	int r;

	memset(&rd, 0, sizeof rd);
	rd.p = text;
	rd.end = text + len;
	rd.err = err;
	rd.errlen = errlen;
	if (read_version(&rd) < 0)
		return -1;
	while ((r = next_line(&rd)) > 0) {
		r = read_item(&rd, st, &cap);
		if (r < 0)
			return -1;
		if (r == 1) {
			if (rd.p != rd.end)
				return fail(&rd, "text after the end line");
			return st->pid > 0 ? 0 : fail(&rd, "no pid");
		}
	}
	if (r == 0)
		snprintf(err, errlen, "truncated: no end line after line %lu",
		    rd.line);
	errno = EINVAL;
	return -1;
}

static char *
slurp(int fd, size_t *len)
{
	struct strbuf sb = STRBUF_ZERO;
	ssize_t r;

	for (;;) {
		if (sb.len >= STATE_MAX) {
			strbuf_free(&sb);
			errno = EFBIG;
			return NULL;
		}
		if (strbuf_reserve(&sb, 65536) < 0) {
			strbuf_free(&sb);
			return NULL;
		}
		r = read(fd, sb.s + sb.len, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			strbuf_free(&sb);
			return NULL;
		}
		if (r == 0)
			break;
		sb.len += (size_t)r;
		sb.s[sb.len] = '\0';
	}
	*len = sb.len;
	return sb.s != NULL ? sb.s : strdup("");
}

int
state_read(int fd, struct listener_state *st, char *err, size_t errlen)
{
	size_t len;
	char *text;
	int r;

	memset(st, 0, sizeof *st);
	text = slurp(fd, &len);
	if (text == NULL) {
		snprintf(err, errlen, "unable to read: %s", errstr(errno));
		return -1;
	}
	r = parse(text, len, st, err, errlen);
	free(text);
	if (r < 0) {
		int saved = errno;

		state_free(st);
		errno = saved;
	}
	return r;
}

void
state_free(struct listener_state *st)
{
	free(st->conns);
	st->conns = NULL;
	st->nconns = 0;
}
