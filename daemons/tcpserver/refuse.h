/* refuse.h: what a refused client reads before the listener closes its
 * connection, and the sending of it (in the parent, without a fork). */
#ifndef MAILSTACK_TCPSERVER_REFUSE_H
#define MAILSTACK_TCPSERVER_REFUSE_H

#include <stddef.h>

#include "limits.h"
#include "options.h"

/* Longest message sent (a longer DIEMSG is cut). */
#define REFUSE_MAX 1024

/* The message for a refusal of reason r (not LIMIT_OK), in this order of
 * precedence: DIEMSG from the matching rule (CRLF added), the -C/-N msg
 * (as given, escapes already applied), DIEMSG from the environment (CRLF
 * added), the -m preset, nothing. Writes at most REFUSE_MAX bytes into
 * buf (not NUL-terminated) and returns the length, 0 for none. */
size_t refuse_message(const struct server_options *o, enum limit_reason r,
    const struct limit_vars *v, char buf[REFUSE_MAX]);

/* The -m preset's "server busy" line (for a connection dropped because
 * the listener could not fork); 0 without a preset. */
size_t refuse_busy_message(const struct server_options *o,
    char buf[REFUSE_MAX]);

/* Sends msg without blocking (what does not fit in the socket buffer is
 * lost: a refused client is not worth waiting for), then closes fd. */
void refuse_send(int fd, const char *msg, size_t len);

#endif
