/* limitsfile.h: the limits contract, defined once for every program that
 * speaks it: the names of the limits that a service's limits file, the
 * control socket's "set", the HTTP API and mailctl change, their ranges and
 * defaults, the words that refuse a bad value, and the file's format
 * (KEY=N lines, hand-editable, written atomically by mailctld). Libc only.
 * Adding a limit is one entry in limits_table (lib/limitsfile.c) plus its
 * enforcement in the listener. */
#ifndef MAILSTACK_LIMITSFILE_H
#define MAILSTACK_LIMITSFILE_H

#include <stddef.h>

#include "strbuf.h"

enum limit_key {
	LIMIT_MAX_CONNECTIONS = 0,	/* -c */
	LIMIT_MAX_PER_IP,		/* -C, 0 = none */
	LIMIT_MAX_PER_NETWORK,		/* -N, 0 = none */
	LIMIT_KEYS
};

/* Largest value any limit may have. */
#define LIMITS_VALUE_MAX 1000000UL
/* Longest limits file read: a few short lines, so a bigger one is not one. */
#define LIMITSFILE_SIZE_MAX 65536

struct limit_def {
	const char *name;	/* the file's key, the API's field, the socket's word */
	unsigned long min, max;
	unsigned long dflt;	/* the listener's value without option or file */
	const char *cli;	/* mailctl's option: "--max" */
	const char *heading;	/* mailctl status's column: "MAX" */
};

const struct limit_def *limits_def(enum limit_key k);
/* "max_connections", ...; "?" for a key out of range. */
const char *limits_key_name(enum limit_key k);
/* The key named by n bytes of s, or -1. */
int limits_key_find(const char *s, size_t n);
/* Whether v is allowed for k: 0, or -1 with "NAME must be from MIN to MAX"
 * in why. Every entry point refuses with these words. */
int limits_value_check(enum limit_key k, unsigned long v, char *why, size_t whylen);
/* The value of n bytes of s for k (decimal digits only): 0, or -1 with
 * "NAME must be a whole number" or the range words in why. */
int limits_value_scan(enum limit_key k, const char *s, size_t n, unsigned long *v,
    char *why, size_t whylen);

/* What a file says: set[k] is 1 for each key present. */
struct limits_file {
	int set[LIMIT_KEYS];
	unsigned long n[LIMIT_KEYS];
};

/* Why a file was refused: line 0 when it could not be read at all (err is
 * then errno), else the 1-based line and the reason. */
struct limitsfile_error {
	unsigned long line;
	int err;
	char reason[96];
};

/* Parses len bytes. Blank lines and lines starting with '#' are skipped;
 * every other line is KEY=N with a known key, at most once, N within the
 * key's range, no blank around '=', no NUL anywhere. Returns 0, or -1 with
 * e filled: the whole file is refused, so a typo never half-applies. */
int limitsfile_parse(const char *buf, size_t len, struct limits_file *lf,
    struct limitsfile_error *e);
/* Reads and parses path. Returns 1 with lf filled, 0 when the file does
 * not exist (lf empty), -1 with e filled. */
int limitsfile_read(const char *path, struct limits_file *lf,
    struct limitsfile_error *e);
/* Appends the file text for lf (the keys it sets, in table order) after a
 * comment naming service; what limitsfile_parse reads back as lf. 0 or -1
 * with errno ENOMEM. */
int limitsfile_render(const struct limits_file *lf, const char *service,
    struct strbuf *out);

#endif
