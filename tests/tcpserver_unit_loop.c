/* tcpserver_unit_loop.c: the listener's event loop without descriptors
 * (RLIMIT_NOFILE 0: poll and accept fail): it must pause (no busy loop, a
 * bounded number of warnings), not die, and serve the waiting client once
 * descriptors are back. Loopback only, every wait bounded. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harness.h"

TestSuite(loop, .fini = harness_cleanup, .timeout = 30);

static const char *
ours(void)
{
	static char path[512];
	const char *top = getenv("MAILSTACK_TOP");

	snprintf(path, sizeof path, "%s/daemons/tcpserver/mailstack-tcpserver",
	    top ? top : ".");
	return path;
}

static void
set_nofile(pid_t pid, rlim_t soft)
{
	struct rlimit old, lim;

	cr_assert_eq(prlimit(pid, RLIMIT_NOFILE, NULL, &old), 0);
	lim.rlim_cur = soft;
	lim.rlim_max = old.rlim_max;
	cr_assert_eq(prlimit(pid, RLIMIT_NOFILE, &lim, NULL), 0);
}

Test(loop, no_descriptors_pauses_then_serves)
{
	char *const argv[] = { (char *)ours(), "-1", "-v", "-H", "-R", "-l", "0",
	    "127.0.0.1", "0", "/bin/echo", "served", NULL };
	char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
	struct harness_proc p;
	const char *dir = harness_tmpdir();
	char *reply, *log;
	long port;
	int fd, warnings;

	cr_assert_not_null(dir);
	cr_assert_eq(harness_spawn(&p, dir, argv, envp, NULL), 0);
	port = harness_read_port(&p, HARNESS_TIMEOUT_MS);
	cr_assert_gt(port, 0, "no port line");
	cr_assert_eq(harness_wait_stderr(&p, "status: 0/40", 1,
	    HARNESS_TIMEOUT_MS), 0);
	set_nofile(p.pid, 0);
	fd = harness_connect(4, NULL, (unsigned)port, HARNESS_TIMEOUT_MS);
	cr_assert_neq(fd, -1, "connect failed (the backlog takes it)");
	cr_assert_eq(harness_wait_stderr(&p, ", pausing", 1,
	    HARNESS_TIMEOUT_MS), 0, "no warning about pausing");
	harness_sleep_ms(500);
	log = harness_stderr(&p);
	warnings = harness_count(log, ", pausing");
	free(log);
	/* 100 ms pauses: about 5 in 500 ms; a busy loop would log thousands. */
	cr_assert_leq(warnings, 12, "%d warnings: no back-off", warnings);
	cr_assert_eq(harness_readable(fd, 0), 0, "served without descriptors?");
	set_nofile(p.pid, 1024);
	reply = harness_read_all(fd, HARNESS_TIMEOUT_MS, NULL);
	cr_assert_not_null(reply, "no EOF after descriptors came back");
	cr_assert_str_eq(reply, "served\n");
	free(reply);
	close(fd);
	cr_assert_eq(harness_wait_stderr(&p, "status: 0/40", 2,
	    HARNESS_TIMEOUT_MS), 0, "the child was not reaped");
	harness_kill(&p);
}
