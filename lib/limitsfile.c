/* limitsfile.c: the table of limits, their checks and the limits file's
 * parser and renderer (contract in lib/limitsfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "limitsfile.h"
#include "scan.h"

/* tcpserver's own default for -c is 40; -C and -N are ours, off by default
 * (daemons/tcpserver/options.c takes these). */
static const struct limit_def limits_table[LIMIT_KEYS] = {
	{ "max_connections", 1, LIMITS_VALUE_MAX, 40, "--max", "MAX" },
	{ "max_per_ip", 0, LIMITS_VALUE_MAX, 0, "--per-ip", "PER-IP" },
	{ "max_per_network", 0, LIMITS_VALUE_MAX, 0, "--per-network", "PER-NET" },
};

const struct limit_def *
limits_def(enum limit_key k)
{
	return (unsigned)k < LIMIT_KEYS ? &limits_table[k] : NULL;
}

const char *
limits_key_name(enum limit_key k)
{
	return (unsigned)k < LIMIT_KEYS ? limits_table[k].name : "?";
}

int
limits_key_find(const char *s, size_t n)
{
	int k;

	for (k = 0; k < LIMIT_KEYS; k++)
		if (strlen(limits_table[k].name) == n &&
		    memcmp(limits_table[k].name, s, n) == 0)
			return k;
	return -1;
}

int
limits_value_check(enum limit_key k, unsigned long v, char *why, size_t whylen)
{
	const struct limit_def *d = limits_def(k);

	if (d != NULL && v >= d->min && v <= d->max)
		return 0;
	snprintf(why, whylen, "%s must be from %lu to %lu", limits_key_name(k),
	    d != NULL ? d->min : 0, d != NULL ? d->max : 0);
	errno = ERANGE;
	return -1;
}

int
limits_value_scan(enum limit_key k, const char *s, size_t n, unsigned long *v,
    char *why, size_t whylen)
{
	*v = 0;
	if (scan_ulong_n(s, n, LIMITS_VALUE_MAX, v) < 0) {
		if (errno == ERANGE)
			return limits_value_check(k, (unsigned long)-1, why, whylen);
		snprintf(why, whylen, "%s must be a whole number",
		    limits_key_name(k));
		errno = EINVAL;
		return -1;
	}
	return limits_value_check(k, *v, why, whylen);
}

static int
reject(struct limitsfile_error *e, unsigned long line, const char *reason)
{
	e->line = line;
	e->err = 0;
	snprintf(e->reason, sizeof e->reason, "%s", reason);
	return -1;
}

static int
is_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* One KEY=N line into lf: 0, or -1 with the reason in e. */
static int
parse_line(const char *s, size_t n, unsigned long line, struct limits_file *lf,
    struct limitsfile_error *e)
{
	const char *eq = memchr(s, '=', n);
	size_t klen, vlen;
	unsigned long v;
	int k;

	if (eq == NULL)
		return reject(e, line, "missing =");
	klen = (size_t)(eq - s);
	vlen = n - klen - 1;
	if ((klen > 0 && (s[klen - 1] == ' ' || s[klen - 1] == '\t')) ||
	    (vlen > 0 && (eq[1] == ' ' || eq[1] == '\t')))
		return reject(e, line, "blank around =");
	if ((k = limits_key_find(s, klen)) < 0)
		return reject(e, line, "unknown key");
	if (lf->set[k])
		return reject(e, line, "duplicate key");
	if (limits_value_scan(k, eq + 1, vlen, &v, e->reason, sizeof e->reason) < 0) {
		e->line = line;
		e->err = 0;
		return -1;
	}
	lf->set[k] = 1;
	lf->n[k] = v;
	return 0;
}

int
limitsfile_parse(const char *buf, size_t len, struct limits_file *lf,
    struct limitsfile_error *e)
{
	unsigned long line = 0;
	const char *nl;
	size_t n;

	memset(lf, 0, sizeof *lf);
	while (len > 0) {
		line++;
		nl = memchr(buf, '\n', len);
		n = nl != NULL ? (size_t)(nl - buf) : len;
		/* A NUL anywhere, comments included, refuses the file: what
		 * one reader takes, every reader takes. */
		if (memchr(buf, '\0', n) != NULL)
			return reject(e, line, "NUL byte");
		if (!is_blank(buf, n) && buf[0] != '#' &&
		    parse_line(buf, n, line, lf, e) < 0)
			return -1;
		if (nl == NULL)
			break;
		buf += n + 1;
		len -= n + 1;
	}
	return 0;
}

static int
read_fd(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t r;

	*len = 0;
	while (*len < cap) {
		r = read(fd, buf + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		*len += (size_t)r;
	}
	errno = EFBIG;
	return -1;
}

int
limitsfile_read(const char *path, struct limits_file *lf,
    struct limitsfile_error *e)
{
	char buf[LIMITSFILE_SIZE_MAX];
	size_t len = 0;
	int fd, r = -1, saved;

	memset(lf, 0, sizeof *lf);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd >= 0) {
		r = read_fd(fd, buf, sizeof buf, &len);
		saved = errno;
		close(fd);
		errno = saved;
	}
	if (r < 0) {
		e->line = 0;
		e->err = errno;
		e->reason[0] = '\0';
		return -1;
	}
	return limitsfile_parse(buf, len, lf, e) < 0 ? -1 : 1;
}

int
limitsfile_render(const struct limits_file *lf, const char *service,
    struct strbuf *out)
{
	int k;

	if (strbuf_printf(out, "# mailstack limits for %s; written by mailctld; "
	    "hand edits welcome\n", service) < 0)
		return -1;
	for (k = 0; k < LIMIT_KEYS; k++)
		if (lf->set[k] && strbuf_printf(out, "%s=%lu\n",
		    limits_table[k].name, lf->n[k]) < 0)
			return -1;
	return 0;
}
