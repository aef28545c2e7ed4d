/* rules_addr.h: the address part of a rule, turned into the cdb keys the
 * lookup tries: tcprules 0.88 ranges, and the IPv4 CIDR and IPv6
 * extensions. */
#ifndef MAILSTACK_RULES_ADDR_H
#define MAILSTACK_RULES_ADDR_H

#include <stddef.h>

#include "rules/rules_file.h"

struct rules_addr_err {
	size_t off;		/* byte offset in the address */
	char msg[160];
	char hint[240];		/* "" when there is none */
};

/* Called once per key; a nonzero return stops the expansion. */
typedef int (*rules_key_fn)(void *arg, const char *key, size_t keylen);

/* Expands the address of a rule (the text before its colon) and calls cb
 * (when not NULL) for each key in order. ext is 1 for a line that only the
 * extensions accept (IPv6 forms). Returns 0, cb's nonzero value, or -1
 * with e filled when the address is bad. */
int rules_addr_keys(const char *addr, size_t len, int ext,
    const struct rules_opts *opts, rules_key_fn cb, void *arg,
    struct rules_addr_err *e);

/* 1 when addr can be tried as an IPv6 rule address (hex digits, ':', '.',
 * '/', an optional INFO@ part): the line is then explained as IPv6. */
int rules_addr_looks_ipv6(const char *addr, size_t len);

/* 1 with e filled when a valid 0.88 address deserves a warning (it is
 * stored as written and can never match). */
int rules_addr_warning(const char *addr, size_t len, const struct rules_opts *opts,
    struct rules_addr_err *e);

#endif
