/* tcpserver_ctl_it_idle.c: idle control clients on the real listener:
 * closed after MAILSTACK_CONTROL_TIMEOUT seconds without a whole request
 * line (a partial line does not count), their slots given again, counted
 * as control_timeouts; a client that keeps asking stays; the wait costs
 * no CPU; a bad knob is fatal. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpserver_ctl_util.h"

TestSuite(ctl_idle, .fini = harness_cleanup, .timeout = 60);

/* utime + stime of pid, in clock ticks. */
static long long
cpu_ticks(pid_t pid)
{
	char path[64], *stat, *p;
	unsigned long long ut, st;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	stat = harness_read_file(path, NULL);
	cr_assert_not_null(stat, "no %s", path);
	p = strrchr(stat, ')');
	cr_assert_not_null(p);
	cr_assert_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
	    "%*u %llu %llu", &ut, &st), 2, "%s", stat);
	free(stat);
	return (long long)(ut + st);
}

/* Waits for the listener to close fd; returns the milliseconds from
 * since, or -1 when it stayed open past wait_ms. */
static long long
closed_after(int fd, long long since, int wait_ms)
{
	char *r;

	if (harness_readable(fd, wait_ms) != 1)
		return -1;
	r = harness_read_all(fd, HARNESS_TIMEOUT_MS, NULL);
	cr_assert_str_eq(r, "", "an idle client is closed without a word");
	free(r);
	return harness_now_ms() - since;
}

Test(ctl_idle, silent_and_partial_clients_closed_slots_given_again)
{
	const char *const env[] = { "MAILSTACK_CONTROL_TIMEOUT=1", NULL };
	struct ctl_it t;
	long long t0, ms, cpu0;
	int fds[8], fd, i;
	char *r;

	ctl_it_init(&t);
	ctl_it_start(&t, NULL, env);
	cpu0 = cpu_ticks(t.p.pid);
	t0 = harness_now_ms();
	for (i = 0; i < 8; i++) {
		fds[i] = ctl_it_connect(t.sock);
		cr_assert_geq(fds[i], 0);
	}
	cr_assert_eq(harness_send(fds[1], "stat"), 0);
	fd = ctl_it_connect(t.sock);
	r = ctl_it_read_block(fd);
	cr_assert_str_eq(r, "error busy too many control clients\n.\n",
	    "8 silent clients hold every slot");
	free(r);
	close(fd);
	for (i = 0; i < 8; i++) {
		ms = closed_after(fds[i], t0, HARNESS_TIMEOUT_MS);
		cr_assert_geq(ms, 950, "client %d closed after %lld ms", i, ms);
		close(fds[i]);
	}
	/* The 8 slots are free again (the listener may not have seen the
	 * last close yet, but it closed them itself). */
	r = ctl_it_request(&t, "status");
	cr_assert_eq(strncmp(r, "ok\n", 3), 0, "%s", r);
	cr_assert_eq(ctl_it_num(r, "control_timeouts"), 8, "%s", r);
	cr_assert_eq(ctl_it_num(r, "control_busy"), 1, "%s", r);
	free(r);
	/* Waiting for the deadlines is poll sleeping, not spinning: a few
	 * ticks at most (it uses none here; spinning half of the second
	 * used over ten on this loaded machine). */
	ms = harness_now_ms() - t0;
	cr_assert_lt(cpu_ticks(t.p.pid) - cpu0, 5,
	    "the listener used %lld ticks in %lld ms",
	    cpu_ticks(t.p.pid) - cpu0, ms);
	cr_assert_eq(harness_wait_stderr(&t.p,
	    "control timeout after 1 seconds idle", 8, HARNESS_TIMEOUT_MS), 0);
	harness_kill(&t.p);
}

Test(ctl_idle, a_client_that_keeps_asking_stays)
{
	const char *const env[] = { "MAILSTACK_CONTROL_TIMEOUT=2", NULL };
	struct ctl_it t;
	long long t0;
	int fd, quiet, n = 0;
	char *r;

	ctl_it_init(&t);
	ctl_it_start(&t, NULL, env);
	fd = ctl_it_connect(t.sock);
	quiet = ctl_it_connect(t.sock);
	cr_assert_geq(fd, 0);
	cr_assert_geq(quiet, 0);
	r = ctl_it_ask(quiet, "status");
	cr_assert_eq(strncmp(r, "ok\n", 3), 0, "%s", r);
	free(r);
	/* An answered request starts the wait again: quiet goes 2 s after
	 * its answer, fd, asking every 200 ms, stays. */
	t0 = harness_now_ms();
	while (harness_now_ms() - t0 < 3000) {
		r = ctl_it_ask(fd, "status");
		cr_assert_not_null(r, "dropped after %lld ms, %d answers",
		    harness_now_ms() - t0, n);
		cr_assert_eq(strncmp(r, "ok\n", 3), 0, "%s", r);
		free(r);
		n++;
		harness_sleep_ms(200);
	}
	cr_assert_geq(closed_after(quiet, t0, HARNESS_TIMEOUT_MS), 0,
	    "the quiet client was not closed");
	r = ctl_it_ask(fd, "status");
	cr_assert_eq(ctl_it_num(r, "control_timeouts"), 1, "%s", r);
	free(r);
	close(quiet);
	close(fd);
	harness_kill(&t.p);
}

Test(ctl_idle, zero_means_never_and_a_bad_value_is_fatal)
{
	const char *const env[] = { "MAILSTACK_CONTROL_TIMEOUT=0", NULL };
	const char *dir = harness_tmpdir();
	char sock[300], *err = NULL;
	char *const argv[] = { (char *)ctl_it_binary(), "-1", "-HR", "-l0",
	    "-s", sock, "127.0.0.1", "0", "/bin/true", NULL };
	char *const bad[] = { "MAILSTACK_CONTROL_TIMEOUT=30s", NULL };
	struct ctl_it t;
	int fd, st;
	char *r;

	ctl_it_init(&t);
	ctl_it_start(&t, NULL, env);
	fd = ctl_it_connect(t.sock);
	cr_assert_geq(fd, 0);
	cr_assert_eq(harness_readable(fd, 1500), 0, "closed or answered");
	r = ctl_it_ask(fd, "status");
	cr_assert_eq(ctl_it_num(r, "control_timeouts"), 0, "%s", r);
	free(r);
	close(fd);
	harness_kill(&t.p);

	cr_assert_not_null(dir);
	snprintf(sock, sizeof sock, "%s/bad.sock", dir);
	st = harness_run(dir, argv, bad, NULL, HARNESS_TIMEOUT_MS, NULL, &err);
	cr_assert_eq(harness_exit_code(st), 100, "%s", err);
	cr_assert_not_null(strstr(err, "fatal: unable to use "
	    "MAILSTACK_CONTROL_TIMEOUT=30s"), "%s", err);
	free(err);
}
