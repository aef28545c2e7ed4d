/* pathexec.c: execve along $PATH with a stack buffer (vfork-safe). */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "pathexec.h"

/* Runs DIR/file for the first n bytes of dir ("." when n is 0). */
static void
try_element(const char *dir, size_t n, const char *file, char *const argv[],
    char *const envp[])
{
	char buf[PATH_MAX];
	size_t flen = strlen(file), d = n ? n : 1;

	if (d + 1 + flen + 1 > sizeof buf) {
		errno = ENAMETOOLONG;
		return;
	}
	memcpy(buf, n ? dir : ".", d);
	buf[d] = '/';
	memcpy(buf + d + 1, file, flen + 1);
	execve(buf, argv, envp);
}

int
pathexec_run(const char *file, char *const argv[], char *const envp[],
    const char *path)
{
	size_t split;
	int saved = 0;

	if (strchr(file, '/') != NULL) {
		execve(file, argv, envp);
		return -1;
	}
	if (path == NULL)
		path = "/bin:/usr/bin";
	for (;;) {
		split = strcspn(path, ":");
		try_element(path, split, file, argv, envp);
		/* Past a missing or forbidden name, keep looking; anything
		 * else (ENOEXEC, E2BIG, ...) is the answer. */
		if (errno != ENOENT) {
			saved = errno;
			if (errno != EACCES && errno != EPERM && errno != EISDIR)
				return -1;
		}
		if (path[split] == '\0') {
			if (saved != 0)
				errno = saved;
			return -1;
		}
		path += split + 1;
	}
}
