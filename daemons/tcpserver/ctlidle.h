/* ctlidle.h: the control socket's idle timeout: each client's deadline
 * and the timerfd that wakes the event loop for the earliest one. */
#ifndef MAILSTACK_TCPSERVER_CTLIDLE_H
#define MAILSTACK_TCPSERVER_CTLIDLE_H

#include <poll.h>
#include <stddef.h>

#include "ctlserver.h"

/* Reads MAILSTACK_CONTROL_TIMEOUT (seconds, 0 = never; else
 * CTL_IDLE_SECONDS) and creates the timer. Dies on failure. */
void ctl_idle_open(struct ctl_server *c);
/* The client did something that counts (connected, sent a whole line,
 * took some of its reply): its deadline starts again. */
void ctl_idle_touch(const struct ctl_server *c, struct ctl_client *cl);
/* Arms the timer for the earliest client deadline and adds it to pfd;
 * returns 1, or 0 (nothing added) when no client has a deadline. */
size_t ctl_idle_pollfd(struct ctl_server *c, struct pollfd *pfd);
/* 1 when the timer went off (pfd: its entry; the timer is drained) and
 * *now is the CLOCK_MONOTONIC time in ns to compare deadlines with; else 0. */
int ctl_idle_fired(struct ctl_server *c, const struct pollfd *pfd,
    long long *now);

#endif
