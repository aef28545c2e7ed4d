/* limitsfile.h: the per-service limits file (KEY=N lines, hand-editable,
 * written atomically by mailctld), read at start, on SIGHUP and on the
 * control socket's "reload". */
#ifndef MAILSTACK_TCPSERVER_LIMITSFILE_H
#define MAILSTACK_TCPSERVER_LIMITSFILE_H

#include <stddef.h>

#include "limits.h"

/* Largest value a key may have. */
#define LIMITSFILE_MAX_VALUE 1000000UL
/* Longest file read; a limits file is three short lines. */
#define LIMITSFILE_MAX_SIZE 65536

/* What a file says: set[k] is 1 for each key present. */
struct limits_file {
	int set[LIMIT_KEYS];
	unsigned long n[LIMIT_KEYS];
};

/* Why a file was rejected: line 0 when the file could not be read at all
 * (err is then errno), else the 1-based line and a reason. */
struct limitsfile_error {
	unsigned long line;
	int err;
	const char *reason;	/* static text */
};

/* Parses len bytes. Blank lines and lines starting with '#' are skipped;
 * every other line is KEY=N with a known key, at most once, N decimal
 * <= LIMITSFILE_MAX_VALUE, max_connections >= 1, no blank around '='.
 * Returns 0, or -1 with e filled (the whole file is rejected). */
int limitsfile_parse(const char *buf, size_t len, struct limits_file *lf,
    struct limitsfile_error *e);

/* Reads and parses path. Returns 1 with lf filled, 0 when the file does
 * not exist (lf empty), -1 with e filled. */
int limitsfile_read(const char *path, struct limits_file *lf,
    struct limitsfile_error *e);

/* The limits in force from the command line's and a file's: each key the
 * file sets replaces the command line's. */
void limitsfile_apply(const struct limits_now *cmdline,
    const struct limits_file *lf, struct limits_now *out);

#endif
