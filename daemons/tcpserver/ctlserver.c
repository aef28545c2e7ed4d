/* ctlserver.c: the control socket's peers: credentials, buffers, I/O. The
 * requests themselves are answered in ctlreq.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlidle.h"
#include "ctlserver.h"
#include "errstr.h"
#include "log.h"
#include "server.h"

/* Peers taken per wake-up, so that a flood of connects cannot hold the
 * loop away from the listening socket. */
#define CTL_ACCEPT_BATCH 16
/* Output memory kept by an idle client; more is given back. */
#define CTL_OUT_KEEP 65536

static void
replace_stale(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			die_sys(EX_TEMP, "unable to create control socket %s",
			    path);
		return;
	}
	if (!S_ISSOCK(st.st_mode))
		die_x(EX_TEMP, "unable to create control socket %s: "
		    "a file that is not a socket is in the way", path);
	if (unlink(path) < 0)
		die_sys(EX_TEMP, "unable to remove stale control socket %s",
		    path);
}

static void
bind_socket(int fd, const char *path)
{
	struct sockaddr_un sun;
	mode_t old;
	int r;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		die_x(EX_TEMP, "unable to create control socket %s: "
		    "name too long", path);
	memcpy(sun.sun_path, path, strlen(path));
	/* No moment with the socket open to others: bind creates it 0600. */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (r < 0)
		die_sys(EX_TEMP, "unable to bind control socket %s", path);
}

static void
ctl_init(struct ctl_server *c, const struct server_options *o)
{
	size_t i;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->o = o;
	for (i = 0; i < CTL_CLIENTS; i++)
		c->clients[i].fd = -1;
	for (i = 0; i < CTL_REFUSED; i++)
		c->refused[i] = -1;
	c->timer = c->timer_polled = -1;
}

void
ctl_inherit(struct ctl_server *c, const struct server_options *o, int fd)
{
	ctl_init(c, o);
	if (o->ctl_path == NULL || fd < 0)
		return;
	ctl_idle_open(c);
	c->fd = fd;
	c->group = o->gid != 0 ? o->gid : getgid();
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

struct ctl_client *
ctl_client_take(struct ctl_server *c, int fd)
{
	size_t i;

	if (c->fd < 0 || c->nclients == CTL_CLIENTS)
		return NULL;
	for (i = 0; c->clients[i].fd >= 0; i++)
		;
	c->clients[i].fd = fd;
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	ctl_idle_touch(c, &c->clients[i]);
	c->nclients++;
	return &c->clients[i];
}

void
ctl_open(struct ctl_server *c, const struct server_options *o)
{
	ctl_init(c, o);
	if (o->ctl_path == NULL)
		return;
	ctl_idle_open(c);
	replace_stale(o->ctl_path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		die_sys(EX_TEMP, "unable to create control socket %s",
		    o->ctl_path);
	bind_socket(c->fd, o->ctl_path);
	c->group = o->gid != 0 ? o->gid : getgid();
	if (chown(o->ctl_path, (uid_t)-1, c->group) < 0 ||
	    chmod(o->ctl_path, 0660) < 0)
		die_sys(EX_TEMP, "unable to set mode of control socket %s",
		    o->ctl_path);
	if (listen(c->fd, CTL_CLIENTS) < 0)
		die_sys(EX_TEMP, "unable to listen on control socket %s",
		    o->ctl_path);
}

size_t
ctl_pollfds(struct ctl_server *c, struct pollfd *pfd)
{
	struct ctl_client *cl;
	size_t i, n = 0;

	c->polled = -1;
	if (c->fd < 0)
		return 0;
	for (i = 0; i < CTL_CLIENTS; i++) {
		cl = &c->clients[i];
		cl->polled = -1;
		if (cl->fd < 0)
			continue;
		pfd[n].fd = cl->fd;
		/* No new request is read before the last answer is out:
		 * that bounds each peer's buffers to one reply. */
		pfd[n].events = cl->outpos < cl->out.len ? POLLOUT : POLLIN;
		pfd[n].revents = 0;
		cl->polled = (int)n++;
	}
	for (i = 0; i < CTL_REFUSED; i++) {
		c->refused_polled[i] = -1;
		if (c->refused[i] < 0)
			continue;
		pfd[n].fd = c->refused[i];
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		c->refused_polled[i] = (int)n++;
	}
	pfd[n].fd = c->fd;
	pfd[n].events = POLLIN;
	pfd[n].revents = 0;
	c->polled = (int)n++;
	c->timer_polled = -1;
	if (c->nclients > 0 && ctl_idle_pollfd(c, &pfd[n]))
		c->timer_polled = (int)n++;
	return n;
}

static void
client_close(struct ctl_server *c, struct ctl_client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	cl->inlen = 0;
	cl->skipping = cl->eof = cl->closing = 0;
	strbuf_free(&cl->out);
	cl->outpos = 0;
	c->nclients--;
}

/* 1 when all is sent, 0 when the rest must wait, -1 when the peer is gone. */
static int
client_flush(struct ctl_server *c, struct ctl_client *cl)
{
	ssize_t w;

	while (cl->outpos < cl->out.len) {
		w = send(cl->fd, cl->out.s + cl->outpos,
		    cl->out.len - cl->outpos, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w <= 0)
			return -1;
		cl->outpos += (size_t)w;
		ctl_idle_touch(c, cl);
	}
	if (cl->out.cap > CTL_OUT_KEEP)
		strbuf_free(&cl->out);
	strbuf_reset(&cl->out);
	cl->outpos = 0;
	return 1;
}

/* The reply comes from the new image, on the same descriptor; only a
 * failed exec is answered here. */
static void
reexec_for(struct server *s, struct ctl_client *cl)
{
	char err[512];

	if (server_reexec(s, cl->fd, err, sizeof err) < 0)
		(void)ctl_put_error(&cl->out, "exec", err);
}

/* Answers the first complete line in cl->in. Returns 1 when a line was
 * there, 0 when more input is needed. */
static int
client_next_line(struct server *s, struct ctl_client *cl)
{
	char *nl = memchr(cl->in, '\n', cl->inlen);
	size_t n;
	int r;

	if (cl->skipping) {
		if (nl == NULL) {
			cl->inlen = 0;
			return 0;
		}
		cl->skipping = 0;
	} else if (nl != NULL) {
		r = server_ctl_request(s, &cl->out, cl->in,
		    (size_t)(nl - cl->in));
		if (r == 1)
			cl->closing = 1;
		if (r == 2)
			reexec_for(s, cl);
	} else if (cl->inlen == sizeof cl->in) {
		(void)ctl_put_error(&cl->out, "usage", "request line too long");
		cl->skipping = 1;
		cl->inlen = 0;
		return 1;
	} else
		return 0;
	ctl_idle_touch(&s->ctl, cl);
	n = (size_t)(nl + 1 - cl->in);
	memmove(cl->in, cl->in + n, cl->inlen - n);
	cl->inlen -= n;
	return 1;
}

/* Sends, answers buffered lines, sends again, until output must wait or
 * input is needed; closes the peer when it is done or too slow. */
static void
client_pump(struct server *s, struct ctl_client *cl)
{
	int r;

	for (;;) {
		if (cl->out.len > CTL_REPLY_MAX) {
			log_warn("control client dropped: reply over %lu bytes",
			    CTL_REPLY_MAX);
			break;
		}
		r = client_flush(&s->ctl, cl);
		if (r < 0)
			break;
		if (r == 0)
			return;
		if (cl->closing)
			break;
		if (!client_next_line(s, cl)) {
			if (cl->eof)
				break;
			return;
		}
	}
	client_close(&s->ctl, cl);
}

static void
client_read(struct server *s, struct ctl_client *cl)
{
	ssize_t r;

	r = recv(cl->fd, cl->in + cl->inlen, sizeof cl->in - cl->inlen,
	    MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (r <= 0)
		cl->eof = 1;
	else
		cl->inlen += (size_t)r;
	client_pump(s, cl);
}

static int
peer_allowed(const struct ctl_server *c, const struct ucred *u)
{
	size_t i;

	if (u->uid == 0 || u->uid == getuid() || u->gid == c->group)
		return 1;
	for (i = 0; i < c->o->nallow; i++)
		if (c->o->allow[i].is_gid ? u->gid == c->o->allow[i].id :
		    u->uid == c->o->allow[i].id)
			return 1;
	return 0;
}

/* The refusal is a few bytes on an empty socket buffer: sent at once.
 * The descriptor is then kept (see struct ctl_server). */
static void
refuse_peer(struct ctl_server *c, int fd, const char *code, const char *text)
{
	struct strbuf sb = STRBUF_ZERO;
	size_t i;

	if (ctl_put_error(&sb, code, text) == 0)
		(void)send(fd, sb.s, sb.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	strbuf_free(&sb);
	for (i = 0; i < CTL_REFUSED && c->refused[i] >= 0; i++)
		;
	if (i == CTL_REFUSED) {
		i = c->refused_next;
		c->refused_next = (i + 1) % CTL_REFUSED;
		close(c->refused[i]);
	}
	c->refused[i] = fd;
}

/* Whatever a refused peer writes is dropped; its end closes ours. */
static void
drain_refused(struct ctl_server *c, size_t i)
{
	char sink[4096];
	ssize_t r;

	r = recv(c->refused[i], sink, sizeof sink, MSG_DONTWAIT);
	if (r > 0 || (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR)))
		return;
	close(c->refused[i]);
	c->refused[i] = -1;
}

static void
take_peer(struct ctl_server *c, int fd)
{
	struct ucred u;
	socklen_t len = sizeof u;

	memset(&u, 0, sizeof u);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &u, &len) < 0 ||
	    !peer_allowed(c, &u)) {
		c->denied++;
		log_line(2, "control denied pid %ld uid %lu gid %lu",
		    (long)u.pid, (unsigned long)u.uid, (unsigned long)u.gid);
		refuse_peer(c, fd, "denied", "peer not allowed");
		return;
	}
	if (c->nclients == CTL_CLIENTS) {
		c->busy++;
		log_line(2, "control busy pid %ld uid %lu", (long)u.pid,
		    (unsigned long)u.uid);
		refuse_peer(c, fd, "busy", "too many control clients");
		return;
	}
	(void)ctl_client_take(c, fd);
}

static void
accept_peers(struct ctl_server *c)
{
	int fd, i;

	for (i = 0; i < CTL_ACCEPT_BATCH; i++) {
		fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn_sys("unable to accept control client");
			return;
		}
		take_peer(c, fd);
	}
}

/* Clients past their deadline: nothing asked and nothing taken for the
 * idle time. Closed without an error block: none of the protocol's codes
 * means this, and the peer was not asking. */
static void
close_idle(struct ctl_server *c, long long now)
{
	struct ctl_client *cl;
	size_t i;

	for (i = 0; i < CTL_CLIENTS; i++) {
		cl = &c->clients[i];
		if (cl->fd < 0 || cl->deadline == 0 || cl->deadline > now)
			continue;
		c->timeouts++;
		log_line(2, "control timeout after %lld seconds idle",
		    c->idle_ns / 1000000000LL);
		client_close(c, cl);
	}
}

void
ctl_events(struct server *s, const struct pollfd *pfd)
{
	struct ctl_server *c = &s->ctl;
	struct ctl_client *cl;
	long long now;
	size_t i;

	if (c->fd < 0)
		return;
	for (i = 0; i < CTL_CLIENTS; i++) {
		cl = &c->clients[i];
		if (cl->fd < 0 || cl->polled < 0 || pfd[cl->polled].revents == 0)
			continue;
		if (pfd[cl->polled].events == POLLIN)
			client_read(s, cl);
		else
			client_pump(s, cl);
	}
	for (i = 0; i < CTL_REFUSED; i++)
		if (c->refused[i] >= 0 && c->refused_polled[i] >= 0 &&
		    pfd[c->refused_polled[i]].revents != 0)
			drain_refused(c, i);
	if (c->timer_polled >= 0 &&
	    ctl_idle_fired(c, &pfd[c->timer_polled], &now))
		close_idle(c, now);
	if (pfd[c->polled].revents != 0)
		accept_peers(c);
}
