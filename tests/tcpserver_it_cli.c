/* tcpserver_it_cli.c: usage errors, fatal start-up errors, -q and SIGTERM
 * of mailstack-tcpserver against the real tcpserver. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcpserver_it.h"

#define MAX_ARGS 16

struct run_result {
	int code;	/* exit code, 128+signal, or -1 (did not exit in time) */
	char *err;	/* stderr with the program name turned into "tcpserver" */
};

/* Replaces the program name with "tcpserver" where 0.88 prints its own:
 * the "NAME: " line prefix and the word after "usage: ". */
static char *
unprefix(const char *text, enum it_flavour f)
{
	const char *name = it_prog_name(f);
	size_t nlen = strlen(name);
	char *out = NULL;
	size_t outlen = 0;
	FILE *mf = open_memstream(&out, &outlen);

	cr_assert_not_null(mf);
	while (*text != '\0') {
		size_t n = strcspn(text, "\n");

		if (strncmp(text, name, nlen) == 0 &&
		    strncmp(text + nlen, ": ", 2) == 0) {
			fputs("tcpserver", mf);
			text += nlen;
			n -= nlen;
			if (strncmp(text, ": usage: ", 9) == 0 &&
			    strncmp(text + 9, name, nlen) == 0) {
				fputs(": usage: tcpserver", mf);
				text += 9 + nlen;
				n -= 9 + nlen;
			}
		}
		fprintf(mf, "%.*s\n", (int)n, text);
		text += n + (text[n] == '\n');
	}
	fclose(mf);
	return out;
}

/* Runs BIN ARGS... to completion with an empty environment. */
static struct run_result
run_bin(enum it_flavour f, const char *const *args)
{
	const char *dir = harness_tmpdir();
	const char *argv[MAX_ARGS];
	struct run_result r = { -1, NULL };
	char *err = NULL;
	size_t n = 0;
	int st;

	cr_assert_not_null(dir);
	argv[n++] = it_bin(f);
	for (; *args != NULL && n < MAX_ARGS - 1; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	st = harness_run(dir, (char *const *)argv, NULL, NULL, 3000, NULL,
	    &err);
	if (st != -1)
		r.code = harness_exit_code(st);
	r.err = unprefix(err != NULL ? err : "", f);
	free(err);
	return r;
}

/* Same exit code, same stderr (the usage line byte for byte: ours lists
 * its extra options only in its manual). */
static void
cli_compare(const char *const *args, int want_code)
{
	struct run_result real = run_bin(IT_REAL, args);
	struct run_result ours = run_bin(IT_OURS, args);
	char *rl, *ol, *rs = NULL, *os = NULL;

	cr_assert_eq(real.code, want_code, "scenario broken: real exit %d",
	    real.code);
	cr_expect_eq(ours.code, real.code, "exit code: ours %d, real %d",
	    ours.code, real.code);
	rl = strtok_r(real.err, "\n", &rs);
	ol = strtok_r(ours.err, "\n", &os);
	for (; rl != NULL; rl = strtok_r(NULL, "\n", &rs),
	    ol = strtok_r(NULL, "\n", &os)) {
		cr_assert_not_null(ol, "ours lacks the line: %s", rl);
		cr_expect_str_eq(ol, rl);
	}
	cr_expect_null(ol, "ours has an extra line: %s", ol);
	free(real.err);
	free(ours.err);
}

TestSuite(it_cli, .fini = harness_cleanup, .timeout = 30);

Test(it_cli, no_arguments)
{
	cli_compare((const char *const[]){ NULL }, 100);
}

Test(it_cli, illegal_option)
{
	cli_compare((const char *const[]){ "-Z", "127.0.0.1", "0", "true",
	    NULL }, 100);
}

Test(it_cli, missing_option_argument)
{
	cli_compare((const char *const[]){ "-c", NULL }, 100);
}

Test(it_cli, missing_port_and_program)
{
	cli_compare((const char *const[]){ "127.0.0.1", NULL }, 100);
}

Test(it_cli, missing_program)
{
	cli_compare((const char *const[]){ "127.0.0.1", "0", NULL }, 100);
}

Test(it_cli, quiet_missing_program_is_silent)
{
	cli_compare((const char *const[]){ "-q", "127.0.0.1", "0", NULL },
	    100);
}

Test(it_cli, quiet_still_reports_getopt_errors)
{
	cli_compare((const char *const[]){ "-q", "-Z", "127.0.0.1", "0",
	    "true", NULL }, 100);
}

Test(it_cli, bad_port_name)
{
	cli_compare((const char *const[]){ "127.0.0.1", "25x", "true", NULL },
	    111);
}

Test(it_cli, option_after_host_is_the_port)
{
	cli_compare((const char *const[]){ "127.0.0.1", "-v", "0", "true",
	    NULL }, 111);
}

/* Another listener holds a port; both servers must refuse to start. */
static void
busy_compare(const char *quiet)
{
	static const char *const prog[] = { "/bin/true", NULL };
	const char *dir = harness_tmpdir();
	struct it_server holder;
	char port[16];

	cr_assert_not_null(dir);
	cr_assert_eq(it_server_start(&holder, IT_REAL, dir, NULL, "127.0.0.1",
	    prog, NULL), 0);
	snprintf(port, sizeof(port), "%ld", holder.port);
	cli_compare((const char *const[]){ quiet, "-H", "-R", "-l", "it",
	    "127.0.0.1", port, "/bin/true", NULL }, 111);
	it_server_free(&holder);
}

Test(it_cli, busy_port)
{
	busy_compare("-Q");
}

Test(it_cli, busy_port_quiet)
{
	busy_compare("-q");
}

/* SIGTERM ends the listener with 0 at once; the child of a client that
 * was connected before keeps serving it. */
static void
sigterm_check(enum it_flavour f)
{
	const char *dir = harness_tmpdir();
	const char *const prog[] = { it_child("greet-cat.sh"), NULL };
	struct it_server s;
	char buf[64];
	int fd;

	cr_assert_not_null(dir);
	cr_assert_eq(it_server_start(&s, f, dir, NULL, "127.0.0.1", prog,
	    NULL), 0, "%s did not start", it_bin(f));
	fd = harness_connect(4, NULL, s.port, HARNESS_TIMEOUT_MS);
	cr_assert_neq(fd, -1);
	harness_read_upto(fd, buf, sizeof(buf), 6, HARNESS_TIMEOUT_MS);
	cr_assert_str_eq(buf, "hello\n", "%s: no greeting", it_prog_name(f));
	cr_expect_eq(harness_exit_code(it_server_stop(&s)), 0,
	    "%s: SIGTERM did not end it with 0", it_prog_name(f));
	cr_expect_eq(harness_connect(4, NULL, s.port, 1000), -1,
	    "%s: still accepting after SIGTERM", it_prog_name(f));
	cr_assert_eq(harness_send(fd, "ping\n"), 0);
	harness_read_upto(fd, buf, sizeof(buf), 5, HARNESS_TIMEOUT_MS);
	cr_expect_str_eq(buf, "ping\n", "%s: child stopped serving",
	    it_prog_name(f));
	shutdown(fd, SHUT_WR);
	cr_expect_eq(harness_read_upto(fd, buf, sizeof(buf), 1,
	    HARNESS_TIMEOUT_MS), 0, "%s: no EOF from the child",
	    it_prog_name(f));
	close(fd);
	it_server_free(&s);
}

Test(it_cli, sigterm_exits_0_and_child_keeps_serving)
{
	sigterm_check(IT_REAL);
	sigterm_check(IT_OURS);
}

/* 0.88 parses the port before it looks for the program. */
Test(it_cli, bad_port_reported_before_missing_program)
{
	cli_compare((const char *const[]){ "127.0.0.1", "25x", NULL }, 111);
}

Test(it_cli, limit_0_accepted)
{
	/* "-c 0" is taken by both (and then never accepts); the status line
	 * says so. Checked through the start-up log of a running server. */
	const char *dir = harness_tmpdir();
	static const char *const prog[] = { "/bin/true", NULL };
	static const char *const opts[] = { "-v", "-c", "0", NULL };
	struct it_server real, ours;
	char *log, *rl, *ol;

	cr_assert_not_null(dir);
	cr_assert_eq(it_server_start(&real, IT_REAL, dir, opts, "127.0.0.1",
	    prog, NULL), 0);
	cr_assert_eq(harness_wait_stderr(&real.proc, ": status: ", 1,
	    HARNESS_TIMEOUT_MS), 0);
	cr_assert_eq(it_server_start(&ours, IT_OURS, dir, opts, "127.0.0.1",
	    prog, NULL), 0, "%s refused -c 0", it_bin(IT_OURS));
	cr_expect_eq(harness_wait_stderr(&ours.proc, ": status: ", 1,
	    HARNESS_TIMEOUT_MS), 0);
	log = harness_stderr(&real.proc);
	rl = unprefix(log, IT_REAL);
	free(log);
	log = harness_stderr(&ours.proc);
	ol = unprefix(log, IT_OURS);
	free(log);
	cr_expect_str_eq(ol, rl);
	free(rl);
	free(ol);
	it_server_free(&real);
	it_server_free(&ours);
}

/* A documented difference: numbers are checked (0.88 reads "3x" as 3 and
 * "abc" as 0). */
static void
strict_number_check(const char *opt, const char *value)
{
	struct run_result ours = run_bin(IT_OURS, (const char *const[]){ opt,
	    value, "127.0.0.1", "0", "/bin/true", NULL });

	cr_expect_eq(ours.code, 100, "%s %s: exit %d", opt, value, ours.code);
	cr_expect(strstr(ours.err, "tcpserver: usage: tcpserver ") != NULL,
	    "%s %s: no usage line:\n%s", opt, value, ours.err);
	free(ours.err);
}

Test(it_cli, numbers_checked)
{
	strict_number_check("-c", "3x");
	strict_number_check("-c", "abc");
	strict_number_check("-b", "-1");
	strict_number_check("-t", "2s");
}

/* Signals other than TERM keep their default action in both: the listener
 * dies of them (there is no reload on HUP). */
static int
killed_by(enum it_flavour f, int sig)
{
	const char *dir = harness_tmpdir();
	static const char *const prog[] = { "/bin/true", NULL };
	struct it_server s;
	int code = -1;

	cr_assert_not_null(dir);
	cr_assert_eq(it_server_start(&s, f, dir, NULL, "127.0.0.1", prog,
	    NULL), 0, "%s did not start", it_bin(f));
	kill(s.proc.pid, sig);
	if (harness_wait_exit(&s.proc, HARNESS_TIMEOUT_MS) == 0)
		code = harness_exit_code(s.proc.status);
	it_server_free(&s);
	return code;
}

Test(it_cli, other_signals_keep_default_action)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGUSR1, SIGALRM };
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int real = killed_by(IT_REAL, sigs[i]);

		cr_assert_eq(real, 128 + sigs[i], "scenario broken: %d", real);
		cr_expect_eq(killed_by(IT_OURS, sigs[i]), real, "signal %d",
		    sigs[i]);
	}
}

/* A host name that cannot be put in a DNS query (a label over 63 bytes,
 * a name over 255 on the wire) is 0.88's protocol error, before any
 * query, so the text is the same without a network. */
Test(it_cli, host_label_over_63_bytes)
{
	char label64[80], name254[300];
	int i;

	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".example.com");
	cli_compare((const char *const[]){ "-H", "-R", "-l", "0", label64,
	    "0", "true", NULL }, 111);
	name254[0] = '\0';
	for (i = 0; i < 4; i++)
		strcat(name254, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	strcat(name254, "aaaaaaaaaaaaaa");
	cli_compare((const char *const[]){ "-H", "-R", "-l", "0", name254,
	    "0", "true", NULL }, 111);
}
