/* tcpserver_it_v6.c: IPv6 on ::1 and the dual-stack host 0 (ours only:
 * Debian's ucspi-tcp is IPv4-only); values as the ucspi-tcp-ipv6 build's. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpserver_it.h"

TestSuite(it_v6, .fini = harness_cleanup, .timeout = 30);

/* The normalised environment one client (family 4 or 6) of an env server
 * of flavour f on host gets; *log gets the normalised log when not NULL. */
static char *
flavour_env(enum it_flavour f, const char *host, int family,
    const char *const *opts, char **log)
{
	static const char *const prog[] = { "/usr/bin/env", NULL };
	const char *dir = harness_tmpdir();
	struct it_server s;
	char *reply, *env, *raw;
	int cport;

	cr_assert_not_null(dir);
	cr_assert_eq(it_server_start(&s, f, dir, opts, host, prog, NULL),
	    0, "%s did not start on %s", it_bin(f), host);
	reply = it_fetch(&s, family, NULL, NULL, &cport);
	cr_assert_not_null(reply, "no reply over IPv%d", family);
	env = it_env_normalise(reply, s.port, cport);
	if (log != NULL) {
		harness_wait_stderr(&s.proc, ": end ", 1, HARNESS_TIMEOUT_MS);
		raw = harness_stderr(&s.proc);
		*log = it_log_normalise(raw, f);
		free(raw);
	}
	free(reply);
	it_server_free(&s);
	return env;
}

static char *
v6_env(const char *host, int family, const char *const *opts, char **log)
{
	return flavour_env(IT_OURS, host, family, opts, log);
}

static void
expect_lines(const char *text, const char *const *lines)
{
	for (; *lines != NULL; lines++)
		cr_expect(harness_has_line(text, *lines), "missing \"%s\" in:\n%s",
		    *lines, text);
}

Test(it_v6, loopback_v6_environment)
{
	char *env = v6_env("::1", 6, NULL, NULL);

	expect_lines(env, (const char *const[]){ "PROTO=TCP6",
	    "TCPREMOTEIP=::1", "TCP6REMOTEIP=::1", "TCPLOCALIP=::1",
	    "TCP6LOCALIP=::1", "TCPLOCALPORT=LPORT", "TCP6LOCALPORT=LPORT",
	    "TCPREMOTEPORT=RPORT", "TCP6REMOTEPORT=RPORT",
	    "TCPLOCALHOST=it", "TCP6LOCALHOST=it", NULL });
	cr_expect_null(strstr(env, "REMOTEHOST="), "-H left a host:\n%s", env);
	cr_expect_null(strstr(env, "REMOTEINFO="), "-R left info:\n%s", env);
	free(env);
}

Test(it_v6, loopback_v6_log_lines)
{
	char *log = NULL;

	free(v6_env("::1", 6, (const char *const[]){ "-v", NULL }, &log));
	expect_lines(log, (const char *const[]){
	    "tcpserver: pid PID from ::1",
	    "tcpserver: ok PID it:::1:PORT :::1::PORT",
	    "tcpserver: end PID status 0", NULL });
	free(log);
}

Test(it_v6, dual_stack_host_0_with_ipv4_client)
{
	char *env = v6_env("0", 4, NULL, NULL);

	expect_lines(env, (const char *const[]){ "PROTO=TCP",
	    "TCPREMOTEIP=127.0.0.1", "TCPLOCALIP=127.0.0.1",
	    "TCPLOCALPORT=LPORT", "TCPREMOTEPORT=RPORT", NULL });
	free(env);
}

/* The drop-in promise for the most common run script (host 0): ours
 * listens on both families, yet an IPv4 client gets exactly what the real
 * IPv4-only tcpserver gives it: the same variables (no TCP6*) and the same
 * log lines. */
Test(it_v6, dual_stack_host_0_ipv4_client_same_as_real)
{
	const char *const opts[] = { "-v", NULL };
	char *theirs_log = NULL, *ours_log = NULL;
	char *theirs = flavour_env(IT_REAL, "0", 4, opts, &theirs_log);
	char *ours = flavour_env(IT_OURS, "0", 4, opts, &ours_log);

	cr_assert(harness_has_line(theirs, "PROTO=TCP"), "real env:\n%s", theirs);
	cr_expect_str_eq(ours, theirs);
	cr_expect_null(strstr(ours, "TCP6"), "TCP6* set:\n%s", ours);
	cr_expect(harness_has_line(theirs_log, "tcpserver: ok PID it:127.0.0.1:PORT "
	    ":127.0.0.1::PORT"), "real log:\n%s", theirs_log);
	cr_expect_str_eq(ours_log, theirs_log);
	free(theirs);
	free(ours);
	free(theirs_log);
	free(ours_log);
}

Test(it_v6, dual_stack_host_0_with_ipv6_client)
{
	char *env = v6_env("0", 6, NULL, NULL);

	expect_lines(env, (const char *const[]){ "PROTO=TCP6",
	    "TCPREMOTEIP=::1", "TCP6REMOTEIP=::1", NULL });
	free(env);
}

/* The IPv4 tcprules cannot write IPv6 keys, so the cdb is made with
 * tinycdb's cdb -c from records "+klen,dlen:key->data". */
static char *
v6_rules(const char *dir)
{
	static const char rec[] =
	    "+3,9:::1->+SEEN=v6\0\n"
	    "+9,2:127.0.0.1->D\0\n"
	    "+0,11:->+SEEN=none\0\n\n";
	struct harness_opts ho = HARNESS_OPTS_ZERO;
	char *in, *cdb, *tmp;

	in = harness_write_file(dir, "v6.in", rec, sizeof(rec) - 1);
	cr_assert_not_null(in);
	cr_assert_neq(asprintf(&cdb, "%s/v6.cdb", dir), -1);
	cr_assert_neq(asprintf(&tmp, "%s/v6.tmp", dir), -1);
	ho.stdin_path = in;
	cr_assert_eq(harness_run(dir, (char *const[]){ "/usr/bin/cdb", "-c",
	    "-t", tmp, cdb, NULL }, NULL, &ho, HARNESS_TIMEOUT_MS, NULL, NULL),
	    0, "cdb -c failed");
	free(in);
	free(tmp);
	return cdb;
}

Test(it_v6, rules_key_is_the_v6_text)
{
	static const char *const prog[] = { "/usr/bin/env", NULL };
	const char *dir = harness_tmpdir();
	struct it_server s;
	char *cdb, *reply;

	cr_assert_not_null(dir);
	cdb = v6_rules(dir);
	cr_assert_eq(it_server_start(&s, IT_OURS, dir, (const char *const[]){
	    "-x", cdb, NULL }, "::1", prog, NULL), 0);
	reply = it_fetch(&s, 6, NULL, NULL, NULL);
	cr_expect(harness_has_line(reply, "SEEN=v6"), "rule ::1 not applied: %s",
	    reply);
	free(reply);
	free(cdb);
	it_server_free(&s);
}

Test(it_v6, per_ip_limit_over_v6)
{
	const char *dir = harness_tmpdir();
	const char *const prog[] = { it_child("greet-cat.sh"), NULL };
	struct it_server s;
	char buf[16], *reply;
	int a, b;

	cr_assert_not_null(dir);
	cr_assert_eq(it_server_start(&s, IT_OURS, dir, (const char *const[]){
	    "-C", "1:full\\r\\n", NULL }, "::1", prog, NULL), 0);
	a = harness_connect(6, NULL, s.port, HARNESS_TIMEOUT_MS);
	cr_assert_neq(a, -1);
	harness_read_upto(a, buf, sizeof(buf), 6, HARNESS_TIMEOUT_MS);
	cr_expect_str_eq(buf, "hello\n");
	b = harness_connect(6, NULL, s.port, HARNESS_TIMEOUT_MS);
	cr_assert_neq(b, -1);
	reply = harness_read_all(b, HARNESS_TIMEOUT_MS, NULL);
	cr_expect_str_eq(reply, "full\r\n");
	free(reply);
	close(a);
	close(b);
	it_server_free(&s);
}
