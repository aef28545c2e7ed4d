/* tcpserver_ctl_util.c: starting and asking a listener with a control
 * socket, for tcpserver_ctl_it*.c. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tcpserver_ctl_util.h"

/* Greets with its pid (the listener's child: exec keeps it), then echoes
 * until the client closes. */
static const char program[] = "echo $$; exec cat";

const char *
ctl_it_binary(void)
{
	static char path[512];
	const char *top = getenv("MAILSTACK_TOP");

	snprintf(path, sizeof path, "%s/daemons/tcpserver/mailstack-tcpserver",
	    top ? top : ".");
	return path;
}

void
ctl_it_init(struct ctl_it *t)
{
	memset(t, 0, sizeof *t);
	t->dir = harness_tmpdir();
	cr_assert_not_null(t->dir);
	snprintf(t->sock, sizeof t->sock, "%s/ctl.sock", t->dir);
	snprintf(t->limits, sizeof t->limits, "%s/limits", t->dir);
	t->host = "127.0.0.1";
}

void
ctl_it_start(struct ctl_it *t, const char *const *extra,
    const char *const *env)
{
	const char *argv[48], *envp[16];
	size_t n = 0, e = 0;
	struct stat st;
	long long deadline;

	argv[n++] = t->binary != NULL ? t->binary : ctl_it_binary();
	argv[n++] = "-1v";
	argv[n++] = "-HR";
	argv[n++] = "-l0";
	argv[n++] = "-s";
	argv[n++] = t->sock;
	argv[n++] = "-f";
	argv[n++] = t->limits;
	while (extra != NULL && *extra != NULL && n < 40)
		argv[n++] = *extra++;
	argv[n++] = t->host;
	argv[n++] = t->port_arg != NULL ? t->port_arg : "0";
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = program;
	argv[n] = NULL;
	envp[e++] = "PATH=/usr/bin:/bin";
	while (env != NULL && *env != NULL && e < 15)
		envp[e++] = *env++;
	envp[e] = NULL;
	cr_assert_eq(harness_spawn(&t->p, t->dir, (char *const *)argv,
	    (char *const *)envp, t->opts), 0);
	t->port = harness_read_port(&t->p, HARNESS_TIMEOUT_MS);
	if (t->port <= 0) {
		char *err = harness_stderr(&t->p);

		cr_assert_fail("no port line; the listener said: %s",
		    err != NULL ? err : "(nothing)");
	}
	/* The socket exists before the port line; check all the same. */
	deadline = harness_now_ms() + HARNESS_TIMEOUT_MS;
	while (stat(t->sock, &st) < 0 && harness_now_ms() < deadline)
		harness_sleep_ms(10);
	cr_assert(S_ISSOCK(st.st_mode), "no control socket");
}

void
ctl_it_write_limits(const struct ctl_it *t, const char *text)
{
	char *path = harness_write_file(t->dir, "limits", text, strlen(text));

	cr_assert_not_null(path);
	free(path);
}

int
ctl_it_connect(const char *sock)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof sun.sun_path)
		return -1;
	strcpy(sun.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
block_done(const char *s, size_t n)
{
	return (n == 2 && memcmp(s, ".\n", 2) == 0) ||
	    (n >= 3 && memcmp(s + n - 3, "\n.\n", 3) == 0);
}

/* Byte by byte: a block must not eat the start of the next one. */
char *
ctl_it_read_block(int fd)
{
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap);
	long long deadline = harness_now_ms() + HARNESS_TIMEOUT_MS;
	ssize_t r;

	cr_assert_not_null(buf);
	while (!block_done(buf, n)) {
		if (!harness_readable(fd, (int)(deadline - harness_now_ms())))
			break;
		if (n + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		r = read(fd, buf + n, 1);
		if (r <= 0)
			break;
		n++;
	}
	buf[n] = '\0';
	if (!block_done(buf, n)) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *
ctl_it_ask(int fd, const char *req)
{
	if (harness_send(fd, req) < 0 || harness_send(fd, "\n") < 0)
		return NULL;
	return ctl_it_read_block(fd);
}

char *
ctl_it_request(const struct ctl_it *t, const char *req)
{
	int fd = ctl_it_connect(t->sock);
	char *reply;

	cr_assert_geq(fd, 0, "unable to connect to %s", t->sock);
	reply = ctl_it_ask(fd, req);
	close(fd);
	cr_assert_not_null(reply, "no reply block to %s", req);
	return reply;
}

long long
ctl_it_num(const char *block, const char *key)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof needle, "\n%s ", key);
	p = strstr(block, needle);
	if (p == NULL)
		return -1;
	return strtoll(p + strlen(needle), NULL, 10);
}

/* One line, '\n' included, within wait_ms. Returns its length, 0 when
 * none came whole. */
static size_t
read_line(int fd, char *line, size_t cap, int wait_ms)
{
	long long deadline = harness_now_ms() + wait_ms;
	size_t n = 0;

	while (n + 1 < cap) {
		if (!harness_readable(fd, (int)(deadline - harness_now_ms())) ||
		    read(fd, line + n, 1) != 1)
			break;
		if (line[n++] == '\n') {
			line[n] = '\0';
			return n;
		}
	}
	line[n] = '\0';
	return 0;
}

int
ctl_it_greeting(int fd, pid_t *pid, int wait_ms)
{
	char line[32];

	*pid = 0;
	if (read_line(fd, line, sizeof line, wait_ms) == 0)
		return 0;
	*pid = (pid_t)atol(line);
	cr_assert_gt(*pid, 0, "greeting '%s'", line);
	return 1;
}

int
ctl_it_hold(const struct ctl_it *t, const char *src, pid_t *pid, int wait_ms)
{
	int fd;

	fd = harness_connect(strchr(t->host, ':') != NULL ? 6 : 4, src,
	    (unsigned)t->port, HARNESS_TIMEOUT_MS);
	cr_assert_geq(fd, 0, "connect from %s", src ? src : "the default");
	if (!ctl_it_greeting(fd, pid, wait_ms)) {
		close(fd);
		return -1;
	}
	return fd;
}

int
ctl_it_alive(int fd)
{
	char buf[8];

	if (harness_send(fd, "ping\n") < 0)
		return 0;
	return read_line(fd, buf, sizeof buf, HARNESS_TIMEOUT_MS) == 5 &&
	    strcmp(buf, "ping\n") == 0;
}

void
ctl_it_still_serves(const struct ctl_it *t)
{
	pid_t pid;
	int fd;

	fd = ctl_it_hold(t, NULL, &pid, HARNESS_TIMEOUT_MS);
	cr_assert_geq(fd, 0, "the listener no longer serves");
	cr_assert(ctl_it_alive(fd), "the connection does not echo");
	close(fd);
}
