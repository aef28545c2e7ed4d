/* refuse.c: refusal texts (the -m presets) and their non-blocking send. */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "refuse.h"

enum refuse_why { WHY_ADDRESS, WHY_NETWORK, WHY_BUSY };

static const char *const why_text[] = {
	"Too many connections from your address",
	"Too many connections from your network",
	"Server busy",
};

/* Each protocol's way to say "temporary, go away": RFC 9051 BYE with the
 * UNAVAILABLE response code, RFC 5321 421 with the RFC 3463 4.7.0 status,
 * RFC 2449/3206 -ERR [SYS/TEMP]. */
static size_t
preset_line(enum refusal_preset p, enum refuse_why why, char *buf)
{
	static const char post[] = ", try again later\r\n";
	const char *pre;
	size_t n, w;

	switch (p) {
	case PRESET_IMAP:
		pre = "* BYE [UNAVAILABLE] ";
		break;
	case PRESET_SMTP:
		pre = "421 4.7.0 ";
		break;
	case PRESET_POP3:
		pre = "-ERR [SYS/TEMP] ";
		break;
	default:
		return 0;
	}
	n = strlen(pre);
	w = strlen(why_text[why]);
	memcpy(buf, pre, n);
	memcpy(buf + n, why_text[why], w);
	memcpy(buf + n + w, post, sizeof post - 1);
	return n + w + sizeof post - 1;
}

static size_t
copy_line(const char *s, size_t len, int crlf, char *buf)
{
	size_t room = REFUSE_MAX - (crlf ? 2 : 0);

	if (len > room)
		len = room;
	memcpy(buf, s, len);
	if (crlf) {
		buf[len++] = '\r';
		buf[len++] = '\n';
	}
	return len;
}

size_t
refuse_message(const struct server_options *o, enum limit_reason r,
    const struct limit_vars *v, char buf[REFUSE_MAX])
{
	int net = r == LIMIT_NET || r == LIMIT_RULE_NET;
	const char *optmsg = net ? o->per_net_msg : o->per_ip_msg;

	if (r == LIMIT_OK)
		return 0;
	if (v->diemsg.set && v->diemsg.from_rule)
		return copy_line(v->diemsg.text, v->diemsg.len, 1, buf);
	if (optmsg != NULL)
		return copy_line(optmsg, strlen(optmsg), 0, buf);
	if (v->diemsg.set)
		return copy_line(v->diemsg.text, v->diemsg.len, 1, buf);
	return preset_line(o->preset, net ? WHY_NETWORK : WHY_ADDRESS, buf);
}

size_t
refuse_busy_message(const struct server_options *o, char buf[REFUSE_MAX])
{
	return preset_line(o->preset, WHY_BUSY, buf);
}

void
refuse_send(int fd, const char *msg, size_t len)
{
	if (len > 0)
		(void)send(fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	/* A FIN after the text, so that the client reads it before EOF. */
	(void)shutdown(fd, SHUT_WR);
	(void)close(fd);
}
