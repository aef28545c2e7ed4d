/* logbatch.c: the log of an event loop, which must never wait for its
 * reader (log.h). Lines go into a bounded buffer; log_batch_flush writes
 * them without blocking, once per round of the loop.
 *
 * Why a descriptor of our own: fd 2 is shared with the children, which
 * expect a blocking stderr, and O_NONBLOCK belongs to the open file, not
 * to the descriptor. A pipe (s6-log, multilog, runit's svlogd) is opened
 * anew through /proc/self/fd/2, which gives a file of its own with the
 * same pipe behind it; a socket (journald) takes MSG_DONTWAIT per send;
 * a regular file or a terminal is written as it is (a file never waits
 * for a reader). Writes end at a line and are at most PIPE_BUF bytes, so
 * they are atomic and no child's line lands inside one of ours. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

enum batch_kind { BATCH_OFF, BATCH_PIPE, BATCH_SOCKET, BATCH_PLAIN };

static struct {
	enum batch_kind kind;
	int fd;			/* where lines go */
	char *buf;
	size_t len, cap;
	unsigned long dropped;	/* lines that did not fit since the last drain */
} batch = { BATCH_OFF, -1, NULL, 0, 0, 0 };

/* The descriptor an earlier image handed over (LOG_BATCH_ENV), taken out
 * of the environment so that no child sees it; -1 when there is none. */
static int
batch_inherited(void)
{
	const char *v = getenv(LOG_BATCH_ENV);
	char *end;
	long fd;

	if (v == NULL)
		return -1;
	fd = strtol(v, &end, 10);
	if (end != v && *end == ' ')
		batch.dropped = strtoul(end + 1, NULL, 10);
	(void)unsetenv(LOG_BATCH_ENV);
	if (end == v || fd <= 2 || fd > INT_MAX ||
	    fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return (int)fd;
}

/* A pipe's own non-blocking file: the one a re-exec handed over, else a
 * new open of fd 2's pipe; fd 2 itself when neither works (a pipe of
 * another user after privileges were dropped: the loop then writes only
 * when poll says there is room). */
static int
batch_pipe_fd(int inherited)
{
	int fd;

	if (inherited >= 0 && fcntl(inherited, F_SETFL, O_NONBLOCK) == 0)
		return inherited;
	fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	return fd >= 0 ? fd : 2;
}

int
log_batch_start(size_t cap)
{
	struct stat st;
	int inherited;

	if (batch.kind != BATCH_OFF)
		return 0;
	inherited = batch_inherited();
	batch.buf = malloc(cap);
	if (batch.buf == NULL) {
		if (inherited >= 0)
			close(inherited);
		return -1;
	}
	batch.cap = cap;
	batch.len = 0;
	batch.fd = 2;
	batch.kind = BATCH_PLAIN;
	if (fstat(2, &st) == 0 && S_ISSOCK(st.st_mode))
		batch.kind = BATCH_SOCKET;
	else if (fstat(2, &st) == 0 && S_ISFIFO(st.st_mode)) {
		batch.kind = BATCH_PIPE;
		batch.fd = batch_pipe_fd(inherited);
	}
	if (inherited >= 0 && inherited != batch.fd)
		close(inherited);
	return 0;
}

int
log_batch_append(const char *line, size_t n)
{
	if (batch.kind == BATCH_OFF)
		return -1;
	if (n > batch.cap - batch.len) {
		batch.dropped++;
		return 0;
	}
	memcpy(batch.buf + batch.len, line, n);
	batch.len += n;
	return 0;
}

static unsigned long
batch_lines(void)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < batch.len; i++)
		n += batch.buf[i] == '\n';
	return n;
}

/* One write of at most PIPE_BUF bytes ending at a newline. Returns the
 * bytes written, 0 when the reader has no room, -1 on another error. */
static ssize_t
batch_write_some(void)
{
	size_t n = batch.len < PIPE_BUF ? batch.len : PIPE_BUF;
	struct pollfd pfd;
	ssize_t w;

	while (n > 0 && batch.buf[n - 1] != '\n')
		n--;
	if (n == 0)
		n = batch.len < PIPE_BUF ? batch.len : PIPE_BUF;
	if (batch.kind == BATCH_PIPE && batch.fd == 2) {
		pfd.fd = 2;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 0) != 1)
			return 0;
	}
	do {
		if (batch.kind == BATCH_SOCKET)
			w = send(batch.fd, batch.buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			w = write(batch.fd, batch.buf, n);
	} while (w < 0 && errno == EINTR);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return w;
}

/* The count of lost lines, as a line of its own, once there is room. */
static void
batch_note_dropped(void)
{
	char line[160];
	int n;

	if (batch.dropped == 0 || batch.len != 0)
		return;
	n = snprintf(line, sizeof line, "%s: warning: %lu log lines dropped: "
	    "the log was not read\n", log_prog(), batch.dropped);
	if (n > 0 && (size_t)n < sizeof line && (size_t)n <= batch.cap) {
		memcpy(batch.buf, line, (size_t)n);
		batch.len = (size_t)n;
		batch.dropped = 0;
	}
}

int
log_batch_flush(void)
{
	int saved = errno;
	ssize_t w;

	if (batch.kind == BATCH_OFF)
		return 0;
	batch_note_dropped();
	while (batch.len > 0) {
		w = batch_write_some();
		if (w <= 0) {
			/* A log that is gone (EPIPE, EBADF) takes nothing
			 * more; lines are counted, the loop goes on. */
			if (w < 0) {
				batch.dropped += batch_lines();
				batch.len = 0;
			}
			break;
		}
		memmove(batch.buf, batch.buf + w, batch.len - (size_t)w);
		batch.len -= (size_t)w;
		batch_note_dropped();
	}
	errno = saved;
	return batch.len > 0;
}

int
log_batch_fd(void)
{
	if (batch.kind == BATCH_OFF || batch.len == 0)
		return -1;
	return batch.fd;
}

int
log_batch_drain(int timeout_ms)
{
	struct pollfd pfd;
	int left = timeout_ms;

	while (log_batch_flush() && left > 0) {
		pfd.fd = batch.fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, left < 10 ? left : 10) < 0 && errno != EINTR)
			break;
		left -= 10;
	}
	return batch.len > 0 ? -1 : 0;
}

int
log_batch_handover(char *var, size_t varlen)
{
	unsigned long lost;

	var[0] = '\0';
	if (batch.kind == BATCH_OFF)
		return -1;
	/* Lines still in the buffer die with the exec: counted. */
	(void)log_batch_drain(LOG_BATCH_DRAIN_MS);
	lost = batch.dropped + batch_lines();
	if (batch.kind != BATCH_PIPE || batch.fd == 2)
		return -1;
	snprintf(var, varlen, "%s=%d %lu", LOG_BATCH_ENV, batch.fd, lost);
	return batch.fd;
}

void
log_batch_stop(void)
{
	/* A forked child: the parent writes what is pending; the child's
	 * own lines go to fd 2 directly (and blocking) as before. */
	batch.kind = BATCH_OFF;
	batch.len = 0;
}
