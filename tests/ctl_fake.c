/* ctl_fake.c: the fake mailctld of the mailctl tests (one request, canned reply). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "ctl_fake.h"

#define FAKE_MAX_REQUEST (16 * 1024 * 1024)

static const char *
fake_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 429: return "Too Many Requests";
	}
	return "Status";
}

/* Reads until the head is complete and Content-Length bytes follow it. */
static char *
fake_read_request(int fd, size_t *len, size_t *headlen)
{
	size_t cap = 65536, n = 0, want = (size_t)-1;
	char *buf = malloc(cap + 1);

	while (buf != NULL && n < want) {
		ssize_t r;

		if (!harness_readable(fd, HARNESS_TIMEOUT_MS) ||
		    (r = read(fd, buf + n, cap - n)) <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if (want == (size_t)-1 && strstr(buf, "\r\n\r\n") != NULL) {
			char *cl = strcasestr(buf, "\r\nContent-Length:");

			*headlen = (size_t)(strstr(buf, "\r\n\r\n") - buf) + 4;
			want = *headlen + (cl != NULL ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (n == cap && cap < FAKE_MAX_REQUEST) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	*len = n;
	if (buf != NULL && n < want) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void
fake_record(struct ctl_fake *f, const char *req, size_t len, size_t headlen)
{
	const char *eol = strstr(req, "\r\n");

	sscanf(req, "%15s %2047s", f->method, f->target);
	f->head = strndup(eol + 2, headlen - (size_t)(eol + 2 - req));
	f->body_len = len - headlen;
	f->body_in = malloc(f->body_len + 1);
	if (f->body_in != NULL) {
		memcpy(f->body_in, req + headlen, f->body_len);
		f->body_in[f->body_len] = '\0';
	}
	f->got = 1;
}

static void
fake_answer(struct ctl_fake *f, int c)
{
	char *reply = NULL;
	int n;

	n = asprintf(&reply, "HTTP/1.1 %d %s\r\n%s%s%sContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", f->status, fake_reason(f->status),
	    f->ctype != NULL ? "Content-Type: " : "", f->ctype != NULL ? f->ctype : "",
	    f->ctype != NULL ? "\r\n" : "", strlen(f->body), f->body);
	if (n > 0)
		if (write(c, reply, (size_t)n) < 0)
			f->got = -1;
	free(reply);
}

static void *
fake_main(void *arg)
{
	struct ctl_fake *f = arg;
	size_t len = 0, headlen = 0;
	char *req;
	int c;

	if (!harness_readable(f->fd, HARNESS_TIMEOUT_MS) ||
	    (c = accept(f->fd, NULL, NULL)) == -1)
		return NULL;
	req = fake_read_request(c, &len, &headlen);
	if (req != NULL) {
		fake_record(f, req, len, headlen);
		if (f->status != 0)
			fake_answer(f, c);
		else	/* silent: until the client gives up */
			harness_readable(c, CTL_FAKE_SILENT_MS);
	}
	free(req);
	shutdown(c, SHUT_WR);
	harness_readable(c, 1000);
	close(c);
	return NULL;
}

int
ctl_fake_start(struct ctl_fake *f, int status, const char *ctype, const char *body)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);

	memset(f, 0, sizeof(*f));
	f->status = status;
	f->ctype = ctype;
	f->body = body;
	f->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->fd == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(f->fd, 4) == -1 ||
	    getsockname(f->fd, (struct sockaddr *)&sa, &salen) == -1 ||
	    pthread_create(&f->thread, NULL, fake_main, f) != 0) {
		close(f->fd);
		return -1;
	}
	f->port = ntohs(sa.sin_port);
	f->started = 1;
	return 0;
}

int
ctl_fake_again(struct ctl_fake *f, int status, const char *ctype, const char *body)
{
	ctl_fake_wait(f);
	free(f->head);
	free(f->body_in);
	f->head = f->body_in = NULL;
	f->got = 0;
	f->status = status;
	f->ctype = ctype;
	f->body = body;
	if (pthread_create(&f->thread, NULL, fake_main, f) != 0)
		return -1;
	f->started = 1;
	return 0;
}

void
ctl_fake_wait(struct ctl_fake *f)
{
	if (f->started) {
		pthread_join(f->thread, NULL);
		f->started = 0;
	}
}

void
ctl_fake_free(struct ctl_fake *f)
{
	ctl_fake_wait(f);
	close(f->fd);
	free(f->head);
	free(f->body_in);
	f->head = f->body_in = NULL;
}

char *
ctl_fake_header(const struct ctl_fake *f, const char *name)
{
	size_t n = strlen(name);
	const char *p = f->head;

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, "\r\n");

		if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;

			while (*v == ' ')
				v++;
			return strndup(v, len - (size_t)(v - p));
		}
		p += len;
		p += strspn(p, "\r\n");
	}
	return NULL;
}

const char *
ctl_fake_url(const struct ctl_fake *f)
{
	static char url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%u", f->port);
	return url;
}
