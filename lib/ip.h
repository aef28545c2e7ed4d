/* ip.h: IPv4 and IPv6 addresses as values: parse, format, compare, mask.
 * IPv4 is stored as family AF_INET in a[0..3]; a v4-mapped IPv6 address
 * (::ffff:a.b.c.d) stays AF_INET6 unless ip_unmap() is called. */
#ifndef MAILSTACK_IP_H
#define MAILSTACK_IP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest text ip_format writes, with NUL ("ffff:...:255.255.255.255"). */
#define IP_FMT_MAX 46

struct ip_addr {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char a[16];	/* network order; IPv4 uses a[0..3] */
};

/* Parses a numeric address (no names, no scope ids, no brackets).
 * Dotted quads must be canonical: four decimal parts 0-255, no leading zeros.
 * Returns 0, or -1 with errno EINVAL. */
int ip_parse(const char *s, struct ip_addr *ip);

/* Writes the text form: dotted quad for IPv4, RFC 5952 for IPv6 (as
 * inet_ntop does, ::ffff:a.b.c.d for v4-mapped). Returns the length. */
size_t ip_format(const struct ip_addr *ip, char out[IP_FMT_MAX]);

/* From/to a socket address. ip_from_sockaddr returns 0, or -1 with errno
 * EAFNOSUPPORT; port may be NULL. */
int ip_from_sockaddr(const struct sockaddr *sa, struct ip_addr *ip, unsigned *port);
socklen_t ip_to_sockaddr(const struct ip_addr *ip, unsigned port, struct sockaddr_storage *ss);

/* 1 when ip is an IPv6 v4-mapped address. */
int ip_is_v4mapped(const struct ip_addr *ip);
/* Turns a v4-mapped IPv6 address into plain IPv4; other addresses unchanged. */
void ip_unmap(struct ip_addr *ip);

/* Keeps the first bits bits and zeroes the rest (bits is clamped to the
 * family's width). */
void ip_mask(struct ip_addr *ip, unsigned bits);
int ip_equal(const struct ip_addr *a, const struct ip_addr *b);
/* Address width in bits: 32 or 128. */
unsigned ip_bits(const struct ip_addr *ip);
/* A hash of family + bytes, for tables. */
uint32_t ip_hash(const struct ip_addr *ip);

#endif
