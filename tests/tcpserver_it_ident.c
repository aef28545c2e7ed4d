/* tcpserver_it_ident.c: TCPREMOTEINFO from a fake identd, mailstack-
 * tcpserver against the real tcpserver. Each test runs in its own network
 * namespace (loopback only), so ident on port 113 stays private. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcpserver_it.h"

TestSuite(it_ident, .fini = harness_cleanup, .timeout = 30);

/* One ident exchange: reads the request line, answers it followed by
 * reply (the fake's whole character), closes. */
static void
identd_answer(int c, const char *reply)
{
	char req[128];
	size_t n = 0;

	while (n < sizeof(req) - 1 && harness_readable(c, 2000) &&
	    read(c, req + n, 1) == 1 && req[n] != '\n')
		n++;
	while (n > 0 && (req[n - 1] == '\r' || req[n - 1] == '\n'))
		n--;
	if (*reply == '\0') {
		/* the silent kind: hold the line past any -t in the tests */
		harness_sleep_ms(3000);
		return;
	}
	if (write(c, req, n) != (ssize_t)n ||
	    write(c, reply, strlen(reply)) != (ssize_t)strlen(reply))
		return;
}

/* A fake identd on 127.0.0.1:113, listening before this returns. */
static void
identd_start(const char *reply)
{
	int fd = harness_bind_loopback(SOCK_STREAM, 113);
	pid_t pid;

	cr_assert_neq(fd, -1, "cannot listen on 127.0.0.1:113");
	pid = harness_fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		for (;;) {
			int c = accept(fd, NULL, NULL);

			if (c == -1)
				continue;
			identd_answer(c, reply);
			close(c);
		}
	}
	close(fd);
}

struct ident_case {
	const char *reply;		/* NULL = no identd, "" = one that
					 * never answers */
	const char *const *opts;	/* after -v -r (ident on) */
};

/* Env of one client plus the normalised ok line. */
static char *
ident_run(enum it_flavour f, const void *arg)
{
	static const char *const lines[] = { ": ok ", NULL };
	const struct ident_case *c = arg;
	const char *dir = harness_tmpdir();
	const char *o[8] = { "-r" };

	cr_assert_not_null(dir);
	it_opts_rules(dir, c->opts, NULL, o + 1, 7);
	return it_env_run(f, dir, o, NULL, NULL, lines);
}

static void
ident_compare(const char *reply, const char *const *opts, const char *needle)
{
	struct ident_case c = { reply, opts };
	const char *const needles[] = { needle, NULL };

	cr_assert_eq(harness_private_net(), 0, "no private network namespace");
	if (reply != NULL)
		identd_start(reply);
	it_compare(ident_run, &c, needles);
}

Test(it_ident, userid)
{
	ident_compare(" : USERID : UNIX : joe\r\n", NULL,
	    "\nTCPREMOTEINFO=joe\n");
}

Test(it_ident, charset_in_os_field)
{
	ident_compare(" : USERID : UNIX,UTF-8 : alice\r\n", NULL,
	    "\nTCPREMOTEINFO=alice\n");
}

Test(it_ident, spaces_dropped_and_log_field_sanitised)
{
	ident_compare(" : USERID : UNIX : j o:e%x\xe9y\r\n", NULL,
	    ":127.0.0.1:jo?e?x?y:PORT");
}

Test(it_ident, error_reply_sets_it_empty)
{
	ident_compare(" : ERROR : NO-USER\r\n", NULL, "\nTCPREMOTEINFO=\n");
}

Test(it_ident, no_newline_leaves_it_unset)
{
	ident_compare(" : USERID : UNIX : bob", NULL, "ok PID it:127.0.0.1:PORT "
	    ":127.0.0.1::PORT");
}

Test(it_ident, refused_leaves_it_unset)
{
	ident_compare(NULL, NULL, "ok PID it:127.0.0.1:PORT :127.0.0.1::PORT");
}

Test(it_ident, silent_identd_times_out_unset)
{
	ident_compare("", (const char *const[]){ "-t", "1", NULL },
	    "ok PID it:127.0.0.1:PORT :127.0.0.1::PORT");
}
