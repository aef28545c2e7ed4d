/* appliance_burst_test.c: the original report's Thunderbird (17 accounts,
 * 5 cached connections each) against the real demo: 85 IMAP connections
 * opened at once from one address (tests/bin/burst.py), three bursts in a
 * row, every one answered within 3 s. With the demo's limits (21 in all,
 * 4 per address) 4 are greeted and 81 get the protocol's refusal; with the
 * limits raised all 85 are greeted by imapfront-auth. Before the listen
 * backlog of the templates was raised from tcpserver's 20, about half of
 * them waited unserved in an overflowed accept queue. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appliance_util.h"

TestSuite(appliance_burst, .fini = appliance_fini, .timeout = 150);

#define BURST 85
#define ROUNDS 3

struct round {
	int answered, greeted, refused, closed, silent, unconnected;
	char refusal[128];	/* the first refusal's line, "" without one */
};

/* The imap listener's backlog as the kernel has it: ss's Send-Q of a
 * listening socket. */
static long
listen_backlog(const struct appliance *a)
{
	char filter[64], *out = NULL;
	const char *argv[] = { "/usr/bin/ss", "-Hltn", filter, NULL };
	long q = -1;

	snprintf(filter, sizeof(filter), "sport = :%u", a->imap_port);
	cr_assert_eq(appliance_run(argv, &out), 0, "ss: %s", out);
	cr_assert_eq(sscanf(out, "LISTEN %*d %ld", &q), 1, "ss: %s", out);
	free(out);
	return q;
}

/* One burst of BURST connections, each given 3 s for its first line. */
static struct round
burst(const struct appliance *a)
{
	char port[16], path[512], *out = NULL, *p;
	const char *argv[] = { "/usr/bin/python3", path, port, "85", "3", NULL };
	struct round r;
	int total, got;

	memset(&r, 0, sizeof(r));
	snprintf(path, sizeof(path), "%s/tests/bin/burst.py", getenv("MAILSTACK_TOP"));
	snprintf(port, sizeof(port), "%u", a->imap_port);
	appliance_run(argv, &out);
	cr_assert_not_null(out);
	got = sscanf(out, "round 1: %d of %d answered within %*f s: greeted %d refused %d "
	    "closed %d silent %d refused-connect %d", &r.answered, &total, &r.greeted,
	    &r.refused, &r.closed, &r.silent, &r.unconnected);
	cr_assert_eq(got, 7, "burst.py said: %s", out);
	cr_assert_eq(total, BURST);
	cr_log_info("%s", out);
	if ((p = strstr(out, "first refusal: ")) != NULL)
		snprintf(r.refusal, sizeof(r.refusal), "%.*s", (int)strcspn(p + 15, "\n"),
		    p + 15);
	free(out);
	return r;
}

static void
assert_all_answered(const struct round *r, int round)
{
	cr_assert_eq(r->answered, BURST, "burst %d: %d of %d got a first line within 3 s"
	    " (%d closed without one, %d silent, %d not connected)", round, r->answered,
	    BURST, r->closed, r->silent, r->unconnected);
}

Test(appliance_burst, eighty_five_at_once_with_the_demo_limits_all_answered)
{
	struct appliance a;
	long backlog;

	appliance_start(&a);
	/* the templates' -b 1024, as far as net.core.somaxconn lets it */
	backlog = listen_backlog(&a);
	cr_assert(backlog == 1024 || (backlog >= 128 && backlog < 1024),
	    "the listener's backlog is %ld", backlog);
	cr_assert_eq(appliance_status(&a, "imap", "max_per_ip"), 4);
	for (int i = 1; i <= ROUNDS; i++) {
		struct round r = burst(&a);

		assert_all_answered(&r, i);
		/* max_per_ip 4: the first four are greeted, the rest refused
		 * in IMAP's words, none left waiting */
		cr_assert_eq(r.greeted, 4, "burst %d", i);
		cr_assert_eq(r.refused, BURST - 4, "burst %d", i);
		cr_assert(strncmp(r.refusal, "* BYE [UNAVAILABLE]", 19) == 0,
		    "burst %d: refused with \"%s\"", i, r.refusal);
		stack_wait_live(&a.s, 0);
	}
	appliance_stop(&a);
}

Test(appliance_burst, eighty_five_at_once_with_room_for_them_all_greeted)
{
	struct appliance a;

	appliance_start(&a);
	stack_mailctl_expect(&a.s, 1, 0,
	    CTL_ARGS("limits", "imap", "--max", "100", "--per-ip", "100"));
	cr_assert_eq(appliance_status(&a, "imap", "max_per_ip"), 100);
	for (int i = 1; i <= ROUNDS; i++) {
		struct round r = burst(&a);

		assert_all_answered(&r, i);
		cr_assert_eq(r.greeted, BURST, "burst %d: %d greeted, %d refused (\"%s\")", i,
		    r.greeted, r.refused, r.refusal);
		stack_wait_live(&a.s, 0);
	}
	appliance_stop(&a);
}
