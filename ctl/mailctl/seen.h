/* seen.h: what mailctl status saw last, per API URL and service: the
 * listen_overflows counter, so that a rise since the last look can be
 * told. A small file of the user's own (XDG_STATE_HOME/mailctl/seen or
 * ~/.local/state/mailctl/seen); a missing or unreadable one only means
 * no comparison this time, never a failure. */
#ifndef MAILSTACK_CTL_SEEN_H
#define MAILSTACK_CTL_SEEN_H

#include <stddef.h>

/* The file is read up to this size and holds at most this many entries
 * (the oldest set go first). */
#define SEEN_MAX_BYTES (64 * 1024)
#define SEEN_MAX_ENTRIES 256

struct seen_entry {
	char *url;		/* owned */
	char *service;		/* owned */
	unsigned long long overflows;
};

struct seen {
	struct seen_entry *e;	/* owned; the least recently set first */
	size_t n, cap;
	int changed;		/* seen_set was called since the read */
};

#define SEEN_ZERO { NULL, 0, 0, 0 }

/* The file's path from XDG_STATE_HOME (when absolute) or HOME; 0, or -1
 * when neither is usable or the path does not fit. */
int seen_path(char *buf, size_t len, const char *xdg_state_home, const char *home);
/* Reads path into s (empty first). Lines that are not "URL SERVICE N"
 * are skipped; a missing, unreadable or oversized file leaves s empty. */
void seen_read(struct seen *s, const char *path);
/* 1 with *v the value last seen for url and service, 0 if none. */
int seen_find(const struct seen *s, const char *url, const char *service,
    unsigned long long *v);
/* Records v for url and service (replacing, moved last). 0 or -1 (ENOMEM). */
int seen_set(struct seen *s, const char *url, const char *service,
    unsigned long long v);
/* Writes s to path: its folder made (0700) when missing, then a
 * temporary file, fsync, rename (lib/atomicfile.h). 0 or -1 with errno. */
int seen_write(const struct seen *s, const char *path);
void seen_free(struct seen *s);

#endif
