/* tcpserver_it_limits.c: the -c wait (both servers), and our extensions:
 * per-IP and per-network refusals (-C, -N, MAXCONNIP, MAXCONNC, DIEMSG),
 * protocol presets (-m) and the readiness descriptor (-w). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "tcpserver_it.h"

TestSuite(it_limits, .fini = harness_cleanup, .timeout = 30);

static const char *const no_env[] = { NULL };

/* Starts a greet-cat.sh server of flavour f with opts (and rules text
 * compiled to -x when not NULL), env added to its environment; returns
 * its directory. */
static const char *
start_env(struct it_server *s, enum it_flavour f, const char *const *opts,
    const char *rules, const char *const *env)
{
	const char *dir = harness_tmpdir();
	const char *const prog[] = { it_child("greet-cat.sh"), NULL };
	const char *o[16];

	cr_assert_not_null(dir);
	it_opts_rules(dir, opts, rules, o, 16);
	cr_assert_eq(it_server_start(s, f, dir, o, "127.0.0.1", prog, env),
	    0, "%s did not start", it_bin(f));
	return dir;
}

static const char *
start(struct it_server *s, enum it_flavour f, const char *const *opts,
    const char *rules)
{
	return start_env(s, f, opts, rules, no_env);
}

/* A client whose child is running: connected and greeted. */
static int
hold(const struct it_server *s, const char *src)
{
	char buf[16];
	int fd = harness_connect(4, src, s->port, HARNESS_TIMEOUT_MS);

	cr_assert_neq(fd, -1, "connect failed");
	harness_read_upto(fd, buf, sizeof(buf), 6, HARNESS_TIMEOUT_MS);
	cr_assert_str_eq(buf, "hello\n", "client from %s was not served",
	    src ? src : "127.0.0.1");
	return fd;
}

/* What a client reads up to EOF (a refused client); NULL if no EOF. */
static char *
refused(const struct it_server *s, const char *src)
{
	int fd = harness_connect(4, src, s->port, HARNESS_TIMEOUT_MS);
	char *reply;

	cr_assert_neq(fd, -1, "connect failed");
	reply = harness_read_all(fd, HARNESS_TIMEOUT_MS, NULL);
	close(fd);
	return reply;
}

/* Closes fd and waits until its child is reaped (n "end" lines). */
static void
close_and_reap(const struct it_server *s, int fd, int n)
{
	close(fd);
	cr_assert_eq(harness_wait_stderr(&s->proc, ": end ", n,
	    HARNESS_TIMEOUT_MS), 0, "%s: child %d not reaped",
	    it_prog_name(s->flavour), n);
}

/* At the limit the third client's connect succeeds at once (kernel
 * backlog) but its child starts only when another child exits. Returns
 * the normalised -v log of the whole sequence. */
static char *
limit_waits(enum it_flavour f, const void *arg)
{
	struct it_server s;
	char buf[16], *log, *norm;
	int a, b, c;

	start(&s, f, (const char *const[]){ "-v", "-c", "2", NULL }, arg);
	a = hold(&s, NULL);
	b = hold(&s, NULL);
	c = harness_connect(4, NULL, s.port, 1000);
	cr_assert_neq(c, -1, "%s: connect at the limit failed",
	    it_prog_name(f));
	cr_expect_eq(harness_readable(c, 300), 0,
	    "%s: third client served (or closed) while at the limit",
	    it_prog_name(f));
	close_and_reap(&s, a, 1);
	harness_read_upto(c, buf, sizeof(buf), 6, HARNESS_TIMEOUT_MS);
	cr_expect_str_eq(buf, "hello\n", "%s: waiting client never served",
	    it_prog_name(f));
	close_and_reap(&s, b, 2);
	close_and_reap(&s, c, 3);
	/* 1 initial + 3 accepts + 3 reaps */
	harness_wait_stderr(&s.proc, ": status: ", 7, HARNESS_TIMEOUT_MS);
	log = harness_stderr(&s.proc);
	norm = it_log_normalise(log, f);
	free(log);
	it_server_free(&s);
	return norm;
}

Test(it_limits, at_limit_clients_wait_in_backlog)
{
	static const char *const needles[] = { "tcpserver: status: 2/2\n",
	    NULL };

	it_compare(limit_waits, NULL, needles);
}

Test(it_limits, per_ip_refusal_sends_msg_and_logs_deny)
{
	struct it_server s;
	char *reply, *log, *line;
	int a, b;

	start(&s, IT_OURS, (const char *const[]){ "-v", "-C",
	    "1:busy\\r\\n", NULL }, NULL);
	a = hold(&s, NULL);
	reply = refused(&s, NULL);
	cr_expect_str_eq(reply, "busy\r\n");
	/* another address is not affected */
	b = hold(&s, "127.0.0.2");
	cr_expect_eq(harness_wait_stderr(&s.proc, ": deny ", 1,
	    HARNESS_TIMEOUT_MS), 0, "no deny line");
	log = harness_stderr(&s.proc);
	line = it_log_line(log, ": deny ");
	cr_expect(line != NULL && strstr(line, "MAXCONNIP") != NULL,
	    "deny line does not name the reason: %s\n%s", line, log);
	/* refused in the listener: no child, so pid 0 and no end line */
	cr_expect(line != NULL && strstr(line, ": deny 0 ") != NULL,
	    "deny line without pid 0: %s", line);
	cr_expect_eq(harness_count(log, ": end "), 0, "an end line:\n%s", log);
	free(line);
	free(log);
	free(reply);
	close(a);
	close(b);
	it_server_free(&s);
}

Test(it_limits, per_ip_slot_freed_when_child_exits)
{
	struct it_server s;
	int a;

	start(&s, IT_OURS, (const char *const[]){ "-v", "-C", "1", NULL },
	    NULL);
	a = hold(&s, NULL);
	free(refused(&s, NULL));
	close(a);
	cr_assert_eq(harness_wait_stderr(&s.proc, ": end ", 1,
	    HARNESS_TIMEOUT_MS), 0);
	close(hold(&s, NULL));
	it_server_free(&s);
}

Test(it_limits, per_network_refusal)
{
	struct it_server s;
	char *reply;
	int a;

	start(&s, IT_OURS, (const char *const[]){ "-N", "1:net full\\r\\n",
	    NULL }, NULL);
	a = hold(&s, "127.0.0.1");
	reply = refused(&s, "127.0.0.2");
	cr_expect_str_eq(reply, "net full\r\n");
	free(reply);
	close(a);
	it_server_free(&s);
}

/* The presets' first words, per RFC 9051, 5321 and 2449. */
static void
preset_check(const char *proto, const char *prefix)
{
	struct it_server s;
	char *reply;
	int a;

	start(&s, IT_OURS, (const char *const[]){ "-C", "1", "-m", proto,
	    NULL }, NULL);
	a = hold(&s, NULL);
	reply = refused(&s, NULL);
	cr_assert_not_null(reply);
	cr_expect(strncmp(reply, prefix, strlen(prefix)) == 0,
	    "-m %s sent \"%s\"", proto, reply);
	cr_expect(strlen(reply) >= 2 &&
	    strcmp(reply + strlen(reply) - 2, "\r\n") == 0,
	    "-m %s: not one CRLF line: \"%s\"", proto, reply);
	free(reply);
	close(a);
	it_server_free(&s);
}

Test(it_limits, preset_imap)
{
	preset_check("imap", "* BYE [UNAVAILABLE]");
}

Test(it_limits, preset_smtp)
{
	preset_check("smtp", "421 4.7.0");
}

Test(it_limits, preset_pop3)
{
	preset_check("pop3", "-ERR [SYS/TEMP]");
}

Test(it_limits, rule_maxconnip_and_diemsg)
{
	struct it_server s;
	char *reply;
	int a, b;

	start(&s, IT_OURS, NULL,
	    "127.0.0.1:allow,MAXCONNIP=\"1\",DIEMSG=\"go away\"\n");
	a = hold(&s, NULL);
	reply = refused(&s, NULL);
	cr_assert_not_null(reply);
	cr_expect(strncmp(reply, "go away", 7) == 0, "got \"%s\"", reply);
	/* the rule covers 127.0.0.1 only */
	b = hold(&s, "127.0.0.2");
	free(reply);
	close(a);
	close(b);
	it_server_free(&s);
}

Test(it_limits, rule_maxconnip_0_always_refuses)
{
	struct it_server s;
	char *reply;

	start(&s, IT_OURS, (const char *const[]){ "-v", NULL },
	    "127.0.0.2:allow,MAXCONNIP=\"0\"\n");
	reply = refused(&s, "127.0.0.2");
	cr_expect_str_eq(reply, "", "refused client got data");
	cr_expect_eq(harness_wait_stderr(&s.proc, "MAXCONNIP", 1,
	    HARNESS_TIMEOUT_MS), 0, "no deny line naming MAXCONNIP");
	close(hold(&s, "127.0.0.1"));
	free(reply);
	it_server_free(&s);
}

Test(it_limits, rule_maxconnc_counts_the_network)
{
	struct it_server s;
	char *reply;
	int a, b;

	start(&s, IT_OURS, (const char *const[]){ "-v", NULL },
	    "127.0.0.:allow,MAXCONNC=\"1\"\n");
	a = hold(&s, "127.0.0.1");
	reply = refused(&s, "127.0.0.2");
	cr_expect_str_eq(reply, "");
	cr_expect_eq(harness_wait_stderr(&s.proc, "MAXCONNC", 1,
	    HARNESS_TIMEOUT_MS), 0, "no deny line naming MAXCONNC");
	/* another /24 is another network */
	b = hold(&s, "127.0.1.1");
	free(reply);
	close(a);
	close(b);
	it_server_free(&s);
}

Test(it_limits, readiness_fd_gets_newline_then_eof)
{
	struct harness_opts ho = HARNESS_OPTS_ZERO;
	const char *dir = harness_tmpdir();
	const char *const prog[] = { it_child("greet-cat.sh"), NULL };
	struct it_server s;
	char buf[8];
	int pfd[2];

	cr_assert_not_null(dir);
	cr_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
	ho.pass_fd = pfd[1];
	ho.pass_fd_as = 5;
	cr_assert_eq(it_server_start_with(&s, IT_OURS, dir,
	    (const char *const[]){ "-w", "5", NULL }, "127.0.0.1", prog,
	    no_env, &ho), 0, "%s did not start", it_bin(IT_OURS));
	close(pfd[1]);
	cr_expect_eq(harness_read_upto(pfd[0], buf, sizeof(buf), 2,
	    HARNESS_TIMEOUT_MS), 1, "readiness fd: not one byte then EOF");
	cr_expect_str_eq(buf, "\n");
	close(hold(&s, NULL));
	close(pfd[0]);
	it_server_free(&s);
}

Test(it_limits, environment_gives_defaults)
{
	struct it_server s;
	char *reply;
	int a;

	start_env(&s, IT_OURS, NULL, NULL, (const char *const[]){
	    "MAXCONNIP=1", "DIEMSG=full", NULL });
	a = hold(&s, NULL);
	reply = refused(&s, NULL);
	cr_expect_str_eq(reply, "full\r\n");
	free(reply);
	close(a);
	it_server_free(&s);
}

Test(it_limits, rule_gives_one_address_more_room)
{
	struct it_server s;
	char *reply;
	int a, b;

	start(&s, IT_OURS, (const char *const[]){ "-C", "1:busy\\r\\n", NULL },
	    "127.0.0.1:allow,MAXCONNIP=\"2\",DIEMSG=\"rule says no\"\n");
	a = hold(&s, NULL);
	b = hold(&s, NULL);
	reply = refused(&s, NULL);
	/* the rule's DIEMSG comes before the -C message */
	cr_expect_str_eq(reply, "rule says no\r\n");
	free(reply);
	close(a);
	close(b);
	a = hold(&s, "127.0.0.2");
	reply = refused(&s, "127.0.0.2");
	cr_expect_str_eq(reply, "busy\r\n", "-C does not hold elsewhere");
	free(reply);
	close(a);
	it_server_free(&s);
}

Test(it_limits, rule_variables_reach_the_program)
{
	const char *dir = harness_tmpdir();
	static const char *const lines[] = { NULL };
	const char *o[8];
	char *out;

	cr_assert_not_null(dir);
	it_opts_rules(dir, NULL, "127.0.0.1:allow,MAXCONNIP=\"3\","
	    "DIEMSG=\"x\"\n", o, 8);
	out = it_env_run(IT_OURS, dir, o, NULL, NULL, lines);
	cr_assert_not_null(out, "%s did not serve", it_bin(IT_OURS));
	cr_expect(harness_has_line(out, "MAXCONNIP=3") && harness_has_line(out,
	    "DIEMSG=x"), "rule variables missing:\n%s", out);
	free(out);
}

/* The listener keeps the rules mapped for its limits; a recompiled file
 * must take effect (the check may lag a little, so retry, bounded). */
Test(it_limits, recompiled_limits_take_effect)
{
	struct it_server s;
	const char *dir;
	char *reply, *cdb, buf[16];
	long long deadline;
	int fd = -1;

	dir = start(&s, IT_OURS, NULL, "127.0.0.2:allow,MAXCONNIP=\"0\"\n");
	reply = refused(&s, "127.0.0.2");
	cr_expect_str_eq(reply, "", "not refused at first");
	free(reply);
	cdb = it_rules_compile(dir, "rules",
	    "127.0.0.2:allow,MAXCONNIP=\"5\"\n");
	cr_assert_not_null(cdb);
	free(cdb);
	deadline = harness_now_ms() + HARNESS_TIMEOUT_MS;
	do {
		if (fd != -1)
			close(fd);
		fd = harness_connect(4, "127.0.0.2", s.port,
		    HARNESS_TIMEOUT_MS);
		harness_read_upto(fd, buf, sizeof(buf), 6, 1000);
	} while (strcmp(buf, "hello\n") != 0 && harness_now_ms() < deadline);
	cr_expect_str_eq(buf, "hello\n", "new limit never applied");
	close(fd);
	it_server_free(&s);
}
