/* linger.c: draining a connection's unread body before closing it. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/deadline.h"
#include "web/linger.h"

struct drain_job {
	int fd;
	size_t max_bytes;
	int max_ms;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int lingering;

static void
drain(const struct drain_job *l)
{
	long long end = deadline_now_ms() + l->max_ms;
	char buf[65536];
	size_t got = 0;

	while (got < l->max_bytes) {
		struct pollfd p = { l->fd, POLLIN, 0 };
		long long left = end - deadline_now_ms();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		r = recv(l->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
}

static void *
run(void *arg)
{
	struct drain_job *l = arg;

	drain(l);
	close(l->fd);
	free(l);
	pthread_mutex_lock(&lock);
	lingering--;
	pthread_mutex_unlock(&lock);
	return NULL;
}

int
linger_close(int fd, size_t max_bytes, int max_ms)
{
	struct drain_job *l = malloc(sizeof(*l));
	pthread_attr_t attr;
	pthread_t t;
	int ok = 0;

	pthread_mutex_lock(&lock);
	if (l != NULL && lingering < LINGER_MAX_CONNS) {
		l->fd = fd, l->max_bytes = max_bytes, l->max_ms = max_ms;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		ok = pthread_create(&t, &attr, run, l) == 0;
		pthread_attr_destroy(&attr);
		lingering += ok;
	}
	pthread_mutex_unlock(&lock);
	if (ok)
		return 0;
	free(l);
	close(fd);
	return -1;
}

int
linger_count(void)
{
	int n;

	pthread_mutex_lock(&lock);
	n = lingering;
	pthread_mutex_unlock(&lock);
	return n;
}
