/* tcpserver_it_faults.c: fork failure under a low RLIMIT_NPROC (the
 * listener runs as an unprivileged uid: root is exempt) and the uid/gid
 * drop of -u/-g/-U. */
#include <criterion/criterion.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tcpserver_it.h"

TestSuite(it_faults, .fini = harness_cleanup, .timeout = 30);

/* RLIMIT_NPROC counts every process of the real uid on the machine, so
 * each listener that may run at the same time gets its own unused uid. */
#define REAL_UID 4242
#define OURS_UID 4243
#define PRESET_UID 4248	/* fork_failure_with_preset_says_busy, in parallel */

struct as_user {
	uid_t uid;
	rlim_t nproc;
};

/* Harness setup hook: the listener runs as u->uid with u->nproc. */
static int
become(void *arg)
{
	const struct as_user *u = arg;
	struct rlimit rl = { u->nproc, u->nproc };

	if (setrlimit(RLIMIT_NPROC, &rl) == -1 || setgroups(0, NULL) == -1 ||
	    setgid(u->uid) == -1 || setuid(u->uid) == -1)
		return -1;
	return 0;
}

/* With room for the listener and one child, a second concurrent client
 * is dropped with a warning; after the first child exits, the listener
 * serves again. Returns the normalised warning line and *reply gets what
 * the dropped client read. */
static char *
fork_failure(enum it_flavour f, char **reply)
{
	struct harness_opts ho = HARNESS_OPTS_ZERO;
	struct as_user u = { f == IT_REAL ? REAL_UID : OURS_UID, 2 };
	const char *dir = harness_tmpdir();
	const char *const prog[] = { it_child("greet-cat.sh"), NULL };
	struct it_server s;
	char buf[16], *log, *line, *norm;
	int a, b, c;

	cr_assert_not_null(dir);
	ho.setup = become;
	ho.setup_arg = &u;
	cr_assert_eq(it_server_start_with(&s, f, dir, (const char *const[]){
	    "-v", NULL }, "127.0.0.1", prog, NULL, &ho), 0,
	    "%s did not start as uid %d", it_bin(f), (int)u.uid);
	a = harness_connect(4, NULL, s.port, HARNESS_TIMEOUT_MS);
	harness_read_upto(a, buf, sizeof(buf), 6, HARNESS_TIMEOUT_MS);
	cr_assert_str_eq(buf, "hello\n", "%s: first client not served",
	    it_prog_name(f));
	b = harness_connect(4, NULL, s.port, HARNESS_TIMEOUT_MS);
	cr_assert_neq(b, -1);
	*reply = harness_read_all(b, HARNESS_TIMEOUT_MS, NULL);
	cr_assert_eq(harness_wait_stderr(&s.proc, "unable to fork", 1,
	    HARNESS_TIMEOUT_MS), 0, "%s: no fork warning", it_prog_name(f));
	close(a);
	close(b);
	cr_assert_eq(harness_wait_stderr(&s.proc, ": end ", 1,
	    HARNESS_TIMEOUT_MS), 0);
	c = harness_connect(4, NULL, s.port, HARNESS_TIMEOUT_MS);
	harness_read_upto(c, buf, sizeof(buf), 6, HARNESS_TIMEOUT_MS);
	cr_expect_str_eq(buf, "hello\n", "%s: not serving after the failure",
	    it_prog_name(f));
	close(c);
	log = harness_stderr(&s.proc);
	line = it_log_line(log, "unable to fork");
	norm = it_log_normalise(line, f);
	free(line);
	free(log);
	it_server_free(&s);
	return norm;
}

Test(it_faults, fork_failure_drops_and_keeps_serving)
{
	char *real, *ours, *rreply = NULL, *oreply = NULL;

	real = fork_failure(IT_REAL, &rreply);
	cr_assert(strstr(real, "tcpserver: warning: dropping connection, "
	    "unable to fork: ") != NULL, "scenario broken: %s", real);
	ours = fork_failure(IT_OURS, &oreply);
	cr_expect_str_eq(ours, real);
	cr_expect_str_eq(oreply ? oreply : "(no EOF)", rreply ? rreply : "",
	    "dropped client read something else");
	free(real);
	free(ours);
	free(rreply);
	free(oreply);
}

/* Ours only: with a -m preset the dropped client is told the server is
 * busy instead of seeing a bare close. */
Test(it_faults, fork_failure_with_preset_says_busy)
{
	struct harness_opts ho = HARNESS_OPTS_ZERO;
	struct as_user u = { PRESET_UID, 1 };
	const char *dir = harness_tmpdir();
	const char *const prog[] = { "/bin/true", NULL };
	struct it_server s;
	char *reply;

	cr_assert_not_null(dir);
	ho.setup = become;
	ho.setup_arg = &u;
	cr_assert_eq(it_server_start_with(&s, IT_OURS, dir,
	    (const char *const[]){ "-m", "smtp", NULL }, "127.0.0.1", prog,
	    NULL, &ho), 0, "%s did not start", it_bin(IT_OURS));
	reply = it_fetch(&s, 4, NULL, NULL, NULL);
	cr_assert_not_null(reply);
	cr_expect(strncmp(reply, "421 4.7.0 ", 10) == 0, "got \"%s\"", reply);
	cr_expect_eq(harness_wait_stderr(&s.proc, "unable to fork", 1,
	    HARNESS_TIMEOUT_MS), 0, "no fork warning");
	free(reply);
	it_server_free(&s);
}

/* Ours only (0.88 retries accept in a busy loop, silently): with
 * RLIMIT_NOFILE 0 the listener can open nothing (accept fails, and so
 * does poll); it warns, pauses instead of spinning, and serves the waiting
 * client once descriptors are back. */
Test(it_faults, accept_without_descriptors_pauses_then_serves)
{
	const char *dir = harness_tmpdir();
	const char *const prog[] = { it_child("greet-cat.sh"), NULL };
	struct it_server s;
	struct rlimit old, tight;
	char buf[16], *log;
	int c, warnings;

	cr_assert_not_null(dir);
	cr_assert_eq(it_server_start(&s, IT_OURS, dir, NULL, "127.0.0.1", prog,
	    NULL), 0, "%s did not start", it_bin(IT_OURS));
	cr_assert_eq(prlimit(s.proc.pid, RLIMIT_NOFILE, NULL, &old), 0);
	tight = old;
	tight.rlim_cur = 0;
	cr_assert_eq(prlimit(s.proc.pid, RLIMIT_NOFILE, &tight, NULL), 0);
	c = harness_connect(4, NULL, s.port, HARNESS_TIMEOUT_MS);
	cr_assert_neq(c, -1);
	cr_expect_eq(harness_wait_stderr(&s.proc, "warning: ", 1,
	    HARNESS_TIMEOUT_MS), 0, "no warning");
	harness_sleep_ms(500);
	log = harness_stderr(&s.proc);
	warnings = harness_count(log, "warning: ");
	/* a pause of 100 ms gives about 5; a busy loop thousands */
	cr_expect_leq(warnings, 50, "%d warnings in 0.5 s: spinning", warnings);
	free(log);
	cr_assert_eq(prlimit(s.proc.pid, RLIMIT_NOFILE, &old, NULL), 0);
	harness_read_upto(c, buf, sizeof(buf), 6, HARNESS_TIMEOUT_MS);
	cr_expect_str_eq(buf, "hello\n", "waiting client not served");
	close(c);
	it_server_free(&s);
}

/* What ids.sh prints as the child of flavour f with opts and env. */
static char *
child_ids(enum it_flavour f, const char *const *opts, const char *const *env)
{
	const char *dir = harness_tmpdir();
	const char *const prog[] = { it_child("ids.sh"), NULL };
	struct it_server s;
	char *reply;

	cr_assert_not_null(dir);
	cr_assert_eq(it_server_start(&s, f, dir, opts, "127.0.0.1", prog, env),
	    0, "%s did not start", it_bin(f));
	reply = it_fetch(&s, 4, NULL, NULL, NULL);
	it_server_free(&s);
	return reply;
}

static void
ids_compare(const char *const *opts, const char *const *env,
    const char *want)
{
	char *real = child_ids(IT_REAL, opts, env);
	char *ours = child_ids(IT_OURS, opts, env);

	cr_assert_str_eq(real, want, "scenario broken");
	cr_expect_str_eq(ours, real);
	free(real);
	free(ours);
}

Test(it_faults, numeric_uid_gid)
{
	ids_compare((const char *const[]){ "-u", "4244", "-g", "4245", NULL },
	    NULL, "uid=4244 gid=4245 groups=4245\n");
}

Test(it_faults, uid_gid_from_environment)
{
	ids_compare((const char *const[]){ "-U", NULL },
	    (const char *const[]){ "UID=4246", "GID=4247", NULL },
	    "uid=4246 gid=4247 groups=4247\n");
}

/* Ours resolves names (the real one silently keeps root). */
Test(it_faults, uid_gid_names_resolved)
{
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");
	char want[128], *ours;

	cr_assert(pw != NULL && gr != NULL, "no nobody/nogroup here");
	snprintf(want, sizeof(want), "uid=%d gid=%d groups=%d\n",
	    (int)pw->pw_uid, (int)gr->gr_gid, (int)gr->gr_gid);
	ours = child_ids(IT_OURS, (const char *const[]){ "-u", "nobody", "-g",
	    "nogroup", NULL }, NULL);
	cr_expect_str_eq(ours, want);
	free(ours);
}
