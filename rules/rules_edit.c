/* rules_edit.c: changing a parsed rules file line by line and writing it back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_diag.h"
#include "rules/rules_line.h"

int
rules_file_render(const struct rules_file *rf, char **out, size_t *outlen)
{
	size_t i, n = 0;
	char *s;

	for (i = 0; i < rf->nlines; i++)
		n += rf->lines[i].len + 1;
	s = malloc(n + 1);
	if (s == NULL)
		return -1;
	n = 0;
	for (i = 0; i < rf->nlines; i++) {
		memcpy(s + n, rf->lines[i].text, rf->lines[i].len);
		n += rf->lines[i].len;
		if (i + 1 < rf->nlines || rf->final_newline)
			s[n++] = '\n';
	}
	s[n] = '\0';
	*out = s;
	*outlen = n;
	return 0;
}

/* Parses text as line idx into *ln. The diagnostics of an edit are not
 * kept (their line numbers would describe neither file); only valid rules,
 * comments and blank lines are accepted. */
static int
edit_parse(struct rules_file *rf, size_t idx, const char *text, size_t len,
    struct rules_line *ln)
{
	size_t ndiags = rf->ndiags, nerrors = rf->nerrors, nvars = rf->nvars;
	size_t nwarnings = rf->nwarnings;
	size_t i;
	int r;

	if (memchr(text, '\n', len) != NULL) {
		errno = EINVAL;
		return -1;
	}
	memset(ln, 0, sizeof(*ln));
	ln->owned = malloc(len + 1);
	if (ln->owned == NULL)
		return -1;
	memcpy(ln->owned, text, len);
	ln->owned[len] = '\0';
	ln->text = ln->owned;
	ln->len = len;
	r = rules_line_parse(rf, idx + 1, ln);
	for (i = ndiags; i < rf->ndiags; i++) {
		free(rf->diags[i].msg);
		free(rf->diags[i].hint);
		free(rf->diags[i].text);
	}
	rf->ndiags = ndiags;
	rf->nwarnings = nwarnings;
	if (r == 0 && (rf->nerrors != nerrors || ln->kind == RULES_LINE_IGNORED ||
	    ln->kind == RULES_LINE_BAD)) {
		errno = EINVAL;
		r = -1;
	}
	rf->nerrors = nerrors;
	if (r == -1) {
		rf->nvars = nvars;
		free(ln->owned);
		ln->owned = NULL;
	}
	return r;
}

int
rules_file_set_line(struct rules_file *rf, size_t idx, const char *text, size_t len)
{
	struct rules_line ln;

	if (idx >= rf->nlines) {
		errno = ERANGE;
		return -1;
	}
	if (edit_parse(rf, idx, text, len, &ln) == -1)
		return -1;
	free(rf->lines[idx].owned);
	rf->lines[idx] = ln;
	return 0;
}

int
rules_file_insert_line(struct rules_file *rf, size_t idx, const char *text, size_t len)
{
	struct rules_line ln;

	if (idx > rf->nlines) {
		errno = ERANGE;
		return -1;
	}
	if (edit_parse(rf, idx, text, len, &ln) == -1)
		return -1;
	if (rules_file_line_push(rf, ln.text, ln.len) == -1) {
		free(ln.owned);
		return -1;
	}
	memmove(&rf->lines[idx + 1], &rf->lines[idx],
	    (rf->nlines - 1 - idx) * sizeof(rf->lines[0]));
	rf->lines[idx] = ln;
	if (rf->nlines == 1)
		rf->final_newline = 1;
	return 0;
}

int
rules_file_delete_line(struct rules_file *rf, size_t idx)
{
	if (idx >= rf->nlines) {
		errno = ERANGE;
		return -1;
	}
	free(rf->lines[idx].owned);
	memmove(&rf->lines[idx], &rf->lines[idx + 1],
	    (rf->nlines - 1 - idx) * sizeof(rf->lines[0]));
	rf->nlines--;
	return 0;
}

long
rules_file_find_rule(const struct rules_file *rf, const char *addr, size_t addrlen)
{
	const struct rules_line *ln;
	size_t i;

	for (i = 0; i < rf->nlines; i++) {
		ln = &rf->lines[i];
		if (ln->kind == RULES_LINE_RULE && ln->addr_len == addrlen &&
		    memcmp(ln->text, addr, addrlen) == 0)
			return (long)i;
	}
	return -1;
}

static char
quote_for(const char *value)
{
	static const char quotes[] = "\"'/|%!~";
	const char *q;

	for (q = quotes; *q != '\0'; q++)
		if (strchr(value, *q) == NULL)
			return *q;
	return '\0';
}

int
rules_rule_format(const char *addr, int deny, const char *const *names,
    const char *const *values, size_t n, char **out, size_t *outlen)
{
	char *s = NULL, q;
	size_t i, len = 0;
	FILE *f;

	if (strchr(addr, '\n') != NULL)
		goto invalid;
	for (i = 0; i < n; i++)
		if (strchr(names[i], '=') != NULL || strchr(names[i], '\n') != NULL ||
		    strchr(values[i], '\n') != NULL || quote_for(values[i]) == '\0')
			goto invalid;
	/* an IPv4 address ends at the first colon; IPv6 ones hold colons */
	if (strchr(addr, ':') != NULL && strchr(addr, '.') != NULL &&
	    strncmp(addr, "::ffff:", 7) != 0 && strchr(addr, '@') == NULL)
		goto invalid;
	f = open_memstream(&s, &len);
	if (f == NULL)
		return -1;
	fprintf(f, "%s:%s", addr, deny ? "deny" : "allow");
	for (i = 0; i < n; i++) {
		q = quote_for(values[i]);
		fprintf(f, ",%s=%c%s%c", names[i], q, values[i], q);
	}
	if (fclose(f) != 0) {
		free(s);
		errno = ENOMEM;
		return -1;
	}
	*out = s;
	*outlen = len;
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}
