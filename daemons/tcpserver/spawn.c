/* spawn.c: starting a connection's child, by fork + child_run, or by
 * vfork + exec when the child would have nothing to do but exec.
 *
 * Why two ways: fork() copies the parent's page tables and pays for the
 * copy-on-write faults of both processes until the exec; under load that
 * doubles the tail latency of a fork-per-connection server (see
 * /work/shared/research/bench-baseline.md: posix_spawn halves p99 at 64
 * concurrent clients). vfork() borrows the parent's memory until the
 * child execs, so the child may only call async-signal-safe functions
 * that touch nothing but its own stack: no malloc, no stdio, no DNS, no
 * ident, no rules. child_run does all of those, so it needs a real fork.
 * When none of that work is asked for (server_can_spawn_fast), the parent
 * does the little that is left (socket options, getsockname, environment,
 * the log lines) itself and the vfork child only moves descriptors,
 * resets signals and execs. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemons/tcpserver/child.h"
#include "daemons/tcpserver/logfmt.h"
#include "errstr.h"
#include "log.h"
#include "pathexec.h"
#include "refuse.h"
#include "selfpipe.h"
#include "server.h"

extern char **environ;

int
server_can_spawn_fast(const struct server_options *o)
{
	return o->rules_path == NULL && !o->remote_host_lookup &&
	    !o->remote_info_lookup && o->local_name != NULL &&
	    (o->banner == NULL || o->banner[0] == '\0');
}

static pid_t
spawn_fork(const struct server *s, const struct server_conn *c)
{
	pid_t pid = fork();

	if (pid == 0) {
		close(s->listener.fd);
		selfpipe_child_reset();
		child_run(s->o, c->fd, &c->remote, c->remote_port);
	}
	return pid;
}

/* The vfork child: only system calls on its own descriptors and signal
 * table (neither is shared with the parent), and writes to *err, which
 * the parent reads after the child has exec'd or exited. */
static void __attribute__((noreturn))
vfork_child(const struct server *s, int fd, char **envp, volatile int *err)
{
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	if ((fd != 0 && dup2(fd, 0) < 0) || dup2(0, 1) < 0) {
		*err = errno;
		_exit(EX_TEMP);
	}
	if (fd > 1)
		close(fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	pathexec_run(s->o->prog[0], s->o->prog, envp, s->path);
	*err = errno;
	_exit(EX_TEMP);
}

/* Signals stay blocked across vfork so that no handler of ours runs in
 * the child (it would write to our self-pipe in our name). */
static pid_t
spawn_vfork(const struct server *s, int fd, char **envp, volatile int *err)
{
	sigset_t all, old;
	pid_t pid;
	int saved;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	*err = 0;
	pid = vfork();
	if (pid == 0)
		vfork_child(s, fd, envp, err);
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
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

/* The parent's share of child_run: steps 3, 5, the environment, and the
 * pid and ok lines (written after the exec, not before). */
static pid_t
spawn_fast(struct server *s, const struct server_conn *c)
{
	volatile int exec_err = 0;
	struct child_conn cc;
	char **envp;
	pid_t pid;
	int one = 1, saved;

	if (!s->o->keep_ip_options)
		(void)setsockopt(c->fd, IPPROTO_IP, 1, NULL, 0);
	if (s->o->nodelay)
		(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	memset(&cc, 0, sizeof cc);
	cc.remote = c->remote;
	cc.remote_port = c->remote_port;
	cc.local_host = s->o->local_name;
	if (child_conn_from_fd(&cc, c->fd, s->o->family == 6) < 0) {
		log_warn_sys("dropping connection, unable to get local address");
		return 0;
	}
	if (child_env_build(&cc, environ, &envp) < 0) {
		log_warn("dropping connection, out of memory");
		return 0;
	}
	pid = spawn_vfork(s, c->fd, envp, &exec_err);
	saved = errno;
	free(envp);
	if (pid <= 0) {
		errno = saved;
		return -1;
	}
	log_started(s, pid, &cc);
	if (exec_err != 0)
		log_warn("dropping connection, unable to run %s: %s",
		    s->o->prog[0], errstr(exec_err));
	return pid;
}

pid_t
server_spawn(struct server *s, const struct server_conn *c)
{
	char msg[REFUSE_MAX];
	pid_t pid;

	pid = s->fast_spawn ? spawn_fast(s, c) : spawn_fork(s, c);
	if (pid > 0)
		return pid;
	if (pid < 0) {
		s->fork_failures++;
		log_warn_sys("dropping connection, unable to fork");
		(void)send(c->fd, msg, refuse_busy_message(s->o, msg),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	return -1;
}
