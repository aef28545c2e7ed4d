/* tcpserver_it_env.c: the child's environment from mailstack-tcpserver
 * equals the real tcpserver's, including unset semantics and rule variables. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpserver_it.h"

struct env_case {
	const char *const *opts;	/* after the harness's -1 -H -R -l it */
	const char *const *env;		/* added to PATH=/usr/bin:/bin */
	const char *rules;		/* compiled by the real tcprules */
};

/* The reply of /usr/bin/env as the child of flavour f, normalised. */
static char *
env_run(enum it_flavour f, const void *arg)
{
	static const char *const no_lines[] = { NULL };
	const struct env_case *c = arg;
	const char *dir = harness_tmpdir();
	const char *o[16];

	cr_assert_not_null(dir);
	it_opts_rules(dir, c->opts, c->rules, o, 16);
	return it_env_run(f, dir, o, c->env, NULL, no_lines);
}

/* The real server's environment establishes the expected value; ours must
 * be identical. The needles are sanity checks of the scenario itself. */
static void
env_compare(const char *const *opts, const char *const *env,
    const char *rules, const char *const *needles)
{
	struct env_case c = { opts, env, rules };

	it_compare(env_run, &c, needles);
}

TestSuite(it_env, .fini = harness_cleanup, .timeout = 30);

Test(it_env, plain)
{
	env_compare(NULL, NULL, NULL, (const char *const[]){
	    "PROTO=TCP\n", "TCPLOCALIP=127.0.0.1\n", "TCPLOCALPORT=LPORT\n",
	    "TCPREMOTEIP=127.0.0.1\n", "TCPREMOTEPORT=RPORT\n",
	    "TCPLOCALHOST=it\n", NULL });
}

Test(it_env, stale_inherited_variables_replaced_or_removed)
{
	static const char *const stale[] = { "PROTO=stale",
	    "TCPLOCALHOST=stale.example", "TCPLOCALIP=192.0.2.1",
	    "TCPLOCALPORT=1", "TCPREMOTEHOST=stale.example",
	    "TCPREMOTEINFO=stale", "TCPREMOTEIP=192.0.2.2",
	    "TCPREMOTEPORT=2", "KEEP=me", NULL };

	env_compare(NULL, stale, NULL, (const char *const[]){
	    "KEEP=me\n", "PROTO=TCP\n", "TCPREMOTEIP=127.0.0.1\n", NULL });
}

Test(it_env, local_name_zero)
{
	/* A second -l overrides the harness's "-l it". */
	env_compare((const char *const[]){ "-l", "0", NULL }, NULL, NULL,
	    (const char *const[]){ "TCPLOCALHOST=0\n", NULL });
}

Test(it_env, rule_variables_applied_last)
{
	env_compare(NULL, NULL,
	    "127.0.0.1:allow,PROTO=\"XTCP\",TCPLOCALHOST=\"movie.edu\","
	    "RELAYCLIENT=\"\",TCPREMOTEIP=\"198.51.100.7\"\n"
	    ":allow,OTHER=\"never\"\n",
	    (const char *const[]){ "PROTO=XTCP\n", "TCPLOCALHOST=movie.edu\n",
	    "RELAYCLIENT=\n", "TCPREMOTEIP=198.51.100.7\n", NULL });
}

Test(it_env, rule_prefix_and_odd_names)
{
	env_compare(NULL, (const char *const[]){ "RELAYCLIENT=old", NULL },
	    "127.:allow,A B=\"1\",=\"2\",P,Q=\"3\",RELAYCLIENT=/x,y/\n",
	    (const char *const[]){ "A B=1\n", "=2\n", "P,Q=3\n",
	    "RELAYCLIENT=x,y\n", NULL });
}

Test(it_env, no_matching_rule_adds_nothing)
{
	env_compare(NULL, NULL, "10.:allow,TEN=\"x\"\n",
	    (const char *const[]){ "PROTO=TCP\n", NULL });
}

Test(it_env, banner_comes_before_the_program)
{
	/* The banner arrives as the first line of the reply (sorted with the
	 * rest after normalising, so it is checked as a line). */
	env_compare((const char *const[]){ "-B", "220 hi\r\n", NULL }, NULL,
	    NULL, (const char *const[]){ "220 hi\r\n", NULL });
}

Test(it_env, local_name_passed_raw)
{
	env_compare((const char *const[]){ "-l", "we:ird%na me", NULL }, NULL,
	    NULL, (const char *const[]){ "TCPLOCALHOST=we:ird%na me\n", NULL });
}

/* The descriptors the child's program starts with: the connection on 0
 * and 1, the listener's stderr, and whatever the listener inherited (here
 * a pipe on 7); nothing of the listener's own (listening socket, pipes). */
static char *
fds_run(enum it_flavour f, const void *arg)
{
	static const char *const prog[] = { "/bin/ls", "/proc/self/fd", NULL };
	struct harness_opts ho = HARNESS_OPTS_ZERO;
	const char *dir = harness_tmpdir();
	struct it_server s;
	char *reply = NULL;
	int pfd[2];

	cr_assert_not_null(dir);
	cr_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
	ho.pass_fd = pfd[0];
	ho.pass_fd_as = 7;
	if (it_server_start_with(&s, f, dir, arg, "127.0.0.1", prog, NULL,
	    &ho) == 0)
		reply = it_fetch(&s, 4, NULL, NULL, NULL);
	close(pfd[0]);
	close(pfd[1]);
	it_server_free(&s);
	return reply;
}

Test(it_env, child_descriptors)
{
	static const char *const needles[] = { "0\n1\n2\n3\n7\n", NULL };

	it_compare(fds_run, NULL, needles);
}

Test(it_env, child_descriptors_with_rules)
{
	static const char *const opts[] = { "-X", "-x", "missing.cdb", NULL };
	static const char *const needles[] = { "0\n1\n2\n", NULL };

	it_compare(fds_run, opts, needles);
}

/* The raw reply of one client of PROG run with OPTS by flavour f. */
static char *
prog_reply(enum it_flavour f, const char *const *opts,
    const char *const *prog)
{
	const char *dir = harness_tmpdir();
	struct it_server s;
	char *reply = NULL;

	cr_assert_not_null(dir);
	if (it_server_start(&s, f, dir, opts, "127.0.0.1", prog, NULL) == 0)
		reply = it_fetch(&s, 4, NULL, NULL, NULL);
	it_server_free(&s);
	return reply;
}

/* The program starts with no signal blocked or ignored (the listener
 * ignores SIGPIPE and blocks SIGCHLD for itself only). */
static char *
signals_run(enum it_flavour f, const void *arg)
{
	static const char *const prog[] = { "/bin/grep", "-E",
	    "^Sig(Blk|Ign)", "/proc/self/status", NULL };

	return prog_reply(f, arg, prog);
}

Test(it_env, child_signal_state)
{
	static const char *const needles[] = { "SigBlk:", "SigIgn:", NULL };

	it_compare(signals_run, NULL, needles);
}

/* The same through ours' fork path (a banner asks for per-connection
 * work, so no vfork). */
Test(it_env, child_signal_state_with_banner)
{
	static const char *const opts[] = { "-B", "hi\n", NULL };
	static const char *const needles[] = { "hi\nSigBlk:", NULL };

	it_compare(signals_run, opts, needles);
}

/* The connection as the program gets it: -D sets TCP_NODELAY, nothing
 * else changes, and it is blocking. */
static char *
sockopts_run(enum it_flavour f, const void *arg)
{
	const char *const prog[] = { it_child("sockopts.py"), NULL };

	return prog_reply(f, arg, prog);
}

Test(it_env, socket_options_default)
{
	static const char *const needles[] = { "TCP_NODELAY=0\n",
	    "O_NONBLOCK=0\n", NULL };

	it_compare(sockopts_run, NULL, needles);
}

Test(it_env, socket_options_nodelay)
{
	static const char *const opts[] = { "-D", NULL };
	static const char *const needles[] = { "TCP_NODELAY=1\n", NULL };

	it_compare(sockopts_run, opts, needles);
}

Test(it_env, socket_options_nodelay_slow_path)
{
	static const char *const opts[] = { "-D", "-B", "", "-x", "none.cdb",
	    "-X", NULL };
	static const char *const needles[] = { "TCP_NODELAY=1\n", NULL };

	it_compare(sockopts_run, opts, needles);
}
