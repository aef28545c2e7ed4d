/* ctlidle.c: idle control clients: deadlines and the timer for them. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "ctlidle.h"
#include "log.h"
#include "scan.h"

#define NS 1000000000LL
/* A day: longer is as good as never, and keeps the sums far from overflow. */
#define CTL_IDLE_MAX 86400

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * NS + ts.tv_nsec;
}

void
ctl_idle_open(struct ctl_server *c)
{
	const char *env = getenv("MAILSTACK_CONTROL_TIMEOUT");
	unsigned long secs = CTL_IDLE_SECONDS;

	if (env != NULL && scan_ulong(env, CTL_IDLE_MAX, &secs) < 0)
		die_x(EX_PERM, "unable to use MAILSTACK_CONTROL_TIMEOUT=%s: "
		    "want seconds from 0 to %d", env, CTL_IDLE_MAX);
	c->idle_ns = (long long)secs * NS;
	c->timer = -1;
	c->timer_at = 0;
	if (c->idle_ns == 0)
		return;
	c->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->timer < 0)
		die_sys(EX_TEMP, "unable to create control socket timer");
}

void
ctl_idle_touch(const struct ctl_server *c, struct ctl_client *cl)
{
	cl->deadline = c->idle_ns > 0 ? now_ns() + c->idle_ns : 0;
}

/* Absolute time, so that a deadline already past fires at once rather
 * than being pushed back by the time spent getting here. */
static int
timer_arm(struct ctl_server *c, long long at)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (at == c->timer_at)
		return 0;
	its.it_value.tv_sec = at / NS;
	its.it_value.tv_nsec = at % NS;
	if (timerfd_settime(c->timer, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		log_warn_sys("unable to set control socket timer");
		return -1;
	}
	c->timer_at = at;
	return 0;
}

size_t
ctl_idle_pollfd(struct ctl_server *c, struct pollfd *pfd)
{
	long long first = 0;
	size_t i;

	if (c->timer < 0)
		return 0;
	for (i = 0; i < CTL_CLIENTS; i++)
		if (c->clients[i].fd >= 0 && c->clients[i].deadline > 0 &&
		    (first == 0 || c->clients[i].deadline < first))
			first = c->clients[i].deadline;
	if (first == 0 || timer_arm(c, first) < 0)
		return 0;
	pfd->fd = c->timer;
	pfd->events = POLLIN;
	pfd->revents = 0;
	return 1;
}

int
ctl_idle_fired(struct ctl_server *c, const struct pollfd *pfd,
    long long *now)
{
	uint64_t n;

	if (pfd->revents == 0)
		return 0;
	/* Read so that it stops being readable; armed again, for the next
	 * deadline, when the round is built. */
	while (read(c->timer, &n, sizeof n) < 0 && errno == EINTR)
		;
	c->timer_at = 0;
	*now = now_ns();
	return 1;
}
