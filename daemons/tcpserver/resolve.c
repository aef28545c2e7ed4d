/* resolve.c: PTR and paranoid A/AAAA lookups through the system resolver
 * (nsswitch, so /etc/hosts too), with a direct DNS query for the PTR names
 * glibc refuses to hand out. */
#include <stdio.h>
#include <string.h>
#include <netdb.h>
#include <resolv.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "daemons/tcpserver/resolve.h"

/* The reverse name of ip: d.c.b.a.in-addr.arpa or the ip6.arpa nibbles. */
static void
resolve_arpa(const struct ip_addr *ip, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	int i;

	if (ip->family == AF_INET) {
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa", ip->a[3], ip->a[2],
		    ip->a[1], ip->a[0]);
		return;
	}
	for (i = 15; i >= 0 && n + 4 < size; i--) {
		out[n++] = hex[ip->a[i] & 15];
		out[n++] = '.';
		out[n++] = hex[ip->a[i] >> 4];
		out[n++] = '.';
	}
	snprintf(out + n, size - n, "ip6.arpa");
}

/* The first PTR record in the answer to qname, straight from DNS, as
 * dn_expand writes it (odd bytes as "\DDD"). 1 found, else 0. */
static int
resolve_ptr_dns(const char *qname, char name[RESOLVE_NAME_MAX])
{
	unsigned char ans[4096];
	const unsigned char *p, *end;
	int n, qd, an, len;
	unsigned type, rdlen;

	n = res_query(qname, C_IN, T_PTR, ans, sizeof ans);
	if (n < HFIXEDSZ)
		return 0;
	end = ans + (n > (int)sizeof ans ? (int)sizeof ans : n);
	qd = ans[4] << 8 | ans[5];
	an = ans[6] << 8 | ans[7];
	for (p = ans + HFIXEDSZ; qd > 0; qd--, p += len + QFIXEDSZ) {
		len = dn_skipname(p, end);
		if (len < 0 || end - p < len + QFIXEDSZ)
			return 0;
	}
	for (; an > 0; an--, p += rdlen) {
		len = dn_skipname(p, end);
		if (len < 0 || end - p < len + RRFIXEDSZ)
			return 0;
		p += len;
		type = (unsigned)(p[0] << 8 | p[1]);
		rdlen = (unsigned)(p[8] << 8 | p[9]);
		p += RRFIXEDSZ;
		if ((size_t)(end - p) < rdlen)
			return 0;
		if (type == T_PTR)
			return dn_expand(ans, end, p, name, RESOLVE_NAME_MAX) > 0;
	}
	return 0;
}

int
resolve_ptr(const struct ip_addr *ip, char name[RESOLVE_NAME_MAX])
{
	struct hostent he, *res = NULL;
	struct ip_addr x = *ip;
	char buf[8192], qname[80];
	int herr = 0;

	ip_unmap(&x);
	if (gethostbyaddr_r(x.a, x.family == AF_INET ? 4 : 16, x.family, &he,
	    buf, sizeof buf, &res, &herr) == 0 && res != NULL &&
	    res->h_name != NULL && res->h_name[0] != '\0') {
		snprintf(name, RESOLVE_NAME_MAX, "%s", res->h_name);
		return 1;
	}
	/* glibc answers NO_RECOVERY for a PTR name outside host-name syntax;
	 * tcpserver takes such names and escapes their odd bytes, so ask DNS
	 * directly for those (not for NXDOMAIN or timeouts: no double wait). */
	if (res == NULL && herr == NO_RECOVERY) {
		resolve_arpa(&x, qname, sizeof qname);
		return resolve_ptr_dns(qname, name);
	}
	return 0;
}

int
resolve_confirm(const char *name, const struct ip_addr *ip)
{
	struct addrinfo hints, *res, *ai;
	struct ip_addr want = *ip, got;
	int found = 0;

	ip_unmap(&want);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = want.family;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	for (ai = res; ai != NULL && !found; ai = ai->ai_next) {
		if (ip_from_sockaddr(ai->ai_addr, &got, NULL) == 0 &&
		    ip_equal(&got, &want))
			found = 1;
	}
	freeaddrinfo(res);
	return found;
}

/* One label byte as djbdns writes it. */
static int
resolve_byte(struct strbuf *sb, unsigned char ch)
{
	char esc[4];

	if (ch >= 'A' && ch <= 'Z')
		ch += 'a' - 'A';
	if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	    ch == '-' || ch == '_')
		return strbuf_appendc(sb, (char)ch);
	esc[0] = '\\';
	esc[1] = (char)('0' + ((ch >> 6) & 7));
	esc[2] = (char)('0' + ((ch >> 3) & 7));
	esc[3] = (char)('0' + (ch & 7));
	return strbuf_append(sb, esc, 4);
}

/* Reads one byte of the resolver's text at *p, undoing its escapes. */
static unsigned char
resolve_unescape(const char **p)
{
	const char *s = *p;
	unsigned v;

	if (s[0] != '\\' || s[1] == '\0') {
		*p = s + 1;
		return (unsigned char)s[0];
	}
	if (s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
	    s[3] >= '0' && s[3] <= '9') {
		v = (unsigned)(s[1] - '0') * 100 + (unsigned)(s[2] - '0') * 10 +
		    (unsigned)(s[3] - '0');
		*p = s + 4;
		return (unsigned char)v;
	}
	*p = s + 2;
	return (unsigned char)s[1];
}

int
resolve_escape(struct strbuf *sb, const char *name)
{
	const char *p = name;
	int first = 1;

	if (name[0] == '\0' || strcmp(name, ".") == 0)
		return strbuf_appendc(sb, '.');
	while (*p != '\0') {
		if (!first && strbuf_appendc(sb, '.') == -1)
			return -1;
		first = 0;
		/* An unescaped '.' ends the label; "\." is a byte of it. */
		while (*p != '\0' && *p != '.') {
			if (resolve_byte(sb, resolve_unescape(&p)) == -1)
				return -1;
		}
		if (*p == '.')
			p++;
	}
	return 0;
}
