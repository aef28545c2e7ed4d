/* tcpserver_ctl_it_reexec.c: the real listener re-execs itself (control
 * "reexec", SIGUSR2): the same pid, the sessions served and counted, the
 * connections listing byte for byte, the counters and a runtime "set";
 * a connect loop running through 20 re-execs loses no client; 100
 * re-execs leak no descriptor; a failed exec keeps the old image; an
 * upgraded binary (a second build) takes over. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcpserver_ctl_util.h"
#include "tcpserver_ctl_it_life.h"

TestSuite(ctl_reexec, .fini = harness_cleanup, .timeout = 120);

Test(ctl_reexec, keeps_sessions_table_counters_and_set)
{
	const char *const extra[] = { "-c", "20", "-C", "3", NULL };
	struct ctl_it t;
	pid_t pids[5];
	int fds[5], i, refused;
	char *before, *after, *st, *st2;

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	for (i = 0; i < 5; i++)
		cr_assert_geq(fds[i] = ctl_it_hold(&t, i < 3 ? "127.0.0.1" :
		    "127.0.0.2", &pids[i], HARNESS_TIMEOUT_MS), 0);
	/* One refusal to count, then a runtime limit to keep. */
	refused = ctl_it_hold(&t, "127.0.0.1", &pids[0], 500);
	cr_assert_lt(refused, 0, "the fourth from 127.0.0.1 is refused");
	st = ctl_it_request(&t, "set max_per_ip=4");
	cr_assert_eq(ctl_it_num(st, "max_per_ip"), 4, "%s", st);
	free(st);
	before = ctl_it_request(&t, "connections");
	st = ctl_it_request(&t, "status");

	st2 = life_reexec(&t);
	cr_assert_eq(ctl_it_num(st2, "pid"), t.p.pid, "same process");
	cr_assert_eq(ctl_it_num(st2, "reexecs"), 1);
	cr_assert_not_null(strstr(st2, "\nrestored state\n"), "%s", st2);
	after = ctl_it_request(&t, "connections");
	cr_assert_str_eq(after, before, "the listing is the same");
	cr_assert_eq(ctl_it_num(st2, "started"), ctl_it_num(st, "started"));
	cr_assert_geq(ctl_it_num(st2, "uptime"), ctl_it_num(st, "uptime"));
	cr_assert_geq(ctl_it_num(st2, "image_started"), ctl_it_num(st, "started"));
	cr_assert_eq(ctl_it_num(st2, "live"), 5);
	cr_assert_eq(ctl_it_num(st2, "accepted"), 5);
	cr_assert_eq(ctl_it_num(st2, "refused_ip"), 1);
	cr_assert_eq(ctl_it_num(st2, "max_per_ip"), 4, "the runtime set stays");
	cr_assert_eq(ctl_it_num(st2, "adopted"), 0);
	for (i = 0; i < 5; i++)
		cr_assert(ctl_it_alive(fds[i]), "session %d still served", i);
	/* Still our children: an end is reaped and logged as before. */
	close(fds[0]);
	cr_assert_eq(life_wait_live(&t, 4, HARNESS_TIMEOUT_MS), 0);
	ctl_it_still_serves(&t);
	free(before);
	free(after);
	free(st);
	free(st2);
	harness_kill(&t.p);
}

Test(ctl_reexec, sigusr2_reexecs_and_pipelined_requests_get_one_answer)
{
	struct ctl_it t;
	long long deadline;
	char *st = NULL;

	ctl_it_init(&t);
	ctl_it_start(&t, NULL, NULL);
	cr_assert_eq(kill(t.p.pid, SIGUSR2), 0);
	deadline = harness_now_ms() + HARNESS_TIMEOUT_MS;
	do {
		free(st);
		harness_sleep_ms(20);
		st = ctl_it_request(&t, "status");
	} while (ctl_it_num(st, "reexecs") != 1 && harness_now_ms() < deadline);
	cr_assert_eq(ctl_it_num(st, "reexecs"), 1, "%s", st);
	cr_assert_eq(ctl_it_num(st, "pid"), t.p.pid);
	free(st);
	ctl_it_still_serves(&t);
	harness_kill(&t.p);
}

/* The connect loop of the next test: each client must be greeted. */
struct loop {
	struct ctl_it *t;
	volatile int stop;
	int done, failed;
	long long worst_ms;
};

static void *
connect_loop(void *arg)
{
	struct loop *l = arg;
	char buf[32];
	long long t0, ms;
	int fd;

	while (!l->stop) {
		t0 = harness_now_ms();
		fd = harness_connect(4, NULL, (unsigned)l->t->port, 5000);
		if (fd < 0 || harness_read_upto(fd, buf, sizeof buf, 2, 5000) < 2)
			l->failed++;
		else
			l->done++;
		ms = harness_now_ms() - t0;
		if (ms > l->worst_ms)
			l->worst_ms = ms;
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

Test(ctl_reexec, connect_loop_through_20_reexecs_loses_no_client)
{
	const char *const extra[] = { "-c", "50", NULL };
	struct loop l = { 0 };
	struct ctl_it t;
	pthread_t th;
	long long ms, worst = 0;
	int i, before;
	char *st;

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	l.t = &t;
	cr_assert_eq(pthread_create(&th, NULL, connect_loop, &l), 0);
	harness_sleep_ms(100);
	for (i = 0; i < 20; i++) {
		before = l.done;
		ms = harness_now_ms();
		free(life_reexec(&t));
		ms = harness_now_ms() - ms;
		if (ms > worst)
			worst = ms;
		/* Clients served between two re-execs. */
		while (l.done < before + 3 && !l.failed)
			harness_sleep_ms(5);
	}
	l.stop = 1;
	pthread_join(th, NULL);
	st = ctl_it_request(&t, "status");
	fprintf(stderr, "ctl_reexec: 20 re-execs: slowest %lld ms; connect loop "
	    "%d clients greeted, %d not, slowest greeting %lld ms\n", worst,
	    l.done, l.failed, l.worst_ms);
	cr_assert_eq(l.failed, 0, "%d clients not served", l.failed);
	cr_assert_gt(l.done, 60);
	cr_assert_eq(ctl_it_num(st, "reexecs"), 20);
	cr_assert_eq(ctl_it_num(st, "accepted"), l.done);
	free(st);
	harness_kill(&t.p);
}

Test(ctl_reexec, hundred_reexecs_leak_no_descriptor_nor_memory)
{
	struct ctl_it t;
	pid_t pid;
	long fds0, fds1, rss0, rss1;
	long long ms, total = 0, worst = 0;
	int fd, i;
	char *st;

	ctl_it_init(&t);
	ctl_it_start(&t, NULL, NULL);
	cr_assert_geq(fd = ctl_it_hold(&t, NULL, &pid, HARNESS_TIMEOUT_MS), 0);
	/* The first re-exec opens /dev/null on 0 and 1 (closed by the
	 * first image after -1's port line): counted from there. */
	free(life_reexec(&t));
	harness_sleep_ms(200);
	fds0 = life_fd_count(t.p.pid);
	rss0 = life_rss_kb(t.p.pid);
	for (i = 0; i < 100; i++) {
		ms = harness_now_ms();
		free(life_reexec(&t));
		ms = harness_now_ms() - ms;
		total += ms;
		if (ms > worst)
			worst = ms;
	}
	/* The last client's descriptor goes when its EOF is read. */
	fds1 = life_fd_count_settled(t.p.pid, fds0);
	rss1 = life_rss_kb(t.p.pid);
	fprintf(stderr, "ctl_reexec: 100 re-execs: mean %lld ms, slowest %lld "
	    "ms; descriptors %ld -> %ld; RSS %ld -> %ld kB\n", total / 100,
	    worst, fds0, fds1, rss0, rss1);
	cr_assert_eq(fds1, fds0, "descriptors %ld -> %ld", fds0, fds1);
	cr_assert_leq(rss1, rss0 + rss0 / 4, "RSS %ld -> %ld kB", rss0, rss1);
	st = ctl_it_request(&t, "status");
	cr_assert_eq(ctl_it_num(st, "reexecs"), 101);
	cr_assert_eq(ctl_it_num(st, "live"), 1);
	free(st);
	cr_assert(ctl_it_alive(fd));
	harness_kill(&t.p);
}

/* A copy of the listener in the test's folder, which the tests replace
 * or remove. */
static const char *
own_copy(const struct ctl_it *t, const char *from)
{
	static char path[512];

	snprintf(path, sizeof path, "%s/mailstack-tcpserver", t->dir);
	cr_assert_eq(life_copy_file(from, path), 0, "copy %s", from);
	return path;
}

Test(ctl_reexec, failed_exec_keeps_the_old_image)
{
	struct ctl_it t;
	pid_t pid;
	int fd;
	char *r, *st;

	ctl_it_init(&t);
	t.binary = own_copy(&t, ctl_it_binary());
	ctl_it_start(&t, NULL, NULL);
	cr_assert_geq(fd = ctl_it_hold(&t, NULL, &pid, HARNESS_TIMEOUT_MS), 0);
	cr_assert_eq(unlink(t.binary), 0);
	r = ctl_it_request(&t, "reexec");
	cr_assert_eq(strncmp(r, "error exec unable to run ", 25), 0, "%s", r);
	cr_assert_not_null(strstr(r, "does not exist"), "%s", r);
	st = ctl_it_request(&t, "status");
	cr_assert_eq(ctl_it_num(st, "reexecs"), 0);
	cr_assert_eq(ctl_it_num(st, "live"), 1);
	cr_assert(ctl_it_alive(fd));
	ctl_it_still_serves(&t);
	cr_assert_eq(harness_wait_stderr(&t.p, "warning: unable to reexec: ", 1,
	    HARNESS_TIMEOUT_MS), 0);
	free(r);
	free(st);
	harness_kill(&t.p);
}

/* A make-believe upgrade: the file at the listener's path is replaced by
 * a second build (tests/bin/mailstack-tcpserver-next, another version
 * string) as a package manager does, by rename. */
Test(ctl_reexec, upgraded_binary_takes_over_the_table)
{
	char next[512], tmp[600];
	struct ctl_it t;
	pid_t pids[3];
	int fds[3], i;
	char *before, *after, *st;

	ctl_it_init(&t);
	t.binary = own_copy(&t, ctl_it_binary());
	ctl_it_start(&t, NULL, NULL);
	for (i = 0; i < 3; i++)
		cr_assert_geq(fds[i] = ctl_it_hold(&t, NULL, &pids[i],
		    HARNESS_TIMEOUT_MS), 0);
	st = ctl_it_request(&t, "status");
	cr_assert_not_null(strstr(st, "\nversion "), "%s", st);
	cr_assert_null(strstr(st, "+next\n"), "%s", st);
	free(st);
	before = ctl_it_request(&t, "connections");
	snprintf(next, sizeof next, "%s/tests/bin/mailstack-tcpserver-next",
	    getenv("MAILSTACK_TOP") ? getenv("MAILSTACK_TOP") : ".");
	snprintf(tmp, sizeof tmp, "%s.new", t.binary);
	cr_assert_eq(life_copy_file(next, tmp), 0, "copy %s", next);
	cr_assert_eq(rename(tmp, t.binary), 0);

	st = life_reexec(&t);
	cr_assert_not_null(strstr(st, "+next\n"), "the new build runs: %s", st);
	cr_assert_eq(ctl_it_num(st, "pid"), t.p.pid);
	after = ctl_it_request(&t, "connections");
	cr_assert_str_eq(after, before);
	for (i = 0; i < 3; i++)
		cr_assert(ctl_it_alive(fds[i]));
	ctl_it_still_serves(&t);
	free(st);
	free(before);
	free(after);
	harness_kill(&t.p);
}
