/* api_metrics.c: GET /metrics in the Prometheus text format. */
#include <stdio.h>
#include <string.h>

#include "lib/strbuf.h"
#include "web/api_int.h"

static const char *const headers =
    "# HELP mailstack_up 1 when the listener's control socket answers.\n"
    "# TYPE mailstack_up gauge\n"
    "# HELP mailstack_connections Live connections.\n"
    "# TYPE mailstack_connections gauge\n"
    "# HELP mailstack_max_connections Total connection limit.\n"
    "# TYPE mailstack_max_connections gauge\n"
    "# HELP mailstack_max_per_ip Per-address limit (0 = none).\n"
    "# TYPE mailstack_max_per_ip gauge\n"
    "# HELP mailstack_max_per_network Per-network limit (0 = none).\n"
    "# TYPE mailstack_max_per_network gauge\n"
    "# HELP mailstack_accepted_total Connections accepted since the listener started.\n"
    "# TYPE mailstack_accepted_total counter\n"
    "# HELP mailstack_refused_total Connections refused, by reason.\n"
    "# TYPE mailstack_refused_total counter\n"
    "# HELP mailstack_adopted_connections Live connections the listener adopted "
    "from an earlier process of the service.\n"
    "# TYPE mailstack_adopted_connections gauge\n"
    "# HELP mailstack_reexecs_total Re-execs of the listener process since it "
    "started.\n"
    "# TYPE mailstack_reexecs_total counter\n"
    "# HELP mailstack_backlog The listening socket's effective backlog.\n"
    "# TYPE mailstack_backlog gauge\n"
    "# HELP mailstack_accept_queue Connections waiting in the accept queue.\n"
    "# TYPE mailstack_accept_queue gauge\n"
    "# HELP mailstack_listen_overflows_total The network namespace's "
    "TcpExtListenOverflows (system-wide, the same for every service).\n"
    "# TYPE mailstack_listen_overflows_total counter\n";

static void
gauge(struct strbuf *sb, const char *metric, const char *svc, const struct ctl_reply *r,
    const char *key)
{
	long long v;

	if (ctl_reply_num(r, key, &v))
		strbuf_printf(sb, "%s{service=\"%s\"} %lld\n", metric, svc, v);
}

static void
per_ip(struct api_call *c, struct strbuf *sb, const struct conf_service *svc)
{
	struct ctl_request req;
	struct ctl_reply r;
	char ip[128], count[32];
	size_t i;

	memset(&req, 0, sizeof(req));
	req.cmd = CTL_CONNECTIONS;
	req.top = c->conf->metrics_top;
	if (api_ctl_request(c, svc, &req, c->ctx->ctl_timeout_ms, &r) == 0 && r.ok)
		for (i = 0; i < r.nlines; i++)
			if (ctl_field(r.lines[i], "ip", ip, sizeof(ip)) &&
			    ctl_field(r.lines[i], "count", count, sizeof(count)) &&
			    strspn(ip, "0123456789abcdefABCDEF.:/") == strlen(ip))
				strbuf_printf(sb, "mailstack_ip_connections{service=\"%s\","
				    "ip=\"%s\"} %s\n", svc->name, ip, count);
	ctl_reply_free(&r);
}

static void
service_metrics(struct api_call *c, struct strbuf *sb, const struct conf_service *svc)
{
	static const char *const reasons[][2] = { { "ip", "refused_ip" }, { "net", "refused_net" },
	    { "rule_ip", "refused_rule_ip" }, { "rule_net", "refused_rule_net" },
	    { "fork", "dropped_fork" }, { "deny", "denied" } };
	struct ctl_reply r;
	long long v;
	size_t i;
	int up = api_ctl(c, svc, CTL_STATUS, &r) == 0 && r.ok;

	strbuf_printf(sb, "mailstack_up{service=\"%s\"} %d\n", svc->name, up);
	if (up) {
		gauge(sb, "mailstack_connections", svc->name, &r, "live");
		gauge(sb, "mailstack_max_connections", svc->name, &r, "max_connections");
		gauge(sb, "mailstack_max_per_ip", svc->name, &r, "max_per_ip");
		gauge(sb, "mailstack_max_per_network", svc->name, &r, "max_per_network");
		gauge(sb, "mailstack_accepted_total", svc->name, &r, "accepted");
		/* absent, not 0, for an image that does not report them */
		gauge(sb, "mailstack_adopted_connections", svc->name, &r, "adopted");
		gauge(sb, "mailstack_reexecs_total", svc->name, &r, "reexecs");
		gauge(sb, "mailstack_backlog", svc->name, &r, "backlog");
		gauge(sb, "mailstack_accept_queue", svc->name, &r, "accept_queue");
		gauge(sb, "mailstack_listen_overflows_total", svc->name, &r, "listen_overflows");
		for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
			if (ctl_reply_num(&r, reasons[i][1], &v))
				strbuf_printf(sb, "mailstack_refused_total{service=\"%s\","
				    "reason=\"%s\"} %lld\n", svc->name, reasons[i][0], v);
	}
	ctl_reply_free(&r);
	if (up && c->conf->metrics_top > 0)
		per_ip(c, sb, svc);
}

void
api_get_metrics(struct api_call *c)
{
	struct strbuf sb = STRBUF_ZERO;
	size_t i;

	strbuf_appends(&sb, headers);
	if (c->conf->metrics_top > 0)
		strbuf_appends(&sb, "# HELP mailstack_ip_connections Live connections of the "
		    "busiest addresses.\n# TYPE mailstack_ip_connections gauge\n");
	for (i = 0; i < c->conf->nservices; i++)
		service_metrics(c, &sb, &c->conf->services[i]);
	reply_text(c->resp, 200, "text/plain; version=0.0.4; charset=utf-8",
	    sb.s != NULL ? sb.s : "", sb.len);
	strbuf_free(&sb);
}
