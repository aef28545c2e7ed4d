/* s6.h: asking s6 about a service and restarting it, through s6-svstat
 * and s6-svc run directly (no shell), each bounded in time. */
#ifndef MAILSTACK_WEB_S6_H
#define MAILSTACK_WEB_S6_H

#include <jansson.h>

/* {"up":bool,"pid":N|null,"ready":bool}, or NULL when s6-svstat fails
 * (not supervised, not installed, too slow). */
json_t *s6_status(const char *dir, int timeout_ms);
/* s6-svc -t dir. 0 when it exits 0, -1 with errno otherwise (ENOENT: no
 * s6-svc, EIO: it failed, ETIMEDOUT). */
int s6_restart(const char *dir, int timeout_ms);

#endif
