/* limitsfile.c: reading the per-service limits file, strictly: a file
 * with one bad line changes nothing, so a typo never half-applies. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "limitsfile.h"
#include "scan.h"

static int
reject(struct limitsfile_error *e, unsigned long line, const char *reason)
{
	e->line = line;
	e->err = 0;
	e->reason = reason;
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

/* One KEY=N line into lf; returns 0 or the reason it is bad. */
static const char *
parse_line(const char *s, size_t n, struct limits_file *lf)
{
	const char *eq = memchr(s, '=', n);
	size_t klen, vlen;
	unsigned long v;
	int k;

	if (eq == NULL)
		return "missing =";
	klen = (size_t)(eq - s);
	vlen = n - klen - 1;
	if ((klen > 0 && (s[klen - 1] == ' ' || s[klen - 1] == '\t')) ||
	    (vlen > 0 && (eq[1] == ' ' || eq[1] == '\t')))
		return "blank around =";
	k = limits_key_find(s, klen);
	if (k < 0)
		return "unknown key";
	if (lf->set[k])
		return "duplicate key";
	if (scan_ulong_n(eq + 1, vlen, LIMITSFILE_MAX_VALUE, &v) < 0)
		return errno == ERANGE ? "number too large (at most 1000000)" :
		    "not a number";
	if (k == LIMIT_MAX_CONNECTIONS && v == 0)
		return "max_connections must be at least 1";
	lf->set[k] = 1;
	lf->n[k] = v;
	return NULL;
}

int
limitsfile_parse(const char *buf, size_t len, struct limits_file *lf,
    struct limitsfile_error *e)
{
	unsigned long line = 0;
	const char *nl, *reason;
	size_t n;

	memset(lf, 0, sizeof *lf);
	while (len > 0) {
		line++;
		nl = memchr(buf, '\n', len);
		n = nl != NULL ? (size_t)(nl - buf) : len;
		if (memchr(buf, '\0', n) != NULL)
			return reject(e, line, "NUL byte");
		if (!is_blank(buf, n) && buf[0] != '#' &&
		    (reason = parse_line(buf, n, lf)) != NULL)
			return reject(e, line, reason);
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
	char buf[LIMITSFILE_MAX_SIZE];
	size_t len;
	int fd, r, saved;

	memset(lf, 0, sizeof *lf);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		r = -1;
	else {
		r = read_fd(fd, buf, sizeof buf, &len);
		saved = errno;
		close(fd);
		errno = saved;
	}
	if (r < 0) {
		e->line = 0;
		e->err = errno;
		e->reason = NULL;
		return -1;
	}
	if (limitsfile_parse(buf, len, lf, e) < 0)
		return -1;
	return 1;
}

void
limitsfile_apply(const struct limits_now *cmdline,
    const struct limits_file *lf, struct limits_now *out)
{
	int k;

	*out = *cmdline;
	for (k = 0; k < LIMIT_KEYS; k++)
		if (lf->set[k]) {
			out->n[k] = lf->n[k];
			out->from[k] = LIMIT_FROM_FILE;
		}
}
