/* stack_util.c: starting and talking to the real listener, mailctld and
 * mailctl for the full-stack tests. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "stack_util.h"

static const char *
stack_top(void)
{
	const char *top = getenv("MAILSTACK_TOP");

	return top != NULL ? top : ".";
}

static void
stack_path(char *dst, size_t cap, const char *dir, const char *name)
{
	cr_assert_lt((size_t)snprintf(dst, cap, "%s/%s", dir, name), cap);
}

/* mailctld -t NAME SCOPE prints the token once and keeps its hash. */
static void
stack_make_token(struct stack *s, const char *name, const char *scope,
    char *dst, size_t cap)
{
	char bin[512], tokens[256], *out = NULL;
	char *argv[] = { bin, "-k", tokens, "-t", (char *)name, (char *)scope, NULL };
	int st;

	stack_path(bin, sizeof(bin), stack_top(), "web/mailctld/mailctld");
	stack_path(tokens, sizeof(tokens), s->dir, "tokens");
	st = harness_run(s->dir, argv, NULL, NULL, HARNESS_TIMEOUT_MS, &out, NULL);
	cr_assert_eq(harness_exit_code(st), 0, "mailctld -t %s %s failed", name, scope);
	cr_assert_not_null(out);
	out[strcspn(out, "\n")] = '\0';
	cr_assert_eq(strlen(out), 64, "token %s", out);
	snprintf(dst, cap, "%s", out);
	free(out);
}

static void
stack_compile_rules(struct stack *s)
{
	char bin[512], tmp[256];
	char *argv[] = { bin, s->cdb, tmp, NULL };
	struct harness_opts o = HARNESS_OPTS_ZERO;
	char *err = NULL;
	int st;

	stack_path(bin, sizeof(bin), stack_top(), "rules/tcprules/mailstack-tcprules");
	stack_path(tmp, sizeof(tmp), s->conf, "rules.tmp");
	o.stdin_path = s->rules;
	st = harness_run(s->dir, argv, NULL, &o, HARNESS_TIMEOUT_MS, NULL, &err);
	cr_assert_eq(harness_exit_code(st), 0, "mailstack-tcprules: %s", err);
	free(err);
}

static void
stack_write_conf(struct stack *s)
{
	char text[2048];
	int n;

	n = snprintf(text, sizeof(text),
	    "# mailctld for a full-stack test\n"
	    "listen 127.0.0.1:0\n"
	    "tokens %s/tokens\n"
	    "state %s/var\n"
	    "audit %s/var/audit.log\n"
	    "service imap control=%s config=%s\n",
	    s->dir, s->dir, s->dir, s->sock, s->conf);
	cr_assert_lt((size_t)n, sizeof(text));
	cr_assert_not_null(harness_write_file(s->dir, "mailctld.conf", text, (size_t)n));
}

void
stack_init(struct stack *s, const char *rules, const char *limits)
{
	char var[256];

	memset(s, 0, sizeof(*s));
	s->listener.pid = s->api.pid = -1;
	s->listener.out_fd = s->api.out_fd = -1;
	s->listener.reaped = s->api.reaped = 1;
	cr_assert_not_null(s->dir = harness_tmpdir());
	stack_path(s->sock, sizeof(s->sock), s->dir, "imap.sock");
	stack_path(s->conf, sizeof(s->conf), s->dir, "imap");
	stack_path(var, sizeof(var), s->dir, "var");
	cr_assert_eq(mkdir(s->conf, 0700), 0);
	cr_assert_eq(mkdir(var, 0700), 0);
	stack_path(s->limits, sizeof(s->limits), s->conf, "limits");
	stack_path(s->rules, sizeof(s->rules), s->conf, "rules");
	stack_path(s->cdb, sizeof(s->cdb), s->conf, "rules.cdb");
	if (limits != NULL)
		cr_assert_not_null(harness_write_file(s->conf, "limits", limits, strlen(limits)));
	cr_assert_not_null(harness_write_file(s->conf, "rules", rules, strlen(rules)));
	stack_compile_rules(s);
	stack_make_token(s, "admin", "admin", s->admin, sizeof(s->admin));
	stack_make_token(s, "reader", "read", s->reader, sizeof(s->reader));
	stack_write_conf(s);
}

/* A connection to the control socket, or -1 with errno. */
static int
stack_unix_connect(const struct stack *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	memcpy(sa.sun_path, s->sock, sizeof(sa.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

void
stack_listener_start(struct stack *s, const char *const *args)
{
	static char *const env[] = { "PATH=/usr/bin:/bin", NULL };
	char bin[512], greeter[512];
	const char *argv[64];
	long long end;
	size_t n = 0;
	long port;

	stack_path(bin, sizeof(bin), stack_top(), "daemons/tcpserver/mailstack-tcpserver");
	stack_path(greeter, sizeof(greeter), stack_top(), "packaging/demo/greeter");
	argv[n++] = bin;
	for (; args != NULL && *args != NULL && n < 40; args++)
		argv[n++] = *args;
	/* never a name lookup: -H -R -l and a numeric host */
	const char *common[] = { "-1", "-v", "-H", "-R", "-l", "localhost", "-m", "imap",
	    "-s", s->sock, "-f", s->limits, "-x", s->cdb, "127.0.0.1", "0",
	    greeter, "imap", NULL };
	for (size_t i = 0; common[i] != NULL; i++)
		argv[n++] = common[i];
	argv[n] = NULL;
	cr_assert_eq(harness_spawn(&s->listener, s->dir, (char *const *)argv, env, NULL), 0);
	port = harness_read_port(&s->listener, HARNESS_TIMEOUT_MS);
	cr_assert_gt(port, 0, "the listener printed no port; stderr:\n%s",
	    harness_stderr(&s->listener));
	s->port = (unsigned)port;
	end = harness_now_ms() + HARNESS_TIMEOUT_MS;
	for (;;) {
		int fd = stack_unix_connect(s);

		if (fd != -1) {
			close(fd);
			break;
		}
		cr_assert_lt(harness_now_ms(), end, "no control socket at %s: %s; stderr:\n%s",
		    s->sock, strerror(errno), harness_stderr(&s->listener));
		harness_sleep_ms(10);
	}
}

void
stack_listener_kill(struct stack *s)
{
	harness_kill(&s->listener);
}

void
stack_api_start(struct stack *s)
{
	char bin[512], conf[256];
	char *argv[] = { bin, "-1", "-f", conf, NULL };
	long port;

	stack_path(bin, sizeof(bin), stack_top(), "web/mailctld/mailctld");
	stack_path(conf, sizeof(conf), s->dir, "mailctld.conf");
	cr_assert_eq(harness_spawn(&s->api, s->dir, argv, NULL, NULL), 0);
	port = harness_read_port(&s->api, HARNESS_TIMEOUT_MS);
	cr_assert_gt(port, 0, "mailctld printed no port; stderr:\n%s", harness_stderr(&s->api));
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%ld", port);
}

static int
stack_block_done(const char *buf, size_t n)
{
	return (n >= 2 && strcmp(buf + n - 2, ".\n") == 0 &&
	    (n == 2 || buf[n - 3] == '\n'));
}

char *
stack_control(const struct stack *s, const char *request)
{
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = stack_unix_connect(s);

	cr_assert_not_null(buf);
	cr_assert_geq(fd, 0, "connect %s: %s", s->sock, strerror(errno));
	cr_assert_eq(harness_send(fd, request), 0);
	cr_assert_eq(harness_send(fd, "\n"), 0);
	buf[0] = '\0';
	while (!stack_block_done(buf, n)) {
		ssize_t r;

		cr_assert(harness_readable(fd, HARNESS_TIMEOUT_MS),
		    "no answer to %s (so far: %s)", request, buf);
		if (n + 1 == cap)
			cr_assert_not_null(buf = realloc(buf, cap *= 2));
		r = read(fd, buf + n, cap - 1 - n);
		cr_assert_gt(r, 0, "control socket closed after %s (so far: %s)", request, buf);
		n += (size_t)r;
		buf[n] = '\0';
	}
	close(fd);
	return buf;
}

long
stack_block_value(const char *block, const char *key)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof(needle), "\n%s ", key);
	if ((p = strstr(block, needle)) == NULL)
		return -1;
	return strtol(p + strlen(needle), NULL, 10);
}

struct ctl_run
stack_mailctl(const struct stack *s, int admin, int want_code, const char *const *args)
{
	struct ctl_run r = ctl_run_with(s->url, admin ? s->admin : s->reader, args);
	char cmd[512] = "";

	for (; *args != NULL; args++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", *args);
	cr_assert_eq(r.code, want_code, "mailctl%s: exit %d, want %d\nstdout: %s\nstderr: %s",
	    cmd, r.code, want_code, r.out, r.err);
	return r;
}

void
stack_mailctl_expect(const struct stack *s, int admin, int want_code,
    const char *const *args)
{
	struct ctl_run r = stack_mailctl(s, admin, want_code, args);

	ctl_run_free(&r);
}

json_t *
stack_mailctl_json(const struct stack *s, const char *const *args)
{
	const char *argv[32] = { "--json" };
	struct ctl_run r;
	json_error_t e;
	json_t *j;
	size_t n = 1;

	for (; *args != NULL && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	r = stack_mailctl(s, 1, 0, argv);
	j = json_loads(r.out, 0, &e);
	cr_assert_not_null(j, "mailctl --json %s: not JSON (%s): %s", argv[1], e.text, r.out);
	ctl_run_free(&r);
	return j;
}

size_t
stack_read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
	long long end = harness_now_ms() + timeout_ms;
	size_t n = 0;

	buf[0] = '\0';
	while (n + 1 < cap && (n == 0 || buf[n - 1] != '\n')) {
		long long left = end - harness_now_ms();
		ssize_t r;

		if (left <= 0 || !harness_readable(fd, (int)left))
			break;
		if ((r = read(fd, buf + n, 1)) <= 0)
			break;
		buf[++n] = '\0';
	}
	return n;
}

int
stack_connect(const struct stack *s, const char *src, int timeout_ms, int *greeted,
    char *buf, size_t cap)
{
	int fd;

	fd = harness_connect(4, src, s->port, HARNESS_TIMEOUT_MS);
	cr_assert_geq(fd, 0, "connect from %s to port %u", src != NULL ? src : "127.0.0.1",
	    s->port);
	buf[0] = '\0';
	if (!harness_readable(fd, timeout_ms)) {
		*greeted = 0;
		return fd;
	}
	stack_read_line(fd, buf, cap, HARNESS_TIMEOUT_MS);
	*greeted = strncmp(buf, "* OK ", 5) == 0 ? 1 : -1;
	return fd;
}

int
stack_session(const struct stack *s, const char *src)
{
	char buf[256];
	int greeted, fd;

	fd = stack_connect(s, src, HARNESS_TIMEOUT_MS, &greeted, buf, sizeof(buf));
	cr_assert_eq(greeted, 1, "no greeting for %s: \"%s\"", src != NULL ? src : "127.0.0.1",
	    buf);
	return fd;
}

void
stack_assert_alive(int fd)
{
	char buf[256];

	cr_assert_eq(harness_send(fd, "a1 NOOP\r\n"), 0, "a held session was dropped");
	stack_read_line(fd, buf, sizeof(buf), HARNESS_TIMEOUT_MS);
	cr_assert_str_eq(buf, "a1 OK noted\r\n", "a held session did not answer: \"%s\"", buf);
}

void
stack_wait_live(const struct stack *s, long n)
{
	long long end = harness_now_ms() + HARNESS_TIMEOUT_MS;
	long live;

	for (;;) {
		char *b = stack_control(s, "status");

		live = stack_block_value(b, "live");
		free(b);
		if (live == n)
			return;
		cr_assert_lt(harness_now_ms(), end, "live %ld, want %ld", live, n);
		harness_sleep_ms(10);
	}
}
