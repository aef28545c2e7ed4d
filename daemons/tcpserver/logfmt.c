/* logfmt.c: sanitised log fields and the child's "ok"/"deny" line. */
#include <stdio.h>

#include "daemons/tcpserver/child.h"
#include "daemons/tcpserver/logfmt.h"

int
logfmt_field(struct strbuf *sb, const char *s, int keep_colon)
{
	unsigned char ch;
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < LOGFMT_FIELD_MAX; i++) {
		ch = (unsigned char)s[i];
		if (ch == '\0')
			return 0;
		/* '%' because some loggers take it as a format. */
		if (ch < 33 || ch > 126 || ch == '%' || (ch == ':' && !keep_colon))
			ch = '?';
		if (strbuf_appendc(sb, (char)ch) == -1)
			return -1;
	}
	return strbuf_appends(sb, "...");
}

static int
logfmt_number(struct strbuf *sb, unsigned long n)
{
	char num[24];

	snprintf(num, sizeof num, "%lu", n);
	return strbuf_appends(sb, num);
}

/* "HOST:IP:PORT" or, for the remote end, "HOST:IP:INFO:PORT". */
static int
logfmt_end(struct strbuf *sb, const char *host, const char *ip,
    const char *info, int with_info, unsigned port, int keep)
{
	if (logfmt_field(sb, host, keep) == -1 || strbuf_appendc(sb, ':') == -1 ||
	    logfmt_field(sb, ip, keep) == -1 || strbuf_appendc(sb, ':') == -1)
		return -1;
	if (with_info && (logfmt_field(sb, info, keep) == -1 ||
	    strbuf_appendc(sb, ':') == -1))
		return -1;
	return logfmt_number(sb, port);
}

int
logfmt_decision(struct strbuf *sb, int deny, pid_t pid,
    const struct child_conn *c)
{
	int keep = c->v6env;

	if (strbuf_appends(sb, deny ? "deny " : "ok ") == -1 ||
	    logfmt_number(sb, (unsigned long)pid) == -1 ||
	    strbuf_appendc(sb, ' ') == -1)
		return -1;
	if (logfmt_end(sb, c->local_host, c->v6env ? c->local_ip6 : c->local_ip,
	    NULL, 0, c->local_port, keep) == -1 || strbuf_appendc(sb, ' ') == -1)
		return -1;
	return logfmt_end(sb, c->remote_host,
	    c->v6env ? c->remote_ip6 : c->remote_ip, c->remote_info, 1,
	    c->remote_port, keep);
}
