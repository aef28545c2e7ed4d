/* pidwatch.c: adopted sessions' ends, by pidfd and epoll or by looking
 * at /proc (see pidwatch.h). */
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "daemons/tcpserver/adopt.h"
#include "daemons/tcpserver/pidwatch.h"

/* glibc has a wrapper only from 2.36; EL9's is older. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
pid_watch_init(struct pid_watch *w)
{
	w->epfd = -1;
	w->polling = 0;
	w->n = 0;
	w->next_poll = 0;
}

int
pid_watch_gone(pid_t pid, unsigned long long ticks)
{
	unsigned long long now;
	pid_t ppid;
	char state;

	/* A zombie has ended: only its parent's wait is left. */
	return adopt_proc_stat(pid, &state, &ppid, &now) < 0 || now != ticks ||
	    state == 'Z' || state == 'X';
}

static int
watch_pidfd(struct pid_watch *w, pid_t pid, int fd)
{
	struct epoll_event ev;

	if (w->epfd < 0 && (w->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)(uint32_t)pid << 32 | (uint32_t)fd;
	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int
pid_watch_add(struct pid_watch *w, pid_t pid, unsigned long long ticks)
{
	int fd = -1;

	if (!w->polling) {
		fd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (fd < 0 && errno == ENOSYS)
			w->polling = 1;
		else if (fd < 0)
			return -1;
	}
	/* After the pidfd is open: a process that ended before it and a pid
	 * given to another process since are both told by its start. */
	if (pid_watch_gone(pid, ticks)) {
		if (fd >= 0)
			close(fd);
		errno = ESRCH;
		return -1;
	}
	if (fd >= 0 && watch_pidfd(w, pid, fd) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	w->n++;
	return 0;
}

int
pid_watch_fd(const struct pid_watch *w)
{
	return w->n > 0 ? w->epfd : -1;
}

size_t
pid_watch_ended(struct pid_watch *w, pid_t *out, size_t max)
{
	struct epoll_event ev[64];
	size_t got = 0;
	int i, n;

	if (w->epfd < 0)
		return 0;
	while (got < max) {
		n = epoll_wait(w->epfd, ev, (int)(max - got < 64 ? max - got :
		    64), 0);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			/* Closing the pidfd also takes it out of the set. */
			close((int)(uint32_t)ev[i].data.u64);
			out[got++] = (pid_t)(ev[i].data.u64 >> 32);
			w->n--;
		}
	}
	return got;
}

int
pid_watch_timeout(const struct pid_watch *w)
{
	long long left;

	if (!w->polling || w->n == 0)
		return -1;
	left = w->next_poll - now_ms();
	return left > 0 ? (int)left : 0;
}

void
pid_watch_polled(struct pid_watch *w)
{
	w->next_poll = now_ms() + PIDWATCH_POLL_MS;
}

void
pid_watch_forget(struct pid_watch *w)
{
	if (w->n > 0)
		w->n--;
}
