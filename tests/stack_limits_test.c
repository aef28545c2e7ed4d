/* stack_limits_test.c: limits changed through mailctl and mailctld reach
 * the real listener live: raised and lowered with sessions held, per IP,
 * and kept across a restart of the listener. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stack_util.h"

TestSuite(stack_limits, .fini = harness_cleanup, .timeout = 60);


/* Long enough for a listener that would accept to have greeted. */
#define QUIET_MS 300

static void
assert_waiting(int fd, const char *why)
{
	cr_assert_not(harness_readable(fd, QUIET_MS), "%s: the client was served", why);
}

static void
assert_greeted_soon(int fd, const char *why)
{
	char buf[128];
	long long t0 = harness_now_ms();

	stack_read_line(fd, buf, sizeof(buf), HARNESS_TIMEOUT_MS);
	cr_assert(strncmp(buf, "* OK ", 5) == 0, "%s: got \"%s\"", why, buf);
	cr_log_info("%s: greeted %lld ms after the answer", why, harness_now_ms() - t0);
}

static void
assert_status(const struct stack *s, const char *key, long want)
{
	char *b = stack_control(s, "status");

	cr_assert_eq(stack_block_value(b, key), want, "status %s: want %ld in\n%s", key, want, b);
	free(b);
}

Test(stack_limits, raised_and_lowered_with_sessions_held)
{
	struct stack s;
	int a, b, c, d;

	stack_init(&s, ":allow\n", NULL);
	stack_listener_start(&s, CTL_ARGS("-c", "2", "-C", "0"));
	stack_api_start(&s);
	a = stack_session(&s, NULL);
	b = stack_session(&s, "127.0.0.2");
	c = harness_connect(4, "127.0.0.3", s.port, HARNESS_TIMEOUT_MS);
	cr_assert_geq(c, 0);
	assert_waiting(c, "third client at -c 2");

	stack_mailctl_expect(&s, 0, 65, CTL_ARGS("limits", "imap", "--max", "3"));
	assert_waiting(c, "after a read-only token's refused raise");
	stack_mailctl_expect(&s, 1, 0, CTL_ARGS("limits", "imap", "--max", "3"));
	assert_greeted_soon(c, "the client waiting at the old limit");
	stack_assert_alive(a);
	stack_assert_alive(b);
	stack_assert_alive(c);
	assert_status(&s, "max_connections", 3);
	assert_status(&s, "live", 3);

	/* lowered below the live count: nobody is dropped, nobody new served */
	stack_mailctl_expect(&s, 1, 0, CTL_ARGS("limits", "imap", "--max", "1"));
	stack_assert_alive(a);
	stack_assert_alive(b);
	stack_assert_alive(c);
	assert_status(&s, "live", 3);
	d = harness_connect(4, NULL, s.port, HARNESS_TIMEOUT_MS);
	cr_assert_geq(d, 0);
	assert_waiting(d, "a client over the lowered limit");
	close(a);
	close(b);
	stack_wait_live(&s, 1);
	assert_waiting(d, "a client at the lowered limit");
	close(c);
	assert_greeted_soon(d, "the client once below the lowered limit");
	close(d);
}

Test(stack_limits, per_ip_limit_raised_live)
{
	struct stack s;
	char buf[256];
	int fds[3], g, fd;
	json_t *j, *e;

	stack_init(&s, ":allow\n", NULL);
	stack_listener_start(&s, CTL_ARGS("-c", "20", "-C", "2"));
	stack_api_start(&s);
	fds[0] = stack_session(&s, NULL);
	fds[1] = stack_session(&s, NULL);
	fd = stack_connect(&s, NULL, HARNESS_TIMEOUT_MS, &g, buf, sizeof(buf));
	cr_assert_eq(g, -1, "third from one address at -C 2: \"%s\"", buf);
	cr_assert(strncmp(buf, "* BYE", 5) == 0, "IMAP refusal, got \"%s\"", buf);
	close(fd);

	j = stack_mailctl_json(&s, CTL_ARGS("who", "imap", "--ip", "127.0.0.1"));
	e = json_array_get(json_object_get(j, "connections"), 0);
	cr_assert_eq(json_integer_value(json_object_get(e, "limit")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(e, "limit_source")), "option");
	json_decref(j);

	stack_mailctl_expect(&s, 1, 0, CTL_ARGS("limits", "imap", "--per-ip", "3"));
	fds[2] = stack_session(&s, NULL);
	fd = stack_connect(&s, NULL, HARNESS_TIMEOUT_MS, &g, buf, sizeof(buf));
	cr_assert_eq(g, -1, "fourth from one address at 3: \"%s\"", buf);
	close(fd);
	j = stack_mailctl_json(&s, CTL_ARGS("who", "imap", "--ip", "127.0.0.1"));
	e = json_array_get(json_object_get(j, "connections"), 0);
	cr_assert_eq(json_integer_value(json_object_get(e, "count")), 3);
	cr_assert_eq(json_integer_value(json_object_get(e, "limit")), 3);
	cr_assert_str_eq(json_string_value(json_object_get(e, "limit_source")), "file");
	json_decref(j);
	for (int i = 0; i < 3; i++)
		stack_assert_alive(fds[i]);
	assert_status(&s, "refused_ip", 2);
}

/* The values mailctld wrote, in the format of the contract (B). */
static void
assert_limits_file(const struct stack *s, long max, long per_ip)
{
	char *text = harness_read_file(s->limits, NULL), want[64];

	cr_assert_not_null(text, "no limits file %s", s->limits);
	snprintf(want, sizeof(want), "\nmax_connections=%ld\n", max);
	cr_assert_not_null(strstr(text, want), "%s in\n%s", want, text);
	snprintf(want, sizeof(want), "\nmax_per_ip=%ld\n", per_ip);
	cr_assert_not_null(strstr(text, want), "%s in\n%s", want, text);
	free(text);
}

Test(stack_limits, restart_of_the_listener_keeps_api_changes)
{
	const char *const *args = CTL_ARGS("-c", "21", "-C", "4");
	struct stack s;
	char buf[256];
	int a, b, fd, g;
	json_t *root, *j, *l;

	stack_init(&s, ":allow\n", NULL);
	stack_listener_start(&s, args);
	stack_api_start(&s);
	assert_status(&s, "max_connections", 21);
	stack_mailctl_expect(&s, 1, 0,
	    CTL_ARGS("limits", "imap", "--max", "7", "--per-ip", "2"));
	assert_limits_file(&s, 7, 2);

	stack_listener_kill(&s);
	stack_listener_start(&s, args);
	assert_status(&s, "max_connections", 7);
	assert_status(&s, "max_per_ip", 2);
	j = root = stack_mailctl_json(&s, CTL_ARGS("status", "imap"));
	if (json_is_array(json_object_get(root, "services")))
		j = json_array_get(json_object_get(root, "services"), 0);
	cr_assert(json_is_true(json_object_get(j, "up")));
	l = json_object_get(j, "limits");
	cr_assert_eq(json_integer_value(json_object_get(l, "max_connections")), 7);
	cr_assert_eq(json_integer_value(json_object_get(l, "max_per_ip")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(j, "limits_source")), "file");
	json_decref(root);

	a = stack_session(&s, NULL);
	b = stack_session(&s, NULL);
	fd = stack_connect(&s, NULL, HARNESS_TIMEOUT_MS, &g, buf, sizeof(buf));
	cr_assert_eq(g, -1, "third from one address after the restart: \"%s\"", buf);
	close(fd);
	stack_assert_alive(a);
	stack_assert_alive(b);
}
