/* ctlreq.c: the control requests: status, set, reload, quit, reexec (and the
 * dispatch to connections, in ctlconns.c). */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "server.h"

static unsigned long long
uptime(const struct server *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > s->started_mono.tv_sec ?
	    (unsigned long long)(now.tv_sec - s->started_mono.tv_sec) : 0;
}

/* The image and how it came by its table (reexec.c, serveradopt.c). */
static int
put_life(struct server *s, struct strbuf *out)
{
	int r = 0;

	r |= ctl_put_str(out, "version", server_version);
	r |= ctl_put_num(out, "image_started",
	    (unsigned long long)s->image_started);
	r |= ctl_put_num(out, "reexecs", s->reexecs);
	r |= ctl_put_str(out, "restored", s->restored != NULL ? s->restored :
	    "none");
	r |= ctl_put_num(out, "adopted", conn_table_count_adopted(&s->table));
	r |= ctl_put_num(out, "unadopted", s->unadopted);
	return r;
}

/* The accept queue: a full one drops clients before any limit sees
 * them (listen.h). A figure the kernel does not give is left out. */
static int
put_queue(struct server *s, struct strbuf *out)
{
	unsigned long queued, backlog;
	unsigned long long overflows;
	int r = 0;

	if (listen_queue(&s->listener, &queued, &backlog) == 0) {
		r |= ctl_put_num(out, "backlog", backlog);
		r |= ctl_put_num(out, "accept_queue", queued);
	}
	if (listen_overflows(&overflows) == 0)
		r |= ctl_put_num(out, "listen_overflows", overflows);
	return r;
}

/* The listener's own figures, in the contract's order, then the control
 * socket's refusals, the image's life and the accept queue. */
int
server_ctl_status(struct server *s, struct strbuf *out)
{
	int k, r = 0;

	r |= ctl_put_num(out, "pid", (unsigned long long)getpid());
	r |= ctl_put_num(out, "started", (unsigned long long)s->started);
	r |= ctl_put_num(out, "uptime", uptime(s));
	r |= ctl_put_num(out, "live", conn_table_count(&s->table));
	for (k = 0; k < LIMIT_KEYS; k++)
		r |= ctl_put_num(out, limits_key_name(k), s->lim.n[k]);
	r |= ctl_put_str(out, "limits_source", s->lim_file_read ? "file" :
	    "cmdline");
	r |= ctl_put_str(out, "limits_file", s->o->limits_path != NULL ?
	    s->o->limits_path : "-");
	r |= ctl_put_num(out, "accepted", s->accepted);
	r |= ctl_put_num(out, "refused_ip", s->refused[LIMIT_IP]);
	r |= ctl_put_num(out, "refused_net", s->refused[LIMIT_NET]);
	r |= ctl_put_num(out, "refused_rule_ip", s->refused[LIMIT_RULE_IP]);
	r |= ctl_put_num(out, "refused_rule_net", s->refused[LIMIT_RULE_NET]);
	r |= ctl_put_num(out, "dropped_fork", s->fork_failures);
	r |= ctl_put_num(out, "denied", s->denied);
	r |= ctl_put_num(out, "distinct_ips", conn_table_distinct_ips(&s->table));
	r |= ctl_put_num(out, "distinct_networks",
	    conn_table_distinct_nets(&s->table));
	r |= ctl_put_num(out, "local_port", s->listener.port);
	r |= ctl_put_num(out, "control_denied", s->ctl.denied);
	r |= ctl_put_num(out, "control_busy", s->ctl.busy);
	r |= ctl_put_num(out, "control_timeouts", s->ctl.timeouts);
	r |= put_life(s, out);
	r |= put_queue(s, out);
	return r < 0 ? -1 : 0;
}

/* Drops what was appended after mark (a block cut short). */
static void
cut(struct strbuf *out, size_t mark)
{
	out->len = mark;
	if (out->s != NULL)
		out->s[mark] = '\0';
}

/* "ok", the status lines, "."; the block is replaced by an error when
 * memory runs out half-way. */
static void
put_status_block(struct server *s, struct strbuf *out)
{
	size_t mark = out->len;

	if (ctl_put_ok(out) < 0 || server_ctl_status(s, out) < 0 ||
	    ctl_put_end(out) < 0) {
		cut(out, mark);
		(void)ctl_put_error(out, "busy", "out of memory");
	}
}

/* Runtime only: the file is not written (mailctld writes it, then asks
 * for a reload), so a restart goes back to the file. */
static void
do_set(struct server *s, const struct ctl_request *req, struct strbuf *out)
{
	struct limits_now l = s->lim;
	int k;

	for (k = 0; k < LIMIT_KEYS; k++)
		if (req->set[k]) {
			l.n[k] = req->n[k];
			l.from[k] = LIMIT_FROM_SET;
		}
	if (server_limits_use(s, &l) < 0) {
		(void)ctl_put_error(out, "busy", "out of memory");
		return;
	}
	put_status_block(s, out);
}

static void
do_reload(struct server *s, struct strbuf *out)
{
	char err[512];

	if (server_limits_reload(s, err, sizeof err) < 0) {
		(void)ctl_put_error(out, "config", err);
		return;
	}
	put_status_block(s, out);
}

int
server_ctl_request(struct server *s, struct strbuf *out, const char *line,
    size_t len)
{
	struct ctl_request req;
	struct ctl_error e;
	size_t mark = out->len;

	if (ctl_parse_request(line, len, &req, &e) < 0) {
		(void)ctl_put_error(out, e.code, e.text);
		return 0;
	}
	switch (req.cmd) {
	case CTL_STATUS:
		put_status_block(s, out);
		break;
	case CTL_CONNECTIONS:
		/* A child being started may already have greeted its
		 * client: its pid is known once its worker answers, and
		 * the answers in flight come within microseconds. */
		server_spawn_drain(s);
		if (server_ctl_connections(s, &req, out) < 0) {
			cut(out, mark);
			(void)ctl_put_error(out, "busy", "out of memory");
		}
		break;
	case CTL_SET:
		do_set(s, &req, out);
		break;
	case CTL_RELOAD:
		do_reload(s, out);
		break;
	case CTL_QUIT:
		(void)ctl_put_ok(out);
		(void)ctl_put_end(out);
		return 1;
	case CTL_REEXEC:
		return 2;
	}
	return 0;
}
