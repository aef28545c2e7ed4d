/* stack_demo_test.c: packaging/demo's demo-start and demo-stop, run in a
 * private folder on ephemeral ports (DEMO_DIR, DEMO_*_PORT): both
 * services greet, mailctl reaches them through mailctld with the demo's
 * token, a second start says so, and demo-stop leaves no process behind
 * (the demo's s6-svscan, mailctld and listeners). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stack_util.h"

static char demo_env[5][400];

static char *const *
demo_envp(void)
{
	static char *envp[7];

	envp[0] = "PATH=/usr/bin:/bin:/usr/sbin:/sbin";
	for (int i = 0; i < 5; i++)
		envp[i + 1] = demo_env[i];
	envp[6] = NULL;
	return envp;
}

static int
demo_run(const char *script, char **out)
{
	char path[512];
	char *argv[] = { path, NULL };

	snprintf(path, sizeof(path), "%s/packaging/demo/%s", getenv("MAILSTACK_TOP"), script);
	return harness_exit_code(harness_run(harness_tmpdir(), argv, demo_envp(), NULL,
	    HARNESS_TIMEOUT_MS * 4, out, NULL));
}

/* A failed assertion must not leave the demo running. */
static void
demo_fini(void)
{
	if (demo_env[0][0] != '\0')
		demo_run("demo-stop", NULL);
	harness_cleanup();
}

TestSuite(stack_demo, .fini = demo_fini, .timeout = 90);

/* Three ports the kernel hands out, released for the demo to bind. */
static void
demo_ports(unsigned port[3])
{
	int fd[3];

	for (int i = 0; i < 3; i++) {
		cr_assert_geq(fd[i] = harness_bind_loopback(SOCK_STREAM, 0), 0);
		cr_assert_gt(port[i] = (unsigned)harness_local_port(fd[i]), 0);
	}
	for (int i = 0; i < 3; i++)
		close(fd[i]);
}

static long
pid_in(const char *dir, const char *name)
{
	char path[400], *text;
	long pid;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(text = harness_read_file(path, NULL), "no %s", path);
	pid = strtol(text, NULL, 10);
	free(text);
	cr_assert_gt(pid, 1, "%s", path);
	return pid;
}

/* The pid s6-svstat shows for the demo's s6 service name. */
static long
svstat_pid(const char *dir, const char *name)
{
	char path[400], *out = NULL;
	char *argv[] = { "/usr/bin/s6-svstat", "-o", "pid", path, NULL };
	long pid;

	snprintf(path, sizeof(path), "%s/s6/%s", dir, name);
	cr_assert_eq(harness_exit_code(harness_run(harness_tmpdir(), argv, demo_envp(), NULL,
	    HARNESS_TIMEOUT_MS, &out, NULL)), 0, "s6-svstat %s", path);
	pid = strtol(out, NULL, 10);
	free(out);
	cr_assert_gt(pid, 1, "s6-svstat -o pid %s", path);
	return pid;
}

/* s->sock: the demo's control socket of service name. */
static void
demo_sock(struct stack *s, const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/run/%s.sock", dir, name);
	cr_assert_lt(strlen(path), sizeof(s->sock), "%s", path);
	memcpy(s->sock, path, strlen(path) + 1);
}

/* The listener's pid, from its control socket. */
static long
listener_pid(const char *dir, const char *name)
{
	struct stack s;
	char *b;
	long pid;

	memset(&s, 0, sizeof(s));
	demo_sock(&s, dir, name);
	b = stack_control(&s, "status");
	pid = stack_block_value(b, "pid");
	free(b);
	return pid;
}

/* 1 while pid runs; a zombie waiting for init to reap it has ended. */
static int
proc_running(long pid)
{
	char path[64], *stat, *p;
	int r;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((stat = harness_read_file(path, NULL)) == NULL)
		return 0;
	p = strrchr(stat, ')');
	r = p != NULL && p[1] == ' ' && p[2] != 'Z';
	free(stat);
	return r;
}

static int
demo_greeting(unsigned port, const char *want)
{
	char buf[256];
	int fd = harness_connect(4, NULL, port, HARNESS_TIMEOUT_MS);

	cr_assert_geq(fd, 0, "connect to port %u", port);
	stack_read_line(fd, buf, sizeof(buf), HARNESS_TIMEOUT_MS);
	cr_assert(strncmp(buf, want, strlen(want)) == 0, "port %u greeted \"%s\"", port, buf);
	return fd;
}

/* The session on fd still answers: the real imapfront-auth says
 * "a1 OK NOOP completed", in other words than the greeter's. */
static void
demo_assert_alive(int fd)
{
	char buf[256];

	cr_assert_eq(harness_send(fd, "a1 NOOP\r\n"), 0, "a held session was dropped");
	stack_read_line(fd, buf, sizeof(buf), HARNESS_TIMEOUT_MS);
	cr_assert(strncmp(buf, "a1 OK ", 6) == 0, "a held session did not answer: \"%s\"", buf);
}

static void
assert_token_file(const char *dir, const char *name, char *tok, size_t cap)
{
	char path[400], *text;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_eq(stat(path, &st), 0, "no %s", path);
	cr_assert_eq(st.st_mode & 0777, 0600, "%s mode %o", path, st.st_mode & 0777);
	cr_assert_not_null(text = harness_read_file(path, NULL));
	text[strcspn(text, "\n")] = '\0';
	snprintf(tok, cap, "%s", text);
	free(text);
}

/* demo-start in a private folder on ephemeral ports; s gets mailctld's
 * URL and the demo's two tokens (checked to be mode 0600). */
static void
demo_start(char *dir, size_t cap, unsigned port[3], struct stack *s)
{
	char *out = NULL;

	if (access("/usr/bin/s6-supervise", X_OK) != 0)
		cr_skip_test("s6 is not installed");
	/* the demo's mail daemons run as nobody and pass through to the
	 * mailbox in the demo folder */
	cr_assert_eq(chmod(harness_tmpdir(), 0711), 0);
	snprintf(dir, cap, "%s/demo", harness_tmpdir());
	demo_ports(port);
	snprintf(demo_env[1], sizeof(demo_env[1]), "DEMO_API_PORT=%u", port[0]);
	snprintf(demo_env[2], sizeof(demo_env[2]), "DEMO_IMAP_PORT=%u", port[1]);
	snprintf(demo_env[3], sizeof(demo_env[3]), "DEMO_SMTP_PORT=%u", port[2]);
	snprintf(demo_env[4], sizeof(demo_env[4]), "HOME=%s", harness_tmpdir());
	snprintf(demo_env[0], sizeof(demo_env[0]), "DEMO_DIR=%s", dir);
	cr_assert_eq(demo_run("demo-start", &out), 0, "demo-start: %s", out);
	cr_assert_not_null(strstr(out, "mailctl who imap"), "the commands to try: %s", out);
	free(out);
	memset(s, 0, sizeof(*s));
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u", port[0]);
	assert_token_file(dir, "api-token", s->admin, sizeof(s->admin));
	assert_token_file(dir, "api-token-ro", s->reader, sizeof(s->reader));
}

static void
demo_stop(void)
{
	char *out = NULL;

	cr_assert_eq(demo_run("demo-stop", &out), 0);
	cr_assert_not_null(strstr(out, "demo: stopped"), "%s", out);
	free(out);
}

Test(stack_demo, starts_answers_and_stops_without_leftovers)
{
	char dir[300], *out = NULL;
	long pids[5];
	unsigned port[3];
	struct stack s;
	int imap, smtp;
	json_t *j;

	demo_start(dir, sizeof(dir), port, &s);
	imap = demo_greeting(port[1], "* OK ");
	smtp = demo_greeting(port[2], "220 ");
	j = stack_mailctl_json(&s, CTL_ARGS("who", "imap"));
	cr_assert_eq(json_array_size(json_object_get(j, "connections")), 1, "who imap");
	json_decref(j);
	stack_mailctl_expect(&s, 0, 65, CTL_ARGS("limits", "smtp", "--max", "3"));

	cr_assert_eq(demo_run("demo-start", &out), 0);
	cr_assert_not_null(strstr(out, "already running"), "second start: %s", out);
	free(out);

	pids[0] = pid_in(dir, "svscan.pid");
	pids[1] = svstat_pid(dir, "mailctld");
	pids[2] = svstat_pid(dir, "imap/log");
	pids[3] = listener_pid(dir, "imap");
	pids[4] = listener_pid(dir, "smtp");
	demo_stop();
	for (int i = 0; i < 5; i++)
		cr_assert_not(proc_running(pids[i]), "pid %ld (%d) outlived demo-stop", pids[i], i);
	/* the sessions' responders are gone too: the clients see the end */
	cr_assert(harness_closed(imap, HARNESS_TIMEOUT_MS),
	    "the IMAP session outlived demo-stop");
	cr_assert(harness_closed(smtp, HARNESS_TIMEOUT_MS),
	    "the SMTP session outlived demo-stop");
	cr_assert_eq(demo_run("demo-stop", &out), 0);
	cr_assert_not_null(strstr(out, "not running"), "%s", out);
	free(out);
	demo_env[0][0] = '\0';
}

/* The listener's pid as mailctl status shows it once it is up and not
 * old: s6 restarted it. */
static long
wait_restarted(const struct stack *s, long old)
{
	long long end = harness_now_ms() + HARNESS_TIMEOUT_MS * 2;

	for (;;) {
		json_t *root = stack_mailctl_json(s, CTL_ARGS("status", "imap")), *o = root;
		long pid;

		if (json_is_array(json_object_get(root, "services")))
			o = json_array_get(json_object_get(root, "services"), 0);
		pid = json_is_true(json_object_get(o, "up")) ?
		    (long)json_integer_value(json_object_get(o, "pid")) : 0;
		json_decref(root);
		if (pid > 0 && pid != old)
			return pid;
		cr_assert_lt(harness_now_ms(), end, "s6 did not restart the listener");
		harness_sleep_ms(50);
	}
}

Test(stack_demo, restart_through_s6_keeps_limits_and_stop_ends_old_sessions)
{
	char dir[300];
	unsigned port[3];
	struct stack s;
	long old, now;
	char *b;
	int imap;

	demo_start(dir, sizeof(dir), port, &s);
	imap = demo_greeting(port[1], "* OK ");
	old = listener_pid(dir, "imap");
	stack_mailctl_expect(&s, 1, 0, CTL_ARGS("limits", "imap", "--max", "30"));
	stack_mailctl_expect(&s, 1, 0, CTL_ARGS("restart", "--supervisor", "imap"));
	now = wait_restarted(&s, old);
	cr_assert_eq(listener_pid(dir, "imap"), now);
	demo_sock(&s, dir, "imap");
	b = stack_control(&s, "status");
	cr_assert_eq(stack_block_value(b, "max_connections"), 30, "after the restart: %s", b);
	free(b);
	/* the old listener's session is still served: a restart drops nobody */
	demo_assert_alive(imap);
	close(demo_greeting(port[1], "* OK "));

	demo_stop();
	cr_assert_not(proc_running(old), "the old listener outlived demo-stop");
	cr_assert(harness_closed(imap, HARNESS_TIMEOUT_MS),
	    "the old listener's session outlived demo-stop");
	demo_env[0][0] = '\0';
}

/* mailctl restart (the default): the listener re-execs its binary, the
 * same process, and the held session stays served and counted. */
Test(stack_demo, restart_reexecs_in_place_and_keeps_the_count)
{
	char dir[300], want[128], *b;
	unsigned port[3];
	struct ctl_run r;
	struct stack s;
	long old;
	int imap;

	demo_start(dir, sizeof(dir), port, &s);
	imap = demo_greeting(port[1], "* OK ");
	old = listener_pid(dir, "imap");
	demo_sock(&s, dir, "imap");
	stack_wait_live(&s, 1);
	r = stack_mailctl(&s, 1, 0, CTL_ARGS("restart", "imap"));
	snprintf(want, sizeof(want), "imap: re-executed in place: pid %ld (unchanged), reexecs 1,",
	    old);
	cr_assert_eq(strncmp(r.out, want, strlen(want)), 0, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "table restored from state, live 1\n"), "%s", r.out);
	cr_assert_str_eq(r.err, "");
	ctl_run_free(&r);
	cr_assert_eq(listener_pid(dir, "imap"), old, "s6 saw another process");
	b = stack_control(&s, "status");
	cr_assert_eq(stack_block_value(b, "live"), 1, "after the re-exec: %s", b);
	cr_assert_eq(stack_block_value(b, "reexecs"), 1, "%s", b);
	free(b);
	demo_assert_alive(imap);
	close(demo_greeting(port[1], "* OK "));
	close(imap);
	demo_stop();
	demo_env[0][0] = '\0';
}
