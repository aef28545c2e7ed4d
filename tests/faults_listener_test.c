/* faults_listener_test.c: the listener under faults: EMFILE at accept on
 * a running listener, a child killed with SIGKILL, and the listener itself
 * killed with SIGKILL under s6-supervise. Fork failure under RLIMIT_NPROC
 * is tests/tcpserver_it_faults.c (fork_failure_*), RLIMIT_NOFILE 0 (poll
 * failing too) is it_faults::accept_without_descriptors_pauses_then_serves. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faults_util.h"

TestSuite(faults_listener, .fini = harness_cleanup, .timeout = 60);

#define RULES "127.0.0.1:allow\n:allow\n"
/* long enough for a listener that would accept to have greeted */
#define QUIET_MS 400

/* RLIMIT_NOFILE set to exactly the descriptors the listener holds, two of
 * them control clients: accept fails with EMFILE (poll still works, unlike
 * RLIMIT_NOFILE 0); the listener warns, pauses rather than spins, and the
 * waiting client is served once two control clients go (two: the child
 * opens rules.cdb before exec). The child inherits the limit, and the
 * greeter's shell moves its script to descriptor 10: control clients are
 * held until the listener has at least 12 open. */
Test(faults_listener, emfile_at_accept_pauses_then_serves_when_descriptors_free)
{
	struct stack s;
	struct rlimit old, tight;
	int k[6], nk = 0, c, n, highest, greeted, warnings;
	char buf[256], *log;

	stack_init(&s, RULES, NULL);
	stack_listener_start(&s, NULL);
	do {
		k[nk++] = faults_control_open(&s);
		n = faults_fd_count(s.listener.pid, &highest);
	} while ((nk < 2 || n < 12) && nk < 6);
	cr_assert_gt(n, 0);
	cr_assert_eq(highest + 1, n, "descriptors 0..%d not contiguous (%d open): "
	    "a hole would let accept succeed", highest, n);
	cr_assert_eq(prlimit(s.listener.pid, RLIMIT_NOFILE, NULL, &old), 0);
	tight = old;
	tight.rlim_cur = (rlim_t)n;
	cr_assert_eq(prlimit(s.listener.pid, RLIMIT_NOFILE, &tight, NULL), 0);
	c = stack_connect(&s, NULL, QUIET_MS, &greeted, buf, sizeof(buf));
	cr_assert_eq(greeted, 0, "served with every descriptor in use: \"%s\"", buf);
	cr_assert_eq(harness_wait_stderr(&s.listener,
	    "unable to accept connection, pausing: ", 1, HARNESS_TIMEOUT_MS), 0,
	    "no EMFILE warning; stderr:\n%s", harness_stderr(&s.listener));
	log = harness_stderr(&s.listener);
	cr_expect_not_null(strstr(log, "out of file descriptors"), "the reason is not named:\n%s", log);
	free(log);
	harness_sleep_ms(500);
	log = harness_stderr(&s.listener);
	warnings = harness_count(log, "unable to accept connection");
	free(log);
	/* a pause of 100 ms gives about 6; a busy loop thousands */
	cr_expect_leq(warnings, 50, "%d warnings in 0.5 s: spinning", warnings);
	close(k[--nk]);
	close(k[--nk]);
	stack_read_line(c, buf, sizeof(buf), HARNESS_TIMEOUT_MS);
	cr_assert(strncmp(buf, "* OK ", 5) == 0, "not served after descriptors freed: \"%s\"; stderr:\n%s", buf, harness_stderr(&s.listener));
	stack_assert_alive(c);
	cr_assert_eq(prlimit(s.listener.pid, RLIMIT_NOFILE, &old, NULL), 0);
	close(c);
	while (nk > 0)
		close(k[--nk]);
	stack_wait_live(&s, 0);
}

/* A child killed with SIGKILL: the listener reaps it, logs the raw wait
 * status 9 as 0.88 does, and the per-IP count goes back. */
Test(faults_listener, child_killed_by_sigkill_is_counted_back)
{
	struct stack s;
	char needle[64], *b;
	int a, c;
	pid_t child;

	stack_init(&s, RULES, NULL);
	stack_listener_start(&s, NULL);
	a = stack_session(&s, "127.0.0.2");
	c = stack_session(&s, "127.0.0.3");
	stack_wait_live(&s, 2);
	child = faults_child_of(&s, "127.0.0.2");
	cr_assert_eq(kill(child, SIGKILL), 0);
	snprintf(needle, sizeof(needle), ": end %ld status 9\n", (long)child);
	cr_assert_eq(harness_wait_stderr(&s.listener, needle, 1, HARNESS_TIMEOUT_MS), 0,
	    "no \"%s\" line; stderr:\n%s", needle + 2, harness_stderr(&s.listener));
	stack_wait_live(&s, 1);
	b = stack_control(&s, "connections ip 127.0.0.2");
	cr_assert_str_eq(b, "ok\n.\n", "the killed child is still listed");
	free(b);
	b = stack_control(&s, "connections");
	cr_assert_not_null(strstr(b, "ip 127.0.0.3 count 1 "), "%s", b);
	free(b);
	/* the killed session's client sees its end; the other one is untouched */
	cr_assert(harness_readable(a, HARNESS_TIMEOUT_MS));
	cr_assert_eq(read(a, needle, sizeof(needle)), 0, "no EOF after the child died");
	stack_assert_alive(c);
	close(a);
	close(c);
	stack_wait_live(&s, 0);
}

/* --- the listener killed with SIGKILL under s6-supervise --------------- */

static struct stack s6s;
static char svdir[256];
static pid_t first_pid = -1, second_pid = -1;

/* s6-supervise makes the run script a session leader, outside the harness's
 * process groups: its process groups are ended here, then the harness's. */
static void
s6_fini(void)
{
	char *argv[] = { "/usr/bin/s6-svc", "-d", svdir, NULL };

	if (svdir[0] != '\0')
		(void)harness_run(NULL, argv, NULL, NULL, 2000, NULL, NULL);
	if (first_pid > 1)
		kill(-first_pid, SIGKILL);
	if (second_pid > 1)
		kill(-second_pid, SIGKILL);
	harness_cleanup();
}

static void
s6_service_write(struct stack *s)
{
	char run[2048], greeter[512], path[300];
	const char *top = getenv("MAILSTACK_TOP");
	int n;

	snprintf(greeter, sizeof(greeter), "%s/packaging/demo/greeter", top ? top : ".");
	snprintf(svdir, sizeof(svdir), "%s/sv", s->dir);
	cr_assert_eq(mkdir(svdir, 0755), 0);
	/* never a name lookup: -H -R -l and numeric hosts */
	n = snprintf(run, sizeof(run), "#!/bin/sh\nexec 2>>%s/listener.log\n"
	    "exec %s/daemons/tcpserver/mailstack-tcpserver -v -H -R -l localhost "
	    "-s %s -f %s -x %s 127.0.0.1 %u %s imap\n",
	    s->dir, top ? top : ".", s->sock, s->limits, s->cdb, s->port, greeter);
	cr_assert_lt((size_t)n, sizeof(run));
	cr_assert_not_null(harness_write_file(svdir, "run", run, (size_t)n));
	snprintf(path, sizeof(path), "%s/run", svdir);
	cr_assert_eq(chmod(path, 0755), 0);
}

/* The pid in status once it differs from not; a killed listener leaves
 * its socket file behind, so no answer yet is no failure until the bound. */
static pid_t
s6_listener_pid(const struct stack *s, pid_t not)
{
	long long end = harness_now_ms() + 2 * HARNESS_TIMEOUT_MS;
	char path[300], *log;

	for (;;) {
		char *b = faults_control_try(s, "status");
		long pid = b != NULL ? stack_block_value(b, "pid") : -1;

		free(b);
		if (pid > 1 && pid != not)
			return (pid_t)pid;
		if (harness_now_ms() >= end)
			break;
		harness_sleep_ms(20);
	}
	snprintf(path, sizeof(path), "%s/listener.log", s->dir);
	log = harness_read_file(path, NULL);
	cr_assert_fail("no listener (other than %ld) answers; its log:\n%s", (long)not,
	    log != NULL ? log : "(none)");
	return -1;
}

Test(faults_listener, listener_sigkilled_under_s6_comes_back_with_limits_and_sessions,
    .fini = s6_fini)
{
	struct harness_proc sup;
	char *argv[] = { "/usr/bin/s6-supervise", svdir, NULL }, *b;
	int held;

	if (access(argv[0], X_OK) == -1)
		cr_skip_test("no s6-supervise");
	stack_init(&s6s, RULES, NULL);
	s6s.port = faults_free_port();
	s6_service_write(&s6s);
	cr_assert_eq(harness_spawn(&sup, s6s.dir, argv, NULL, NULL), 0);
	first_pid = s6_listener_pid(&s6s, -1);
	stack_api_start(&s6s);
	stack_mailctl_expect(&s6s, 1, 0, CTL_ARGS("limits", "imap", "--max", "7", "--per-ip", "3"));
	held = stack_session(&s6s, "127.0.0.5");
	stack_wait_live(&s6s, 1);

	cr_assert_eq(kill(first_pid, SIGKILL), 0);
	second_pid = s6_listener_pid(&s6s, first_pid);
	b = stack_control(&s6s, "status");
	cr_expect_eq(stack_block_value(b, "max_connections"), 7, "%s", b);
	cr_expect_eq(stack_block_value(b, "max_per_ip"), 3, "%s", b);
	cr_expect_not_null(strstr(b, "\nlimits_source file\n"), "%s", b);
	/* the restarted listener adopts the held session: still counted */
	cr_expect_eq(stack_block_value(b, "live"), 1, "%s", b);
	cr_expect_eq(stack_block_value(b, "adopted"), 1, "%s", b);
	cr_expect_not_null(strstr(b, "\nrestored adoption\n"), "%s", b);
	free(b);
	stack_assert_alive(held);
	close(stack_session(&s6s, "127.0.0.6"));
	stack_assert_alive(held);
	close(held);
}
