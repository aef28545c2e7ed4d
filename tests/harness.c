/* harness.c: processes and files for end-to-end tests: spawn with captured
 * output, wait for port lines and log text, kill and reap, temp dirs. */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long long
harness_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
harness_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Milliseconds left before deadline, never negative. */
static int
ms_left(long long deadline)
{
	long long left = deadline - harness_now_ms();

	return left > 0 ? (int)left : 0;
}

/* What harness_cleanup must undo. */
#define TRACK_MAX 128
static pid_t tracked_pids[TRACK_MAX];
static char *tracked_dirs[TRACK_MAX];

static void
track(void **slots, void *v)
{
	int i;

	for (i = 0; i < TRACK_MAX; i++)
		if (slots[i] == NULL) {
			slots[i] = v;
			return;
		}
}

static void
track_pid(pid_t pid, int on)
{
	int i;

	for (i = 0; i < TRACK_MAX; i++)
		if (tracked_pids[i] == (on ? 0 : pid)) {
			tracked_pids[i] = on ? pid : 0;
			return;
		}
}

const char *
harness_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (asprintf(&path, "%s/mailstack-it.XXXXXX", base) == -1)
		return NULL;
	if (mkdtemp(path) == NULL) {
		free(path);
		return NULL;
	}
	/* Children that drop privileges still need to reach files here. */
	chmod(path, 0755);
	track((void **)tracked_dirs, path);
	return path;
}

void
harness_rmtree(const char *path)
{
	DIR *d;
	struct dirent *e;
	char *sub;
	struct stat st;

	if (path == NULL)
		return;
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			if (asprintf(&sub, "%s/%s", path, e->d_name) == -1)
				continue;
			harness_rmtree(sub);
			free(sub);
		}
		closedir(d);
		rmdir(path);
		return;
	}
	unlink(path);
}

char *
harness_write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char *path;
	int fd;

	if (asprintf(&path, "%s/%s", dir, name) == -1)
		return NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, p, n) != (ssize_t)n) {
		if (fd != -1)
			close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

char *
harness_read_file(const char *path, size_t *len)
{
	FILE *f;
	char *s = NULL;
	size_t n = 0;
	char buf[4096];
	size_t r;

	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	s = malloc(1);
	while (s != NULL && (r = fread(buf, 1, sizeof(buf), f)) > 0) {
		char *t = realloc(s, n + r + 1);

		if (t == NULL) {
			free(s);
			s = NULL;
			break;
		}
		s = t;
		memcpy(s + n, buf, r);
		n += r;
	}
	fclose(f);
	if (s != NULL) {
		s[n] = '\0';
		if (len != NULL)
			*len = n;
	}
	return s;
}

int
harness_count(const char *hay, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);

	if (hay == NULL || len == 0)
		return 0;
	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += len;
	}
	return n;
}

int
harness_has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while (p != NULL && (p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

/* make check-valgrind (tests/sanitize.mk): when MAILSTACK_VALGRIND names
 * a log folder, the project's own programs start under valgrind memcheck
 * (one log per process there) and the harness's waits last
 * MAILSTACK_SLOWDOWN times longer, the programs being that much slower. */
static const char *const valgrind_ours[] = {
	"mailstack-tcpserver", "mailstack-tcprules", "mailstack-tcprulescheck",
	"mailctld", "mailctl"
};

int
harness_slow_ms(int ms)
{
	const char *s = getenv("MAILSTACK_SLOWDOWN");
	long f = s != NULL ? strtol(s, NULL, 10) : 1;

	return f > 1 && f < 100 && ms > 0 && ms < INT_MAX / f ? (int)(ms * f) : ms;
}

/* argv behind valgrind when argv[0] is ours and MAILSTACK_VALGRIND is
 * set, else NULL. Made before fork (the child must not allocate); free
 * the vector and its log argument, vec[VALGRIND_LOG_ARG], with
 * valgrind_argv_free. */
#define VALGRIND_LOG_ARG 6
static char **
valgrind_argv(char *const argv[])
{
	static const char *const head[VALGRIND_LOG_ARG] = { "/usr/bin/valgrind",
	    "--tool=memcheck", "--leak-check=full", "--show-leak-kinds=definite",
	    "--errors-for-leak-kinds=definite", "--num-callers=30" };
	const char *dir = getenv("MAILSTACK_VALGRIND"), *base;
	size_t i, n, ours = 0;
	char **v;

	if (dir == NULL || *dir == '\0')
		return NULL;
	base = strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 : argv[0];
	for (i = 0; i < sizeof(valgrind_ours) / sizeof(valgrind_ours[0]); i++)
		ours |= strcmp(base, valgrind_ours[i]) == 0;
	if (!ours)
		return NULL;
	for (n = 0; argv[n] != NULL; n++)
		;
	v = calloc(VALGRIND_LOG_ARG + 1 + n + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	memcpy(v, head, sizeof(head));
	if (asprintf(&v[VALGRIND_LOG_ARG], "--log-file=%s/%s.%%p.log", dir, base) < 0) {
		free(v);
		return NULL;
	}
	memcpy(v + VALGRIND_LOG_ARG + 1, argv, n * sizeof(*v));
	return v;
}

static void
valgrind_argv_free(char **v)
{
	if (v != NULL)
		free(v[VALGRIND_LOG_ARG]);
	free(v);
}

/* In the forked child: wire up the descriptors, undo what the test process
 * changed about signals, run the setup hook and exec. Never returns. */
static void
child_exec(int infd, int outfd, int errfd, char *const argv[],
    char *const envp[], const struct harness_opts *o)
{
	static char *const empty[] = { NULL };
	sigset_t none;
	int sig;

	setpgid(0, 0);
	/* If the test process dies hard (a Criterion timeout), so does the
	 * program; changing credentials clears this, which is harmless. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	if (dup2(infd, 0) == -1 || dup2(outfd, 1) == -1 || dup2(errfd, 2) == -1)
		_exit(127);
	if (o->pass_fd != -1) {
		if (o->pass_fd == o->pass_fd_as)
			fcntl(o->pass_fd, F_SETFD, 0);
		else if (dup2(o->pass_fd, o->pass_fd_as) == -1)
			_exit(127);
	}
	/* Nothing of the test process (Criterion's pipes) leaks into the
	 * program: what a test sees in a child's fds is the program's doing. */
	if (o->pass_fd != -1) {
		if (o->pass_fd_as > 3)
			close_range(3, (unsigned)o->pass_fd_as - 1, 0);
		close_range((unsigned)o->pass_fd_as + 1, ~0U, 0);
	} else
		close_range(3, ~0U, 0);
	if (o->cwd != NULL && chdir(o->cwd) == -1)
		_exit(127);
	if (o->setup != NULL && o->setup(o->setup_arg) == -1)
		_exit(127);
	execve(argv[0], argv, envp != NULL ? envp : empty);
	dprintf(2, "harness: unable to run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int
harness_spawn(struct harness_proc *p, const char *dir, char *const argv[],
    char *const envp[], const struct harness_opts *o)
{
	static const struct harness_opts none = HARNESS_OPTS_ZERO;
	static int seq;
	int pfd[2] = { -1, -1 }, errfd = -1, infd = -1;
	char **vg = NULL;

	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->out_fd = -1;
	if (o == NULL)
		o = &none;
	/* Orphans of the programs we start (children of a listener that was
	 * killed) come back to us, so harness_kill can reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (asprintf(&p->err_path, "%s/stderr.%d.%d", dir, (int)getpid(),
	    ++seq) == -1) {
		p->err_path = NULL;
		return -1;
	}
	errfd = open(p->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	infd = open(o->stdin_path ? o->stdin_path : "/dev/null",
	    O_RDONLY | O_CLOEXEC);
	if (errfd == -1 || infd == -1 || pipe2(pfd, O_CLOEXEC) == -1)
		goto fail;
	vg = valgrind_argv(argv);
	p->pid = fork();
	if (p->pid == -1)
		goto fail;
	if (p->pid == 0)
		child_exec(infd, pfd[1], errfd, vg != NULL ? vg : argv, envp, o);
	valgrind_argv_free(vg);
	/* Both sides, so the group exists before anyone signals it. */
	setpgid(p->pid, p->pid);
	track_pid(p->pid, 1);
	close(pfd[1]);
	close(errfd);
	close(infd);
	p->out_fd = pfd[0];
	return 0;
fail:
	valgrind_argv_free(vg);
	if (errfd != -1)
		close(errfd);
	if (infd != -1)
		close(infd);
	if (pfd[0] != -1) {
		close(pfd[0]);
		close(pfd[1]);
	}
	return -1;
}

pid_t
harness_fork(void)
{
	pid_t pid;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	} else if (pid > 0) {
		setpgid(pid, pid);
		track_pid(pid, 1);
	}
	return pid;
}

int
harness_private_net(void)
{
	struct ifreq ifr;
	int fd, r;

	if (unshare(CLONE_NEWNET) == -1)
		return -1;
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return r;
}

int
harness_private_file(const char *src, const char *target)
{
	static int private;

	if (!private) {
		if (unshare(CLONE_NEWNS) == -1 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
			return -1;
		private = 1;
	}
	return mount(src, target, NULL, MS_BIND, NULL);
}

long
harness_read_port(struct harness_proc *p, int timeout_ms)
{
	long long deadline = harness_now_ms() + harness_slow_ms(timeout_ms);
	char line[32];
	size_t n = 0;
	long v = 0;
	size_t i;

	while (n < sizeof(line) - 1) {
		struct pollfd pf = { p->out_fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&pf, 1, ms_left(deadline)) <= 0)
			return -1;
		r = read(p->out_fd, line + n, 1);
		if (r <= 0)
			return -1;
		if (line[n] == '\n')
			break;
		n++;
	}
	if (n == 0 || n == sizeof(line) - 1)
		return -1;
	for (i = 0; i < n; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -1;
		v = v * 10 + (line[i] - '0');
	}
	return v;
}

char *
harness_read_stdout(struct harness_proc *p, int timeout_ms)
{
	char *s;

	if (p->out_fd == -1)
		return strdup("");
	s = harness_read_all(p->out_fd, timeout_ms, NULL);
	if (s != NULL) {
		close(p->out_fd);
		p->out_fd = -1;
	}
	return s;
}

char *
harness_stderr(const struct harness_proc *p)
{
	char *s = NULL;

	if (p->err_path != NULL)
		s = harness_read_file(p->err_path, NULL);
	return s != NULL ? s : strdup("");
}

int
harness_wait_stderr(const struct harness_proc *p, const char *needle,
    int count, int timeout_ms)
{
	long long deadline = harness_now_ms() + harness_slow_ms(timeout_ms);

	for (;;) {
		char *s = harness_stderr(p);
		int n = harness_count(s, needle);

		free(s);
		if (n >= count)
			return 0;
		if (harness_now_ms() >= deadline)
			return -1;
		harness_sleep_ms(10);
	}
}

int
harness_wait_exit(struct harness_proc *p, int timeout_ms)
{
	long long deadline = harness_now_ms() + harness_slow_ms(timeout_ms);

	if (p->pid <= 0)
		return -1;
	while (!p->reaped) {
		pid_t r = waitpid(p->pid, &p->status, WNOHANG);

		if (r == p->pid)
			p->reaped = 1;
		else if (r == -1 && errno != EINTR)
			return -1;
		else if (harness_now_ms() >= deadline)
			return -1;
		else
			harness_sleep_ms(2);
	}
	return 0;
}

/* Reaps whatever is left of the group (orphans came back to us as the
 * subreaper), bounded. */
static void
reap_group(pid_t pgid)
{
	long long deadline = harness_now_ms() + HARNESS_TIMEOUT_MS;
	int st;

	while (harness_now_ms() < deadline) {
		pid_t r = waitpid(-pgid, &st, WNOHANG);

		if (r == -1 && errno != EINTR)
			return;
		if (r == 0)
			harness_sleep_ms(2);
	}
}

void
harness_kill(struct harness_proc *p)
{
	if (p->pid > 0) {
		/* Under valgrind, SIGTERM first: the program exits its own way
		 * and memcheck gets to count what it leaked. */
		if (getenv("MAILSTACK_VALGRIND") != NULL && !p->reaped) {
			kill(p->pid, SIGTERM);
			harness_wait_exit(p, 1000);
		}
		kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
		harness_wait_exit(p, HARNESS_TIMEOUT_MS);
		reap_group(p->pid);
		track_pid(p->pid, 0);
		p->pid = -1;
	}
	if (p->out_fd != -1) {
		close(p->out_fd);
		p->out_fd = -1;
	}
	free(p->err_path);
	p->err_path = NULL;
}

void
harness_cleanup(void)
{
	int i, st;

	for (i = 0; i < TRACK_MAX; i++) {
		pid_t pid = tracked_pids[i];
		long long deadline = harness_now_ms() + HARNESS_TIMEOUT_MS;

		if (pid == 0)
			continue;
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, WNOHANG) == 0 &&
		    harness_now_ms() < deadline)
			harness_sleep_ms(2);
		reap_group(pid);
		tracked_pids[i] = 0;
	}
	for (i = 0; i < TRACK_MAX; i++) {
		harness_rmtree(tracked_dirs[i]);
		free(tracked_dirs[i]);
		tracked_dirs[i] = NULL;
	}
}

int
harness_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int
harness_run(const char *dir, char *const argv[], char *const envp[],
    const struct harness_opts *o, int timeout_ms, char **out, char **err)
{
	struct harness_proc p;
	char *s;
	int status = -1;

	if (out != NULL)
		*out = NULL;
	if (err != NULL)
		*err = NULL;
	if (harness_spawn(&p, dir, argv, envp, o) == -1)
		return -1;
	s = harness_read_stdout(&p, timeout_ms);
	if (s != NULL && harness_wait_exit(&p, timeout_ms) == 0)
		status = p.status;
	if (out != NULL)
		*out = s;
	else
		free(s);
	if (err != NULL)
		*err = harness_stderr(&p);
	unlink(p.err_path);
	harness_kill(&p);
	return status;
}
