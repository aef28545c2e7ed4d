/* limitsfile.c: reading and writing the limits file of contract B. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/scan.h"
#include "lib/strbuf.h"
#include "web/limitsfile.h"

const char *const limits_keys[LIMITS_NKEYS] = {
	"max_connections", "max_per_ip", "max_per_network"
};

static int
bad(size_t *line, size_t lineno, char *err, size_t errlen, const char *why)
{
	*line = lineno;
	snprintf(err, errlen, "%s", why);
	errno = EINVAL;
	return -1;
}

static int
parse_line(const char *p, size_t n, struct limits_values *lv, size_t *line,
    size_t lineno, char *err, size_t errlen)
{
	const char *eq = memchr(p, '=', n);
	unsigned long v;
	size_t i, klen;

	if (eq == NULL)
		return bad(line, lineno, err, errlen, "missing =");
	klen = (size_t)(eq - p);
	for (i = 0; i < LIMITS_NKEYS; i++)
		if (strlen(limits_keys[i]) == klen && memcmp(p, limits_keys[i], klen) == 0)
			break;
	if (i == LIMITS_NKEYS)
		return bad(line, lineno, err, errlen, "unknown key");
	if (lv->v[i] != -1)
		return bad(line, lineno, err, errlen, "duplicate key");
	if (scan_ulong_n(eq + 1, n - klen - 1, LIMITS_MAX, &v) == -1)
		return bad(line, lineno, err, errlen, errno == ERANGE ?
		    "value above 1000000" : "not a number");
	if (i == LIMITS_TOTAL && v == 0)
		return bad(line, lineno, err, errlen, "max_connections must be at least 1");
	lv->v[i] = (long)v;
	return 0;
}

/* Spaces and tabs only: a blank line, skipped as the listener does. */
static int
blank_line(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

int
limitsfile_parse(const char *buf, size_t len, struct limits_values *lv,
    size_t *line, char *err, size_t errlen)
{
	size_t pos = 0, lineno = 0, i;

	for (i = 0; i < LIMITS_NKEYS; i++)
		lv->v[i] = -1;
	*line = 0;
	while (pos < len) {
		const char *p = buf + pos, *nl = memchr(p, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - p) : len - pos;

		lineno++;
		pos += n + 1;
		/* The listener refuses a NUL anywhere, comments included: a
		 * file taken here must be one it reads. */
		if (memchr(p, '\0', n) != NULL)
			return bad(line, lineno, err, errlen, "NUL byte");
		if (blank_line(p, n) || p[0] == '#')
			continue;
		if (parse_line(p, n, lv, line, lineno, err, errlen) == -1)
			return -1;
	}
	return 0;
}

int
limitsfile_render(const struct limits_values *lv, const char *service,
    char **out, size_t *outlen)
{
	struct strbuf sb = STRBUF_ZERO;
	size_t i;

	if (strbuf_printf(&sb, "# mailstack limits for %s; written by mailctld; "
	    "hand edits welcome\n", service) == -1)
		return -1;
	for (i = 0; i < LIMITS_NKEYS; i++)
		if (lv->v[i] >= 0 && strbuf_printf(&sb, "%s=%ld\n", limits_keys[i], lv->v[i]) == -1) {
			strbuf_free(&sb);
			return -1;
		}
	*out = sb.s;
	*outlen = sb.len;
	return 0;
}
