/* ident.h: the RFC 1413 client behind TCPREMOTEINFO, with tcpserver's
 * reply parsing. */
#ifndef MAILSTACK_TCPSERVER_IDENT_H
#define MAILSTACK_TCPSERVER_IDENT_H

#include <stddef.h>

#include "ip.h"

#define IDENT_PORT 113
/* tcpserver stops reading once the value holds 257 bytes. */
#define IDENT_VALUE_MAX 257

/* A reply being parsed: space, tab and CR are dropped everywhere, bytes up
 * to and including the third ':' are skipped, the rest up to '\n' is the
 * value. The value may hold any other byte (even NUL). */
struct ident_reply {
	char value[IDENT_VALUE_MAX + 1];	/* NUL-terminated */
	size_t len;
	int colons;
	int done;			/* '\n' seen or value full */
};

void ident_reply_init(struct ident_reply *r);
/* Feeds n received bytes. Returns how many were used: fewer than n only
 * when the reply is done (the rest is ignored). */
size_t ident_reply_feed(struct ident_reply *r, const char *buf, size_t n);

struct ident_query {
	struct ip_addr local;		/* the connection's local end: bound */
	unsigned local_port;
	unsigned scope_id;		/* for link-local peers, else 0 */
	struct ip_addr remote;		/* the client: asked */
	unsigned remote_port;
	unsigned server_port;		/* IDENT_PORT; tests use others */
	unsigned long timeout;		/* seconds for connect+write+read */
};

/* Sends "REMOTEPORT , LOCALPORT\r\n" from q->local to q->remote and reads
 * the reply into r, all within q->timeout seconds. v4-mapped addresses
 * are queried over IPv4. A timeout of 0 fails at once, as it always does
 * in tcpserver. 0 when a whole line (or a full value) came, -1 with errno
 * otherwise (ETIMEDOUT, ECONNREFUSED, EPIPE for an early EOF). */
int ident_lookup(const struct ident_query *q, struct ident_reply *r);

#endif
