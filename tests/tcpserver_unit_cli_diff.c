/* tcpserver_unit_cli_diff.c: random command lines given to the real
 * tcpserver and to ours (under the name "tcpserver"): exit code, stdout
 * and stderr must match, except where ours is stricter on purpose (numbers,
 * user and group names) or asks another resolver. Runs in a private
 * network namespace (host words are looked up by the real tcpserver), and
 * is skipped where one cannot be made; the port word is never a number or
 * a service, so no server ever starts. */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define REAL "/usr/bin/tcpserver"
#define CASES 300

TestSuite(cli_diff, .fini = harness_cleanup, .timeout = 120);

static const char *const pool[] = {
	"-v", "-q", "-Q", "-c5", "-c0", "-Z", "--", "-", "--foo", "-qv",
	"-1UX", "-vHR", "-pPoOdD", "-:", "-rh", "-vc", "-x", "-B", "-l", "-u",
	"-g", "-t", "-b", "h", "x", "ban", "r.cdb",
};
#define POOL (sizeof pool / sizeof pool[0])

/* Ours is allowed to say no where 0.88 reads garbage as 0, and the two
 * resolvers word their failures differently. */
static int
expected_difference(const char *real_err, const char *our_err)
{
	return strstr(our_err, "not a number") != NULL ||
	    strstr(our_err, "unknown user") != NULL ||
	    strstr(our_err, "unknown group") != NULL ||
	    (strstr(real_err, "IP address for") != NULL &&
	    strstr(our_err, "IP address for") != NULL);
}

static int
run(const char *dir, const char *bin, char **words, size_t n, char **out,
    char **err)
{
	char *argv[16];
	char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
	size_t i;

	argv[0] = (char *)bin;
	for (i = 0; i < n; i++)
		argv[i + 1] = words[i];
	argv[n + 1] = NULL;
	return harness_run(dir, argv, envp, NULL, 3000, out, err);
}

Test(cli_diff, random_command_lines_match_the_real_tcpserver)
{
	const char *dir = harness_tmpdir();
	const char *top = getenv("MAILSTACK_TOP");
	char ours[512], target[512], *words[12];
	int c, same = 0, excused = 0;

	if (access(REAL, X_OK) != 0 || unshare(CLONE_NEWNET) != 0)
		cr_skip_test("needs " REAL " and a private network namespace");
	cr_assert_not_null(dir);
	snprintf(target, sizeof target, "%s/daemons/tcpserver/mailstack-tcpserver",
	    top ? top : ".");
	snprintf(ours, sizeof ours, "%s/tcpserver", dir);
	cr_assert_eq(symlink(target, ours), 0);
	srandom(20261128);
	for (c = 0; c < CASES; c++) {
		size_t n = (size_t)(random() % 7), i, tail = (size_t)(random() % 4);
		static char *const tails[] = { "host", "bad!port", "true" };
		char *o1, *e1, *o2, *e2;
		int s1, s2;

		for (i = 0; i < n; i++)
			words[i] = (char *)pool[random() % POOL];
		for (i = 0; i < tail; i++)
			words[n + i] = tails[i];
		s1 = run(dir, REAL, words, n + tail, &o1, &e1);
		s2 = run(dir, ours, words, n + tail, &o2, &e2);
		cr_assert_neq(s1, -1, "case %d: the real tcpserver did not end", c);
		cr_assert_neq(s2, -1, "case %d: ours did not end", c);
		if (s1 == s2 && strcmp(o1, o2) == 0 && strcmp(e1, e2) == 0)
			same++;
		else if (expected_difference(e1, e2))
			excused++;
		else
			cr_assert_fail("case %d (%zu words): real %d [%s][%s], ours %d "
			    "[%s][%s]", c, n + tail, s1, o1, e1, s2, o2, e2);
		free(o1);
		free(e1);
		free(o2);
		free(e2);
	}
	cr_assert_gt(same, CASES / 2, "only %d of %d identical (%d excused)",
	    same, CASES, excused);
}
