/* linger.h: a lingering close for a connection answered before its body
 * was read (the early 413): the unread bytes are drained before the
 * socket closes, so the client's kernel gets no reset and the client
 * reads the answer it was sent. */
#ifndef MAILSTACK_WEB_LINGER_H
#define MAILSTACK_WEB_LINGER_H

#include <stddef.h>

/* What a lingering close reads at most, and for how long. */
#define LINGER_MAX_BYTES (16 * 1024 * 1024)
#define LINGER_MAX_MS 10000
/* Lingering connections at once; past that a close is immediate. */
#define LINGER_MAX_CONNS 16

/* Takes fd over (a dup of the connection's socket, whose answer is
 * already sent): a detached thread reads and drops what arrives until
 * EOF, an error, max_bytes or max_ms, then closes fd. Returns 0, or -1
 * when it closed fd at once (too many lingering, no thread). */
int linger_close(int fd, size_t max_bytes, int max_ms);

/* Connections lingering now (tests). */
int linger_count(void);

#endif
