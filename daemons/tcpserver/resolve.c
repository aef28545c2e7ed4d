/* resolve.c: PTR and paranoid A/AAAA lookups with getnameinfo/getaddrinfo. */
#include <string.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "daemons/tcpserver/resolve.h"

int
resolve_ptr(const struct ip_addr *ip, char name[RESOLVE_NAME_MAX])
{
	struct sockaddr_storage ss;
	struct ip_addr x = *ip;
	socklen_t len;

	ip_unmap(&x);
	len = ip_to_sockaddr(&x, 0, &ss);
	if (getnameinfo((struct sockaddr *)&ss, len, name, RESOLVE_NAME_MAX,
	    NULL, 0, NI_NAMEREQD) != 0)
		return 0;
	return name[0] != '\0';
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
