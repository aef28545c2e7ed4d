/* atomicfile.c: temp + fsync + rename + fsync(folder). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"

static void
atomicfile_release(struct atomicfile *af)
{
	free(af->path);
	free(af->tmppath);
	af->path = af->tmppath = NULL;
	af->fd = -1;
}

int
atomicfile_open(struct atomicfile *af, const char *path, const char *tmppath, mode_t mode)
{
	static unsigned long counter;
	char *tmp;

	af->fd = -1;
	af->path = strdup(path);
	if (tmppath)
		tmp = strdup(tmppath);
	else if (asprintf(&tmp, "%s.tmp.%ld.%lu", path, (long)getpid(), counter++) < 0)
		tmp = NULL;
	af->tmppath = tmp;
	if (af->path == NULL || af->tmppath == NULL) {
		atomicfile_release(af);
		errno = ENOMEM;
		return -1;
	}
	af->fd = open(af->tmppath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (af->fd < 0) {
		int saved = errno;

		atomicfile_release(af);
		errno = saved;
		return -1;
	}
	return 0;
}

int
atomicfile_write(struct atomicfile *af, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(af->fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* fsync of the folder makes the rename itself survive a crash. */
int
atomicfile_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r;

	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else if ((size_t)(slash - path) < sizeof dir) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	} else {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	if (r < 0 && errno == EINVAL)
		r = 0;	/* some file systems cannot sync folders */
	close(fd);
	return r;
}

int
atomicfile_commit(struct atomicfile *af)
{
	int fd = af->fd;
	int saved;

	af->fd = -1;
	if (fsync(fd) < 0) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0 || rename(af->tmppath, af->path) < 0) {
		saved = errno;
		goto fail;
	}
	if (atomicfile_sync_dir(af->path) < 0) {
		saved = errno;
		atomicfile_release(af);
		errno = saved;
		return -1;
	}
	atomicfile_release(af);
	return 0;
fail:
	unlink(af->tmppath);
	atomicfile_release(af);
	errno = saved;
	return -1;
}

void
atomicfile_abort(struct atomicfile *af)
{
	int saved = errno;

	if (af->fd >= 0)
		close(af->fd);
	if (af->tmppath)
		unlink(af->tmppath);
	atomicfile_release(af);
	errno = saved;
}

int
atomicfile_replace(const char *path, const void *buf, size_t len, mode_t mode)
{
	struct atomicfile af;

	if (atomicfile_open(&af, path, NULL, mode) < 0)
		return -1;
	if (atomicfile_write(&af, buf, len) < 0) {
		atomicfile_abort(&af);
		return -1;
	}
	return atomicfile_commit(&af);
}
