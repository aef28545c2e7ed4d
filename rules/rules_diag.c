/* rules_diag.c: collecting the diagnostics of a parse (line:col, message, hint). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_diag.h"
#include "rules/rules_line.h"

/* Columns count characters, so a caret lines up under UTF-8 text. */
size_t
rules_diag_column(const char *text, size_t byte)
{
	size_t i, col = 1;

	for (i = 0; i < byte; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			col++;
	return col;
}

int
rules_diag_add(struct rules_file *rf, size_t lineno, const struct rules_line *ln,
    size_t byte, enum rules_severity sev, const char *msg, const char *hint)
{
	struct rules_diag *d;

	if (sev == RULES_WARNING && rf->opts.strict)
		sev = RULES_ERROR;
	if (rules_grow((void **)&rf->diags, rf->ndiags, &rf->diagcap, sizeof(*d), 8) == -1)
		return -1;
	d = &rf->diags[rf->ndiags];
	d->line = lineno;
	d->byte = byte;
	d->col = rules_diag_column(ln->text, byte);
	d->severity = sev;
	d->msg = strdup(msg);
	d->hint = hint != NULL && *hint != '\0' ? strdup(hint) : NULL;
	d->text = malloc((size_t)ln->len + 1);
	d->textlen = ln->len;
	if (d->text != NULL) {
		memcpy(d->text, ln->text, ln->len);
		d->text[ln->len] = '\0';
	}
	if (d->msg == NULL || d->text == NULL ||
	    (hint != NULL && *hint != '\0' && d->hint == NULL)) {
		free(d->msg);
		free(d->hint);
		free(d->text);
		errno = ENOMEM;
		return -1;
	}
	rf->ndiags++;
	if (sev == RULES_ERROR)
		rf->nerrors++;
	else
		rf->nwarnings++;
	return 0;
}

void
rules_diag_free(struct rules_file *rf)
{
	size_t i;

	for (i = 0; i < rf->ndiags; i++) {
		free(rf->diags[i].msg);
		free(rf->diags[i].hint);
		free(rf->diags[i].text);
	}
	free(rf->diags);
	rf->diags = NULL;
	rf->ndiags = rf->diagcap = rf->nerrors = rf->nwarnings = 0;
}
