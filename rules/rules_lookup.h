/* rules_lookup.h: reading a compiled rules.cdb the way tcpserver does.
 * Only rules/ knows the cdb format; the listener and tools use this.
 *
 * Contract (../shared/spec/tcpserver-compat.md §6): candidate keys in order
 * INFO@IP, INFO@=HOST, IP, =HOST, IP prefixes ending in '.' or ':' (longest
 * first), =.suffixes of HOST (left to right), '=', ''. First hit wins. */
#ifndef MAILSTACK_RULES_LOOKUP_H
#define MAILSTACK_RULES_LOOKUP_H

#include <stddef.h>
#include <sys/types.h>

struct rules_db;	/* an open, mapped cdb; opaque */

/* Opens and maps path. Returns 0, or -1 with errno (ENOENT missing,
 * EPROTO not a cdb, EINVAL empty file, EISDIR a folder, ...). */
int rules_db_open(struct rules_db **db, const char *path);
/* Unmaps and frees; *db becomes NULL. Accepts NULL. */
void rules_db_close(struct rules_db **db);

/* The result of a lookup. Pointers borrow from the db: valid until it is
 * closed or reopened. */
struct rules_match {
	int deny;		/* the record has a D item */
	const char *key;	/* the key that matched ("" for the default) */
	size_t keylen;
	const char *data;	/* raw record data: NUL-terminated items */
	size_t datalen;
};

/* Full lookup as tcpserver's child does. host and info may be NULL (unset).
 * Returns 1 found (m filled), 0 no key matched (allow, nothing added), -1
 * read error with errno (the caller drops the connection). */
int rules_db_lookup(struct rules_db *db, const char *ip, const char *host,
    const char *info, struct rules_match *m);

/* IP-keyed lookup only (IP, its prefixes, ''), for the listener parent
 * before fork. Same return values. */
int rules_db_lookup_ip(struct rules_db *db, const char *ip, struct rules_match *m);

/* Iterates the +NAME=VALUE items of m in order: *pos starts at 0. Each call
 * sets *item to "NAME=VALUE" (without the '+') and *len, and returns 1;
 * returns 0 when there are no more. */
int rules_match_next_env(const struct rules_match *m, size_t *pos,
    const char **item, size_t *len);

/* Finds variable name in m's items (first occurrence). Returns 1 and sets
 * *value and *len (not NUL-terminated), or 0. */
int rules_match_getenv(const struct rules_match *m, const char *name,
    const char **value, size_t *len);

/* A db kept open by a long-lived process and reopened only when the file
 * changes (checked with stat: device, inode, size, mtime). */
struct rules_cache {
	char *path;		/* owned */
	struct rules_db *db;	/* NULL when the file is missing or bad */
	dev_t dev;
	ino_t ino;
	off_t size;
	long long mtime_ns;
	int last_errno;		/* why db is NULL; 0 when open */
	int interval_ms;	/* 0: stat on every refresh (the default) */
	long long checked_ms;	/* monotonic time of the last stat, -1 never */
};

int rules_cache_init(struct rules_cache *rc, const char *path);
/* Stats the file and reopens when it changed. Returns 0 with rc->db ready
 * (or NULL and last_errno set when the file is missing or unreadable:
 * the caller decides); -1 only on out of memory. */
int rules_cache_refresh(struct rules_cache *rc);
/* Lets rules_cache_refresh skip the stat (about 1.5 us here, ten times the
 * lookup) when the last one is less than ms milliseconds old, so a busy
 * listener checks the file at most 1000/ms times a second. 0 restores a
 * stat per refresh. */
void rules_cache_set_interval(struct rules_cache *rc, int ms);
void rules_cache_free(struct rules_cache *rc);

#endif
