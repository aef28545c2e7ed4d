/* faults_util.c: control connections held open, descriptor counts from
 * /proc, a session's child pid and a free port, for the fault tests. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "faults_util.h"

int
faults_control_open(const struct stack *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	size_t n;
	int fd;

	memcpy(sa.sun_path, s->sock, sizeof(sa.sun_path));
	cr_assert_geq(fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0,
	    "connect %s: %s", s->sock, strerror(errno));
	cr_assert_eq(harness_send(fd, "status\n"), 0);
	/* the block ends with ".\n"; its first line says the peer is served */
	n = stack_read_line(fd, buf, sizeof(buf), HARNESS_TIMEOUT_MS);
	cr_assert(n > 0 && strcmp(buf, "ok\n") == 0, "control answered \"%s\"", buf);
	while (strcmp(buf, ".\n") != 0)
		cr_assert_gt(stack_read_line(fd, buf, sizeof(buf), HARNESS_TIMEOUT_MS), 0);
	return fd;
}

char *
faults_control_try(const struct stack *s, const char *request)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *buf = NULL;
	size_t n = 0, len;
	int fd;

	memcpy(sa.sun_path, s->sock, sizeof(sa.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    harness_send(fd, request) == 0 && harness_send(fd, "\n") == 0) {
		cr_assert_not_null(buf = malloc(1 << 16));
		while (n + 1024 < (1 << 16) &&
		    (len = stack_read_line(fd, buf + n, 1024, HARNESS_TIMEOUT_MS)) > 0) {
			n += len;
			if (strcmp(buf + n - len, ".\n") == 0)
				break;
		}
		if (n < 2 || strcmp(buf + n - 2, ".\n") != 0) {
			free(buf);
			buf = NULL;
		}
	}
	close(fd);
	return buf;
}

int
faults_fd_count(pid_t pid, int *highest)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	*highest = -1;
	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	if ((dir = opendir(path)) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		n++;
		if (atoi(d->d_name) > *highest)
			*highest = atoi(d->d_name);
	}
	closedir(dir);
	return n;
}

pid_t
faults_child_of(const struct stack *s, const char *ip)
{
	char req[80], *b, *p;
	long pid;

	snprintf(req, sizeof(req), "connections ip %s", ip);
	b = stack_control(s, req);
	p = strstr(b, " pids ");
	cr_assert_not_null(p, "no pids for %s in\n%s", ip, b);
	pid = strtol(p + 6, NULL, 10);
	free(b);
	cr_assert_gt(pid, 1);
	return (pid_t)pid;
}

unsigned
faults_free_port(void)
{
	int port = harness_free_port();

	cr_assert_gt(port, 0);
	return (unsigned)port;
}
