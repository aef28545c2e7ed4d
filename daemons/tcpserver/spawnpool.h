/* spawnpool.h: the fast path's spawning threads. Each worker takes a
 * prepared connection (descriptor, environment), vforks and execs the
 * program, and hands the pid back to the event loop.
 *
 * Why threads: vfork() suspends its caller until the child has exec'd
 * (~60 us here, longer when the child waits for a CPU). Done by the event
 * loop itself, one spawn at a time, the CPUs sat idle ~10% of the time at
 * 64 concurrent clients; with a worker per CPU the loop keeps accepting
 * while up to that many children exec at once (bench/REPORT.md). The
 * workers touch nothing of the listener's state: the table, the log and
 * the admission stay with the event loop's thread. */
#ifndef MAILSTACK_TCPSERVER_SPAWNPOOL_H
#define MAILSTACK_TCPSERVER_SPAWNPOOL_H

#include <pthread.h>
#include <sys/types.h>

#include "daemons/tcpserver/child.h"

#define SPAWNPOOL_THREADS_MAX 8
/* Jobs per worker: one being spawned and a few waiting, so that a worker
 * finds the next one ready when its child has exec'd (2 was measurably
 * slower at 64 clients on 2 CPUs; more only moves clients from the
 * kernel's backlog into the queue). */
#define SPAWNPOOL_JOBS_PER_THREAD 4
#define SPAWNPOOL_JOBS_MAX (SPAWNPOOL_THREADS_MAX * SPAWNPOOL_JOBS_PER_THREAD)

struct spawn_job {
	/* the event loop's, fixed while the job is in a worker */
	int fd;			/* the connection, close-on-exec */
	char **envp;		/* one allocation */
	pid_t ticket;		/* the table's key until the pid is known */
	struct child_conn cc;	/* for the log lines */
	/* the worker's answer */
	pid_t pid;		/* > 0, or -1 with spawn_errno */
	int spawn_errno;
	int exec_errno;		/* the child's exec failure, 0 = ran */
	volatile int child_errno;	/* written by the vfork child */
	int busy;
};

struct spawn_pool {
	char *const *prog;
	const char *path;	/* $PATH for the program's lookup */
	pthread_t threads[SPAWNPOOL_THREADS_MAX];
	unsigned nthreads;
	int todo[2];		/* job indices, loop -> workers */
	int done[2];		/* job indices, workers -> loop; done[0] polled */
	struct spawn_job jobs[SPAWNPOOL_JOBS_MAX];
	unsigned njobs;
	unsigned inflight;	/* jobs handed over and not yet taken back */
};

/* How many workers to start: one per online CPU, at least 2, at most
 * SPAWNPOOL_THREADS_MAX. */
unsigned spawn_pool_threads(void);
/* Starts nthreads workers that run prog (looked up in path). Signals
 * stay blocked in them. 0, or -1 with errno (nothing left running). */
int spawn_pool_start(struct spawn_pool *p, char *const *prog,
    const char *path, unsigned nthreads);
/* A free job, or NULL when every job is in flight. */
struct spawn_job *spawn_pool_job(struct spawn_pool *p);
/* Hands j (fd, envp, ticket and cc filled) to a worker. 0, or -1 with
 * errno; j stays the caller's then. */
int spawn_pool_submit(struct spawn_pool *p, struct spawn_job *j);
/* A finished job, or NULL when none is ready; with wait, blocks until one
 * is (NULL then only when nothing is in flight). The caller reads the
 * answer, then calls spawn_pool_release. */
struct spawn_job *spawn_pool_take(struct spawn_pool *p, int wait);
/* Frees j's environment and its slot (the descriptor is the caller's). */
void spawn_pool_release(struct spawn_pool *p, struct spawn_job *j);

#endif
