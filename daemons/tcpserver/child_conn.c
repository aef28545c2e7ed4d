/* child_conn.c: a connection's addresses and their text forms (short IPv4
 * for v4-mapped clients, the ::ffff: form for TCP6* and the log). */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "daemons/tcpserver/child.h"

/* ip as an IPv6 address: v4 becomes ::ffff:a.b.c.d. */
static void
conn_map(const struct ip_addr *ip, struct ip_addr *out)
{
	*out = *ip;
	if (ip->family != AF_INET)
		return;
	memset(out->a, 0, sizeof out->a);
	out->a[10] = 0xff;
	out->a[11] = 0xff;
	memcpy(out->a + 12, ip->a, 4);
	out->family = AF_INET6;
}

/* The two text forms of ip: short (TCP*) and long (TCP6*, log). */
static void
conn_format(const struct ip_addr *ip, int force6, char *shortform, char *longform)
{
	struct ip_addr x;

	conn_map(ip, &x);
	ip_format(&x, longform);
	if (force6 || !ip_is_v4mapped(&x)) {
		memcpy(shortform, longform, IP_FMT_MAX);
		return;
	}
	ip_unmap(&x);
	ip_format(&x, shortform);
}

void
child_conn_forms(struct child_conn *c, int force6)
{
	struct ip_addr x, local;

	/* An IPv4 client of a dual-stack socket (host 0) is served exactly
	 * as ucspi-tcp 0.88 serves it: dotted quads, no TCP6* variables and
	 * 0.88's log line, so that swapping the binary changes nothing for
	 * IPv4 clients and their log parsers. The Debian IPv6 build's forms
	 * (::ffff:a.b.c.d in TCP6* and in the log) are for IPv6 clients,
	 * and for IPv4 ones only under -6. */
	conn_map(&c->remote, &x);
	c->v6env = c->local.family == AF_INET6 &&
	    (force6 || !ip_is_v4mapped(&x));
	if (!c->v6env) {
		c->proto6 = 0;
		x = c->remote;
		ip_unmap(&x);
		local = c->local;
		ip_unmap(&local);
		ip_format(&local, c->local_ip);
		ip_format(&x, c->remote_ip);
		memcpy(c->local_ip6, c->local_ip, IP_FMT_MAX);
		memcpy(c->remote_ip6, c->remote_ip, IP_FMT_MAX);
		return;
	}
	c->proto6 = 1;
	conn_format(&c->local, force6, c->local_ip, c->local_ip6);
	conn_format(&c->remote, force6, c->remote_ip, c->remote_ip6);
}

int
child_conn_from_fd(struct child_conn *c, int fd, int force6)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ip_from_sockaddr((struct sockaddr *)&ss, &c->local, &c->local_port) == -1)
		return -1;
	c->scope_id = 0;
	if (ss.ss_family == AF_INET6)
		c->scope_id = ((struct sockaddr_in6 *)&ss)->sin6_scope_id;
	child_conn_forms(c, force6);
	return 0;
}
