/* tcpserver_ctl_it.c: the real listener's control socket on loopback:
 * status, per-address connections, limits raised and lowered live,
 * reload of good and bad limits files, SIGHUP, a restart that keeps
 * the file's limits, the limit source of rules and the environment. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tcpserver_ctl_util.h"

TestSuite(ctl, .fini = harness_cleanup, .timeout = 60);

/* How long a client that must not be served is watched. */
#define QUIET_MS 300

Test(ctl, status_fields)
{
	const char *const extra[] = { "-c", "5", "-C", "3", NULL };
	struct ctl_it t;
	char *st, file_line[300];
	time_t now = time(NULL);

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	st = ctl_it_request(&t, "status");
	cr_assert_eq(strncmp(st, "ok\n", 3), 0, "%s", st);
	cr_assert_eq(ctl_it_num(st, "pid"), t.p.pid);
	cr_assert_geq(ctl_it_num(st, "started"), now - 5);
	cr_assert_leq(ctl_it_num(st, "started"), now + 5);
	cr_assert_geq(ctl_it_num(st, "uptime"), 0);
	cr_assert_eq(ctl_it_num(st, "live"), 0);
	cr_assert_eq(ctl_it_num(st, "max_connections"), 5);
	cr_assert_eq(ctl_it_num(st, "max_per_ip"), 3);
	cr_assert_eq(ctl_it_num(st, "max_per_network"), 0);
	cr_assert_not_null(strstr(st, "\nlimits_source cmdline\n"),
	    "no limits file yet: %s", st);
	snprintf(file_line, sizeof file_line, "\nlimits_file %s\n", t.limits);
	cr_assert_not_null(strstr(st, file_line), "%s", st);
	cr_assert_eq(ctl_it_num(st, "accepted"), 0);
	cr_assert_eq(ctl_it_num(st, "refused_ip"), 0);
	cr_assert_eq(ctl_it_num(st, "refused_net"), 0);
	cr_assert_eq(ctl_it_num(st, "refused_rule_ip"), 0);
	cr_assert_eq(ctl_it_num(st, "refused_rule_net"), 0);
	cr_assert_eq(ctl_it_num(st, "dropped_fork"), 0);
	cr_assert_eq(ctl_it_num(st, "distinct_ips"), 0);
	cr_assert_eq(ctl_it_num(st, "distinct_networks"), 0);
	cr_assert_eq(ctl_it_num(st, "local_port"), t.port);
	cr_assert_eq(strcmp(st + strlen(st) - 3, "\n.\n"), 0);
	free(st);
	harness_kill(&t.p);
}

/* The pids of a connections line, as "P1,P2,...". */
static void
expect_line(const char *block, const char *ip, int count, const pid_t *pids,
    const char *tail_of_limit)
{
	char want[512];
	size_t n;
	const char *p;
	int i;

	n = (size_t)snprintf(want, sizeof want, "ip %s count %d limit %s oldest ",
	    ip, count, tail_of_limit);
	p = strstr(block, want);
	cr_assert_not_null(p, "no '%s' in:\n%s", want, block);
	p = strstr(p, " pids ");
	cr_assert_not_null(p);
	want[0] = '\0';
	for (i = 0, n = 0; i < count; i++)
		n += (size_t)snprintf(want + n, sizeof want - n, "%s%ld",
		    i ? "," : "", (long)pids[i]);
	cr_assert_eq(strncmp(p + 6, want, n), 0, "pids %s, want %s", p + 6, want);
	cr_assert_eq(p[6 + n], '\n');
}

static int
pid_cmp(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

Test(ctl, connections_per_address_exact)
{
	const char *const extra[] = { "-c", "10", "-C", "4", NULL };
	pid_t one[3], two[2];
	int fds[5], i;
	struct ctl_it t;
	char *r;

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	for (i = 0; i < 3; i++)
		cr_assert_geq(fds[i] = ctl_it_hold(&t, "127.0.0.1", &one[i],
		    HARNESS_TIMEOUT_MS), 0);
	for (i = 0; i < 2; i++)
		cr_assert_geq(fds[3 + i] = ctl_it_hold(&t, "127.0.0.2", &two[i],
		    HARNESS_TIMEOUT_MS), 0);
	qsort(one, 3, sizeof one[0], pid_cmp);
	qsort(two, 2, sizeof two[0], pid_cmp);

	r = ctl_it_request(&t, "connections");
	expect_line(r, "127.0.0.1", 3, one, "4 source option");
	expect_line(r, "127.0.0.2", 2, two, "4 source option");
	cr_assert_lt(strstr(r, "ip 127.0.0.1 "), strstr(r, "ip 127.0.0.2 "),
	    "largest first:\n%s", r);
	cr_assert_eq(harness_count(r, "\nip "), 2, "%s", r);
	free(r);

	r = ctl_it_request(&t, "connections top 1");
	expect_line(r, "127.0.0.1", 3, one, "4 source option");
	cr_assert_eq(harness_count(r, "ip "), 1, "%s", r);
	free(r);
	r = ctl_it_request(&t, "connections ip 127.0.0.2");
	expect_line(r, "127.0.0.2", 2, two, "4 source option");
	cr_assert_eq(harness_count(r, "ip "), 1, "%s", r);
	free(r);
	r = ctl_it_request(&t, "connections ip 127.0.0.3");
	cr_assert_str_eq(r, "ok\n.\n", "no match: no lines");
	free(r);

	r = ctl_it_request(&t, "status");
	cr_assert_eq(ctl_it_num(r, "live"), 5);
	cr_assert_eq(ctl_it_num(r, "accepted"), 5);
	cr_assert_eq(ctl_it_num(r, "distinct_ips"), 2);
	cr_assert_eq(ctl_it_num(r, "distinct_networks"), 1);
	free(r);

	/* A departure is seen at once, and the tie breaks on the address. */
	close(fds[0]);
	cr_assert_eq(harness_wait_stderr(&t.p, "end ", 1, HARNESS_TIMEOUT_MS), 0);
	r = ctl_it_request(&t, "connections");
	expect_line(r, "127.0.0.1", 2, one + 1, "4 source option");
	cr_assert_lt(strstr(r, "ip 127.0.0.1 "), strstr(r, "ip 127.0.0.2 "));
	free(r);
	for (i = 1; i < 5; i++)
		close(fds[i]);
	harness_kill(&t.p);
}

Test(ctl, raise_serves_the_client_waiting_in_the_backlog)
{
	const char *const extra[] = { "-c", "1", NULL };
	struct ctl_it t;
	pid_t pid, held[3];
	int fd[3], waiting;
	char *r;

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	cr_assert_geq(fd[0] = ctl_it_hold(&t, NULL, &held[0], HARNESS_TIMEOUT_MS), 0);
	waiting = harness_connect(4, "127.0.0.2", (unsigned)t.port,
	    HARNESS_TIMEOUT_MS);
	cr_assert_geq(waiting, 0);
	cr_assert_eq(ctl_it_greeting(waiting, &pid, QUIET_MS), 0,
	    "served beyond -c 1");
	/* Past -c: the table must grow from its first size. */
	r = ctl_it_request(&t, "set max_connections=3");
	cr_assert_eq(strncmp(r, "ok\n", 3), 0, "%s", r);
	cr_assert_eq(ctl_it_num(r, "max_connections"), 3);
	free(r);
	cr_assert_eq(ctl_it_greeting(waiting, &held[1], HARNESS_TIMEOUT_MS), 1,
	    "the waiting client was not served after the raise");
	cr_assert_geq(fd[2] = ctl_it_hold(&t, NULL, &held[2], HARNESS_TIMEOUT_MS), 0);
	r = ctl_it_request(&t, "status");
	cr_assert_eq(ctl_it_num(r, "live"), 3);
	free(r);
	r = ctl_it_request(&t, "connections");
	cr_assert_not_null(strstr(r, "ip 127.0.0.1 count 2 "), "%s", r);
	cr_assert_not_null(strstr(r, "ip 127.0.0.2 count 1 "), "%s", r);
	free(r);
	cr_assert(ctl_it_alive(fd[0]) && ctl_it_alive(waiting) &&
	    ctl_it_alive(fd[2]));
	harness_kill(&t.p);
}

Test(ctl, lowering_drops_nobody_and_new_clients_wait)
{
	const char *const extra[] = { "-c", "4", NULL };
	struct ctl_it t;
	pid_t pids[3], pid;
	int fd[3], i, waiting;
	char *r;

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	for (i = 0; i < 3; i++)
		cr_assert_geq(fd[i] = ctl_it_hold(&t, NULL, &pids[i],
		    HARNESS_TIMEOUT_MS), 0);
	r = ctl_it_request(&t, "set max_connections=1 max_per_ip=1");
	cr_assert_eq(ctl_it_num(r, "max_connections"), 1, "%s", r);
	cr_assert_eq(ctl_it_num(r, "live"), 3);
	free(r);
	for (i = 0; i < 3; i++)
		cr_assert(ctl_it_alive(fd[i]), "connection %d dropped", i);
	waiting = harness_connect(4, NULL, (unsigned)t.port, HARNESS_TIMEOUT_MS);
	cr_assert_geq(waiting, 0);
	cr_assert_eq(ctl_it_greeting(waiting, &pid, QUIET_MS), 0,
	    "served above the lowered limit");
	close(fd[0]);
	close(fd[1]);
	cr_assert_eq(harness_wait_stderr(&t.p, "end ", 2, HARNESS_TIMEOUT_MS), 0);
	cr_assert_eq(ctl_it_greeting(waiting, &pid, QUIET_MS), 0,
	    "served at the limit (1 live)");
	cr_assert(ctl_it_alive(fd[2]));
	close(fd[2]);
	cr_assert_eq(ctl_it_greeting(waiting, &pid, HARNESS_TIMEOUT_MS), 1,
	    "not served once below the limit");
	r = ctl_it_request(&t, "status");
	cr_assert_eq(ctl_it_num(r, "refused_ip"), 0, "it waited, not refused");
	free(r);
	harness_kill(&t.p);
}

Test(ctl, reload_good_then_bad_file)
{
	const char *const extra[] = { "-c", "6", NULL };
	struct ctl_it t;
	char *r, *log, want[400];

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	ctl_it_write_limits(&t, "# mailstack limits for imap\n"
	    "max_connections=64\nmax_per_ip=10\nmax_per_network=0\n");
	r = ctl_it_request(&t, "reload");
	cr_assert_eq(strncmp(r, "ok\n", 3), 0, "%s", r);
	cr_assert_eq(ctl_it_num(r, "max_connections"), 64);
	cr_assert_eq(ctl_it_num(r, "max_per_ip"), 10);
	cr_assert_not_null(strstr(r, "\nlimits_source file\n"), "%s", r);
	free(r);
	r = ctl_it_request(&t, "connections");
	free(r);

	ctl_it_write_limits(&t, "max_connections=5\nmax_per_ipp=1\n");
	r = ctl_it_request(&t, "reload");
	snprintf(want, sizeof want, "error config %s:2: unknown key\n.\n",
	    t.limits);
	cr_assert_str_eq(r, want);
	free(r);
	r = ctl_it_request(&t, "status");
	cr_assert_eq(ctl_it_num(r, "max_connections"), 64, "old values kept");
	cr_assert_eq(ctl_it_num(r, "max_per_ip"), 10);
	free(r);
	snprintf(want, sizeof want, "warning: unable to read limits %s: 2: "
	    "unknown key\n", t.limits);
	cr_assert_eq(harness_wait_stderr(&t.p, want, 1, HARNESS_TIMEOUT_MS), 0);

	/* Removed: the command line applies again. */
	cr_assert_eq(unlink(t.limits), 0);
	r = ctl_it_request(&t, "reload");
	cr_assert_eq(ctl_it_num(r, "max_connections"), 6, "%s", r);
	cr_assert_eq(ctl_it_num(r, "max_per_ip"), 0);
	cr_assert_not_null(strstr(r, "\nlimits_source cmdline\n"), "%s", r);
	free(r);
	log = harness_stderr(&t.p);
	cr_assert_eq(harness_count(log, "warning:"), 1, "%s", log);
	free(log);
	harness_kill(&t.p);
}

static long long
wait_status_num(const struct ctl_it *t, const char *key, long long want)
{
	long long deadline = harness_now_ms() + HARNESS_TIMEOUT_MS, v = -1;
	char *r;

	while (harness_now_ms() < deadline) {
		r = ctl_it_request(t, "status");
		v = ctl_it_num(r, key);
		free(r);
		if (v == want)
			break;
		harness_sleep_ms(20);
	}
	return v;
}

Test(ctl, sighup_reloads_with_f)
{
	const char *const extra[] = { "-c", "6", NULL };
	struct ctl_it t;
	char want[400];

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	ctl_it_write_limits(&t, "max_per_network=3");
	cr_assert_eq(kill(t.p.pid, SIGHUP), 0);
	cr_assert_eq(wait_status_num(&t, "max_per_network", 3), 3);
	ctl_it_write_limits(&t, "max_per_network=4 \n");
	cr_assert_eq(kill(t.p.pid, SIGHUP), 0);
	snprintf(want, sizeof want, "unable to read limits %s: 1: max_per_network must be a whole number",
	    t.limits);
	cr_assert_eq(harness_wait_stderr(&t.p, want, 1, HARNESS_TIMEOUT_MS), 0);
	cr_assert_eq(wait_status_num(&t, "max_per_network", 3), 3, "kept");
	ctl_it_still_serves(&t);
	harness_kill(&t.p);
}

Test(ctl, sighup_without_f_kills_as_0_88_does)
{
	struct harness_proc p;
	const char *dir = harness_tmpdir();
	char *const args[] = { (char *)ctl_it_binary(), "-1", "-HR", "-l0",
	    "127.0.0.1", "0", "/bin/true", NULL };

	cr_assert_eq(harness_spawn(&p, dir, args, NULL, NULL), 0);
	cr_assert_gt(harness_read_port(&p, HARNESS_TIMEOUT_MS), 0);
	cr_assert_eq(kill(p.pid, SIGHUP), 0);
	cr_assert_eq(harness_wait_exit(&p, HARNESS_TIMEOUT_MS), 0);
	cr_assert(WIFSIGNALED(p.status) && WTERMSIG(p.status) == SIGHUP,
	    "status %d", p.status);
	harness_kill(&p);
}

Test(ctl, restart_keeps_the_file_limits)
{
	const char *const extra[] = { "-c", "40", "-C", "2", NULL };
	struct ctl_it t;
	char *r;

	ctl_it_init(&t);
	ctl_it_start(&t, extra, NULL);
	r = ctl_it_request(&t, "set max_per_ip=9");
	cr_assert_eq(ctl_it_num(r, "max_per_ip"), 9);
	free(r);
	/* What mailctld does to persist: write the file, then reload. */
	ctl_it_write_limits(&t, "max_connections=21\nmax_per_ip=7\n");
	r = ctl_it_request(&t, "reload");
	cr_assert_eq(ctl_it_num(r, "max_per_ip"), 7, "%s", r);
	free(r);
	/* SIGKILL leaves the socket file behind: the next start replaces it. */
	harness_kill(&t.p);
	ctl_it_start(&t, extra, NULL);
	r = ctl_it_request(&t, "status");
	cr_assert_eq(ctl_it_num(r, "max_connections"), 21, "%s", r);
	cr_assert_eq(ctl_it_num(r, "max_per_ip"), 7);
	cr_assert_not_null(strstr(r, "\nlimits_source file\n"), "%s", r);
	free(r);
	cr_assert_eq(harness_wait_stderr(&t.p, "status: 0/21", 1,
	    HARNESS_TIMEOUT_MS), 0, "the log uses the file's limit");
	harness_kill(&t.p);
}

Test(ctl, limit_source_rule_and_environment)
{
	static const char rules_text[] = "127.0.0.2:allow,MAXCONNIP=\"1\"\n";
	char cdb[300];
	const char *const extra[] = { "-C", "5", "-x", cdb, NULL };
	const char *const env[] = { "MAXCONNIP=3", NULL };
	char *const tcprules[] = { "/usr/bin/tcprules", "rules.cdb", "rules.tmp",
	    NULL };
	struct harness_opts ho = HARNESS_OPTS_ZERO;
	struct ctl_it t;
	pid_t pid;
	int a, b;
	char *r, *rules;

	ctl_it_init(&t);
	rules = harness_write_file(t.dir, "rules", rules_text,
	    strlen(rules_text));
	cr_assert_not_null(rules);
	ho.cwd = t.dir;
	ho.stdin_path = rules;
	cr_assert_eq(harness_run(t.dir, tcprules, NULL, &ho, HARNESS_TIMEOUT_MS,
	    NULL, NULL), 0, "tcprules failed");
	free(rules);
	snprintf(cdb, sizeof cdb, "%s/rules.cdb", t.dir);
	ctl_it_start(&t, extra, env);
	cr_assert_geq(a = ctl_it_hold(&t, "127.0.0.1", &pid, HARNESS_TIMEOUT_MS), 0);
	cr_assert_geq(b = ctl_it_hold(&t, "127.0.0.2", &pid, HARNESS_TIMEOUT_MS), 0);
	r = ctl_it_request(&t, "connections");
	cr_assert_not_null(strstr(r, "ip 127.0.0.1 count 1 limit 3 source env "),
	    "%s", r);
	cr_assert_not_null(strstr(r, "ip 127.0.0.2 count 1 limit 1 source "
	    "rule:127.0.0.2 "), "%s", r);
	free(r);
	cr_assert_eq(ctl_it_hold(&t, "127.0.0.2", &pid, HARNESS_TIMEOUT_MS), -1,
	    "the rule's MAXCONNIP=1 refuses the second");
	r = ctl_it_request(&t, "status");
	cr_assert_eq(ctl_it_num(r, "refused_rule_ip"), 1, "%s", r);
	free(r);
	close(a);
	close(b);
	harness_kill(&t.p);
}

Test(ctl, ipv6_clients_counted_per_prefix)
{
	const char *const extra[] = { "-k", "64", "-C", "2", NULL };
	struct ctl_it t;
	pid_t pids[2];
	int fd[2], i;
	char *r;

	ctl_it_init(&t);
	t.host = "::1";
	ctl_it_start(&t, extra, NULL);
	for (i = 0; i < 2; i++)
		cr_assert_geq(fd[i] = ctl_it_hold(&t, NULL, &pids[i],
		    HARNESS_TIMEOUT_MS), 0);
	qsort(pids, 2, sizeof pids[0], pid_cmp);
	r = ctl_it_request(&t, "connections");
	expect_line(r, "::", 2, pids, "2 source option");
	free(r);
	/* Any address of that /64 names it. */
	r = ctl_it_request(&t, "connections ip ::abcd");
	expect_line(r, "::", 2, pids, "2 source option");
	free(r);
	r = ctl_it_request(&t, "connections ip 1::1");
	cr_assert_str_eq(r, "ok\n.\n");
	free(r);
	cr_assert_eq(ctl_it_hold(&t, NULL, &pids[0], HARNESS_TIMEOUT_MS), -1,
	    "a third from the /64 is refused by -C 2");
	r = ctl_it_request(&t, "status");
	cr_assert_eq(ctl_it_num(r, "refused_ip"), 1, "%s", r);
	free(r);
	for (i = 0; i < 2; i++)
		close(fd[i]);
	harness_kill(&t.p);
}

Test(ctl, pipelined_requests_answered_in_order)
{
	struct ctl_it t;
	char *r;
	int fd;

	ctl_it_init(&t);
	ctl_it_start(&t, NULL, NULL);
	fd = ctl_it_connect(t.sock);
	cr_assert_geq(fd, 0);
	cr_assert_eq(harness_send(fd, "set max_per_ip=3\nconnections\n"
	    "bogus\nquit\nstatus\n"), 0);
	r = ctl_it_read_block(fd);
	cr_assert_eq(ctl_it_num(r, "max_per_ip"), 3, "%s", r);
	free(r);
	r = ctl_it_read_block(fd);
	cr_assert_str_eq(r, "ok\n.\n");
	free(r);
	r = ctl_it_read_block(fd);
	cr_assert_str_eq(r, "error usage unknown request\n.\n");
	free(r);
	r = ctl_it_read_block(fd);
	cr_assert_str_eq(r, "ok\n.\n");
	free(r);
	r = harness_read_all(fd, HARNESS_TIMEOUT_MS, NULL);
	cr_assert_str_eq(r, "", "nothing after quit");
	free(r);
	close(fd);
	harness_kill(&t.p);
}
