/* ctlproto.h: the listener's control protocol without the socket, defined
 * once for both sides (see CONTROL SOCKET in mailstack-tcpserver(8)): a
 * request is one line of words, a reply is a block, "ok" or "error CODE
 * TEXT", then data lines of "key value" pairs (values %XX-escaped), then
 * ".". The server side parses requests and writes blocks
 * (daemons/tcpserver/ctlserver.c); the client side formats requests and
 * reads blocks (web/ctlclient.c). Libc only. */
#ifndef MAILSTACK_CTLPROTO_H
#define MAILSTACK_CTLPROTO_H

#include <stddef.h>

#include "ip.h"
#include "limitsfile.h"
#include "strbuf.h"

/* Longest request line, its '\n' included. */
#define CTL_LINE_MAX 1024
/* Longest reply block: the listener drops a client rather than buffer
 * more, and a client gives up on a block that grows past it. */
#define CTL_REPLY_MAX (8UL * 1024 * 1024)

enum ctl_cmd {
	CTL_STATUS,
	CTL_CONNECTIONS,
	CTL_SET,
	CTL_RELOAD,
	CTL_QUIT,
	CTL_REEXEC
};

struct ctl_request {
	enum ctl_cmd cmd;
	unsigned long top;		/* connections: 0 = all */
	int has_ip;			/* connections: ip given */
	struct ip_addr ip;
	int set[LIMIT_KEYS];		/* set: which keys, and their values */
	unsigned long n[LIMIT_KEYS];
};

/* Why a request was not understood. */
struct ctl_error {
	const char *code;		/* "usage" or "range" */
	char text[128];
};

/* Parses one request line (len bytes, without its '\n'; one trailing
 * '\r' is ignored). Words are separated by single spaces. Returns 0, or
 * -1 with e filled. */
int ctl_parse_request(const char *line, size_t len, struct ctl_request *req,
    struct ctl_error *e);
/* The request line for req, without '\n', into out: what
 * ctl_parse_request reads back as req. 0, or -1 with errno ENOSPC. */
int ctl_format_request(const struct ctl_request *req, char *out, size_t outlen);

/* Appends n bytes of s with bytes < 33, > 126 and '%' as %XX. */
int ctl_put_escaped(struct strbuf *sb, const char *s, size_t n);
/* The same into dst (room for 3 * n bytes); returns the length written. */
size_t ctl_escape(char *dst, const char *s, size_t n);
/* Writes n in decimal into dst (room for CTL_NUM_MAX bytes, no NUL);
 * returns the length. By hand: replies with thousands of numbers would
 * spend their time in printf. */
#define CTL_NUM_MAX 20
size_t ctl_fmt_num(char *dst, unsigned long long n);
/* Appends a "key value\n" data line; the value is escaped. */
int ctl_put_str(struct strbuf *sb, const char *key, const char *value);
int ctl_put_num(struct strbuf *sb, const char *key, unsigned long long n);
/* Appends "ok\n" and the end of a block, ".\n". */
int ctl_put_ok(struct strbuf *sb);
int ctl_put_end(struct strbuf *sb);
/* Appends a whole error block: "error CODE TEXT\n.\n"; control bytes in
 * text become '?' so that the block stays one line. */
int ctl_put_error(struct strbuf *sb, const char *code, const char *text);

/* The client side: a reply block split into its lines. */
struct ctl_reply {
	int ok;			/* first line was "ok" */
	char code[16];		/* for "error CODE TEXT" */
	char *text;		/* TEXT, "" when none; points into buf */
	char **lines;		/* data lines (NUL-terminated, escaped), into buf */
	size_t nlines;
	char *buf;		/* owned */
};

/* 1 when the len bytes of s hold a whole block: they end with a line
 * holding only ".". */
int ctl_block_complete(const char *s, size_t len);
/* Takes buf (malloc'd, len bytes and a NUL after them, a whole block) into
 * r. 0, or -1 with errno EPROTO (not a block: buf is freed) or ENOMEM. */
int ctl_reply_parse(char *buf, size_t len, struct ctl_reply *r);
void ctl_reply_free(struct ctl_reply *r);
/* The value of key in a "key value key value ..." line, %XX-decoded into
 * out. Returns 1 found, 0 absent. A value longer than outlen - 1 is cut. */
int ctl_field(const char *line, const char *key, char *out, size_t outlen);
/* The same over the data lines of r (the status form: one pair a line). */
int ctl_reply_get(const struct ctl_reply *r, const char *key, char *out, size_t outlen);
/* ctl_reply_get as a number; 1 found and numeric, 0 otherwise. */
int ctl_reply_num(const struct ctl_reply *r, const char *key, long long *out);

#endif
