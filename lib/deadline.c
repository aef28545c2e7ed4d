/* deadline.c: poll-based waits, connect and send under one deadline. */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "deadline.h"

long long
deadline_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
deadline_wait(int fd, short events, long long deadline)
{
	struct pollfd p;
	long long left;
	int r;

	for (;;) {
		left = deadline - deadline_now_ms();
		if (left < 0)
			left = 0;
		p.fd = fd;
		p.events = events;
		/* a far deadline is waited for in slices: poll takes an int */
		r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return 0;
		if (r == -1 && errno != EINTR)
			return -1;
		if (r == 0 && left == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

int
deadline_connect(int fd, const struct sockaddr *sa, socklen_t len,
    long long deadline)
{
	socklen_t elen = sizeof(int);
	int err = 0;

	if (connect(fd, sa, len) == 0)
		return 0;
	/* EAGAIN: a unix socket whose backlog is full */
	if (errno != EINPROGRESS && errno != EAGAIN)
		return -1;
	if (deadline_wait(fd, POLLOUT, deadline) == -1)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1)
		return -1;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

int
deadline_send_all(int fd, const void *buf, size_t n, long long deadline)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (deadline_wait(fd, POLLOUT, deadline) == -1)
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
