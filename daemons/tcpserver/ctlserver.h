/* ctlserver.h: the listener's control socket: a unix stream socket served
 * from the event loop, at most CTL_CLIENTS peers, each checked with
 * SO_PEERCRED and given buffered, non-blocking input and output. */
#ifndef MAILSTACK_TCPSERVER_CTLSOCK_H
#define MAILSTACK_TCPSERVER_CTLSOCK_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

#include "ctlproto.h"
#include "options.h"
#include "strbuf.h"

#define CTL_CLIENTS 8
/* Refused peers kept open until they close (the oldest goes first). */
#define CTL_REFUSED 8
/* Descriptors ctl_pollfds may fill: the socket, clients, refused peers,
 * the idle timer. */
#define CTL_POLLFDS (CTL_CLIENTS + CTL_REFUSED + 2)
/* A client is closed after this many seconds without a complete request
 * line and without any of its pending reply taken: an allowed peer that
 * says nothing must not keep one of the CTL_CLIENTS slots for ever.
 * MAILSTACK_CONTROL_TIMEOUT in the environment changes it (0 = never). */
#define CTL_IDLE_SECONDS 30

struct ctl_client {
	int fd;			/* -1 = free slot */
	int polled;		/* index in the poll array, -1 = not polled */
	char in[CTL_LINE_MAX];
	size_t inlen;
	int skipping;		/* dropping the rest of a too long line */
	int eof;		/* the peer will send no more */
	int closing;		/* close once out is sent ("quit") */
	struct strbuf out;
	size_t outpos;		/* sent so far */
	long long deadline;	/* CLOCK_MONOTONIC ns: closed when idle past it */
};

struct ctl_server {
	int fd;			/* -1 = no control socket */
	int polled;
	gid_t group;		/* the socket file's group */
	const struct server_options *o;
	struct ctl_client clients[CTL_CLIENTS];
	size_t nclients;
	/* A refused peer (denied, busy) has its error block sent, then its
	 * descriptor is kept and drained until it closes: closed at once,
	 * the peer's request written just after connect() would fail with
	 * EPIPE before it could read why. */
	int refused[CTL_REFUSED];	/* -1 = free */
	int refused_polled[CTL_REFUSED];
	size_t refused_next;		/* the slot taken when all are used */
	unsigned long denied;	/* peers refused by the credentials check */
	unsigned long busy;	/* peers refused because all slots were taken */
	/* Idle clients: a timerfd armed at the earliest deadline wakes the
	 * loop's poll, which has no timeout of its own. */
	long long idle_ns;	/* 0 = no timeout */
	int timer;		/* -1 = none */
	int timer_polled;
	long long timer_at;	/* the deadline it is armed for, 0 = disarmed */
	unsigned long timeouts;	/* clients closed for being idle */
};

struct server;

/* Creates the socket at o->ctl_path (a stale socket file is replaced),
 * mode 0660, group -g or our gid, listening, and the idle timer; does
 * nothing without -s. Dies (111) on failure, 100 on a bad
 * MAILSTACK_CONTROL_TIMEOUT. Call before dropping privileges. */
void ctl_open(struct ctl_server *c, const struct server_options *o);

/* After a re-exec: the old image's socket fd (listening, bound and
 * permissioned already), and the idle timer; nothing without -s. */
void ctl_inherit(struct ctl_server *c, const struct server_options *o, int fd);
/* Makes fd a client (the peer was accepted and checked by the old image).
 * Returns its slot, or NULL when all are taken. */
struct ctl_client *ctl_client_take(struct ctl_server *c, int fd);

/* Adds the socket, the clients and, while there are clients, the idle
 * timer (armed for the earliest deadline) to pfd (room for CTL_POLLFDS)
 * and returns how many were added. */
size_t ctl_pollfds(struct ctl_server *c, struct pollfd *pfd);

/* Serves what poll reported in pfd (the array ctl_pollfds filled):
 * reads requests, answers them through server_ctl_request, writes,
 * closes idle clients, accepts new peers. Never blocks. */
void ctl_events(struct server *s, const struct pollfd *pfd);

#endif
