/* tcpserver_it_spawn.c: the fast path's spawning workers (threads that
 * vfork and exec while the event loop keeps accepting). No child may
 * inherit another connection, the log must still say "pid" and "ok"
 * before "end", limits must stay exact while children are starting, and
 * where RLIMIT_NPROC leaves no room for the workers (or one cannot be
 * started) the loop must start each child itself and go on serving. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tcpserver_it.h"

TestSuite(it_spawn, .fini = harness_cleanup, .timeout = 90);

/* RLIMIT_NPROC counts every task of the real uid on the machine, so each
 * listener that may run at the same time gets its own unused uid (and
 * none of tcpserver_it_faults.c's 4242..4248). */
#define TIGHT_UID 4251		/* tight_nproc_runs_without_workers */
#define ROOMY_UID 4252		/* nproc_with_room_starts_workers */
#define CROWDED_UID 4253	/* thread_failure_warns_and_serves_inline */

#define LEAK_CLIENTS 60
#define LEAK_ROUNDS 3
#define ORDER_CONNECTIONS 500
#define ORDER_BATCH 6
#define BURST_CLIENTS 20
#define SETTLE_MS 10000

struct as_user {
	uid_t uid;		/* 0: stay root */
	rlim_t nproc;
};

/* Harness setup hook: the program runs as u->uid with u->nproc (root
 * ignores RLIMIT_NPROC at fork, but the listener still reads it). */
static int
become(void *arg)
{
	const struct as_user *u = arg;
	struct rlimit rl = { u->nproc, u->nproc };

	if (setrlimit(RLIMIT_NPROC, &rl) == -1)
		return -1;
	if (u->uid != 0 && (setgroups(0, NULL) == -1 ||
	    setgid(u->uid) == -1 || setuid(u->uid) == -1))
		return -1;
	return 0;
}

/* Harness setup hook: the soft NPROC limit as high as it goes (this root
 * may lack CAP_SYS_RESOURCE to lift the hard one). */
static int
nproc_highest(void *arg)
{
	struct rlimit rl;

	(void)arg;
	if (getrlimit(RLIMIT_NPROC, &rl) == -1)
		return -1;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NPROC, &rl);
}

/* The number of workers the listener wants: one per CPU, 2 to 8. */
static unsigned
workers_wanted(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : n > 8 ? 8 : (unsigned)n;
}

/* Threads of process pid (its /proc/PID/task entries), -1 if unreadable. */
static int
task_count(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A thread that failed to start may linger a moment after its join. */
static int
wait_task_count(pid_t pid, int want)
{
	long long deadline = harness_now_ms() + harness_slow_ms(
	    HARNESS_TIMEOUT_MS);
	int n;

	while ((n = task_count(pid)) != want && harness_now_ms() < deadline)
		harness_sleep_ms(20);
	return n;
}

/* Ours on 127.0.0.1 with opts, run as u (NULL: with the highest NPROC
 * limit, so that the workers are wanted whatever the test's soft limit). */
static void
start_ours_env(struct it_server *s, const char *const *opts,
    const char *const *prog, struct as_user *u, const char *const *env)
{
	struct harness_opts ho = HARNESS_OPTS_ZERO;
	const char *dir = harness_tmpdir();

	cr_assert_not_null(dir);
	ho.setup = u != NULL ? become : nproc_highest;
	ho.setup_arg = u;
	cr_assert_eq(it_server_start_with(s, IT_OURS, dir, opts, "127.0.0.1",
	    prog, env, &ho), 0, "%s did not start", it_bin(IT_OURS));
}

static void
start_ours(struct it_server *s, const char *const *opts,
    const char *const *prog, struct as_user *u)
{
	start_ours_env(s, opts, prog, u, NULL);
}

/* The workers belong to the fast path: tests of them have nothing to
 * look at in tests/tcpserver_it_fork, where every child is forked. */
static void
fast_path_only(void)
{
	if (getenv("MAILSTACK_TCPSERVER_SPAWN") != NULL)
		cr_skip_test("every child is forked in this run: no workers");
}

/* Connects n clients before reading anything, so that the listener gets
 * them in a burst. Returns how many connects failed (their fd is -1). */
static int
connect_burst(const struct it_server *s, int *fds, int n)
{
	int i, failed = 0;

	for (i = 0; i < n; i++) {
		fds[i] = harness_connect(4, NULL, (unsigned)s->port,
		    HARNESS_TIMEOUT_MS);
		failed += fds[i] == -1;
	}
	return failed;
}

/* Reads a greeting of greet-cat.sh: 1 when "hello\n" came, 0 when the
 * connection was closed (refused) or nothing came. */
static int
greeted(int fd)
{
	char buf[16];

	if (fd == -1)
		return 0;
	harness_read_upto(fd, buf, sizeof(buf), 6, HARNESS_TIMEOUT_MS);
	return strcmp(buf, "hello\n") == 0;
}

/* Every child lists its own descriptors: with a burst of clients, several
 * accepted sockets wait in the listener while workers exec other
 * children; none may show up in those children (nor may 0 and 1 be lost
 * when the socket already was fd 0). */
Test(it_spawn, no_connection_leaks_into_another_child)
{
	static const char *const prog[] = { "/bin/ls", "/proc/self/fd", NULL };
	struct it_server s;
	int fds[LEAK_CLIENTS], i, r, bad = 0;
	char *one, *first_bad = NULL;

	start_ours(&s, (const char *const[]){ "-c", "100", "-b", "100", NULL },
	    prog, NULL);
	/* 3 is ls's own directory; it_env child_descriptors checks the
	 * single child against the real tcpserver. */
	one = it_fetch(&s, 4, NULL, NULL, NULL);
	cr_assert_str_eq(one ? one : "(none)", "0\n1\n2\n3\n",
	    "a single child's descriptors");
	for (r = 0; r < LEAK_ROUNDS; r++) {
		cr_assert_eq(connect_burst(&s, fds, LEAK_CLIENTS), 0,
		    "connects failed");
		for (i = 0; i < LEAK_CLIENTS; i++) {
			char *reply = harness_read_all(fds[i],
			    HARNESS_TIMEOUT_MS, NULL);

			close(fds[i]);
			if (reply != NULL && strcmp(reply, one) == 0) {
				free(reply);
				continue;
			}
			bad++;
			if (first_bad == NULL)
				first_bad = reply ? reply : strdup("(no EOF)");
			else
				free(reply);
		}
	}
	cr_expect_eq(bad, 0, "%d of %d children saw other descriptors, e.g.:\n"
	    "%s", bad, LEAK_ROUNDS * LEAK_CLIENTS, first_bad);
	free(first_bad);
	free(one);
	it_server_free(&s);
}

/* Children that have logged "pid" but not yet "end". */
struct live {
	long pid[256];
	int ok[256];
	int n;
};

static int
live_find(const struct live *l, long pid)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->pid[i] == pid)
			return i;
	return -1;
}

/* One log line against the children seen so far. Returns NULL, or what
 * is out of order (malloc'd). Pids may be reused: an end closes one. */
static char *
order_line(struct live *l, const char *line, int *counts)
{
	const char *p = strstr(line, ": ");
	long pid;
	int i;

	if (p == NULL)
		return NULL;
	if (sscanf(p, ": pid %ld from ", &pid) == 1) {
		counts[0]++;
		if (live_find(l, pid) >= 0 || l->n == 256)
			return strdup(line);
		l->pid[l->n] = pid;
		l->ok[l->n++] = 0;
	} else if (sscanf(p, ": ok %ld ", &pid) == 1) {
		counts[1]++;
		if ((i = live_find(l, pid)) < 0 || l->ok[i])
			return strdup(line);
		l->ok[i] = 1;
	} else if (sscanf(p, ": end %ld status ", &pid) == 1) {
		counts[2]++;
		if ((i = live_find(l, pid)) < 0 || !l->ok[i])
			return strdup(line);
		l->pid[i] = l->pid[--l->n];
		l->ok[i] = l->ok[l->n];
	}
	return NULL;
}

/* Walks the log: counts[] gets the pid, ok and end lines. Returns the
 * first line out of order (malloc'd) or NULL. */
static char *
order_check(const char *log, int counts[3])
{
	struct live l = { .n = 0 };
	char *copy = strdup(log), *save = NULL, *line, *bad = NULL, *why;

	counts[0] = counts[1] = counts[2] = 0;
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		why = order_line(&l, line, counts);
		if (bad == NULL)
			bad = why;
		else
			free(why);
	}
	free(copy);
	return bad;
}

/* ORDER_CONNECTIONS clients, a few at a time, each read to EOF. Returns
 * how many were closed by their child; stops at the first that is not
 * (a listener that lost count stops accepting at -c). */
static int
instant_clients(const struct it_server *s)
{
	int fds[ORDER_BATCH], i, k, served = 0, stalled = 0;

	for (i = 0; i < ORDER_CONNECTIONS && !stalled; i += ORDER_BATCH) {
		cr_assert_eq(connect_burst(s, fds, ORDER_BATCH), 0,
		    "connects failed");
		for (k = 0; k < ORDER_BATCH; k++) {
			char *reply = stalled ? NULL : harness_read_all(fds[k],
			    HARNESS_TIMEOUT_MS, NULL);

			stalled |= reply == NULL;
			served += reply != NULL;
			free(reply);
			close(fds[k]);
		}
	}
	return served;
}

/* Children that exit at once (often before the worker has told the loop
 * their pid) are still logged pid, ok, end, in that order, and leave
 * nothing counted. */
Test(it_spawn, pid_and_ok_before_end_for_instant_children)
{
	static const char *const prog[] = { "/bin/true", NULL };
	const int want = (ORDER_CONNECTIONS + ORDER_BATCH - 1) / ORDER_BATCH *
	    ORDER_BATCH;
	struct it_server s;
	int counts[3], served;
	char *log, *bad, *st;

	start_ours(&s, (const char *const[]){ "-v", NULL }, prog, NULL);
	served = instant_clients(&s);
	cr_expect_eq(served, want, "only %d of %d clients served", served,
	    want);
	log = it_settle(&s, "0/40", harness_slow_ms(SETTLE_MS));
	st = it_last_status(log);
	cr_expect_str_eq(st ? st : "(none)", "0/40", "count did not come back");
	bad = order_check(log, counts);
	cr_expect_null(bad, "out of order: %s", bad);
	cr_expect_eq(counts[0], counts[2], "%d pid lines, %d end lines",
	    counts[0], counts[2]);
	cr_expect_eq(counts[1], counts[2], "%d ok lines, %d end lines",
	    counts[1], counts[2]);
	cr_expect_eq(counts[0], served, "%d pid lines for %d clients",
	    counts[0], served);
	cr_expect_eq(harness_count(log, "warning"), 0, "warnings:\n%s", log);
	free(st);
	free(bad);
	free(log);
	it_server_free(&s);
}

/* One burst from 127.0.0.1 against -C 2 with children that stay: exactly
 * two are greeted, the rest closed. Returns the greeted sockets in held. */
static void
per_ip_burst(const struct it_server *s, int held[2])
{
	int fds[BURST_CLIENTS], i, served = 0;

	cr_assert_eq(connect_burst(s, fds, BURST_CLIENTS), 0,
	    "connects failed");
	for (i = 0; i < BURST_CLIENTS; i++) {
		if (greeted(fds[i]) && served++ < 2) {
			held[served - 1] = fds[i];
			continue;
		}
		close(fds[i]);
	}
	cr_assert_eq(served, 2, "%d of %d clients served with -C 2", served,
	    BURST_CLIENTS);
}

/* Connections are counted at accept, before a worker has started their
 * child, so a burst from one address cannot slip past -C while children
 * are starting; closing the held ones frees their slots. */
Test(it_spawn, per_ip_limit_exact_under_bursts)
{
	const char *const prog[] = { it_child("greet-cat.sh"), NULL };
	struct it_server s;
	int held[2], c;
	char *log;

	start_ours(&s, (const char *const[]){ "-v", "-C", "2", NULL }, prog,
	    NULL);
	per_ip_burst(&s, held);
	cr_expect_eq(harness_wait_stderr(&s.proc, ": deny ",
	    BURST_CLIENTS - 2, HARNESS_TIMEOUT_MS), 0, "too few deny lines");
	close(held[0]);
	close(held[1]);
	cr_assert_eq(harness_wait_stderr(&s.proc, ": end ", 2,
	    HARNESS_TIMEOUT_MS), 0, "the held children did not end");
	c = harness_connect(4, NULL, (unsigned)s.port, HARNESS_TIMEOUT_MS);
	cr_expect(greeted(c), "not served after the slots were freed");
	close(c);
	cr_assert_eq(harness_wait_stderr(&s.proc, ": end ", 3,
	    HARNESS_TIMEOUT_MS), 0, "the third child did not end");
	/* and exact again with the freed slots */
	per_ip_burst(&s, held);
	cr_expect_eq(harness_wait_stderr(&s.proc, ": deny ",
	    2 * (BURST_CLIENTS - 2), HARNESS_TIMEOUT_MS), 0,
	    "too few deny lines");
	/* a child may greet before the loop has logged its start */
	cr_expect_eq(harness_wait_stderr(&s.proc, ": ok ", 5,
	    HARNESS_TIMEOUT_MS), 0, "the last children were not logged");
	log = harness_stderr(&s.proc);
	cr_expect_eq(harness_count(log, ": deny "), 2 * (BURST_CLIENTS - 2),
	    "deny lines:\n%s", log);
	cr_expect_eq(harness_count(log, ": pid "), 5, "children:\n%s", log);
	cr_expect_eq(harness_count(log, "warning"), 0, "warnings:\n%s", log);
	free(log);
	close(held[0]);
	close(held[1]);
	it_server_free(&s);
}

/* Two clients of -c 2 held at once (both greeted). */
static void
two_served_at_once(const struct it_server *s)
{
	int a, b;

	a = harness_connect(4, NULL, (unsigned)s->port, HARNESS_TIMEOUT_MS);
	cr_expect(greeted(a), "first client not served");
	b = harness_connect(4, NULL, (unsigned)s->port, HARNESS_TIMEOUT_MS);
	cr_expect(greeted(b), "second client not served");
	close(a);
	close(b);
}

/* nproc 3 with -c 2 is room for the listener and its two children, not
 * for workers too: none is started (and none is warned about), and the
 * loop serves both clients itself. */
Test(it_spawn, tight_nproc_runs_without_workers)
{
	const char *const prog[] = { it_child("greet-cat.sh"), NULL };
	struct as_user u = { TIGHT_UID, 3 };
	struct it_server s;
	char *log;

	fast_path_only();
	start_ours(&s, (const char *const[]){ "-v", "-c", "2", NULL }, prog,
	    &u);
	cr_expect_eq(task_count(s.proc.pid), 1, "workers started");
	two_served_at_once(&s);
	cr_expect_eq(harness_wait_stderr(&s.proc, ": end ", 2,
	    HARNESS_TIMEOUT_MS), 0, "the children did not end");
	log = harness_stderr(&s.proc);
	cr_expect_eq(harness_count(log, "warning"), 0, "warnings:\n%s", log);
	cr_expect_eq(harness_count(log, ": ok "), 2, "log:\n%s", log);
	free(log);
	it_server_free(&s);
}

/* Exactly room for the listener, its workers and -c children: the
 * workers start, and the children still fit beside them. */
Test(it_spawn, nproc_with_room_starts_workers)
{
	const char *const prog[] = { it_child("greet-cat.sh"), NULL };
	unsigned n = workers_wanted();
	struct as_user u = { ROOMY_UID, 2 + 1 + n };
	struct it_server s;
	char *log;

	fast_path_only();
	start_ours(&s, (const char *const[]){ "-v", "-c", "2", NULL }, prog,
	    &u);
	cr_expect_eq(task_count(s.proc.pid), (int)(1 + n), "not %u workers", n);
	two_served_at_once(&s);
	cr_expect_eq(harness_wait_stderr(&s.proc, ": end ", 2,
	    HARNESS_TIMEOUT_MS), 0, "the children did not end");
	log = harness_stderr(&s.proc);
	cr_expect_eq(harness_count(log, "warning"), 0, "warnings:\n%s", log);
	free(log);
	it_server_free(&s);
}

/* With room in RLIMIT_NPROC there is a worker per CPU (2 to 8), also
 * with a banner and rules (the parent writes and looks them up); the
 * forked child (asked for by MAILSTACK_TCPSERVER_SPAWN=fork, as -h or -r
 * would need it) has none. */
Test(it_spawn, workers_only_on_the_fast_path)
{
	const char *const prog[] = { it_child("greet-cat.sh"), NULL };
	struct it_server fast, slow;
	struct rlimit rl;
	char *reply;

	fast_path_only();
	cr_assert_eq(getrlimit(RLIMIT_NPROC, &rl), 0);
	cr_assert(rl.rlim_max == RLIM_INFINITY ||
	    rl.rlim_max >= 40 + 1 + workers_wanted(),
	    "hard NPROC limit %llu: no room for workers here",
	    (unsigned long long)rl.rlim_max);
	start_ours(&fast, NULL, prog, NULL);
	cr_expect_eq(task_count(fast.proc.pid), (int)(1 + workers_wanted()),
	    "not one worker per CPU");
	reply = it_fetch(&fast, 4, NULL, "x\n", NULL);
	cr_expect_str_eq(reply ? reply : "(none)", "hello\nx\n");
	free(reply);
	start_ours_env(&slow, (const char *const[]){ "-B", "hi\n", NULL }, prog,
	    NULL, (const char *const[]){ "MAILSTACK_TCPSERVER_SPAWN=fork",
	    NULL });
	cr_expect_eq(task_count(slow.proc.pid), 1, "workers on the slow path");
	reply = it_fetch(&slow, 4, NULL, "x\n", NULL);
	cr_expect_str_eq(reply ? reply : "(none)", "hi\nhello\nx\n");
	free(reply);
	it_server_free(&fast);
	it_server_free(&slow);
}

/* Starts n processes that sleep as uid, each known to run as uid (it has
 * printed its line) on return. */
static void
occupy_uid(struct harness_proc *p, unsigned n, uid_t uid)
{
	static char *const argv[] = { "/bin/sh", "-c",
	    "echo 1; exec /bin/sleep 60", NULL };
	struct harness_opts ho = HARNESS_OPTS_ZERO;
	struct as_user u = { uid, 64 };
	const char *dir = harness_tmpdir();
	unsigned i;

	cr_assert_not_null(dir);
	ho.setup = become;
	ho.setup_arg = &u;
	for (i = 0; i < n; i++) {
		cr_assert_eq(harness_spawn(&p[i], dir, argv, NULL, &ho), 0);
		cr_assert_eq(harness_read_port(&p[i], HARNESS_TIMEOUT_MS), 1,
		    "sleeper %u did not start", i);
	}
}

/* The limit leaves room for the workers, but the uid already runs n
 * other processes: the second worker cannot start. The listener says
 * so, keeps no worker and serves one child at a time itself. */
Test(it_spawn, thread_failure_warns_and_serves_inline)
{
	const char *const prog[] = { it_child("greet-cat.sh"), NULL };
	unsigned n = workers_wanted(), i;
	struct as_user u = { CROWDED_UID, 1 + 1 + n };
	struct harness_proc others[8];
	struct it_server s;
	char *log;
	int c;

	fast_path_only();
	/* n others + the listener + its first worker reach the limit */
	occupy_uid(others, n, CROWDED_UID);
	start_ours(&s, (const char *const[]){ "-v", "-c", "1", NULL }, prog,
	    &u);
	log = harness_stderr(&s.proc);
	cr_expect_eq(harness_count(log, "warning: unable to start spawning "
	    "threads, starting children one at a time"), 1, "log:\n%s", log);
	free(log);
	cr_expect_eq(wait_task_count(s.proc.pid, 1), 1, "a worker was kept");
	for (i = 0; i < 2; i++) {
		c = harness_connect(4, NULL, (unsigned)s.port,
		    HARNESS_TIMEOUT_MS);
		cr_expect(greeted(c), "client %u not served", i);
		close(c);
		cr_expect_eq(harness_wait_stderr(&s.proc, ": end ", (int)i + 1,
		    HARNESS_TIMEOUT_MS), 0, "child %u did not end", i);
	}
	log = harness_stderr(&s.proc);
	cr_expect_eq(harness_count(log, "warning"), 1, "log:\n%s", log);
	free(log);
	it_server_free(&s);
	for (i = 0; i < n; i++)
		harness_kill(&others[i]);
}
