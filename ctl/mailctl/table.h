/* table.h: aligned text tables for people, and the small formatters their cells use. */
#ifndef MAILSTACK_CTL_TABLE_H
#define MAILSTACK_CTL_TABLE_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* Cells are copied; control bytes and DEL in them are shown as '?' so that
 * text from the server cannot move the terminal's cursor. */
struct table {
	size_t ncols;
	const char *align;	/* one 'l' or 'r' per column */
	char **cells;		/* row-major, the header row first */
	size_t ncells, cap;
	int failed;		/* an allocation failed; table_write refuses */
	int headless;		/* key-value lists: the header row sizes nothing and is not written */
};

/* heads has ncols names; align is a string of ncols 'l'/'r'. 0, or -1
 * with nothing left to free. */
int table_init(struct table *t, size_t ncols, const char *const *heads,
    const char *align);
/* Appends the next cell (rows fill left to right). 0 or -1 (remembered). */
int table_add(struct table *t, const char *cell);
int table_addf(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The number of data rows so far. */
size_t table_rows(const struct table *t);
/* Writes the header and rows, columns two spaces apart, no trailing blanks.
 * 0, or -1 (a failed add, or ENOMEM). */
int table_write(const struct table *t, FILE *out);
void table_free(struct table *t);

/* The width of s on a terminal: UTF-8 characters, each counted once. */
size_t text_width(const char *s);
/* s with bytes < 32 and 127 replaced by '?', malloc'd (NULL on ENOMEM). */
char *text_safe(const char *s);

/* "42s", "3m12s", "2h05m", "4d03h": how long ago since was, at now.
 * A time in the future shows as "0s". */
void fmt_age(char *buf, size_t len, long long since, long long now);
/* "2026-11-28 12:30:01" in UTC. */
void fmt_time(char *buf, size_t len, long long t);

#endif
