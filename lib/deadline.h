/* deadline.h: socket I/O bounded by one overall deadline (milliseconds on
 * the monotonic clock), for clients that must never hang: the ident query
 * of the listener's child, mailctld talking to a control socket. */
#ifndef MAILSTACK_DEADLINE_H
#define MAILSTACK_DEADLINE_H

#include <stddef.h>
#include <sys/socket.h>

/* Now, in milliseconds on CLOCK_MONOTONIC. */
long long deadline_now_ms(void);
/* Waits until fd has events or the deadline passes (a passed deadline
 * still polls once without waiting). 0 when ready, -1 with errno
 * (ETIMEDOUT, or poll's). */
int deadline_wait(int fd, short events, long long deadline);
/* connect(2) on a non-blocking fd, waiting for it to finish. 0, or -1
 * with errno (the connection's own error, or ETIMEDOUT). */
int deadline_connect(int fd, const struct sockaddr *sa, socklen_t len,
    long long deadline);
/* Sends all n bytes (MSG_NOSIGNAL). 0, or -1 with errno. */
int deadline_send_all(int fd, const void *p, size_t n, long long deadline);

#endif
