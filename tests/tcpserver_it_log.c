/* tcpserver_it_log.c: -v/-Q/-q log lines of mailstack-tcpserver have the
 * real tcpserver's shapes (raw wait status, ok/deny fields, drops). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tcpserver_it.h"

struct log_case {
	const char *const *opts;	/* after the harness's -1 -H -R -l it */
	const char *const *prog;
	const char *rules;	/* compiled to rules.cdb in the cwd, or NULL */
	int clients;		/* served one after the other */
	int want_status_lines;	/* 0 = none expected (-Q, -q) */
	const char *needle;	/* must be in the real log (scenario check) */
};

/* Runs the case against flavour f; returns the normalised log after a
 * SIGTERM, which must end the server with exit 0. */
static char *
log_run(enum it_flavour f, const void *arg)
{
	const struct log_case *c = arg;
	const char *dir = harness_tmpdir();
	struct it_server s;
	char *log, *norm;
	int i, st;

	cr_assert_not_null(dir);
	if (c->rules != NULL)
		cr_assert_not_null(it_rules_compile(dir, "rules", c->rules));
	if (it_server_start(&s, f, dir, c->opts, "127.0.0.1", c->prog,
	    NULL) == -1) {
		it_server_free(&s);
		return NULL;
	}
	/* One client at a time, each reaped before the next, so that the
	 * status counts do not depend on timing: the initial status line,
	 * then one per accept and one per reaped child. */
	for (i = 0; i < c->clients; i++) {
		free(it_fetch(&s, 4, NULL, NULL, NULL));
		if (c->want_status_lines)
			harness_wait_stderr(&s.proc, ": status: ",
			    1 + 2 * (i + 1), HARNESS_TIMEOUT_MS);
		else
			harness_sleep_ms(100);
	}
	st = it_server_stop(&s);
	cr_expect_eq(harness_exit_code(st), 0, "%s: SIGTERM gave status %d",
	    it_prog_name(f), st);
	log = harness_stderr(&s.proc);
	norm = it_log_normalise(log, f);
	free(log);
	it_server_free(&s);
	return norm;
}

static void
log_compare(const struct log_case *c)
{
	const char *const needles[] = { c->needle, NULL };

	it_compare(log_run, c, needles);
}

TestSuite(it_log, .fini = harness_cleanup, .timeout = 30);

Test(it_log, ok_lines_and_exit_status_0)
{
	struct log_case c = { (const char *const[]){ "-v", "-c", "7", NULL },
	    (const char *const[]){ "/bin/true", NULL }, NULL, 2, 1,
	    "tcpserver: ok PID it:127.0.0.1:PORT :127.0.0.1::PORT\n" };

	log_compare(&c);
}

Test(it_log, exit_3_is_raw_status_768)
{
	struct log_case c = { (const char *const[]){ "-v", NULL },
	    (const char *const[]){ it_child("exiter.sh"), "3", NULL }, NULL,
	    1, 1, "tcpserver: end PID status 768\n" };

	log_compare(&c);
}

Test(it_log, sigkill_is_raw_status_9)
{
	struct log_case c = { (const char *const[]){ "-v", NULL },
	    (const char *const[]){ it_child("exiter.sh"), "KILL", NULL }, NULL,
	    1, 1, "tcpserver: end PID status 9\n" };

	log_compare(&c);
}

Test(it_log, deny_is_raw_status_25600)
{
	struct log_case c = { (const char *const[]){ "-v", "-x", "rules.cdb",
	    NULL }, (const char *const[]){ "/bin/true", NULL },
	    "127.0.0.1:deny\n", 1, 1, "tcpserver: end PID status 25600\n" };

	log_compare(&c);
}

Test(it_log, deny_line_fields)
{
	struct log_case c = { (const char *const[]){ "-v", "-x", "rules.cdb",
	    NULL }, (const char *const[]){ "/bin/true", NULL },
	    "127.0.0.1:deny\n", 1, 1,
	    "tcpserver: deny PID it:127.0.0.1:PORT :127.0.0.1::PORT\n" };

	log_compare(&c);
}

Test(it_log, drop_is_raw_status_28416)
{
	struct log_case c = { (const char *const[]){ "-v", "-x", "missing.cdb",
	    NULL }, (const char *const[]){ "/bin/true", NULL }, NULL, 1, 1,
	    "tcpserver: end PID status 28416\n" };

	log_compare(&c);
}

Test(it_log, default_verbosity_prints_only_the_drop)
{
	struct log_case c = { (const char *const[]){ "-x", "missing.cdb",
	    NULL }, (const char *const[]){ "/bin/true", NULL }, NULL, 1, 0,
	    "tcpserver: warning: dropping connection, unable to read "
	    "missing.cdb: file does not exist\n" };

	log_compare(&c);
}

Test(it_log, quiet_prints_nothing)
{
	struct log_case c = { (const char *const[]){ "-v", "-q", "-x",
	    "missing.cdb", NULL }, (const char *const[]){ "/bin/true", NULL },
	    NULL, 1, 0, "" };
	char *real, *ours;

	real = log_run(IT_REAL, &c);
	cr_assert_str_eq(real, "", "scenario broken: real -q printed %s", real);
	ours = log_run(IT_OURS, &c);
	cr_assert_not_null(ours, "%s did not start", it_bin(IT_OURS));
	cr_expect_str_eq(ours, "", "-q printed:\n%s", ours);
	free(real);
	free(ours);
}

Test(it_log, program_not_found_is_a_drop)
{
	struct log_case c = { (const char *const[]){ "-v", NULL },
	    (const char *const[]){ "/nonexistent/prog", NULL }, NULL, 1, 1,
	    "tcpserver: warning: dropping connection, unable to run "
	    "/nonexistent/prog: file does not exist\n" };

	log_compare(&c);
}

Test(it_log, ok_line_shows_l_not_the_rule_override)
{
	struct log_case c = { (const char *const[]){ "-v", "-x", "rules.cdb",
	    NULL }, (const char *const[]){ "/bin/true", NULL },
	    "127.0.0.1:allow,TCPLOCALHOST=\"movie.edu\"\n", 1, 1,
	    "tcpserver: ok PID it:127.0.0.1:PORT :127.0.0.1::PORT\n" };

	log_compare(&c);
}

Test(it_log, fields_sanitised)
{
	struct log_case c = { (const char *const[]){ "-v", "-l",
	    "we:ird%na\tme x\x7f", NULL },
	    (const char *const[]){ "/bin/true", NULL }, NULL, 1, 1,
	    "tcpserver: ok PID we?ird?na?me?x?:127.0.0.1:PORT" };

	log_compare(&c);
}

Test(it_log, long_field_cut_at_100)
{
	static char name[151];
	struct log_case c = { (const char *const[]){ "-v", "-l", name, NULL },
	    (const char *const[]){ "/bin/true", NULL }, NULL, 1, 1, "...:" };

	memset(name, 'n', sizeof(name) - 1);
	log_compare(&c);
}
