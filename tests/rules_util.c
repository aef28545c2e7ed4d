/* rules_util.c: temp folders, files and bounded program runs for the rules tests. */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/rules_util.h"

char *rules_test_tmp;

void
rules_test_setup(void)
{
	rules_test_tmp = rules_util_tmpdir();
	if (rules_test_tmp == NULL)
		abort();
}

void
rules_test_teardown(void)
{
	rules_util_rmdir(rules_test_tmp);
	free(rules_test_tmp);
	rules_test_tmp = NULL;
}

char *
rules_util_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (asprintf(&dir, "%s/rules-test.XXXXXX", base) < 0)
		return NULL;
	if (mkdtemp(dir) == NULL) {
		free(dir);
		return NULL;
	}
	return dir;
}

void
rules_util_rmdir(const char *dir)
{
	struct dirent *de;
	DIR *d;
	char *p;

	if (dir == NULL || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = rules_util_path(dir, de->d_name);
		if (p != NULL)
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

char *
rules_util_path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

int
rules_util_write(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int r;

	if (f == NULL)
		return -1;
	r = fwrite(p, 1, n, f) == n ? 0 : -1;
	if (fclose(f) != 0)
		r = -1;
	return r;
}

char *
rules_util_read(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return NULL;
	if (fstat(fileno(f), &st) == -1 || (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

int
rules_util_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

char *
rules_util_top(const char *rel)
{
	const char *top = getenv("MAILSTACK_TOP");
	char *p;

	if (asprintf(&p, "%s/%s", top != NULL && *top != '\0' ? top : ".", rel) < 0)
		return NULL;
	return p;
}

char *
rules_util_vector(const char *rel)
{
	char *p, *full;

	if (asprintf(&p, "tests/rules_vectors/%s", rel) < 0)
		return NULL;
	full = rules_util_top(p);
	free(p);
	return full;
}

static int
redirect(const char *path, int fd, int flags)
{
	int f = open(path != NULL ? path : "/dev/null", flags, 0644);

	if (f == -1)
		return -1;
	if (f != fd) {
		if (dup2(f, fd) == -1)
			return -1;
		close(f);
	}
	return 0;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
rules_util_run(const char *cwd, char *const argv[], char *const envp[],
    const char *in_path, const char *out_path, const char *err_path)
{
	static char *const empty[] = { NULL };
	struct timespec nap = { 0, 200000 };
	struct pollfd pfd;
	long deadline;
	pid_t pid, w;
	int status;

	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		if ((cwd != NULL && chdir(cwd) == -1) ||
		    redirect(in_path, 0, O_RDONLY) == -1 ||
		    redirect(out_path, 1, O_WRONLY | O_CREAT | O_TRUNC) == -1 ||
		    redirect(err_path, 2, O_WRONLY | O_CREAT | O_TRUNC) == -1)
			_exit(126);
		execve(argv[0], argv, envp != NULL ? envp : empty);
		_exit(127);
	}
	deadline = now_ms() + RULES_RUN_TIMEOUT_MS;
	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	pfd.events = POLLIN;
	while ((w = waitpid(pid, &status, WNOHANG)) == 0) {
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			if (pfd.fd >= 0)
				close(pfd.fd);
			return -1;
		}
		/* a pidfd wakes us when the child exits; without one, nap */
		if (pfd.fd >= 0)
			poll(&pfd, 1, 100);
		else {
			nanosleep(&nap, NULL);
			if (nap.tv_nsec < 20000000)
				nap.tv_nsec *= 2;
		}
	}
	if (pfd.fd >= 0)
		close(pfd.fd);
	if (w == -1)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
