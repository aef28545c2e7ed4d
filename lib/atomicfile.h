/* atomicfile.h: replace a file so that readers see the old or the new
 * content, never a mix, and a crash at any point leaves a valid file:
 * write a temporary file in the same folder, fsync, rename, fsync the folder. */
#ifndef MAILSTACK_ATOMICFILE_H
#define MAILSTACK_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

struct atomicfile {
	int fd;			/* write here between open and commit */
	char *path;		/* owned */
	char *tmppath;		/* owned */
};

/* Creates the temporary file with mode (before umask). tmppath NULL means
 * PATH.tmp.PID.COUNTER next to path; given, it is used as is (tcprules'
 * contract lets the caller choose it). Returns 0, or -1 with errno. */
int atomicfile_open(struct atomicfile *af, const char *path, const char *tmppath, mode_t mode);
/* Writes all of buf to af->fd (retrying short writes). 0 or -1 with errno. */
int atomicfile_write(struct atomicfile *af, const void *buf, size_t len);
/* fsync, close, rename onto path, fsync the folder. On failure the
 * temporary file is removed and path is untouched. 0 or -1 with errno.
 * The struct is released either way. */
int atomicfile_commit(struct atomicfile *af);
/* Closes and removes the temporary file; keeps errno. Safe to call twice. */
void atomicfile_abort(struct atomicfile *af);

/* fsync of the folder that holds path, so that a new name in it (a file
 * created, renamed, a folder made) survives a crash. 0 or -1 with errno;
 * a file system that cannot sync folders (EINVAL) counts as done. */
int atomicfile_sync_dir(const char *path);

/* One call: replace path with len bytes of buf. 0 or -1 with errno. */
int atomicfile_replace(const char *path, const void *buf, size_t len, mode_t mode);

#endif
