/* ctlproto.h: the control socket's text protocol without the socket:
 * parsing a request line and writing reply blocks (see CONTROL SOCKET in
 * mailstack-tcpserver(8)). */
#ifndef MAILSTACK_TCPSERVER_CTLPROTO_H
#define MAILSTACK_TCPSERVER_CTLPROTO_H

#include <stddef.h>

#include "ip.h"
#include "limits.h"
#include "strbuf.h"

/* Longest request line, its '\n' included. */
#define CTL_LINE_MAX 1024

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

#endif
