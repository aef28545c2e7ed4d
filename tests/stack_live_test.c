/* stack_live_test.c: what mailctl shows and changes on the real listener
 * through mailctld: exact per-IP counts, rules added and deleted live, and
 * mailctld killed with SIGKILL in the middle of writes. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stack_util.h"

TestSuite(stack_live, .fini = harness_cleanup, .timeout = 90);


static json_t *
who(const struct stack *s, const char *const *args)
{
	json_t *j = stack_mailctl_json(s, args), *c = json_object_get(j, "connections");

	cr_assert(json_is_array(c), "no connections array");
	json_incref(c);
	json_decref(j);
	return c;
}

static void
assert_entry(json_t *conns, size_t i, const char *ip, long count)
{
	json_t *e = json_array_get(conns, i), *pids = json_object_get(e, "pids");

	cr_assert_not_null(e, "no entry %zu (want %s)", i, ip);
	cr_assert_str_eq(json_string_value(json_object_get(e, "ip")), ip, "entry %zu", i);
	cr_assert_eq(json_integer_value(json_object_get(e, "count")), count, "count of %s", ip);
	cr_assert_eq((long)json_array_size(pids), count, "pids of %s", ip);
	for (size_t k = 0; k < json_array_size(pids); k++)
		cr_assert_eq(kill((pid_t)json_integer_value(json_array_get(pids, k)), 0), 0,
		    "pid of %s is not a live session", ip);
	cr_assert_eq(json_integer_value(json_object_get(e, "limit")), 0, "no per-IP limit");
}

Test(stack_live, who_counts_exact_per_address)
{
	static const struct { const char *ip; int n; } want[] = {
		{ "127.0.0.1", 3 }, { "127.0.0.2", 2 }, { "127.0.0.3", 1 },
	};
	struct stack s;
	struct ctl_run r;
	int fds[6], n = 0;
	json_t *c;

	stack_init(&s, ":allow\n", NULL);
	stack_listener_start(&s, CTL_ARGS("-c", "50", "-C", "0"));
	stack_api_start(&s);
	/* interleaved, so that the order shown is the listener's sorting */
	for (int round = 0; round < 3; round++)
		for (int i = 2; i >= 0; i--)
			if (round < want[i].n)
				fds[n++] = stack_session(&s, want[i].ip);
	c = who(&s, CTL_ARGS("who", "imap"));
	cr_assert_eq(json_array_size(c), 3);
	for (int i = 0; i < 3; i++)
		assert_entry(c, (size_t)i, want[i].ip, want[i].n);
	json_decref(c);

	c = who(&s, CTL_ARGS("who", "imap", "--ip", "127.0.0.2"));
	cr_assert_eq(json_array_size(c), 1);
	assert_entry(c, 0, "127.0.0.2", 2);
	json_decref(c);
	c = who(&s, CTL_ARGS("who", "imap", "--top", "2"));
	cr_assert_eq(json_array_size(c), 2);
	assert_entry(c, 1, "127.0.0.2", 2);
	json_decref(c);

	r = stack_mailctl(&s, 0, 0, CTL_ARGS("who", "imap"));
	cr_assert_not_null(strstr(r.out, "127.0.0.3"), "the table for people:\n%s", r.out);
	ctl_run_free(&r);

	/* the oldest 127.0.0.1 session goes (fds[2]: third in round 0) */
	close(fds[2]);
	stack_wait_live(&s, 5);
	c = who(&s, CTL_ARGS("who", "imap", "--ip", "127.0.0.1"));
	assert_entry(c, 0, "127.0.0.1", 2);
	json_decref(c);
	for (int i = 0; i < n; i++)
		if (i != 2)
			stack_assert_alive(fds[i]);
}

/* The id of the rule for address in the list mailctl shows, -1 if none. */
static long
rule_id(const struct stack *s, const char *address)
{
	json_t *j = stack_mailctl_json(s, CTL_ARGS("rules", "imap", "list"));
	json_t *rules = json_object_get(j, "rules"), *e;
	long id = -1;
	size_t i;

	cr_assert(json_is_array(rules), "no rules array");
	json_array_foreach(rules, i, e)
		if (json_is_string(json_object_get(e, "address")) &&
		    strcmp(json_string_value(json_object_get(e, "address")), address) == 0)
			id = (long)json_integer_value(json_object_get(e, "id"));
	json_decref(j);
	return id;
}

static void
assert_refused(const struct stack *s, const char *src)
{
	char buf[256];
	int g, fd = stack_connect(s, src, HARNESS_TIMEOUT_MS, &g, buf, sizeof(buf));

	cr_assert_eq(g, -1, "%s was not refused: \"%s\"", src, buf);
	close(fd);
}

Test(stack_live, deny_rule_added_and_deleted_through_the_api)
{
	struct stack s;
	char id[32];
	int held, other;
	long n;

	stack_init(&s, "# everyone\n:allow\n", NULL);
	stack_listener_start(&s, CTL_ARGS("-c", "20", "-C", "0"));
	stack_api_start(&s);
	held = stack_session(&s, "127.0.0.2");
	stack_mailctl_expect(&s, 0, 65,
	    CTL_ARGS("rules", "imap", "add", "127.0.0.2", "deny", "--position", "1"));
	close(stack_session(&s, "127.0.0.2"));

	stack_mailctl_expect(&s, 1, 0,
	    CTL_ARGS("rules", "imap", "add", "127.0.0.2", "deny", "--position", "1"));
	assert_refused(&s, "127.0.0.2");
	other = stack_session(&s, "127.0.0.1");
	stack_assert_alive(held);
	cr_assert_gt(n = rule_id(&s, "127.0.0.2"), 0, "the added rule is not listed");

	snprintf(id, sizeof(id), "%ld", n);
	stack_mailctl_expect(&s, 1, 0, CTL_ARGS("rules", "imap", "delete", id));
	cr_assert_eq(rule_id(&s, "127.0.0.2"), -1, "the deleted rule is still listed");
	close(stack_session(&s, "127.0.0.2"));
	stack_assert_alive(held);
	stack_assert_alive(other);
}

/* --- mailctld killed with SIGKILL during writes ------------------------- */

#define KILL_ROUNDS 12
#define KILL_WRITERS 4

/* mailctl writing without waiting: limits and rules in turn. */
static void
writer_start(const struct stack *s, struct harness_proc *p, int round, int k)
{
	char url[96], tok[96], max[16], addr[32];
	char *conf = harness_write_file(s->dir, "empty.conf", "", 0);
	char *env[] = { url, tok, NULL };

	snprintf(url, sizeof(url), "MAILCTL_URL=%s", s->url);
	snprintf(tok, sizeof(tok), "MAILCTL_TOKEN=%s", s->admin);
	snprintf(max, sizeof(max), "%d", 10 + round * KILL_WRITERS + k);
	snprintf(addr, sizeof(addr), "10.%d.%d.", round, k);
	const char *limits[] = { ctl_mailctl_bin(), "--config", conf, "limits", "imap",
	    "--max", max, NULL };
	const char *rules[] = { ctl_mailctl_bin(), "--config", conf, "rules", "imap",
	    "add", addr, "deny", NULL };
	cr_assert_not_null(conf);
	cr_assert_eq(harness_spawn(p, s->dir, (char *const *)(k % 2 ? rules : limits),
	    env, NULL), 0);
	free(conf);
}

/* A limits file of the contract (B): comments, blanks, known key=N. */
static void
assert_limits_valid(const struct stack *s)
{
	char *text = harness_read_file(s->limits, NULL), *line, *save = NULL;

	cr_assert_not_null(text, "the limits file is gone");
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		size_t k = strcspn(line, "=");

		if (line[0] == '#')
			continue;
		cr_assert(line[k] == '=' && line[k + 1] != '\0' &&
		    strspn(line + k + 1, "0123456789") == strlen(line + k + 1),
		    "bad limits line \"%s\"", line);
		cr_assert(strncmp(line, "max_connections", k) == 0 ||
		    strncmp(line, "max_per_ip", k) == 0 || strncmp(line, "max_per_network", k) == 0,
		    "unknown key in \"%s\"", line);
	}
	free(text);
	text = stack_control(s, "reload");
	cr_assert(strncmp(text, "ok\n", 3) == 0, "the listener refused the file: %s", text);
	free(text);
}

static int
run_ok(const struct stack *s, char *const argv[], const char *stdin_path)
{
	struct harness_opts o = HARNESS_OPTS_ZERO;

	o.stdin_path = stdin_path;
	return harness_exit_code(harness_run(s->dir, argv, NULL, &o, HARNESS_TIMEOUT_MS,
	    NULL, NULL));
}

/* The rules text compiles, the cdb is a whole cdb, the history and audit
 * files are whole JSON. */
static void
assert_files_valid(const struct stack *s)
{
	char bin[512], cdb[300], tmp[300], hist[300], path[600];
	char *tcprules[] = { bin, cdb, tmp, NULL };
	char *dump[] = { "/usr/bin/cdb", "-d", (char *)s->cdb, NULL };
	struct dirent *d;
	DIR *dir;

	snprintf(bin, sizeof(bin), "%s/rules/tcprules/mailstack-tcprules", getenv("MAILSTACK_TOP"));
	snprintf(cdb, sizeof(cdb), "%s/check.cdb", s->dir);
	snprintf(tmp, sizeof(tmp), "%s/check.tmp", s->dir);
	cr_assert_eq(run_ok(s, tcprules, s->rules), 0, "the rules text does not compile");
	cr_assert_eq(run_ok(s, dump, NULL), 0, "rules.cdb is not a cdb");
	assert_limits_valid(s);
	snprintf(hist, sizeof(hist), "%s/var/history/imap", s->dir);
	if ((dir = opendir(hist)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		json_error_t e;
		json_t *j;

		if (strlen(d->d_name) != 13 || strcmp(d->d_name + 8, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", hist, d->d_name);
		cr_assert_not_null(j = json_load_file(path, 0, &e), "%s: %s", path, e.text);
		json_decref(j);
	}
	closedir(dir);
}

static void
assert_audit_valid(const struct stack *s)
{
	char path[300], *text, *line, *save = NULL;
	int n = 0;

	snprintf(path, sizeof(path), "%s/var/audit.log", s->dir);
	if ((text = harness_read_file(path, NULL)) == NULL)
		return;
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_error_t e;
		json_t *j = json_loads(line, 0, &e);

		cr_assert_not_null(j, "audit line %d: %s: %s", n + 1, e.text, line);
		json_decref(j);
		n++;
	}
	cr_log_info("%d audit entries", n);
	free(text);
}

Test(stack_live, mailctld_killed_during_writes_leaves_files_valid)
{
	struct harness_proc w[KILL_WRITERS];
	struct stack s;
	json_t *j;
	char *b;

	stack_init(&s, ":allow\n", "max_connections=9\n");
	stack_listener_start(&s, CTL_ARGS("-c", "21", "-C", "0"));
	for (int round = 0; round < KILL_ROUNDS; round++) {
		stack_api_start(&s);
		for (int k = 0; k < KILL_WRITERS; k++)
			writer_start(&s, &w[k], round, k);
		/* from before the first request is read to after most are done */
		harness_sleep_ms(round * 5 % 40);
		kill(s.api.pid, SIGKILL);
		harness_kill(&s.api);
		for (int k = 0; k < KILL_WRITERS; k++) {
			harness_wait_exit(&w[k], HARNESS_TIMEOUT_MS * 3);
			harness_kill(&w[k]);
		}
		assert_files_valid(&s);
	}
	assert_audit_valid(&s);

	/* and the next mailctld works on what the killed ones left */
	stack_api_start(&s);
	stack_mailctl_expect(&s, 1, 0, CTL_ARGS("limits", "imap", "--max", "5"));
	j = stack_mailctl_json(&s, CTL_ARGS("limits", "imap"));
	cr_assert_eq(json_integer_value(json_object_get(j, "max_connections")), 5);
	json_decref(j);
	b = stack_control(&s, "status");
	cr_assert_eq(stack_block_value(b, "max_connections"), 5, "%s", b);
	free(b);
	cr_assert_gt(rule_id(&s, ""), 0, "the catch-all rule is gone");
	assert_files_valid(&s);
}
