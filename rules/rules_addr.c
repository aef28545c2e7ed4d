/* rules_addr.c: rule addresses to cdb keys (ranges, IPv4 CIDR, IPv6 forms). */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_addr.h"

#define KEY_MAX 512

static int
addr_fail(struct rules_addr_err *e, size_t off, const char *msg, const char *hint)
{
	e->off = off;
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	snprintf(e->hint, sizeof(e->hint), "%s", hint ? hint : "");
	return -1;
}

static int
has_byte(const char *s, size_t len, char c)
{
	return memchr(s, c, len) != NULL;
}

static int
has_letter(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))
			return 1;
	return 0;
}

/* djb's scan_ulong: the leading digits, wrapping on overflow as 0.88 does. */
static size_t
scan_digits(const char *s, size_t len, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	*out = v;
	return i;
}

/* A key buffer: on the stack unless the address is long. */
struct keyspace {
	char stack[KEY_MAX];
	char *s;
	size_t cap;
};

static int
keyspace_get(struct keyspace *ks, size_t need)
{
	ks->s = ks->stack;
	ks->cap = sizeof(ks->stack);
	if (need > ks->cap) {
		ks->s = malloc(need);
		if (ks->s == NULL)
			return -1;
		ks->cap = need;
	}
	return 0;
}

static void
keyspace_put(struct keyspace *ks)
{
	if (ks->s != ks->stack)
		free(ks->s);
}

static int
emit(rules_key_fn cb, void *arg, const char *key, size_t len)
{
	return cb != NULL ? cb(arg, key, len) : 0;
}

/* tcprules 0.88: the first '-' splits one dotted part into low-high. */
static int
expand_range(const char *a, size_t len, size_t dash, rules_key_fn cb, void *arg,
    struct rules_addr_err *e)
{
	unsigned long lo, hi;
	size_t left, right;
	struct keyspace ks;
	int n, r = 0;

	for (left = dash; left > 0 && a[left - 1] != '.'; left--)
		;
	for (right = dash + 1; right < len && a[right] != '.'; right++)
		;
	if (left + scan_digits(a + left, dash - left, &lo) != dash ||
	    dash + 1 + scan_digits(a + dash + 1, right - dash - 1, &hi) != right) {
		if (has_letter(a, left) || has_letter(a + right, len - right))
			return addr_fail(e, 0, "a host name without = is read as an address "
			    "range (it has a -) and fails",
			    "write =mail-gw.example.com to match a host name");
		return addr_fail(e, left, "the range is not NUMBER-NUMBER",
		    "a range is NUMBER-NUMBER inside one part, e.g. 1.2.3.10-20");
	}
	if (hi > 255)
		hi = 255;
	if (keyspace_get(&ks, left + 24 + (len - right)) == -1)
		return addr_fail(e, 0, "out of memory", NULL);
	for (; lo <= hi && r == 0; lo++) {
		n = snprintf(ks.s, ks.cap, "%.*s%lu%.*s", (int)left, a, lo,
		    (int)(len - right), a + right);
		r = emit(cb, arg, ks.s, (size_t)n);
	}
	keyspace_put(&ks);
	return r;
}

/* a.b.c.d/n with a canonical dotted quad; returns 1 and fills ip/bits. */
static int
parse_cidr4(const char *a, size_t len, unsigned char ip[4], unsigned long *bits, size_t *slash)
{
	char tmp[INET_ADDRSTRLEN];
	const char *s = memchr(a, '/', len);
	size_t n;

	if (s == NULL)
		return 0;
	n = (size_t)(s - a);
	if (n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, a, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, ip) != 1)
		return 0;
	if (len - n - 1 == 0 || len - n - 1 > 3 ||
	    scan_digits(s + 1, len - n - 1, bits) != len - n - 1)
		return 0;
	*slash = n;
	return 1;
}

static const char cidr4_hint[] =
    "tcpserver matches IPv4 prefixes ending in a dot: 10.0.0.0/8 is 10., "
    "192.168.1.0/24 is 192.168.1.";

static int
expand_cidr4(const char *a, size_t len, rules_key_fn cb, void *arg,
    struct rules_addr_err *e)
{
	unsigned char ip[4], net[4];
	unsigned long bits, v, count;
	size_t slash, k, i;
	char key[32], hint[96];
	int n, r = 0;

	if (!parse_cidr4(a, len, ip, &bits, &slash))
		return addr_fail(e, 0, "not an IPv4 network a.b.c.d/n", cidr4_hint);
	if (bits > 32)
		return addr_fail(e, slash + 1, "an IPv4 prefix length is 1 to 32", cidr4_hint);
	if (bits == 0)
		return addr_fail(e, slash + 1, "/0 would match every client",
		    "an empty address (:allow or :deny) is the rule for everyone");
	for (i = 0; i < 4; i++) {
		unsigned keep = bits >= 8 * (i + 1) ? 8 : (bits > 8 * i ? bits - 8 * i : 0);
		net[i] = ip[i] & (unsigned char)(0xff << (8 - keep));
	}
	if (memcmp(ip, net, 4) != 0) {
		snprintf(hint, sizeof(hint), "did you mean %u.%u.%u.%u/%lu?",
		    net[0], net[1], net[2], net[3], bits);
		return addr_fail(e, 0, "the address has bits set past the prefix length", hint);
	}
	k = bits / 8;
	count = bits % 8 ? 1UL << (8 - bits % 8) : 1;
	if (k == 4) {
		k = 3;
		count = 1;
	}
	/* the octet k varies; before it the fixed octets, after it a dot
	 * (a prefix key) unless k is the last octet (exact addresses) */
	for (v = net[k]; v < net[k] + count && r == 0; v++) {
		n = 0;
		for (i = 0; i < k; i++)
			n += snprintf(key + n, sizeof(key) - (size_t)n, "%u.", net[i]);
		if (bits % 8 == 0 && bits < 32)
			r = emit(cb, arg, key, (size_t)n);
		else {
			n += snprintf(key + n, sizeof(key) - (size_t)n, k == 3 ? "%lu" : "%lu.", v);
			r = emit(cb, arg, key, (size_t)n);
		}
	}
	return r;
}

static const char ipv6_hint[] =
    "IPv6 rules are written as tcpserver prints addresses (RFC 5952: lower "
    "case, no leading zeros, :: for the longest run of zero groups), e.g. "
    "2001:db8::1:allow, 2001:db8::/32:deny or the text prefix 2001:db8::deny";

/* Parses an IPv6 address from the first len bytes of s. */
static int
parse6(const char *s, size_t len, unsigned char out[16])
{
	char tmp[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return inet_pton(AF_INET6, tmp, out) == 1 ? 0 : -1;
}

/* 1 when some address's canonical text starts with p (which ends in ':'). */
static int
prefix6_valid(const char *p, size_t len)
{
	static const char *const tails[] = {
		"1", "1:1", "1:1:1", "1:1:1:1", "1:1:1:1:1", "1:1:1:1:1:1",
		"1:1:1:1:1:1:1", ":1", "1::1", "1:1::1", "1:1:1::1",
		"1:1:1:1::1", "1:1:1:1:1::1", "1::",
	};
	char tmp[INET6_ADDRSTRLEN + 16], out[INET6_ADDRSTRLEN];
	unsigned char a[16];
	size_t i, tl;

	if (len + 16 > sizeof(tmp))
		return 0;
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		tl = strlen(tails[i]);
		memcpy(tmp, p, len);
		memcpy(tmp + len, tails[i], tl);
		if (parse6(tmp, len + tl, a) == -1)
			continue;
		inet_ntop(AF_INET6, a, out, sizeof(out));
		if (strncmp(out, p, len) == 0)
			return 1;
	}
	return 0;
}

static int
emit2(rules_key_fn cb, void *arg, const char *a, size_t alen, const char *b)
{
	char key[KEY_MAX + INET6_ADDRSTRLEN + 8];
	size_t blen = strlen(b);

	memcpy(key, a, alen);
	memcpy(key + alen, b, blen);
	return emit(cb, arg, key, alen + blen);
}

static int
expand_cidr6(const char *a, size_t len, size_t off, rules_key_fn cb, void *arg,
    struct rules_addr_err *e)
{
	const char *slash = memchr(a, '/', len);
	unsigned char ip[16], net[16];
	unsigned long bits;
	char text[INET6_ADDRSTRLEN], key[64], hint[128];
	size_t n = (size_t)(slash - a), i, k;

	if (parse6(a, n, ip) == -1)
		return addr_fail(e, off, "not an IPv6 address", ipv6_hint);
	if (len - n - 1 == 0 || len - n - 1 > 3 ||
	    scan_digits(slash + 1, len - n - 1, &bits) != len - n - 1 ||
	    bits == 0 || bits > 128 || bits % 16 != 0)
		return addr_fail(e, off + n + 1, "IPv6 networks must end on a 16-bit boundary",
		    "use /16, /32, /48, /64, /80, /96, /112 or /128: tcpserver matches "
		    "IPv6 prefixes as text, group by group");
	memcpy(net, ip, 16);
	memset(net + bits / 8, 0, 16 - bits / 8);
	inet_ntop(AF_INET6, net, text, sizeof(text));
	if (memcmp(ip, net, 16) != 0) {
		snprintf(hint, sizeof(hint), "did you mean %s/%lu?", text, bits);
		return addr_fail(e, off, "the address has bits set past the prefix length", hint);
	}
	if (bits == 128)
		return emit(cb, arg, text, strlen(text));
	k = 0;
	for (i = 0; i < bits / 16; i++) {
		unsigned g = (unsigned)net[2 * i] << 8 | net[2 * i + 1];
		if (g == 0)
			return addr_fail(e, off, "a zero group inside the prefix has no text form",
			    "tcpserver compares IPv6 addresses as compressed text, where "
			    "zero groups may vanish into ::; use a longer prefix or list the addresses");
		k += (size_t)snprintf(key + k, sizeof(key) - k, "%x:", g);
	}
	return emit(cb, arg, key, k);
}

/* Explains an address that does not parse; a prefix written without its
 * closing colon (2001:db8:1:deny) is the likely slip. */
static int
ipv6_bad(const char *a, size_t len, size_t off, struct rules_addr_err *e)
{
	char tmp[INET6_ADDRSTRLEN + 2], hint[160];

	if (off == 0 && len + 2 <= sizeof(tmp)) {
		memcpy(tmp, a, len);
		tmp[len] = ':';
		if (prefix6_valid(tmp, len + 1)) {
			snprintf(hint, sizeof(hint), "a prefix keeps its colon: %.*s::allow "
			    "matches every address starting with %.*s:", (int)len, a,
			    (int)len, a);
			return addr_fail(e, 0, "not a whole IPv6 address", hint);
		}
	}
	return addr_fail(e, off, "not an IPv6 address", ipv6_hint);
}

/* The IPv6 forms: [INFO@]address, address/n, or a text prefix ending in ':'. */
static int
expand_ipv6(const char *a, size_t len, rules_key_fn cb, void *arg,
    struct rules_addr_err *e)
{
	const char *at = NULL, *p;
	unsigned char ip[16];
	char text[INET6_ADDRSTRLEN];
	size_t off = 0, n;

	for (p = a; p < a + len; p++)
		if (*p == '@')
			at = p;
	if (at != NULL)
		off = (size_t)(at - a) + 1;
	n = len - off;
	if (off > KEY_MAX)
		return addr_fail(e, 0, "the INFO@ part is too long", NULL);
	if (has_byte(a + off, n, '/') || (n > 0 && a[len - 1] == ':')) {
		if (at != NULL)
			return addr_fail(e, 0, "an INFO@ rule needs a whole address",
			    "tcpserver tries INFO@IP only with the exact client address");
		if (has_byte(a, len, '/'))
			return expand_cidr6(a, len, 0, cb, arg, e);
		if (!prefix6_valid(a, len))
			return addr_fail(e, 0, "not the start of an IPv6 address as tcpserver prints it", ipv6_hint);
		return emit(cb, arg, a, len);
	}
	if (parse6(a + off, n, ip) == -1)
		return ipv6_bad(a, len, off, e);
	inet_ntop(AF_INET6, ip, text, sizeof(text));
	return emit2(cb, arg, a, off, text);
}

int
rules_addr_keys(const char *addr, size_t len, int ext,
    const struct rules_opts *opts, rules_key_fn cb, void *arg,
    struct rules_addr_err *e)
{
	size_t i, dash = len, slash_at;
	unsigned char ip[4];
	unsigned long bits;
	int slash = 0;

	if (ext)
		return expand_ipv6(addr, len, cb, arg, e);
	/* one pass: most addresses are plain and stored as written */
	for (i = 0; i < len; i++) {
		switch (addr[i]) {
		case '=':
		case '@':
			return emit(cb, arg, addr, len);
		case '-':
			if (dash == len)
				dash = i;
			break;
		case '/':
			slash = 1;
			break;
		}
	}
	if (dash < len)
		return expand_range(addr, len, dash, cb, arg, e);
	if (slash && opts->cidr4 && parse_cidr4(addr, len, ip, &bits, &slash_at))
		return expand_cidr4(addr, len, cb, arg, e);
	return emit(cb, arg, addr, len);
}

int
rules_addr_looks_ipv6(const char *addr, size_t len)
{
	size_t i, colons = 0, from = 0;

	for (i = 0; i < len; i++)
		if (addr[i] == '@')
			from = i + 1;
	for (i = from; i < len; i++) {
		unsigned char c = (unsigned char)addr[i];
		if (c == ':')
			colons++;
		else if (!(c == '.' || c == '/' || (c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return colons > 0;
}

int
rules_addr_warning(const char *addr, size_t len, const struct rules_opts *opts,
    struct rules_addr_err *e)
{
	unsigned char ip[4];
	unsigned long bits;
	size_t slash;

	if (len > 0 && (addr[0] == ' ' || addr[0] == '\t')) {
		addr_fail(e, 0, "the address starts with a blank, so it never matches",
		    "tcprules keeps leading blanks as part of the address");
		return 1;
	}
	if (!opts->cidr4 && !has_byte(addr, len, '-') && parse_cidr4(addr, len, ip, &bits, &slash)) {
		addr_fail(e, slash, "a.b.c.d/n is stored as written and never matches",
		    "tcprules 0.88 has no CIDR; run with -c to expand it to the prefixes "
		    "tcpserver tries, or write 10.0.0.0/8 as 10.");
		return 1;
	}
	return 0;
}
