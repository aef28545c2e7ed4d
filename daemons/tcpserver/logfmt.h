/* logfmt.h: the child's log fields, sanitised as tcpserver's safecats does,
 * and its "ok"/"deny" line. */
#ifndef MAILSTACK_TCPSERVER_LOGFMT_H
#define MAILSTACK_TCPSERVER_LOGFMT_H

#include <sys/types.h>

#include "strbuf.h"

struct child_conn;

/* Longest field kept before "..." is added. */
#define LOGFMT_FIELD_MAX 100

/* Appends s as one log field: bytes < 33 or > 126 and '%' become '?', and
 * ':' too unless keep_colon. At most LOGFMT_FIELD_MAX bytes are copied;
 * when s has that many or more, "..." follows (0.88 adds it already at
 * exactly 100). s NULL is an empty field. 0, or -1 with errno ENOMEM. */
int logfmt_field(struct strbuf *sb, const char *s, int keep_colon);

/* Appends "ok PID LH:LIP:LPORT RH:RIP:RINFO:RPORT" ("deny" when deny) for
 * c. IPv4 sockets use the dotted quads and turn ':' in the names into '?';
 * IPv6 sockets use the IPv6 forms and keep ':' as the IPv6 build does.
 * 0, or -1 with errno ENOMEM. */
int logfmt_decision(struct strbuf *sb, int deny, pid_t pid,
    const struct child_conn *c);

#endif
