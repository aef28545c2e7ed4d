/* ctlclient.c: talking to a listener's control socket with deadlines. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/deadline.h"
#include "lib/strbuf.h"
#include "web/ctlclient.h"

static int
connect_unix(const char *path, long long deadline)
{
	struct sockaddr_un sun;
	int fd, err = 0;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (deadline_connect(fd, (struct sockaddr *)&sun, sizeof(sun), deadline) == -1)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static int
read_block(int fd, struct strbuf *sb, long long deadline)
{
	char chunk[16384];

	while (!ctl_block_complete(sb->s, sb->len)) {
		ssize_t r = recv(fd, chunk, sizeof(chunk), 0);

		if (r == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (deadline_wait(fd, POLLIN, deadline) == -1)
				return -1;
			continue;
		}
		if (r == -1)
			return -1;
		if (r == 0 || sb->len + (size_t)r > CTL_REPLY_MAX) {
			errno = EPROTO;
			return -1;
		}
		if (strbuf_append(sb, chunk, (size_t)r) == -1)
			return -1;
	}
	return 0;
}

int
ctlclient_request(const char *path, const char *request, int timeout_ms,
    struct ctl_reply *r)
{
	struct strbuf sb = STRBUF_ZERO;
	long long deadline = deadline_now_ms() + timeout_ms;
	int fd, e;

	memset(r, 0, sizeof(*r));
	if ((fd = connect_unix(path, deadline)) == -1)
		return -1;
	if (deadline_send_all(fd, request, strlen(request), deadline) == -1 ||
	    deadline_send_all(fd, "\n", 1, deadline) == -1 ||
	    read_block(fd, &sb, deadline) == -1) {
		e = errno;
		close(fd);
		strbuf_free(&sb);
		errno = e;
		return -1;
	}
	close(fd);
	return ctl_reply_parse(sb.s, sb.len, r);
}

int
ctlclient_send(const char *path, const struct ctl_request *req, int timeout_ms,
    struct ctl_reply *r)
{
	char line[CTL_LINE_MAX];

	memset(r, 0, sizeof(*r));
	if (ctl_format_request(req, line, sizeof(line)) == -1)
		return -1;
	return ctlclient_request(path, line, timeout_ms, r);
}

