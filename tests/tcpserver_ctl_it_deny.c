/* tcpserver_ctl_it_deny.c: a deny rule is answered by the listener
 * itself: the banner, then the close, the child's log lines under pid 0,
 * counted as "denied" in status and kept across a re-exec. The same
 * bytes as the real tcpserver's forked child are checked in
 * tests/tcpserver_it_rules.c (run on both paths). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpserver_ctl_util.h"

#define DENY_CLIENTS 100

/* dir/rules.cdb from text, by the real tcprules. */
static void
rules_compile(const struct ctl_it *t, const char *text, char *cdb, size_t n)
{
	char cmd[1024];

	snprintf(cdb, n, "%s/rules.cdb", t->dir);
	snprintf(cmd, sizeof cmd, "printf '%s' | /usr/bin/tcprules %s %s/rules.tmp",
	    text, cdb, t->dir);
	cr_assert_eq(system(cmd), 0, "tcprules failed: %s", cmd);
}

/* All a denied client reads, up to the close (NULL: no close came). */
static char *
denied_reply(const struct ctl_it *t)
{
	int fd = harness_connect(4, "127.0.0.2", (unsigned)t->port,
	    HARNESS_TIMEOUT_MS);
	size_t len;
	char *r;

	cr_assert_geq(fd, 0);
	r = harness_read_all(fd, HARNESS_TIMEOUT_MS, &len);
	close(fd);
	cr_assert_not_null(r, "the listener closed the connection");
	return r;
}

Test(ctl_deny, deny_rule_is_answered_without_a_child)
{
	struct ctl_it t;
	char cdb[300], banner[8], *r, *log;
	pid_t pid;
	int i, held;

	ctl_it_init(&t);
	rules_compile(&t, "127.0.0.2:deny\\n:allow\\n", cdb, sizeof cdb);
	ctl_it_start(&t, (const char *const[]){ "-B", "hi\r\n", "-x", cdb,
	    NULL }, NULL);
	held = harness_connect(4, NULL, (unsigned)t.port, HARNESS_TIMEOUT_MS);
	cr_assert_geq(held, 0);
	cr_assert_eq(harness_read_upto(held, banner, sizeof banner, 4,
	    HARNESS_TIMEOUT_MS), 4);
	cr_assert_str_eq(banner, "hi\r\n");
	cr_assert(ctl_it_greeting(held, &pid, HARNESS_TIMEOUT_MS),
	    "an allowed client is served after the banner");
	for (i = 0; i < DENY_CLIENTS; i++) {
		r = denied_reply(&t);
		cr_assert_str_eq(r, "hi\r\n", "client %d read the banner, "
		    "then the close", i);
		free(r);
	}
	r = ctl_it_request(&t, "status");
	cr_assert_eq(ctl_it_num(r, "denied"), DENY_CLIENTS, "%s", r);
	cr_assert_eq(ctl_it_num(r, "live"), 1, "%s", r);
	free(r);
	/* No process was made: every line says pid 0, as for the limits. */
	cr_assert_eq(harness_wait_stderr(&t.p, "end 0 status 25600\n",
	    DENY_CLIENTS, HARNESS_TIMEOUT_MS), 0);
	log = harness_stderr(&t.p);
	cr_expect_eq(harness_count(log, "pid 0 from 127.0.0.2\n"),
	    DENY_CLIENTS, "%s", log);
	cr_expect_eq(harness_count(log, "deny 0 0:127.0.0.1:"), DENY_CLIENTS,
	    "%s", log);
	cr_expect_eq(harness_count(log, ":127.0.0.2::"), DENY_CLIENTS);
	free(log);
	/* Counted across a re-exec (the state's "denied"). */
	r = ctl_it_request(&t, "reexec");
	cr_assert_eq(ctl_it_num(r, "reexecs"), 1, "%s", r);
	cr_assert_eq(ctl_it_num(r, "denied"), DENY_CLIENTS, "%s", r);
	free(r);
	cr_assert(ctl_it_alive(held));
	close(held);
	harness_kill(&t.p);
}

/* The rules are looked up per connection, as 0.88 opens the file each
 * time: a new rules.cdb (tcprules renames it into place) applies to the
 * next client, on the path that needs no child as on the other. */
Test(ctl_deny, a_new_rules_file_applies_to_the_next_client)
{
	struct ctl_it t;
	char cdb[300], *r;
	pid_t pid;
	int fd;

	ctl_it_init(&t);
	rules_compile(&t, ":allow\\n", cdb, sizeof cdb);
	ctl_it_start(&t, (const char *const[]){ "-x", cdb, NULL }, NULL);
	fd = ctl_it_hold(&t, "127.0.0.2", &pid, HARNESS_TIMEOUT_MS);
	cr_assert_geq(fd, 0, "allowed before the change");
	close(fd);
	rules_compile(&t, "127.0.0.2:deny\\n:allow\\n", cdb, sizeof cdb);
	r = denied_reply(&t);
	cr_assert_str_eq(r, "", "denied at once after the change");
	free(r);
	r = ctl_it_request(&t, "status");
	cr_assert_eq(ctl_it_num(r, "denied"), 1, "%s", r);
	free(r);
	harness_kill(&t.p);
}
