/* listen.h: the listening socket: host and port as tcpserver reads them
 * (plus IPv6 and the system resolver), SO_REUSEADDR, bind, listen. */
#ifndef MAILSTACK_TCPSERVER_LISTEN_H
#define MAILSTACK_TCPSERVER_LISTEN_H

#include "ip.h"
#include "options.h"

struct listener {
	int fd;			/* non-blocking, close-on-exec */
	struct ip_addr addr;	/* as bound */
	unsigned port;		/* as bound (the kernel's choice for 0) */
};

/* port as tcpserver reads it: all digits (even none) is a number modulo
 * 65536, anything else a service name (getservbyname, "tcp"). Returns 0,
 * or -1 (errno ENOENT) when the name is unknown. */
int listen_parse_port(const char *s, unsigned *port);

/* Where to bind: host ""/"0"/"::" is "any" (IPv6 dual stack, or 0.0.0.0
 * with -4 or without IPv6), a literal is used as is (-6 maps an IPv4
 * literal), a name goes through getaddrinfo (first answer). *dualstack is
 * set when IPV6_V6ONLY must be turned off. Dies (111, or 100 for a
 * literal -4 cannot use) with tcpserver's messages. */
void listen_resolve_host(const struct server_options *o, struct ip_addr *ip,
    int *dualstack);

/* Resolves the host, creates, binds port (from listen_parse_port) and
 * listens as o says; dies on failure with tcpserver's words ("unable to
 * bind: address already used", exit 111). */
void listen_open(struct listener *l, const struct server_options *o,
    unsigned port);

/* After a re-exec: fd, the old image's listening socket, checked (a
 * listening TCP socket, on port unless port is 0) and made close-on-exec
 * again. 0, or -1 with errno ENOTSOCK / EINVAL. */
int listen_inherit(struct listener *l, int fd, unsigned port);

/* The accept queue of the listening socket now and its backlog as the
 * kernel applies it (TCP_INFO: the backlog asked for, capped by
 * net.core.somaxconn). 0, or -1 with errno. */
int listen_queue(const struct listener *l, unsigned long *queued,
    unsigned long *backlog);
/* TcpExtListenOverflows of our network namespace (/proc/net/netstat):
 * connections dropped because an accept queue was full, any listener's.
 * 0, or -1 with errno. */
int listen_overflows(unsigned long long *n);

#endif
