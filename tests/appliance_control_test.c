/* appliance_control_test.c: the demo's listeners changed while they run,
 * through mailctl and s6: lower limits drop no client, a deny rule refuses
 * its address from the next connection, a restart (s6-svc -t) keeps the
 * limits and the sessions, taking the service down (s6-svc -d) ends them. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "appliance_util.h"

TestSuite(appliance_control, .fini = appliance_fini, .timeout = 120);

Test(appliance_control, lower_limits_with_clients_connected_drop_none)
{
	struct appliance a;
	char line[256];
	int fd[3], waiting;

	appliance_start(&a);
	for (int i = 0; i < 3; i++)
		fd[i] = appliance_login(&a);
	stack_wait_live(&a.s, 3);
	stack_mailctl_expect(&a.s, 1, 0, CTL_ARGS("limits", "imap", "--max", "2"));
	cr_assert_eq(appliance_status(&a, "imap", "max_connections"), 2);
	cr_assert_eq(appliance_status(&a, "imap", "live"), 3);
	for (int i = 0; i < 3; i++)
		cr_assert(appliance_imap(fd[i], "n1", "NOOP"), "session %d was dropped", i);

	/* over the new total a client waits in the backlog, not refused ... */
	waiting = harness_connect(4, NULL, a.imap_port, HARNESS_TIMEOUT_MS);
	cr_assert_geq(waiting, 0);
	cr_assert_not(harness_readable(waiting, 300), "served past max_connections 2");
	/* ... and is served once the sessions fall below it */
	cr_assert(appliance_imap(fd[0], "o1", "LOGOUT"));
	cr_assert(appliance_imap(fd[1], "o1", "LOGOUT"));
	stack_read_line(waiting, line, sizeof(line), HARNESS_TIMEOUT_MS);
	cr_assert(strncmp(line, "* OK", 4) == 0, "the waiting client got \"%s\"", line);
	cr_assert(appliance_imap(fd[2], "n2", "NOOP"), "the last session was dropped");
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	close(waiting);
	appliance_stop(&a);
}

Test(appliance_control, a_deny_rule_added_with_mailctl_refuses_that_address_next)
{
	struct appliance a;
	struct ctl_run r;
	char line[256];
	int held, fd;

	appliance_start(&a);
	/* the SMTP service starts with the report's tcp.smtp */
	r = stack_mailctl(&a.s, 0, 0, CTL_ARGS("rules", "smtp", "list"));
	cr_assert_not_null(strstr(r.out, "RELAYCLIENT"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "/var/qmail/bin/simscan"), "%s", r.out);
	ctl_run_free(&r);

	held = appliance_connect(&a, a.imap_port, "127.0.0.2", line, sizeof(line));
	cr_assert(strncmp(line, "* OK", 4) == 0, "127.0.0.2 before the rule: \"%s\"", line);
	stack_mailctl_expect(&a.s, 1, 0,
	    CTL_ARGS("rules", "imap", "add", "127.0.0.2", "deny", "--position", "1"));
	fd = appliance_connect(&a, a.imap_port, "127.0.0.2", line, sizeof(line));
	cr_assert_str_eq(line, "", "127.0.0.2 after the rule was greeted");
	cr_assert(harness_closed(fd, HARNESS_TIMEOUT_MS),
	    "the denied connection was not closed");
	close(fd);
	fd = appliance_connect(&a, a.imap_port, NULL, line, sizeof(line));
	cr_assert(strncmp(line, "* OK", 4) == 0, "127.0.0.1 after the rule: \"%s\"", line);
	close(fd);
	/* the rule applies to new connections: the established one goes on */
	cr_assert(appliance_imap(held, "c1", "CAPABILITY"), "the held 127.0.0.2 session ended");
	close(held);
	appliance_stop(&a);
}

Test(appliance_control, s6_restart_keeps_limits_and_sessions_and_down_ends_them)
{
	struct appliance a;
	long old, now;
	int held, fd;

	appliance_start(&a);
	held = appliance_login(&a);
	stack_mailctl_expect(&a.s, 1, 0,
	    CTL_ARGS("limits", "imap", "--max", "30", "--per-ip", "7"));
	old = appliance_status(&a, "imap", "pid");
	appliance_svc(&a, "imap", CTL_ARGS("-t"));
	now = appliance_wait_restarted(&a, "imap", old);
	cr_assert_eq(appliance_status(&a, "imap", "pid"), now);
	cr_assert_eq(appliance_status(&a, "imap", "max_connections"), 30);
	cr_assert_eq(appliance_status(&a, "imap", "max_per_ip"), 7);
	cr_assert(appliance_imap(held, "n1", "NOOP"), "the restart dropped a session");
	fd = appliance_login(&a);
	close(fd);

	/* taken down on purpose: finish ends the sessions of every incarnation */
	appliance_svc(&a, "imap", CTL_ARGS("-wD", "-T", "5000", "-d"));
	cr_assert(harness_closed(held, HARNESS_TIMEOUT_MS),
	    "a session outlived s6-svc -d");
	close(held);
	cr_assert_lt(harness_connect(4, NULL, a.imap_port, 1000), 0, "listening while down");
	appliance_svc(&a, "imap", CTL_ARGS("-wU", "-T", "5000", "-u"));
	close(appliance_login(&a));
	appliance_stop(&a);
}

/* Over a per-IP limit set with mailctl, each service refuses in its own
 * protocol's words (-m imap, -m smtp in the run scripts) and keeps the
 * client it has. */
Test(appliance_control, refusals_over_a_limit_use_the_protocol_presets)
{
	struct appliance a;
	char line[256];
	int imap, smtp, fd;

	appliance_start(&a);
	imap = appliance_login(&a);
	smtp = appliance_connect(&a, a.smtp_port, NULL, line, sizeof(line));
	cr_assert(strncmp(line, "220 ", 4) == 0, "SMTP greeting \"%s\"", line);
	stack_mailctl_expect(&a.s, 1, 0, CTL_ARGS("limits", "imap", "--per-ip", "1"));
	stack_mailctl_expect(&a.s, 1, 0, CTL_ARGS("limits", "smtp", "--per-ip", "1"));

	fd = appliance_connect(&a, a.imap_port, NULL, line, sizeof(line));
	cr_assert(strncmp(line, "* BYE [UNAVAILABLE] ", 20) == 0, "IMAP refusal \"%s\"", line);
	close(fd);
	fd = appliance_connect(&a, a.smtp_port, NULL, line, sizeof(line));
	cr_assert(strncmp(line, "421 4.7.0 ", 10) == 0, "SMTP refusal \"%s\"", line);
	close(fd);
	/* another address is not over its limit */
	fd = appliance_connect(&a, a.imap_port, "127.0.0.3", line, sizeof(line));
	cr_assert(strncmp(line, "* OK", 4) == 0, "127.0.0.3 got \"%s\"", line);
	close(fd);

	cr_assert(appliance_imap(imap, "n1", "NOOP"), "the IMAP session was dropped");
	cr_assert_eq(harness_send(smtp, "NOOP\r\n"), 0);
	stack_read_line(smtp, line, sizeof(line), HARNESS_TIMEOUT_MS);
	cr_assert(strncmp(line, "250", 3) == 0, "the SMTP session answered \"%s\"", line);
	close(imap);
	close(smtp);
	appliance_stop(&a);
}

/* s6-svscan killed outright: its supervisors keep the services, a new
 * start declines to run a second tree beside them, and demo-stop still
 * ends everything, the held session included. */
Test(appliance_control, demo_stop_after_s6_svscan_was_killed_leaves_nothing)
{
	struct appliance a;
	char path[400], *text, *out = NULL;
	const char *start[] = { path, NULL };
	long svscan;
	int held;

	appliance_start(&a);
	held = appliance_login(&a);
	snprintf(path, sizeof(path), "%s/svscan.pid", a.dir);
	cr_assert_not_null(text = harness_read_file(path, NULL));
	svscan = strtol(text, NULL, 10);
	free(text);
	cr_assert_gt(svscan, 1);
	cr_assert_eq(kill((pid_t)svscan, SIGKILL), 0);
	harness_sleep_ms(200);

	snprintf(path, sizeof(path), "%s/packaging/demo/demo-start", getenv("MAILSTACK_TOP"));
	cr_assert_eq(appliance_run(start, &out), 0, "%s", out);
	cr_assert_not_null(strstr(out, "already running without its s6-svscan"), "%s", out);
	free(out);
	cr_assert(appliance_imap(held, "n1", "NOOP"), "the session ended with s6-svscan");
	appliance_stop(&a);
	cr_assert(harness_closed(held, HARNESS_TIMEOUT_MS),
	    "the held session outlived demo-stop");
	close(held);
}
