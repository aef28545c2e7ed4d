/* pidwatch.h: noticing the end of adopted sessions, which are not our
 * children (no SIGCHLD, no waitpid). Each is a pidfd (Linux 5.3) in one
 * epoll set that the event loop polls; a pidfd names one process, so a
 * pid used again later is never mistaken for it. On a kernel without
 * pidfd_open the loop instead looks at each adopted process's
 * /proc/PID/stat every PIDWATCH_POLL_MS (pid_watch_polling). */
#ifndef MAILSTACK_TCPSERVER_PIDWATCH_H
#define MAILSTACK_TCPSERVER_PIDWATCH_H

#include <stddef.h>
#include <sys/types.h>

/* Within the 1 s in which an adopted session's end must free its slot. */
#define PIDWATCH_POLL_MS 500

struct pid_watch {
	int epfd;		/* -1 until the first pidfd */
	int polling;		/* no pidfd_open: look at /proc instead */
	size_t n;		/* processes watched */
	long long next_poll;	/* CLOCK_MONOTONIC ms, while polling */
};

void pid_watch_init(struct pid_watch *w);
/* Watches pid, which must still be the process that started at ticks.
 * 0; or -1 with errno ESRCH (it has ended) or another errno. */
int pid_watch_add(struct pid_watch *w, pid_t pid, unsigned long long ticks);
/* The descriptor to poll for ends, or -1. */
int pid_watch_fd(const struct pid_watch *w);
/* Up to max pids that ended (their pidfds are closed), from the epoll set
 * without waiting. Returns how many. */
size_t pid_watch_ended(struct pid_watch *w, pid_t *out, size_t max);
/* Polling: the ms until the next look (0 = due now), -1 when none is
 * needed; pid_watch_polled records a look made. */
int pid_watch_timeout(const struct pid_watch *w);
void pid_watch_polled(struct pid_watch *w);
/* Polling: 1 when pid has ended or is another process than at ticks.
 * pid_watch_forget counts one watched process fewer. */
int pid_watch_gone(pid_t pid, unsigned long long ticks);
void pid_watch_forget(struct pid_watch *w);

#endif
