/* listen.c: resolving host and port, and the listening socket. */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "listen.h"

int
listen_parse_port(const char *s, unsigned *port)
{
	const char *p;
	unsigned long v = 0;
	struct servent *se;

	/* 0.88's unchecked scan: digits wrap, "" is 0 (any free port). */
	for (p = s; *p >= '0' && *p <= '9'; p++)
		v = (v * 10 + (unsigned long)(*p - '0')) % 65536;
	if (*p == '\0') {
		*port = (unsigned)v;
		return 0;
	}
	se = getservbyname(s, "tcp");
	if (se == NULL) {
		errno = ENOENT;
		return -1;
	}
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

static void
any_address(const struct server_options *o, struct ip_addr *ip, int *dualstack)
{
	memset(ip, 0, sizeof *ip);
	ip->family = o->family == 4 ? AF_INET : AF_INET6;
	*dualstack = ip->family == AF_INET6;
}

static void
map_v4(struct ip_addr *ip)
{
	unsigned char v4[4];

	memcpy(v4, ip->a, 4);
	memset(ip->a, 0, sizeof ip->a);
	ip->a[10] = ip->a[11] = 0xff;
	memcpy(ip->a + 12, v4, 4);
	ip->family = AF_INET6;
}

/* 0.88's dns_domain_fromdot refuses a label over 63 bytes or a name
 * over 255 in wire form before any query, and says so as a protocol
 * error; getaddrinfo would call the same name unknown. */
static int
name_encodable(const char *name)
{
	size_t label = 0, wire = 1;

	for (; *name != '\0'; name++, wire++) {
		if (*name == '.') {
			label = 0;
			continue;
		}
		if (++label > 63)
			return 0;
	}
	return wire + 1 <= 255;
}

static void
resolve_name(const struct server_options *o, struct ip_addr *ip)
{
	struct addrinfo hints, *res;
	int r;

	if (!name_encodable(o->host))
		die_x(EX_TEMP, "temporarily unable to figure out IP address "
		    "for %s: protocol error", o->host);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = o->family == 4 ? AF_INET : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	r = getaddrinfo(o->host, NULL, &hints, &res);
	if (r == EAI_NONAME || r == EAI_NODATA || r == EAI_ADDRFAMILY)
		die_x(EX_TEMP, "no IP address for %s", o->host);
	if (r == EAI_SYSTEM)
		die_sys(EX_TEMP, "temporarily unable to figure out IP "
		    "address for %s", o->host);
	if (r != 0)
		die_x(EX_TEMP, "temporarily unable to figure out IP "
		    "address for %s: %s", o->host, gai_strerror(r));
	r = ip_from_sockaddr(res->ai_addr, ip, NULL);
	freeaddrinfo(res);
	if (r < 0)
		die_x(EX_TEMP, "no IP address for %s", o->host);
}

void
listen_resolve_host(const struct server_options *o, struct ip_addr *ip,
    int *dualstack)
{
	struct in_addr legacy;

	*dualstack = 0;
	if (o->host[0] == '\0' || strcmp(o->host, "0") == 0 ||
	    strcmp(o->host, "::") == 0) {
		if (o->host[0] == ':' && o->family == 4)
			die_x(EX_PERM, "not an IPv4 address (-4): %s", o->host);
		any_address(o, ip, dualstack);
		return;
	}
	if (ip_parse(o->host, ip) < 0) {
		/* getaddrinfo takes inet_aton's old forms ("7" is 0.0.0.7,
		 * "127.1", "0x7f.1"); 0.88 took them for names that have no
		 * address, and a typo should not bind somewhere odd. */
		if (inet_aton(o->host, &legacy) != 0)
			die_x(EX_TEMP, "no IP address for %s", o->host);
		resolve_name(o, ip);
	}
	if (ip->family == AF_INET6 && ip_is_v4mapped(ip) && o->family == 4)
		ip_unmap(ip);
	if (ip->family == AF_INET6 && o->family == 4)
		die_x(EX_PERM, "not an IPv4 address (-4): %s", o->host);
	/* A v4-mapped address only works with IPV6_V6ONLY off, whatever
	 * net.ipv6.bindv6only says. */
	if (ip->family == AF_INET && o->family == 6)
		map_v4(ip);
	*dualstack = ip_is_v4mapped(ip);
}

static int
is_any(const struct ip_addr *ip)
{
	static const unsigned char zero[16];

	return memcmp(ip->a, zero, sizeof zero) == 0;
}

static int
open_socket(const struct server_options *o, struct ip_addr *ip, int dualstack)
{
	int fd, off = 0;

	fd = socket(ip->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && errno == EAFNOSUPPORT && o->family != 6 && is_any(ip)) {
		/* A kernel without IPv6: "any" is 0.0.0.0 then. */
		ip->family = AF_INET;
		dualstack = 0;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		die_sys(EX_TEMP, "unable to create socket");
	if (dualstack && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof off) < 0)
		die_sys(EX_TEMP, "unable to create socket");
	return fd;
}

static unsigned
interface_index(const struct server_options *o)
{
	unsigned idx;

	if (o->interface == NULL)
		return 0;
	idx = if_nametoindex(o->interface);
	if (idx == 0)
		die_sys(EX_TEMP, "unable to find interface %s", o->interface);
	return idx;
}

void
listen_open(struct listener *l, const struct server_options *o,
    unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned scope;
	int dualstack, one = 1;

	listen_resolve_host(o, &l->addr, &dualstack);
	scope = interface_index(o);
	l->fd = open_socket(o, &l->addr, dualstack);
	if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		die_sys(EX_TEMP, "unable to create socket");
	len = ip_to_sockaddr(&l->addr, port, &ss);
	if (l->addr.family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_scope_id = scope;
	if (bind(l->fd, (struct sockaddr *)&ss, len) < 0)
		die_sys(EX_TEMP, "unable to bind");
	len = sizeof ss;
	if (getsockname(l->fd, (struct sockaddr *)&ss, &len) < 0 ||
	    ip_from_sockaddr((struct sockaddr *)&ss, &l->addr, &l->port) < 0)
		die_sys(EX_TEMP, "unable to get local address");
	if (listen(l->fd, (int)o->backlog) < 0)
		die_sys(EX_TEMP, "unable to listen");
}

int
listen_inherit(struct listener *l, int fd, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int on = 0, type = 0;
	socklen_t olen = sizeof on, tlen = sizeof type;

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &olen) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (!on || type != SOCK_STREAM ||
	    ip_from_sockaddr((struct sockaddr *)&ss, &l->addr, &l->port) < 0 ||
	    (port != 0 && l->port != port)) {
		errno = EINVAL;
		return -1;
	}
	l->fd = fd;
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

int
listen_queue(const struct listener *l, unsigned long *queued,
    unsigned long *backlog)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	memset(&ti, 0, sizeof ti);
	if (getsockopt(l->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	/* For a listening socket the kernel reports the accept queue's
	 * length in tcpi_unacked and its bound in tcpi_sacked. */
	*queued = ti.tcpi_unacked;
	*backlog = ti.tcpi_sacked;
	return 0;
}

/* The value under name in a "TcpExt: names" / "TcpExt: values" pair. */
static int
netstat_value(const char *names, const char *values, const char *name,
    unsigned long long *n)
{
	const char *p = names, *v = values;
	size_t len = strlen(name);

	for (;;) {
		p = strchr(p, ' ');
		v = strchr(v, ' ');
		if (p == NULL || v == NULL)
			break;
		p++;
		v++;
		if (strncmp(p, name, len) == 0 && (p[len] == ' ' ||
		    p[len] == '\n' || p[len] == '\0')) {
			*n = strtoull(v, NULL, 10);
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

int
listen_overflows(unsigned long long *n)
{
	char names[8192], values[8192];
	FILE *f = fopen("/proc/net/netstat", "re");
	int r = -1;

	if (f == NULL)
		return -1;
	errno = ENOENT;
	while (fgets(names, sizeof names, f) != NULL &&
	    fgets(values, sizeof values, f) != NULL)
		if (strncmp(names, "TcpExt:", 7) == 0) {
			r = netstat_value(names, values, "ListenOverflows", n);
			break;
		}
	fclose(f);
	return r;
}
