/* tcpserver_it_churn.c: thousands of short connections, some reset by the
 * client, children exiting at once: the counts must come back to 0/N and
 * every started child must be reaped and logged. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcpserver_it.h"

#define CHURN_CONNECTIONS 3000
#define CHURN_BATCH 8		/* connections open at once */
#define CHURN_SETTLE_MS 30000

TestSuite(it_churn, .fini = harness_cleanup, .timeout = 90);

/* Opens a batch, then resets about a third of it at once and reads the
 * rest to EOF. Returns how many connects failed. */
static int
churn_batch(const struct it_server *s, unsigned *seed)
{
	int fds[CHURN_BATCH], i, failed = 0;

	for (i = 0; i < CHURN_BATCH; i++) {
		fds[i] = harness_connect(4, NULL, s->port, HARNESS_TIMEOUT_MS);
		failed += fds[i] == -1;
	}
	for (i = 0; i < CHURN_BATCH; i++) {
		if (fds[i] == -1)
			continue;
		if (rand_r(seed) % 3 == 0)
			harness_reset(fds[i]);
		else {
			free(harness_read_all(fds[i], HARNESS_TIMEOUT_MS, NULL));
			close(fds[i]);
		}
	}
	return failed;
}

static void
churn_check(enum it_flavour f, int connections)
{
	static const char *const prog[] = { "/bin/true", NULL };
	const char *dir = harness_tmpdir();
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	unsigned seed0 = seed;
	struct it_server s;
	char *log, *st;
	int i, failed = 0;

	cr_assert_not_null(dir);
	cr_assert_eq(it_server_start(&s, f, dir, (const char *const[]){ "-v",
	    "-c", "10", NULL }, "127.0.0.1", prog, NULL), 0,
	    "%s did not start", it_bin(f));
	for (i = 0; i < connections; i += CHURN_BATCH)
		failed += churn_batch(&s, &seed);
	cr_expect_eq(failed, 0, "%s: %d connects failed (seed %u)",
	    it_prog_name(f), failed, seed0);
	log = it_settle(&s, "0/10", CHURN_SETTLE_MS);
	st = it_last_status(log);
	cr_expect_str_eq(st ? st : "(none)", "0/10",
	    "%s: count did not come back (seed %u)", it_prog_name(f), seed0);
	cr_expect_eq(harness_count(log, ": end "), harness_count(log, ": pid "),
	    "%s: children started and reaped differ (seed %u)",
	    it_prog_name(f), seed0);
	cr_expect_geq(harness_count(log, ": pid "), connections / 2,
	    "%s: too few connections accepted", it_prog_name(f));
	cr_expect_eq(harness_count(log, "warning"), 0, "%s: warnings (seed %u)",
	    it_prog_name(f), seed0);
	/* and it still serves */
	free(it_fetch(&s, 4, NULL, NULL, NULL));
	cr_expect_eq(harness_exit_code(it_server_stop(&s)), 0);
	free(st);
	free(log);
	it_server_free(&s);
}

/* The reference shows that the scenario itself is sound. */
Test(it_churn, real_counts_back_to_zero)
{
	churn_check(IT_REAL, CHURN_CONNECTIONS);
}

Test(it_churn, counts_back_to_zero_after_thousands)
{
	churn_check(IT_OURS, CHURN_CONNECTIONS);
}
