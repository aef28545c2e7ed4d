/* reexec.c: the listener execs its binary again (a control "reexec",
 * SIGUSR2), possibly an upgraded one, and the new image goes on where the
 * old one stopped: the same pid, so the children stay ours; the listening
 * and control sockets, inherited, so no client is refused (those arriving
 * meanwhile wait in the backlog); the table, counters and limits in force,
 * handed over as a state (state.h) on an inherited descriptor.
 *
 * The old image tells the new one where those are in MAILSTACK_REEXEC,
 * "LISTENER CONTROL STATE REPLY" (descriptor numbers, -1 = none), which
 * the new one takes out of the environment before any child sees it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemons/tcpserver/state.h"
#include "errstr.h"
#include "log.h"
#include "server.h"


extern char **environ;

static char *
path_lookup(const char *name)
{
	const char *path = getenv("PATH"), *p, *colon;
	char buf[4096];
	size_t n;

	for (p = path; p != NULL && *p != '\0'; p = colon ? colon + 1 : NULL) {
		colon = strchr(p, ':');
		n = colon ? (size_t)(colon - p) : strlen(p);
		if (snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, name) <
		    (int)sizeof buf && access(buf, X_OK) == 0)
			return strdup(buf);
	}
	return NULL;
}

/* By name, not /proc/self/exe: an upgrade replaces the file at the path
 * (and a symlink to a versioned folder is followed anew), while
 * /proc/self/exe keeps naming the old, deleted binary. */
void
server_reexec_init(struct server *s, char *const *argv)
{
	char self[4096];
	ssize_t n;

	s->argv = argv;
	s->image_started = time(NULL);
	s->restored = "none";
	s->reexec_reply = -1;
	pid_watch_init(&s->watch);
	if (strchr(argv[0], '/') != NULL)
		s->exec_path = strdup(argv[0]);
	else
		s->exec_path = path_lookup(argv[0]);
	if (s->exec_path == NULL &&
	    (n = readlink("/proc/self/exe", self, sizeof self - 1)) > 0) {
		self[n] = '\0';
		s->exec_path = strdup(self);
	}
}

static int
state_fill(const struct server *s, struct listener_state *st)
{
	const struct conn_info *ci;
	size_t pos = 0;

	memset(st, 0, sizeof *st);
	st->pid = getpid();
	st->started = s->started;
	st->started_mono = s->started_mono;
	st->reexecs = s->reexecs;
	st->accepted = s->accepted;
	memcpy(st->refused, s->refused, sizeof st->refused);
	st->fork_failures = s->fork_failures;
	st->denied = s->denied;
	st->ctl_denied = s->ctl.denied;
	st->ctl_busy = s->ctl.busy;
	st->ctl_timeouts = s->ctl.timeouts;
	st->lim = s->lim;
	st->lim_file_read = s->lim_file_read;
	st->unadopted = s->unadopted;
	st->conns = malloc((conn_table_count(&s->table) + 1) * sizeof *st->conns);
	if (st->conns == NULL)
		return -1;
	while (conn_table_next(&s->table, &pos, &ci))
		st->conns[st->nconns++] = *ci;
	return 0;
}

/* A memfd, else an unlinked file (kernels before 3.17). */
static int
state_fd(void)
{
	char tmpl[] = "/tmp/mailstack-tcpserver-state.XXXXXX";
	int fd = memfd_create("mailstack-tcpserver-state", MFD_CLOEXEC);

	if (fd >= 0 || errno != ENOSYS)
		return fd;
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0)
		unlink(tmpl);
	return fd;
}

static int
state_make(const struct server *s)
{
	struct listener_state st;
	int fd, r;

	if (state_fill(s, &st) < 0)
		return -1;
	fd = state_fd();
	r = fd < 0 ? -1 : state_write(fd, &st);
	if (r == 0 && lseek(fd, 0, SEEK_SET) < 0)
		r = -1;
	state_free(&st);
	if (r < 0 && fd >= 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		fd = -1;
	}
	return fd;
}

static void
set_cloexec(int fd, int on)
{
	int fl;

	if (fd < 0 || (fl = fcntl(fd, F_GETFD)) < 0)
		return;
	(void)fcntl(fd, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC);
}

/* environ and our variables, for execve. */
static char **
exec_env(const int fds[4], int forced, char *logvar)
{
	static char var[128];
	size_t n = 0, i;
	char **envp;

	while (environ[n] != NULL)
		n++;
	envp = malloc((n + 4) * sizeof *envp);
	if (envp == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		envp[i] = environ[i];
	snprintf(var, sizeof var, "%s=%d %d %d %d", SERVER_REEXEC_ENV, fds[0], fds[1],
	    fds[2], fds[3]);
	envp[n++] = var;
	if (forced)
		envp[n++] = SERVER_SPAWN_ENV "=fork";
	if (logvar[0] != '\0')
		envp[n++] = logvar;
	envp[n] = NULL;
	return envp;
}

int
server_reexec(struct server *s, int reply_fd, char *err, size_t errlen)
{
	int fds[5], i, saved;
	char **envp, logvar[64];

	if (s->exec_path == NULL) {
		snprintf(err, errlen, "unable to find the listener's binary");
		return -1;
	}
	/* Every connection accepted so far is a child in the table before
	 * the workers vanish with the exec; the ended ones are logged here. */
	server_spawn_drain(s);
	server_reap(s);
	fds[0] = s->listener.fd;
	fds[1] = s->ctl.fd;
	fds[2] = state_make(s);
	fds[3] = reply_fd;
	log_line(2, "reexec %s", s->exec_path);
	/* The log's own descriptor (and what it could not take) goes to the
	 * next image: as another user it could not open the pipe again. */
	fds[4] = log_batch_handover(logvar, sizeof logvar);
	envp = fds[2] < 0 ? NULL : exec_env(fds, s->spawn_forced, logvar);
	if (envp != NULL) {
		for (i = 0; i < 5; i++)
			set_cloexec(fds[i], 0);
		execve(s->exec_path, s->argv, envp);
	}
	saved = errno;
	for (i = 0; i < 5; i++)
		set_cloexec(fds[i], 1);
	if (fds[2] >= 0)
		close(fds[2]);
	free(envp);
	snprintf(err, errlen, "unable to run %s: %s", s->exec_path,
	    errstr(saved));
	log_warn("unable to reexec: %s: %s", s->exec_path, errstr(saved));
	errno = saved;
	return -1;
}
