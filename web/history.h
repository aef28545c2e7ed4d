/* history.h: every version of a service's limits and rules, kept as
 * numbered files in STATE/history/NAME/ (NNNNNNNN.json: version, time,
 * token, what, etag; NNNNNNNN.content: the file), the last API_HISTORY_KEEP. */
#ifndef MAILSTACK_WEB_HISTORY_H
#define MAILSTACK_WEB_HISTORY_H

#include <jansson.h>
#include <stddef.h>

/* Records content as the newest version of what ("limits" or "rules")
 * for service, by token. Keeps at most keep versions. 0 or -1 with errno.
 * Callers hold the write lock. */
int history_record(const char *state, const char *service, const char *what,
    const char *token, const char *content, size_t len, unsigned keep);
/* 1 when service has at least one version of what, 0 not, -1 error. */
int history_has(const char *state, const char *service, const char *what);
/* {"versions":[{"version","time","token","what","etag"}...]} oldest first;
 * NULL with errno on failure. */
json_t *history_list(const char *state, const char *service);
/* The stored object of one version, its content (the exact bytes, not
 * always UTF-8, so not in the object) malloc'd in *content and *len; or
 * NULL with errno ENOENT. */
json_t *history_get(const char *state, const char *service, unsigned long version,
    char **content, size_t *len);

#endif
