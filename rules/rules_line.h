/* rules_line.h: internal to rules/: parsing one line the way tcprules 0.88
 * does, and explaining why a line fails. */
#ifndef MAILSTACK_RULES_LINE_H
#define MAILSTACK_RULES_LINE_H

#include "rules/rules_file.h"

/* Why the instructions after the colon were refused. */
enum rules_fail_kind {
	RULES_FAIL_KEYWORD,	/* not allow or deny (+ end or ',') */
	RULES_FAIL_NO_EQUALS,	/* ,NAME without '=' */
	RULES_FAIL_NO_VALUE,	/* '=' at the end of the line */
	RULES_FAIL_UNTERMINATED,/* no closing delimiter */
	RULES_FAIL_JUNK		/* text after a closing delimiter */
};

struct rules_fail {
	enum rules_fail_kind kind;
	size_t off;		/* byte offset in the line */
	size_t name_off, name_len;	/* the variable concerned; for
					 * RULES_FAIL_KEYWORD name_off is
					 * just after the colon */
	char quote;
};

/* Classifies ln (text and len set by the caller), appends its variables to
 * rf->vars and its diagnostics to rf. 0, or -1 with errno ENOMEM. */
int rules_line_parse(struct rules_file *rf, size_t lineno, struct rules_line *ln);

/* Makes room for one more element in *arr (n used of *cap, each size
 * bytes), doubling from first. 0, or -1 with errno ENOMEM. */
int rules_grow(void **arr, size_t n, size_t *cap, size_t size, size_t first);

/* Appends a line (text not copied, kind unset). 0, or -1 ENOMEM. */
int rules_file_line_push(struct rules_file *rf, const char *text, size_t len);

/* Message and hint for a failed line; len is after trailing blanks. */
void rules_explain(const char *t, size_t len, const struct rules_fail *f,
    char *msg, size_t msgsize, char *hint, size_t hintsize, size_t *off);

#endif
