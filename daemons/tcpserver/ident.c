/* ident.c: RFC 1413 query with one overall deadline, polled. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "daemons/tcpserver/ident.h"
#include "deadline.h"

/* A year: longer -t values mean "no deadline" in practice and keep the
 * millisecond arithmetic far from overflow. */
#define IDENT_TIMEOUT_CAP (366UL * 86400UL)

void
ident_reply_init(struct ident_reply *r)
{
	memset(r, 0, sizeof *r);
}

size_t
ident_reply_feed(struct ident_reply *r, const char *buf, size_t n)
{
	size_t i;
	char ch;

	for (i = 0; i < n && !r->done; i++) {
		ch = buf[i];
		if (ch == ' ' || ch == '\t' || ch == '\r')
			continue;
		if (ch == '\n') {
			r->done = 1;
		} else if (r->colons < 3) {
			if (ch == ':')
				r->colons++;
		} else {
			r->value[r->len++] = ch;
			r->value[r->len] = '\0';
			if (r->len == IDENT_VALUE_MAX)
				r->done = 1;
		}
	}
	return i;
}

static int
ident_connect(const struct ident_query *q, long long deadline)
{
	struct ip_addr local = q->local, remote = q->remote;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err;

	ip_unmap(&local);
	ip_unmap(&remote);
	fd = socket(local.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	len = ip_to_sockaddr(&local, 0, &ss);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		goto fail;
	len = ip_to_sockaddr(&remote, q->server_port, &ss);
	if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_scope_id = q->scope_id;
	if (deadline_connect(fd, (struct sockaddr *)&ss, len, deadline) == -1)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static int
ident_send(int fd, const struct ident_query *q, long long deadline)
{
	char line[32];
	int n;

	n = snprintf(line, sizeof line, "%u , %u\r\n",
	    q->remote_port, q->local_port);
	return deadline_send_all(fd, line, (size_t)n, deadline);
}

static int
ident_receive(int fd, struct ident_reply *r, long long deadline)
{
	char buf[128];
	ssize_t n;

	while (!r->done) {
		if (deadline_wait(fd, POLLIN, deadline) == -1)
			return -1;
		n = read(fd, buf, sizeof buf);
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		if (n == -1 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (n > 0)
			ident_reply_feed(r, buf, (size_t)n);
	}
	return 0;
}

int
ident_lookup(const struct ident_query *q, struct ident_reply *r)
{
	unsigned long t = q->timeout;
	long long deadline;
	int fd, rc, err;

	ident_reply_init(r);
	/* -t 0 never gets an answer from tcpserver (its deadline has passed
	 * before the reply can be read); a fast identd must not change that. */
	if (t == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (t > IDENT_TIMEOUT_CAP)
		t = IDENT_TIMEOUT_CAP;
	deadline = deadline_now_ms() + (long long)t * 1000;
	fd = ident_connect(q, deadline);
	if (fd == -1)
		return -1;
	rc = ident_send(fd, q, deadline);
	if (rc == 0)
		rc = ident_receive(fd, r, deadline);
	err = errno;
	close(fd);
	errno = err;
	return rc;
}
