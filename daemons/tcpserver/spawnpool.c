/* spawnpool.c: the workers that vfork and exec for the event loop (see
 * spawnpool.h for why). Loop and workers talk over two pipes carrying job
 * indices; a job's fields are written by one side before its index is
 * written to the pipe and read by the other after it was read, so the
 * pipes order every access and no lock is needed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pathexec.h"
#include "daemons/tcpserver/spawnpool.h"

/* The vfork child runs on its worker's stack: the program lookup's path
 * buffer lives there. */
#define SPAWNPOOL_STACK (256 * 1024)

unsigned
spawn_pool_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		return 2;
	return n > SPAWNPOOL_THREADS_MAX ? SPAWNPOOL_THREADS_MAX : (unsigned)n;
}

/* The vfork child: system calls on its own descriptor and signal tables
 * only (neither is shared), and one write to j->child_errno, which its
 * worker reads after the child has exec'd or exited. Every descriptor of
 * the listener is close-on-exec, other connections' included. */
static void __attribute__((noreturn))
spawn_child(const struct spawn_pool *p, struct spawn_job *j)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction dfl;
	sigset_t none;
	size_t i;

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &dfl, NULL);
	/* dup2 clears close-on-exec on its target, but not onto itself. */
	if ((j->fd != 0 && dup2(j->fd, 0) < 0) || fcntl(0, F_SETFD, 0) < 0 ||
	    dup2(0, 1) < 0) {
		j->child_errno = errno;
		_exit(111);
	}
	if (j->fd > 1)
		close(j->fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	pathexec_run(p->prog[0], p->prog, j->envp, p->path);
	j->child_errno = errno;
	_exit(111);
}

static int
spawn_read_index(int fd, unsigned *i)
{
	ssize_t r;

	do
		r = read(fd, i, sizeof *i);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)sizeof *i ? 0 : -1;
}

static int
spawn_write_index(int fd, unsigned i)
{
	ssize_t w;

	do
		w = write(fd, &i, sizeof i);
	while (w < 0 && errno == EINTR);
	return w == (ssize_t)sizeof i ? 0 : -1;
}

/* One spawn, in a worker or (without workers) in the loop's thread with
 * every signal blocked. */
static void
spawn_job_run(const struct spawn_pool *p, struct spawn_job *j)
{
	j->child_errno = 0;
	j->pid = vfork();
	if (j->pid == 0)
		spawn_child(p, j);
	j->spawn_errno = j->pid < 0 ? errno : 0;
	j->exec_errno = j->pid > 0 ? j->child_errno : 0;
}

static void *
spawn_worker(void *arg)
{
	struct spawn_pool *p = arg;
	unsigned i;

	while (spawn_read_index(p->todo[0], &i) == 0 && i < p->njobs) {
		spawn_job_run(p, &p->jobs[i]);
		/* Nowhere to report a lost index: the loop would wait for
		 * it for ever, so stop the listener the way a crash would. */
		if (spawn_write_index(p->done[1], i) < 0)
			abort();
	}
	return NULL;
}

static int
spawn_pipes(struct spawn_pool *p)
{
	if (pipe2(p->todo, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(p->done, O_CLOEXEC) < 0 ||
	    fcntl(p->done[0], F_SETFL, O_NONBLOCK) < 0) {
		close(p->todo[0]);
		close(p->todo[1]);
		return -1;
	}
	return 0;
}

int
spawn_pool_start(struct spawn_pool *p, char *const *prog, const char *path,
    unsigned nthreads)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int err = 0;

	memset(p, 0, sizeof *p);
	p->prog = prog;
	p->path = path;
	if (nthreads > SPAWNPOOL_THREADS_MAX)
		nthreads = SPAWNPOOL_THREADS_MAX;
	/* Without workers a job is done when handed over: one at a time. */
	p->njobs = nthreads > 0 ? nthreads * SPAWNPOOL_JOBS_PER_THREAD : 1;
	if (spawn_pipes(p) < 0)
		return -1;
	if (nthreads == 0)
		return 0;
	if ((err = pthread_attr_init(&attr)) == 0)
		err = pthread_attr_setstacksize(&attr, SPAWNPOOL_STACK);
	/* Workers inherit this mask: every signal goes to the loop's
	 * thread, and no handler ever runs in a vfork child. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (err == 0 && p->nthreads < nthreads) {
		err = pthread_create(&p->threads[p->nthreads], &attr, spawn_worker, p);
		if (err == 0)
			p->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (err == 0)
		return 0;
	/* An index past njobs stops a worker. */
	while (p->nthreads > 0) {
		(void)spawn_write_index(p->todo[1], SPAWNPOOL_JOBS_MAX);
		pthread_join(p->threads[--p->nthreads], NULL);
	}
	close(p->todo[0]);
	close(p->todo[1]);
	close(p->done[0]);
	close(p->done[1]);
	errno = err;
	return -1;
}

struct spawn_job *
spawn_pool_job(struct spawn_pool *p)
{
	unsigned i;

	if (p->inflight >= p->njobs)
		return NULL;
	for (i = 0; i < p->njobs; i++)
		if (!p->jobs[i].busy)
			return &p->jobs[i];
	return NULL;
}

int
spawn_pool_submit(struct spawn_pool *p, struct spawn_job *j)
{
	unsigned i = (unsigned)(j - p->jobs);
	sigset_t all, old;

	if (p->nthreads == 0) {
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, &old);
		spawn_job_run(p, j);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	/* The done pipe holds every job's index at once (a few bytes
	 * each), so this write never blocks the loop. */
	if (spawn_write_index(p->nthreads > 0 ? p->todo[1] : p->done[1], i) < 0)
		return -1;
	j->busy = 1;
	p->inflight++;
	return 0;
}

struct spawn_job *
spawn_pool_take(struct spawn_pool *p, int wait)
{
	struct pollfd pfd;
	unsigned i;

	for (;;) {
		if (p->inflight == 0)
			return NULL;
		if (spawn_read_index(p->done[0], &i) == 0 && i < p->njobs) {
			p->inflight--;
			return &p->jobs[i];
		}
		if (!wait || (errno != EAGAIN && errno != EWOULDBLOCK))
			return NULL;
		pfd.fd = p->done[0];
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, -1);
	}
}

void
spawn_pool_release(struct spawn_pool *p, struct spawn_job *j)
{
	(void)p;
	free(j->envp);
	j->envp = NULL;
	j->fd = -1;
	j->busy = 0;
}
