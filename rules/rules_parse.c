/* rules_parse.c: a whole rules file into lines, and the records it compiles to. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_addr.h"
#include "rules/rules_diag.h"
#include "rules/rules_line.h"

int
rules_grow(void **arr, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : first;
	p = realloc(*arr, ncap * size);
	if (p == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

int
rules_file_line_push(struct rules_file *rf, const char *text, size_t len)
{
	struct rules_line *nl;

	if (rules_grow((void **)&rf->lines, rf->nlines, &rf->linecap, sizeof(*nl), 64) == -1)
		return -1;
	nl = &rf->lines[rf->nlines++];
	memset(nl, 0, sizeof(*nl));
	nl->text = text;
	nl->len = len;
	return 0;
}

int
rules_file_parse_owned(struct rules_file *rf, char *buf, size_t len,
    const struct rules_opts *opts)
{
	const char *p, *end, *nl;
	size_t i;

	memset(rf, 0, sizeof(*rf));
	if (opts != NULL)
		rf->opts = *opts;
	rf->buf = buf;
	if (len >= UINT32_MAX) {
		rules_file_free(rf);
		errno = EFBIG;
		return -1;
	}
	rf->buf[len] = '\0';
	rf->buflen = len;
	rf->final_newline = len > 0 && buf[len - 1] == '\n';
	p = rf->buf;
	end = rf->buf + len;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (rules_file_line_push(rf, p, (size_t)(nl - p)) == -1)
			goto fail;
		p = nl + 1;
	}
	for (i = 0; i < rf->nlines; i++)
		if (rules_line_parse(rf, i + 1, &rf->lines[i]) == -1)
			goto fail;
	return 0;
fail:
	i = errno;
	rules_file_free(rf);
	errno = (int)i;
	return -1;
}

int
rules_file_parse(struct rules_file *rf, const char *buf, size_t len,
    const struct rules_opts *opts)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return -1;
	memcpy(copy, buf, len);
	return rules_file_parse_owned(rf, copy, len, opts);
}

void
rules_file_free(struct rules_file *rf)
{
	size_t i;

	for (i = 0; i < rf->nlines; i++)
		free(rf->lines[i].owned);
	free(rf->lines);
	free(rf->vars);
	free(rf->buf);
	rules_diag_free(rf);
	memset(rf, 0, sizeof(*rf));
}

struct record_walk {
	rules_record_fn cb;
	void *arg;
	size_t lineno;
	const char *data;
	size_t datalen;
};

static int
record_key(void *arg, const char *key, size_t keylen)
{
	struct record_walk *w = arg;

	return w->cb(w->arg, w->lineno, key, keylen, w->data, w->datalen);
}

/* The data of a rule: "D\0" for deny, then "+NAME=VALUE\0" per variable. */
static size_t
line_data(const struct rules_file *rf, const struct rules_line *ln, char *out)
{
	const struct rules_var *v;
	size_t i, n = 0;

	if (ln->deny) {
		memcpy(out, "D", 2);
		n = 2;
	}
	for (i = 0; i < ln->nvars; i++) {
		v = &rf->vars[ln->var_first + i];
		out[n++] = '+';
		memcpy(out + n, ln->text + v->name_off, v->name_len);
		n += v->name_len;
		out[n++] = '=';
		memcpy(out + n, ln->text + v->value_off, v->value_len);
		n += v->value_len;
		out[n++] = '\0';
	}
	return n;
}

int
rules_line_records(const struct rules_file *rf, size_t idx, rules_record_fn cb, void *arg)
{
	const struct rules_line *ln = &rf->lines[idx];
	struct rules_addr_err e;
	struct record_walk w;
	char stack[1024], *data = stack;
	int r;

	if (ln->kind != RULES_LINE_RULE)
		return 0;
	/* the data is never longer than the line plus a NUL per item */
	if (ln->len + 3 > sizeof(stack)) {
		data = malloc(ln->len + 3);
		if (data == NULL)
			return -1;
	}
	w.cb = cb;
	w.arg = arg;
	w.lineno = idx + 1;
	w.data = data;
	w.datalen = line_data(rf, ln, data);
	r = rules_addr_keys(ln->text, ln->addr_len, ln->ext == RULES_EXT_IPV6,
	    &rf->opts, record_key, &w, &e);
	if (data != stack)
		free(data);
	return r;
}

int
rules_file_records(const struct rules_file *rf, rules_record_fn cb, void *arg)
{
	size_t i;
	int r;

	for (i = 0; i < rf->nlines; i++) {
		r = rules_line_records(rf, i, cb, arg);
		if (r != 0)
			return r;
	}
	return 0;
}
