/* ip.c: IPv4/IPv6 address values. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "ip.h"

static const unsigned char v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

int
ip_parse(const char *s, struct ip_addr *ip)
{
	memset(ip, 0, sizeof *ip);
	/* glibc's inet_pton rejects leading zeros and short forms for
	 * AF_INET, which is the canonical text tcpserver prints. */
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->a) == 1) {
		ip->family = AF_INET6;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

size_t
ip_format(const struct ip_addr *ip, char out[IP_FMT_MAX])
{
	if (inet_ntop(ip->family, ip->a, out, IP_FMT_MAX) == NULL) {
		out[0] = '\0';
		return 0;
	}
	return strlen(out);
}

int
ip_from_sockaddr(const struct sockaddr *sa, struct ip_addr *ip, unsigned *port)
{
	memset(ip, 0, sizeof *ip);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		ip->family = AF_INET;
		memcpy(ip->a, &sin->sin_addr, 4);
		if (port)
			*port = ntohs(sin->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		ip->family = AF_INET6;
		memcpy(ip->a, &sin6->sin6_addr, 16);
		if (port)
			*port = ntohs(sin6->sin6_port);
		return 0;
	}
	errno = EAFNOSUPPORT;
	return -1;
}

socklen_t
ip_to_sockaddr(const struct ip_addr *ip, unsigned port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (ip->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		memcpy(&sin->sin_addr, ip->a, 4);
		return sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		memcpy(&sin6->sin6_addr, ip->a, 16);
		return sizeof *sin6;
	}
}

int
ip_is_v4mapped(const struct ip_addr *ip)
{
	return ip->family == AF_INET6 &&
	    memcmp(ip->a, v4mapped_prefix, sizeof v4mapped_prefix) == 0;
}

void
ip_unmap(struct ip_addr *ip)
{
	if (!ip_is_v4mapped(ip))
		return;
	memmove(ip->a, ip->a + 12, 4);
	memset(ip->a + 4, 0, 12);
	ip->family = AF_INET;
}

unsigned
ip_bits(const struct ip_addr *ip)
{
	return ip->family == AF_INET ? 32 : 128;
}

void
ip_mask(struct ip_addr *ip, unsigned bits)
{
	unsigned width = ip_bits(ip);
	unsigned i;

	if (bits >= width)
		return;
	for (i = bits / 8; i < width / 8; i++) {
		if (i == bits / 8 && bits % 8)
			ip->a[i] &= (unsigned char)(0xff << (8 - bits % 8));
		else
			ip->a[i] = 0;
	}
}

int
ip_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && memcmp(a->a, b->a, ip_bits(a) / 8) == 0;
}

/* FNV-1a: good enough spread for table buckets, no state. */
uint32_t
ip_hash(const struct ip_addr *ip)
{
	uint32_t h = 2166136261u;
	unsigned i, n = ip_bits(ip) / 8;

	h = (h ^ (uint32_t)ip->family) * 16777619u;
	for (i = 0; i < n; i++)
		h = (h ^ ip->a[i]) * 16777619u;
	return h;
}
