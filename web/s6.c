/* s6.c: s6-svstat and s6-svc as child processes with deadlines. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/scan.h"
#include "web/s6.h"

extern char **environ;

/* Runs argv with stdout on a pipe; collects up to outlen - 1 bytes and
 * the exit status within timeout_ms (then kills it). 0 or -1. */
static int
run(char *const argv[], char *out, size_t outlen, int *status, int timeout_ms)
{
	posix_spawn_file_actions_t fa;
	struct timespec t0, t1;
	size_t got = 0;
	int p[2], r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		errno = r;
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		long ms;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = timeout_ms - ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (ms <= 0 || poll(&pf, 1, (int)ms) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			close(p[0]);
			errno = ETIMEDOUT;
			return -1;
		}
		n = read(p[0], out + got, outlen - 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || (got += (size_t)n) == outlen - 1)
			break;
	}
	out[got] = '\0';
	close(p[0]);
	while (waitpid(pid, status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

json_t *
s6_status(const char *dir, int timeout_ms)
{
	char *argv[] = { "s6-svstat", "-o", "up,pid,ready", (char *)dir, NULL };
	char out[128], *w[3], *save = NULL;
	unsigned long pid;
	int status, i;

	if (run(argv, out, sizeof(out), &status, timeout_ms) == -1 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return NULL;
	for (i = 0; i < 3; i++)
		if ((w[i] = strtok_r(i == 0 ? out : NULL, " \n", &save)) == NULL)
			return NULL;
	return json_pack("{s:b, s:o, s:b}", "up", strcmp(w[0], "true") == 0,
	    "pid", scan_ulong(w[1], 0x7fffffffUL, &pid) == 0 && pid > 0 ?
	    json_integer((json_int_t)pid) : json_null(),
	    "ready", strcmp(w[2], "true") == 0);
}

int
s6_restart(const char *dir, int timeout_ms)
{
	char *argv[] = { "s6-svc", "-t", (char *)dir, NULL };
	char out[256];
	int status;

	if (run(argv, out, sizeof(out), &status, timeout_ms) == -1)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}
