/* spawn.c: starting a connection's child, by fork + child_run, or by
 * vfork + exec in a worker thread when the child would have nothing to do
 * but exec.
 *
 * Why two ways: fork() copies the parent's page tables and pays for the
 * copy-on-write faults of both processes until the exec; under load that
 * doubles the tail latency of a fork-per-connection server (see
 * the team's connection-rate baseline: posix_spawn halves p99 at 64
 * concurrent clients). vfork() borrows the parent's memory until the
 * child execs, so the child may only call async-signal-safe functions
 * that touch nothing but its own stack: no malloc, no stdio, no DNS, no
 * ident, no rules. child_run does all of those, so it needs a real fork.
 * Only DNS and ident block; without them (server_can_spawn_fast) the
 * event loop does the rest of the child's work itself (spawnprep.c:
 * socket options, banner, getsockname, the rules admission looked up
 * already, environment, log lines, and the answer to a denied client)
 * and a worker of the spawn pool (spawnpool.c) vforks; the child only
 * moves descriptors, resets signals and execs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemons/tcpserver/child.h"
#include "daemons/tcpserver/logfmt.h"
#include "errstr.h"
#include "log.h"
#include "refuse.h"
#include "selfpipe.h"
#include "server.h"

int
server_can_spawn_fast(const struct server_options *o)
{
	return !o->remote_host_lookup && !o->remote_info_lookup &&
	    o->local_name != NULL &&
	    (o->banner == NULL || strlen(o->banner) <= SERVER_BANNER_FAST_MAX);
}

static pid_t
spawn_fork(const struct server *s, const struct server_conn *c)
{
	pid_t pid = fork();

	if (pid == 0) {
		close(s->listener.fd);
		selfpipe_child_reset();
		log_batch_stop();
		child_run(s->o, c->fd, &c->remote, c->remote_port);
	}
	return pid;
}

static void
log_started(struct server *s, pid_t pid, const struct child_conn *cc)
{
	if (log_verbosity < 2)
		return;
	log_line(2, "pid %ld from %s", (long)pid, cc->remote_ip);
	strbuf_reset(&s->line);
	if (logfmt_decision(&s->line, 0, pid, cc) == 0)
		log_line(2, "%s", s->line.s);
}

static void
spawn_busy(struct server *s, int fd)
{
	char msg[REFUSE_MAX];

	s->fork_failures++;
	log_warn_sys("dropping connection, unable to fork");
	(void)send(fd, msg, refuse_busy_message(s->o, msg),
	    MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* The pid and ok lines, written after the exec, not before. */
pid_t
server_spawn_finish(struct server *s, const struct spawn_job *j)
{
	if (j->pid < 0) {
		errno = j->spawn_errno;
		spawn_busy(s, j->fd);
		return -1;
	}
	log_started(s, j->pid, &j->cc);
	if (j->exec_errno != 0)
		log_warn("dropping connection, unable to run %s: %s",
		    s->o->prog[0], errstr(j->exec_errno));
	return j->pid;
}

pid_t
server_spawn(struct server *s, const struct server_conn *c)
{
	pid_t pid = spawn_fork(s, c);

	if (pid < 0)
		spawn_busy(s, c->fd);
	return pid;
}

/* Workers count against RLIMIT_NPROC as processes do: where the admin
 * budgets processes tightly (softlimit -p, ulimit -u), they are left to
 * the children and the loop starts each child itself. */
static unsigned
spawn_threads_wanted(const struct server *s)
{
	unsigned n = spawn_pool_threads();
	struct rlimit rl;

	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < s->lim.n[LIMIT_MAX_CONNECTIONS] + 1 + n)
		return 0;
	return n;
}

void
server_spawn_start(struct server *s)
{
	unsigned n;

	if (!s->fast_spawn)
		return;
	n = spawn_threads_wanted(s);
	if (spawn_pool_start(&s->pool, s->o->prog, s->path, n) == 0)
		return;
	if (n > 0) {
		log_warn_sys("unable to start spawning threads, starting "
		    "children one at a time");
		if (spawn_pool_start(&s->pool, s->o->prog, s->path, 0) == 0)
			return;
	}
	die_sys(EX_TEMP, "unable to set up spawning");
}
