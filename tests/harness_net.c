/* harness_net.c: the loopback client side of the test harness: connect
 * with a timeout, send, read to EOF or a byte count, reset. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

/* Milliseconds left before deadline, never negative. */
static int
ms_left(long long deadline)
{
	long long left = deadline - harness_now_ms();

	return left > 0 ? (int)left : 0;
}

/* Fills ss with addr (default the loopback address of the family);
 * returns the length, 0 if addr does not parse. */
static socklen_t
loopback_addr(int family, const char *addr, unsigned port,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr ? addr : "::1", &s6->sin6_addr) != 1)
			return 0;
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, addr ? addr : "127.0.0.1",
		    &s4->sin_addr) != 1)
			return 0;
		return sizeof(*s4);
	}
}

/* Waits for a non-blocking connect to finish; 0 or -1. */
static int
connect_finish(int fd, int timeout_ms)
{
	struct pollfd pf = { fd, POLLOUT, 0 };
	int err = 0;
	socklen_t len = sizeof(err);

	if (poll(&pf, 1, timeout_ms) != 1)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err) {
		errno = err;
		return -1;
	}
	return 0;
}

int
harness_connect(int family, const char *src, unsigned port, int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	fd = socket(family == 6 ? AF_INET6 : AF_INET,
	    SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	if (src != NULL) {
		len = loopback_addr(family, src, 0, &ss);
		if (len == 0 || bind(fd, (struct sockaddr *)&ss, len) == -1)
			goto fail;
	}
	len = loopback_addr(family, NULL, port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		if (errno != EINPROGRESS || connect_finish(fd, timeout_ms) == -1)
			goto fail;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == -1)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

int
harness_bind_loopback(int type, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback_addr(4, NULL, port, &ss);
	int fd, one = 1;

	if ((fd = socket(AF_INET, type | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 8) == -1)) {
		close(fd);
		return -1;
	}
	return fd;
}

int
harness_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int
harness_free_port(void)
{
	int fd = harness_bind_loopback(SOCK_STREAM, 0), port;

	if (fd < 0)
		return -1;
	port = harness_local_port(fd);
	close(fd);
	return port > 0 ? port : -1;
}

int
harness_send(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

char *
harness_read_all(int fd, int timeout_ms, size_t *lenp)
{
	long long deadline = harness_now_ms() + harness_slow_ms(timeout_ms);
	char *s = malloc(1);
	size_t n = 0, cap = 1;

	while (s != NULL) {
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t r;

		if (n + 4096 > cap) {
			char *t = realloc(s, cap = n + 65536);

			if (t == NULL)
				break;
			s = t;
		}
		if (poll(&pf, 1, ms_left(deadline)) != 1)
			break;
		r = read(fd, s + n, cap - n - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == 0 || (r == -1 && errno == ECONNRESET)) {
			s[n] = '\0';
			if (lenp != NULL)
				*lenp = n;
			return s;
		}
		if (r < 0)
			break;
		n += (size_t)r;
	}
	free(s);
	return NULL;
}

int
harness_closed(int fd, int timeout_ms)
{
	char *rest = harness_read_all(fd, timeout_ms, NULL);
	int closed = rest != NULL;

	free(rest);
	return closed;
}

size_t
harness_read_upto(int fd, char *buf, size_t cap, size_t want, int timeout_ms)
{
	long long deadline = harness_now_ms() + harness_slow_ms(timeout_ms);
	size_t n = 0;

	if (want > cap - 1)
		want = cap - 1;
	while (n < want) {
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&pf, 1, ms_left(deadline)) != 1)
			break;
		r = read(fd, buf + n, want - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return n;
}

int
harness_readable(int fd, int timeout_ms)
{
	struct pollfd pf = { fd, POLLIN, 0 };

	return poll(&pf, 1, harness_slow_ms(timeout_ms)) == 1;
}

void
harness_reset(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}
