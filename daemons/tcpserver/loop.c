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
	/* Children do not see it; a re-exec passes it on (reexec.c). */
	s->spawn_forced = getenv(SERVER_SPAWN_ENV) != NULL &&
	    strcmp(getenv(SERVER_SPAWN_ENV), "fork") == 0;
	(void)unsetenv(SERVER_SPAWN_ENV);
	s->fast_spawn = !s->spawn_forced && server_can_spawn_fast(o);
	s->path = getenv("PATH");
	s->sigfd = selfpipe_init();
	if (s->sigfd < 0 || selfpipe_trap(SIGCHLD) < 0 ||
	    selfpipe_trap(SIGTERM) < 0 || selfpipe_trap(SIGUSR2) < 0)
		die_sys(EX_TEMP, "unable to set up signals");
	/* Without -f, SIGHUP keeps 0.88's default action (the listener
	 * dies), so supervision scripts see no change. */
	if (o->limits_path != NULL && selfpipe_trap(SIGHUP) < 0)
		die_sys(EX_TEMP, "unable to set up signals");
	signal(SIGPIPE, SIG_IGN);
}

void
server_log_status(const struct server *s, size_t n)
{
	log_info("status: %zu/%lu", n, s->lim.n[LIMIT_MAX_CONNECTIONS]);
}

static void
record_child(struct server *s, struct conn_info *ci)
{
	if (conn_table_add(&s->table, ci) < 0)
		log_warn_sys("unable to record pid %ld", (long)ci->pid);
}

/* A worker's answer: the ticket becomes the pid, or the connection is
 * dropped. Returns 0 when no answer was ready (or, with wait, when
 * nothing is in flight). */
static int
take_spawned(struct server *s, int wait)
{
	struct spawn_job *j = spawn_pool_take(&s->pool, wait);
	pid_t pid;

	if (j == NULL)
		return 0;
	pid = server_spawn_finish(s, j);
	if (pid < 0 || conn_table_rekey(&s->table, j->ticket, pid) < 0) {
		if (pid > 0)
			log_warn_sys("unable to record pid %ld", (long)pid);
		(void)conn_table_remove(&s->table, j->ticket, NULL);
		if (pid < 0)
			server_log_status(s, conn_table_count(&s->table));
	}
	close(j->fd);
	spawn_pool_release(&s->pool, j);
	return 1;
}

void
server_spawn_drain(struct server *s)
{
	while (take_spawned(s, 1))
		;
}

void
server_reap(struct server *s)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		/* A child may end before the loop has its worker's answer:
		 * take answers until its pid is known. Each comes soon, as
		 * a vfork ends with the child's exec or exit. */
		while (!conn_table_remove(&s->table, pid, NULL) &&
		    take_spawned(s, 1))
			;
		log_info("end %ld status %d", (long)pid, st);
		server_log_status(s, conn_table_count(&s->table));
	}
}

static void
handle_signals(struct server *s)
{
	char err[512];
	int sig, chld = 0, hup = 0, usr2 = 0;

	/* Drain first, act once: every waitpid(-1) walks the kernel's list of
	 * all our children (5,000 held sessions make that the main cost), so
	 * a burst of SIGCHLDs is one reaping pass, not one per signal. */
	while ((sig = selfpipe_read()) > 0) {
		/* tcpserver's SIGTERM: gone at once, children left running. */
		if (sig == SIGTERM) {
			(void)log_batch_flush();
			_exit(0);
		}
		if (sig == SIGCHLD)
			chld = 1;
		if (sig == SIGHUP)
			hup = 1;
		if (sig == SIGUSR2)
			usr2 = 1;
	}
	if (sig < 0)
		die_sys(EX_TEMP, "unable to read signals");
	if (chld)
		server_reap(s);
	if (hup)
		(void)server_limits_reload(s, err, sizeof err);
	/* Returns only when the exec failed; that is logged. */
	if (usr2)
		(void)server_reexec(s, -1, err, sizeof err);
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

/* Tickets key the table while a child is being started: negative, so
 * never a pid, and unique among the few in flight. */
static pid_t
ticket_next(struct server *s)
{
	if (s->next_ticket <= -0x7fffffff || s->next_ticket >= 0)
		s->next_ticket = 0;
	return --s->next_ticket;
}

/* Counted at once (limits stay exact while the worker spawns), keyed by
 * a ticket until take_spawned learns the pid. A client the parent has
 * answered (denied, or dropped as the child would have) ends here. */
static void
start_child_fast(struct server *s, const struct server_conn *c,
    const struct server_admission *a, struct conn_info *ci)
{
	struct spawn_job *j = spawn_pool_job(&s->pool);
	int r = j == NULL ? -1 : server_spawn_prepare(s, c, a, j);

	if (r != 0) {
		if (j == NULL)
			log_warn("dropping connection, no spawn slot");
		close(c->fd);
		if (j != NULL)
			spawn_pool_release(&s->pool, j);
		server_log_status(s, conn_table_count(&s->table));
		return;
	}
	ci->pid = j->ticket = ticket_next(s);
	if (spawn_pool_submit(&s->pool, j) < 0) {
		log_warn_sys("dropping connection, unable to pass it on");
		close(c->fd);
		spawn_pool_release(&s->pool, j);
		server_log_status(s, conn_table_count(&s->table));
		return;
	}
	record_child(s, ci);
	/* Without workers the answer is there already. */
	if (s->pool.nthreads == 0)
		(void)take_spawned(s, 0);
}

static void
start_child(struct server *s, const struct server_conn *c,
    const struct server_admission *a)
{
	struct conn_info ci;

	/* 0.88 counts the connection before the fork and logs it at once. */
	server_log_status(s, conn_table_count(&s->table) + 1);
	memset(&ci, 0, sizeof ci);
	ci.remote = c->remote;
	ci.remote_port = c->remote_port;
	ci.local_port = s->listener.port;
	ci.start = time(NULL);
	if (s->fast_spawn) {
		start_child_fast(s, c, a, &ci);
		return;
	}
	ci.pid = server_spawn(s, c);
	close(c->fd);
	if (ci.pid < 0) {
		server_log_status(s, conn_table_count(&s->table));
		return;
	}
	record_child(s, &ci);
}

/* Returns 1 to keep accepting, 0 when the queue is empty or accepting
 * must pause. */
static int
accept_one(struct server *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct server_conn c;
	struct server_admission a;

	/* Close-on-exec: a connection must not leak into the children that
	 * other workers start meanwhile (the child clears it on 0 and 1). */
	c.fd = accept4(s->listener.fd, (struct sockaddr *)&ss, &len,
	    SOCK_CLOEXEC);
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
	if (!server_admit_refuse(s, &c, &a)) {
		s->accepted++;
		start_child(s, &c, &a);
	}
	return 1;
}

static int
below_limit(const struct server *s)
{
	return conn_table_count(&s->table) < s->lim.n[LIMIT_MAX_CONNECTIONS];
}

/* Below -c, and on the fast path a worker's job free for it. */
static int
may_accept(struct server *s)
{
	return below_limit(s) &&
	    (!s->fast_spawn || spawn_pool_job(&s->pool) != NULL);
}

static void
accept_some(struct server *s)
{
	int i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		if (!may_accept(s))
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
 * socket's, the workers' answers (fast path), and the listener when it
 * may be accepted from. Rebuilt each round, so a limit raised by the
 * control socket or SIGHUP opens the listener at once for the clients
 * waiting in the backlog. */
struct round {
	struct pollfd pfd[5 + CTL_POLLFDS];
	nfds_t n;
	size_t ctl;		/* first control entry */
	int spawned;		/* index of the workers' answers, -1 = none */
	int watched;		/* index of the adopted sessions' ends, -1 */
	int listening;		/* index of the listener, -1 = not polled */
	int logging;		/* index of the log, waited on for room */
	int timeout;
};

static int
round_add(struct round *r, int fd)
{
	r->pfd[r->n].fd = fd;
	r->pfd[r->n].events = POLLIN;
	r->pfd[r->n].revents = 0;
	return (int)r->n++;
}

static void
round_build(struct server *s, struct round *r)
{
	r->n = 0;
	(void)round_add(r, s->sigfd);
	r->ctl = 1;
	r->n = 1 + ctl_pollfds(&s->ctl, &r->pfd[1]);
	r->spawned = s->fast_spawn ? round_add(r, s->pool.done[0]) : -1;
	r->watched = pid_watch_fd(&s->watch) >= 0 ?
	    round_add(r, pid_watch_fd(&s->watch)) : -1;
	r->listening = -1;
	/* Lines the log did not take yet: written when it has room. */
	r->logging = log_batch_fd() >= 0 ? round_add(r, log_batch_fd()) : -1;
	if (r->logging >= 0)
		r->pfd[r->logging].events = POLLOUT;
	r->timeout = backoff_left(s);
	/* At -c the listener is left alone: clients wait in the kernel's
	 * backlog, as with tcpserver, and are not refused. */
	if (r->timeout == 0) {
		r->timeout = -1;
		if (may_accept(s))
			r->listening = round_add(r, s->listener.fd);
	}
	/* Without pidfd the adopted sessions are looked at now and then. */
	if (pid_watch_timeout(&s->watch) >= 0 && (r->timeout < 0 ||
	    pid_watch_timeout(&s->watch) < r->timeout))
		r->timeout = pid_watch_timeout(&s->watch);
}

void
server_run(struct server *s)
{
	struct round r;

	server_reap(s);
	for (;;) {
		/* One write for the last round's lines, whichever way it
		 * ended; what the log did not take makes this round wait for
		 * room too. */
		(void)log_batch_flush();
		round_build(s, &r);
		if (poll(r.pfd, r.n, r.timeout) < 0) {
			if (errno != EINTR)
				poll_failed(s);
			continue;
		}
		/* Answers first, so that reaping finds the pids it is told. */
		if (r.spawned >= 0 && r.pfd[r.spawned].revents != 0)
			while (take_spawned(s, 0))
				;
		if (r.pfd[0].revents != 0)
			handle_signals(s);
		if ((r.watched >= 0 && r.pfd[r.watched].revents != 0) ||
		    pid_watch_timeout(&s->watch) == 0)
			server_watch_events(s);
		ctl_events(s, &r.pfd[r.ctl]);
		if (r.listening >= 0 && r.pfd[r.listening].revents != 0 &&
		    may_accept(s))
			accept_some(s);
	}
}
