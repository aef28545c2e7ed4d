/* ctlsock.h: a client of the listener's control socket (protocol in
 * mailstack-tcpserver(8), CONTROL SOCKET): one request, one block. */
#ifndef MAILSTACK_WEB_CTLSOCK_H
#define MAILSTACK_WEB_CTLSOCK_H

#include <stddef.h>

/* The most a block may hold before we give up on it (the listener's
 * own cap on buffered output). */
#define CTLSOCK_MAX_REPLY (8 * 1024 * 1024)

struct ctl_reply {
	int ok;			/* first line was "ok" */
	char code[16];		/* for "error CODE TEXT" */
	char *text;		/* TEXT, owned, "" when none */
	char **lines;		/* data lines (NUL-terminated, escaped), point into buf */
	size_t nlines;
	char *buf;		/* owned */
};

/* Connects to path, writes request + "\n", reads the block; the whole
 * exchange is bounded by timeout_ms. Returns 0 with r filled (ok or an
 * error block), or -1 with errno (ECONNREFUSED/ENOENT: nobody listening,
 * ETIMEDOUT, EPROTO: not a block). */
int ctlsock_request(const char *path, const char *request, int timeout_ms,
    struct ctl_reply *r);
void ctl_reply_free(struct ctl_reply *r);

/* The value of key in a "key value key value ..." line, %XX-decoded into
 * out. Returns 1 found, 0 absent. A value longer than outlen - 1 is cut. */
int ctl_field(const char *line, const char *key, char *out, size_t outlen);
/* The same over the data lines of r (the status form: one pair a line). */
int ctl_reply_get(const struct ctl_reply *r, const char *key, char *out, size_t outlen);
/* ctl_reply_get as a number; 1 found and numeric, 0 otherwise. */
int ctl_reply_num(const struct ctl_reply *r, const char *key, long long *out);

#endif
