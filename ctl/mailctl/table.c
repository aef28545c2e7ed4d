/* table.c: aligned tables, safe cell text, ages and times. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/mailctl/table.h"

char *
text_safe(const char *s)
{
	char *copy = strdup(s), *p;

	if (copy == NULL)
		return NULL;
	for (p = copy; *p != '\0'; p++)
		if ((unsigned char)*p < 32 || *p == 127)
			*p = '?';
	return copy;
}

size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

int
table_init(struct table *t, size_t ncols, const char *const *heads,
    const char *align)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->align = align;
	for (i = 0; i < ncols; i++)
		if (table_add(t, heads[i]) == -1) {
			table_free(t);
			return -1;
		}
	return 0;
}

int
table_add(struct table *t, const char *cell)
{
	char *copy;

	if (t->ncells == t->cap) {
		size_t cap = t->cap == 0 ? 64 : t->cap * 2;
		char **cells = realloc(t->cells, cap * sizeof(*cells));

		if (cells == NULL) {
			t->failed = 1;
			return -1;
		}
		t->cells = cells;
		t->cap = cap;
	}
	if ((copy = text_safe(cell)) == NULL) {
		t->failed = 1;
		return -1;
	}
	t->cells[t->ncells++] = copy;
	return 0;
}

int
table_addf(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0) {
		t->failed = 1;
		return -1;
	}
	r = table_add(t, s);
	free(s);
	return r;
}

size_t
table_rows(const struct table *t)
{
	return t->ncols == 0 ? 0 : t->ncells / t->ncols - 1;
}

static void
table_pad(FILE *out, size_t n)
{
	while (n-- > 0)
		putc(' ', out);
}

int
table_write(const struct table *t, FILE *out)
{
	size_t *width, i, col;

	if (t->failed || t->ncols == 0 || (width = calloc(t->ncols, sizeof(*width))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (i = t->headless ? t->ncols : 0; i < t->ncells; i++)
		if (text_width(t->cells[i]) > width[i % t->ncols])
			width[i % t->ncols] = text_width(t->cells[i]);
	/* A short last row (a failed add) is not written half. Blanks are
	 * held back until text follows, so no line ends in blanks. */
	for (i = t->headless ? t->ncols : 0; i + t->ncols <= t->ncells; i += t->ncols) {
		size_t pending = 0;

		for (col = 0; col < t->ncols; col++) {
			const char *cell = t->cells[i + col];
			size_t gap = width[col] - text_width(cell);

			if (t->align[col] == 'r')
				pending += gap;
			if (*cell != '\0') {
				table_pad(out, pending);
				fputs(cell, out);
				pending = 0;
			}
			if (t->align[col] != 'r')
				pending += gap;
			pending += 2;
		}
		putc('\n', out);
	}
	free(width);
	return 0;
}

void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void
fmt_age(char *buf, size_t len, long long since, long long now)
{
	long long s = now > since ? now - since : 0;

	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

void
fmt_time(char *buf, size_t len, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%lld", t);
}
