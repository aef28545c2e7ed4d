/* errstr.c: errno as djb's error_str words where ucspi-tcp prints them. */
#include <errno.h>
#include <string.h>

#include "errstr.h"

struct errword {
	int err;
	const char *word;
};

/* The texts ucspi-tcp 0.88 prints (its error.c); users grep logs for them. */
static const struct errword words[] = {
	{ ENOENT, "file does not exist" },
	{ EADDRINUSE, "address already used" },
	{ EADDRNOTAVAIL, "address not available" },
	{ ENETUNREACH, "network unreachable" },
	{ ECONNREFUSED, "connection refused" },
	{ EPROTO, "protocol error" },
	{ EINVAL, "invalid argument" },
	{ EISDIR, "is a directory" },
	{ EPERM, "permission denied" },
	{ EACCES, "access denied" },
	{ ETIMEDOUT, "timed out" },
	{ ENOMEM, "out of memory" },
	{ EINTR, "interrupted system call" },
	{ EAGAIN, "temporary failure" },
	{ ENOSPC, "out of disk space" },
	{ EMFILE, "out of file descriptors" },
	{ ENFILE, "file table overflow" },
	{ EIO, "input/output error" },
	{ EEXIST, "file already exists" },
	{ ENOTDIR, "not a directory" },
	{ EPIPE, "broken pipe" },
	{ EBADF, "file descriptor not open" },
	{ ECHILD, "no child processes" },
	{ ENXIO, "device not configured" },
	{ EROFS, "read-only file system" },
	{ ECONNRESET, "connection reset" },
	{ EHOSTUNREACH, "host unreachable" },
	{ ENOTSOCK, "not a socket" },
	{ ELOOP, "symbolic link loop" },
	{ ENAMETOOLONG, "file name too long" },
	{ EAFNOSUPPORT, "address family not supported" },
	{ EDQUOT, "disk quota exceeded" },
};

const char *
errstr(int err)
{
	size_t i;

	if (err == 0)
		return "no error";
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (words[i].err == err)
			return words[i].word;
	return strerror(err);
}
