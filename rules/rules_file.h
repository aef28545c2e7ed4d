/* rules_file.h: a tcprules text file held line by line, so that it can be
 * checked, edited rule by rule and written back with every comment, blank
 * line and the order kept. Parsing is pure: no I/O, no printing. */
#ifndef MAILSTACK_RULES_FILE_H
#define MAILSTACK_RULES_FILE_H

#include <stddef.h>
#include <stdint.h>

enum rules_ext {
	RULES_EXT_NONE,
	RULES_EXT_IPV6,		/* an IPv6 form (0.88 refuses the line) */
	RULES_EXT_CIDR4		/* a.b.c.d/n expanded (0.88 keeps it as written) */
};

enum rules_line_kind {
	RULES_LINE_BLANK,	/* empty */
	RULES_LINE_COMMENT,	/* '#' in column 1 */
	RULES_LINE_IGNORED,	/* no ':' after trailing blanks are cut; tcprules skips it */
	RULES_LINE_RULE,
	RULES_LINE_BAD		/* has at least one error diagnostic */
};

/* One ,NAME=QVALUEQ item; offsets into the line's text. Sizes are 32-bit
 * (files are limited to 4 GiB) so that a 100,000-rule file stays small. */
struct rules_var {
	uint32_t name_off, name_len;
	uint32_t value_off, value_len;
};

struct rules_line {
	const char *text;	/* the line as read, without its '\n' */
	char *owned;		/* text when the line was set by an edit */
	uint32_t len;
	uint32_t addr_len;	/* the address is text[0, addr_len) */
	uint32_t var_first;	/* into rules_file.vars */
	uint16_t nvars;
	unsigned char kind;	/* enum rules_line_kind */
	unsigned char ext;	/* enum rules_ext: syntax beyond tcprules 0.88 */
	unsigned char deny;
};

enum rules_severity { RULES_WARNING, RULES_ERROR };

struct rules_diag {
	size_t line;		/* 1-based */
	size_t col;		/* 1-based, in characters (UTF-8 aware) */
	size_t byte;		/* 0-based byte offset of col in the line */
	enum rules_severity severity;
	char *msg;		/* owned */
	char *hint;		/* owned, NULL when the cause is not known */
	char *text;		/* owned copy of the line (may hold NUL bytes) */
	size_t textlen;
};

/* Parse options, the extensions beyond tcprules 0.88. */
struct rules_opts {
	int cidr4;		/* expand a.b.c.d/n (0.88 keeps it as a dead key) */
	int strict;		/* warnings count as errors */
};

struct rules_file {
	char *buf;		/* the input, owned; lines point into it */
	size_t buflen;
	struct rules_line *lines;
	size_t nlines, linecap;
	struct rules_var *vars;
	size_t nvars, varcap;
	int final_newline;	/* the last line ended in '\n' */
	struct rules_opts opts;
	struct rules_diag *diags;
	size_t ndiags, diagcap;
	size_t nerrors, nwarnings;
};

/* Takes a copy of buf and parses every line, collecting all diagnostics.
 * Returns 0 (look at rf->nerrors), or -1 with errno ENOMEM or EFBIG (4 GiB
 * or more, or a line with more than 65535 variables). */
int rules_file_parse(struct rules_file *rf, const char *buf, size_t len,
    const struct rules_opts *opts);
/* The same, taking buf (malloc'd, len + 1 bytes or more) instead of a
 * copy; buf is freed with rf, or at once on failure. */
int rules_file_parse_owned(struct rules_file *rf, char *buf, size_t len,
    const struct rules_opts *opts);
void rules_file_free(struct rules_file *rf);

/* Formats diagnostic d of rf for people:
 * "NAME:LINE:COL: [warning: ]MESSAGE", the line (control bytes escaped),
 * a caret under the column and "hint: ..." when known, each line ending
 * in '\n'. *out is malloc'd. Returns 0, or -1 with errno ENOMEM. */
int rules_diag_format(const struct rules_file *rf, const struct rules_diag *d,
    const char *name, char **out, size_t *outlen);

/* Writes the file text back, byte for byte as read plus edits, into a
 * malloc'd buffer. Returns 0, or -1 with errno ENOMEM. */
int rules_file_render(const struct rules_file *rf, char **out, size_t *outlen);

/* The records a line compiles to, in order. cb returns 0 to go on; a
 * nonzero return stops the walk and is returned. key/data are valid only
 * during the call. */
typedef int (*rules_record_fn)(void *arg, size_t lineno, const char *key,
    size_t keylen, const char *data, size_t datalen);
int rules_file_records(const struct rules_file *rf, rules_record_fn cb, void *arg);
/* The same for one line (index into rf->lines). */
int rules_line_records(const struct rules_file *rf, size_t idx, rules_record_fn cb, void *arg);

/* Editing, by index into rf->lines. The new text is one line without '\n';
 * it is parsed with rf's options and replaces or joins the list only when
 * it is a valid rule, comment or blank line. Return 0; -1 with errno
 * EINVAL (the text does not parse: rf unchanged), ERANGE (bad index) or
 * ENOMEM. */
int rules_file_set_line(struct rules_file *rf, size_t idx, const char *text, size_t len);
int rules_file_insert_line(struct rules_file *rf, size_t idx, const char *text, size_t len);
int rules_file_delete_line(struct rules_file *rf, size_t idx);
/* The text of a rule line (no '\n'): ADDR:allow or ADDR:deny, then
 * ,NAME=QVALUEQ per variable, Q being the first of " ' / | % ! ~ that the
 * value does not contain. *out is malloc'd. Returns 0, or -1 with errno
 * EINVAL (a newline anywhere, '=' in a name, ':' in an IPv4 address, or a
 * value holding every quote) or ENOMEM. rules_file_set_line and
 * rules_file_insert_line check the rest. */
int rules_rule_format(const char *addr, int deny, const char *const *names,
    const char *const *values, size_t n, char **out, size_t *outlen);

/* The index of the first rule line whose address is addr, or -1. */
long rules_file_find_rule(const struct rules_file *rf, const char *addr, size_t addrlen);

#endif
