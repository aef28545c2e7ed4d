/* audit.h: the append-only log of every change, one JSON object a line. */
#ifndef MAILSTACK_WEB_AUDIT_H
#define MAILSTACK_WEB_AUDIT_H

#include <jansson.h>
#include <stddef.h>

/* Appends entry (borrowed) as one line with a single write, then fsyncs.
 * 0 or -1 with errno. */
int audit_append(const char *path, json_t *entry);
/* {"entries":[...]} with the last limit entries (0 = all), oldest first;
 * lines that do not parse (a write cut by a crash) are skipped. NULL with
 * errno on failure; a missing file is an empty list. */
json_t *audit_read(const char *path, size_t limit);

#endif
