/* rules_diag.h: internal to rules/: adding diagnostics to a rules_file. */
#ifndef MAILSTACK_RULES_DIAG_H
#define MAILSTACK_RULES_DIAG_H

#include "rules/rules_file.h"

/* The 1-based character column of byte offset byte in text. */
size_t rules_diag_column(const char *text, size_t byte);
/* Appends a diagnostic about byte offset byte of line ln, keeping a copy
 * of the line (a warning becomes an error in strict mode). 0, or -1 with
 * errno ENOMEM. */
int rules_diag_add(struct rules_file *rf, size_t lineno, const struct rules_line *ln,
    size_t byte, enum rules_severity sev, const char *msg, const char *hint);
void rules_diag_free(struct rules_file *rf);

#endif
