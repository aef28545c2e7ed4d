/* loop.c: the listener's event loop: poll the self-pipe, the control
 * socket and, below the -c limit, the listening socket; accept, admit,
 * spawn; reap; reload on SIGHUP (with -f). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "selfpipe.h"
#include "server.h"

/* Accepts per wake-up before signals are looked at again: enough to
 * drain a burst cheaply, few enough that reaping is not held back. */
#define ACCEPT_BATCH 16

void
server_init(struct server *s, const struct server_options *o)
{
	char err[256];

	s->o = o;
	s->started = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &s->started_mono);
	server_limits_start(s);
	if (conn_table_init(&s->table, s->lim.n[LIMIT_MAX_CONNECTIONS],
	    o->ip6_prefix, o->net4_prefix, o->net6_prefix) < 0)
		die_x(EX_TEMP, "out of memory");
	limits_vars_from_env(&s->env_vars, err, sizeof err);
	if (err[0] != '\0')
		log_warn("%s", err);
	if (o->rules_path != NULL) {
		if (rules_cache_init(&s->rules, o->rules_path) < 0)
			die_x(EX_TEMP, "out of memory");
		s->rules_on = 1;
	}
	s->fast_spawn = server_can_spawn_fast(o);
	s->path = getenv("PATH");
	s->sigfd = selfpipe_init();
	if (s->sigfd < 0 || selfpipe_trap(SIGCHLD) < 0 ||
	    selfpipe_trap(SIGTERM) < 0)
		die_sys(EX_TEMP, "unable to set up signals");
	/* Without -f, SIGHUP keeps 0.88's default action (the listener
	 * dies), so supervision scripts see no change. */
	if (o->limits_path != NULL && selfpipe_trap(SIGHUP) < 0)
		die_sys(EX_TEMP, "unable to set up signals");
	signal(SIGPIPE, SIG_IGN);
}

static void
log_status(const struct server *s, size_t n)
{
	log_info("status: %zu/%lu", n, s->lim.n[LIMIT_MAX_CONNECTIONS]);
}

static void
reap(struct server *s)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		(void)conn_table_remove(&s->table, pid, NULL);
		log_info("end %ld status %d", (long)pid, st);
		log_status(s, conn_table_count(&s->table));
	}
}

static void
handle_signals(struct server *s)
{
	char err[512];
	int sig, chld = 0, hup = 0;

	/* Drain first, act once: every waitpid(-1) walks the kernel's list of
	 * all our children (5,000 held sessions make that the main cost), so
	 * a burst of SIGCHLDs is one reaping pass, not one per signal. */
	while ((sig = selfpipe_read()) > 0) {
		/* tcpserver's SIGTERM: gone at once, children left running. */
		if (sig == SIGTERM)
			_exit(0);
		if (sig == SIGCHLD)
			chld = 1;
		if (sig == SIGHUP)
			hup = 1;
	}
	if (sig < 0)
		die_sys(EX_TEMP, "unable to read signals");
	if (chld)
		reap(s);
	if (hup)
		(void)server_limits_reload(s, err, sizeof err);
}

static void
backoff_start(struct server *s)
{
	clock_gettime(CLOCK_MONOTONIC, &s->backoff_until);
	s->backoff_until.tv_nsec += SERVER_BACKOFF_MS * 1000000L;
	if (s->backoff_until.tv_nsec >= 1000000000L) {
		s->backoff_until.tv_sec++;
		s->backoff_until.tv_nsec -= 1000000000L;
	}
}

/* Milliseconds left of the back-off, 0 once it is over (and cleared). */
static int
backoff_left(struct server *s)
{
	struct timespec now;
	long long ms;

	if (s->backoff_until.tv_sec == 0 && s->backoff_until.tv_nsec == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(s->backoff_until.tv_sec - now.tv_sec) * 1000 +
	    (s->backoff_until.tv_nsec - now.tv_nsec) / 1000000;
	if (ms > 0)
		return (int)ms;
	memset(&s->backoff_until, 0, sizeof s->backoff_until);
	return 0;
}

static void
start_child(struct server *s, const struct server_conn *c)
{
	struct conn_info ci;
	pid_t pid;

	/* 0.88 counts the connection before the fork and logs it at once. */
	log_status(s, conn_table_count(&s->table) + 1);
	pid = server_spawn(s, c);
	close(c->fd);
	if (pid < 0) {
		log_status(s, conn_table_count(&s->table));
		return;
	}
	memset(&ci, 0, sizeof ci);
	ci.pid = pid;
	ci.remote = c->remote;
	ci.remote_port = c->remote_port;
	ci.local_port = s->listener.port;
	ci.start = time(NULL);
	if (conn_table_add(&s->table, &ci) < 0)
		log_warn_sys("unable to record pid %ld", (long)pid);
}

/* Returns 1 to keep accepting, 0 when the queue is empty or accepting
 * must pause. */
static int
accept_one(struct server *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct server_conn c;

	c.fd = accept4(s->listener.fd, (struct sockaddr *)&ss, &len, 0);
	if (c.fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			log_warn_sys("unable to accept connection, pausing");
			backoff_start(s);
			return 0;
		}
		/* EAGAIN: drained; ECONNABORTED and the like: that client
		 * is gone, tcpserver retries silently. */
		return errno != EAGAIN && errno != EWOULDBLOCK;
	}
	if (ip_from_sockaddr((struct sockaddr *)&ss, &c.remote,
	    &c.remote_port) < 0) {
		close(c.fd);
		return 1;
	}
	if (!server_admit_refuse(s, &c)) {
		s->accepted++;
		start_child(s, &c);
	}
	return 1;
}

static int
below_limit(const struct server *s)
{
	return conn_table_count(&s->table) < s->lim.n[LIMIT_MAX_CONNECTIONS];
}

static void
accept_some(struct server *s)
{
	int i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		if (!below_limit(s))
			return;
		if (!accept_one(s))
			return;
	}
}

/* poll() fails with EINVAL when RLIMIT_NOFILE is below the number of
 * descriptors polled, and with ENOMEM: both can pass, so wait (the
 * self-pipe is read directly, it needs no poll) instead of dying. */
static void
poll_failed(struct server *s)
{
	struct timespec pause = { 0, SERVER_BACKOFF_MS * 1000000L };

	if (errno != EINVAL && errno != ENOMEM)
		die_sys(EX_TEMP, "unable to poll");
	log_warn_sys("unable to poll, pausing");
	nanosleep(&pause, NULL);
	handle_signals(s);
}

/* The descriptors of one round: the self-pipe first, then the control
 * socket's, then the listener when it may be accepted from. Rebuilt each
 * round, so a limit raised by the control socket or SIGHUP opens the
 * listener at once for the clients waiting in the backlog. */
struct round {
	struct pollfd pfd[2 + CTL_POLLFDS];
	nfds_t n;
	size_t ctl;		/* first control entry */
	int listening;		/* index of the listener, -1 = not polled */
	int timeout;
};

static void
round_build(struct server *s, struct round *r)
{
	r->pfd[0].fd = s->sigfd;
	r->pfd[0].events = POLLIN;
	r->pfd[0].revents = 0;
	r->ctl = 1;
	r->n = 1 + ctl_pollfds(&s->ctl, &r->pfd[1]);
	r->listening = -1;
	r->timeout = backoff_left(s);
	/* At -c the listener is left alone: clients wait in the kernel's
	 * backlog, as with tcpserver, and are not refused. */
	if (r->timeout == 0) {
		r->timeout = -1;
		if (below_limit(s)) {
			r->listening = (int)r->n;
			r->pfd[r->n].fd = s->listener.fd;
			r->pfd[r->n].events = POLLIN;
			r->pfd[r->n].revents = 0;
			r->n++;
		}
	}
}

void
server_run(struct server *s)
{
	struct round r;

	for (;;) {
		round_build(s, &r);
		if (poll(r.pfd, r.n, r.timeout) < 0) {
			if (errno != EINTR)
				poll_failed(s);
			continue;
		}
		if (r.pfd[0].revents != 0)
			handle_signals(s);
		ctl_events(s, &r.pfd[r.ctl]);
		if (r.listening >= 0 && r.pfd[r.listening].revents != 0 &&
		    below_limit(s))
			accept_some(s);
	}
}
