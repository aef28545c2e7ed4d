/* api_service.c: reading a service's state through its control socket:
 * health, services, connections, reload, restart, audit, OpenAPI. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ip.h"
#include "lib/scan.h"
#include "rules/rules_file.h"
#include "web/api_int.h"
#include "web/audit.h"
#include "web/s6.h"

static json_t *
num_or_null(const struct ctl_reply *r, const char *key)
{
	long long v;

	return ctl_reply_num(r, key, &v) ? json_integer(v) : json_null();
}

static json_t *
status_fields(const struct ctl_reply *r)
{
	char src[32];

	return json_pack("{s:b, s:o, s:o, s:o, s:{s:o, s:o, s:o}, s:o, s:{s:o, s:o, s:o, s:o, s:o, s:o}, s:o}",
	    "up", 1, "pid", num_or_null(r, "pid"), "uptime", num_or_null(r, "uptime"),
	    "live", num_or_null(r, "live"),
	    "limits", "max_connections", num_or_null(r, "max_connections"),
	    "max_per_ip", num_or_null(r, "max_per_ip"),
	    "max_per_network", num_or_null(r, "max_per_network"),
	    "limits_source", ctl_reply_get(r, "limits_source", src, sizeof(src)) ?
	    json_string(src) : json_null(),
	    "refused", "ip", num_or_null(r, "refused_ip"), "net", num_or_null(r, "refused_net"),
	    "rule_ip", num_or_null(r, "refused_rule_ip"),
	    "rule_net", num_or_null(r, "refused_rule_net"),
	    "fork", num_or_null(r, "dropped_fork"),
	    "deny", num_or_null(r, "denied"),
	    "accepted", num_or_null(r, "accepted"));
}

static json_t *
str_or_null(const struct ctl_reply *r, const char *key)
{
	char v[64];

	return ctl_reply_get(r, key, v, sizeof(v)) ? json_string(v) : json_null();
}

/* The running image and its accept queue (mailstack-tcpserver(8),
 * status): null for a member an older image does not send, never a
 * made-up 0; r NULL (the listener is down) makes them all null. */
static json_t *
image_fields(const struct ctl_reply *r)
{
	static const char *const nums[] = { "image_started", "reexecs", "adopted",
	    "unadopted", "backlog", "accept_queue", "listen_overflows" };
	json_t *o = json_object();
	size_t i;

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "version", r != NULL ? str_or_null(r, "version") : json_null());
	json_object_set_new(o, "restored", r != NULL ? str_or_null(r, "restored") :
	    json_null());
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		json_object_set_new(o, nums[i], r != NULL ? num_or_null(r, nums[i]) : json_null());
	return o;
}

json_t *
api_service_json_from(struct api_call *c, const struct conf_service *svc,
    const struct ctl_reply *r)
{
	json_t *o, *s6, *named;

	if (r != NULL) {
		o = status_fields(r);
	} else {
		o = json_pack("{s:b, s:n, s:n, s:n, s:n, s:n, s:n, s:n}", "up", 0, "pid",
		    "uptime", "live", "limits", "limits_source", "refused", "accepted");
	}
	if (o != NULL && json_object_update_missing_new(o, image_fields(r)) == -1) {
		json_decref(o);
		o = NULL;
	}
	/* name first, as the contract shows it */
	if (o == NULL || (named = json_pack("{s:s}", "name", svc->name)) == NULL) {
		json_decref(o);
		return NULL;
	}
	json_object_update(named, o);
	json_decref(o);
	s6 = svc->s6 != NULL ? s6_status(svc->s6, c->ctx->ctl_timeout_ms) : NULL;
	json_object_set_new(named, "s6", s6 != NULL ? s6 : json_null());
	return named;
}

json_t *
api_service_json(struct api_call *c, const struct conf_service *svc)
{
	struct ctl_reply r;
	json_t *o;
	int up = api_ctl(c, svc, CTL_STATUS, &r) == 0 && r.ok;

	o = api_service_json_from(c, svc, up ? &r : NULL);
	ctl_reply_free(&r);
	return o;
}

void
api_get_health(struct api_call *c)
{
	reply_json(c->resp, 200, json_pack("{s:s, s:I, s:i}", "status", "ok",
	    "uptime", (json_int_t)(time(NULL) - c->ctx->started),
	    "services", (int)c->conf->nservices));
}

void
api_get_services(struct api_call *c)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < c->conf->nservices; i++)
		json_array_append_new(arr, api_service_json(c, &c->conf->services[i]));
	reply_json(c->resp, 200, json_pack("{s:o}", "services", arr));
}

void
api_get_service(struct api_call *c)
{
	reply_json(c->resp, 200, api_service_json(c, c->svc));
}

/* The 1-based line of the rule whose address is key, 0 when none. */
static long
rule_line_of(const struct rules_file *rf, const char *key)
{
	long idx;

	if (rf == NULL)
		return 0;
	idx = rules_file_find_rule(rf, key, strlen(key));
	return idx < 0 ? 0 : idx + 1;
}

/* One "ip A count N limit L source S oldest E pids P,..." line as JSON. */
static json_t *
connection_json(const char *line, const struct rules_file *rf)
{
	char ip[128], v[64], src[256], pids[65536], *p, *save = NULL;
	json_t *o, *arr = json_array();
	unsigned long n;
	long ln;

	if (arr == NULL || !ctl_field(line, "ip", ip, sizeof(ip)) ||
	    !ctl_field(line, "source", src, sizeof(src))) {
		json_decref(arr);
		return NULL;
	}
	if (ctl_field(line, "pids", pids, sizeof(pids)))
		for (p = strtok_r(pids, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
			if (scan_ulong(p, 0x7fffffffUL, &n) == 0)
				json_array_append_new(arr, json_integer((json_int_t)n));
	o = json_pack("{s:s, s:I, s:I, s:s, s:I, s:o}", "ip", ip,
	    "count", (json_int_t)(ctl_field(line, "count", v, sizeof(v)) ? atoll(v) : 0),
	    "limit", (json_int_t)(ctl_field(line, "limit", v, sizeof(v)) ? atoll(v) : 0),
	    "limit_source", src,
	    "oldest", (json_int_t)(ctl_field(line, "oldest", v, sizeof(v)) ? atoll(v) : 0),
	    "pids", arr);
	/* null from a listener that does not mark adopted connections yet */
	if (o != NULL)
		json_object_set_new(o, "adopted", ctl_field(line, "adopted", v, sizeof(v)) &&
		    scan_ulong(v, 0x7fffffffUL, &n) == 0 ? json_integer((json_int_t)n) :
		    json_null());
	if (o != NULL && strncmp(src, "rule:", 5) == 0 && (ln = rule_line_of(rf, src + 5)) > 0)
		json_object_set_new(o, "limit_rule_line", json_integer(ln));
	return o;
}

/* "connections [top N] [ip ADDR]", or -1 after answering 400. */
static int
connections_request(struct api_call *c, struct ctl_request *req)
{
	const char *top = api_request_arg(c->req, "top"), *ip = api_request_arg(c->req, "ip");

	memset(req, 0, sizeof(*req));
	req->cmd = CTL_CONNECTIONS;
	if (top != NULL &&
	    (scan_ulong(top, LIMITS_VALUE_MAX, &req->top) == -1 || req->top == 0)) {
		reply_problem_field(c->resp, "top", "top must be from 1 to %lu", LIMITS_VALUE_MAX);
		return -1;
	}
	if (ip != NULL) {
		if (ip_parse(ip, &req->ip) == -1) {
			reply_problem_field(c->resp, "ip", "ip must be an IPv4 or IPv6 address");
			return -1;
		}
		req->has_ip = 1;
	}
	return 0;
}

void
api_get_connections(struct api_call *c)
{
	struct rules_file rf;
	struct ctl_request request;
	struct ctl_reply r;
	char *text = NULL;
	size_t i, len;
	int exists, parsed = 0;
	json_t *arr;

	if (connections_request(c, &request) == -1)
		return;
	if (api_ctl_request(c, c->svc, &request, c->ctx->ctl_timeout_ms, &r) == -1 || !r.ok) {
		reply_problem(c->resp, 503, "listener-unavailable",
		    "the control socket of %s does not answer", c->svc->name);
		ctl_reply_free(&r);
		return;
	}
	if (api_read_conf(c->svc, "rules", &text, &len, &exists) == 0)
		parsed = rules_file_parse_owned(&rf, text, len, NULL) == 0;
	arr = json_array();
	for (i = 0; arr != NULL && i < r.nlines; i++) {
		json_t *o = connection_json(r.lines[i], parsed ? &rf : NULL);

		if (o != NULL)
			json_array_append_new(arr, o);
	}
	ctl_reply_free(&r);
	if (parsed)
		rules_file_free(&rf);
	reply_json(c->resp, 200, json_pack("{s:s, s:o}", "service", c->svc->name,
	    "connections", arr));
}

void
api_post_reload(struct api_call *c)
{
	struct ctl_reply r;

	pthread_mutex_lock(&c->ctx->write_lock);
	if (api_ctl(c, c->svc, CTL_RELOAD, &r) == -1) {
		pthread_mutex_unlock(&c->ctx->write_lock);
		reply_problem(c->resp, 503, "listener-unavailable",
		    "the control socket of %s does not answer", c->svc->name);
		return;
	}
	api_audit(c, "reload", NULL, json_string(r.ok ? "ok" : r.text));
	pthread_mutex_unlock(&c->ctx->write_lock);
	if (!r.ok)
		reply_problem(c->resp, 409, "bad-limits-file", "%s", r.text);
	else
		reply_json(c->resp, 200, api_service_json(c, c->svc));
	ctl_reply_free(&r);
}

static void
audit_restart(struct api_call *c, const char *mode, const char *result)
{
	api_audit(c, "restart", NULL, json_pack("{s:s, s:s}", "mode", mode, "result", result));
}

/* ?mode=supervisor: s6-svc -t, a new process (its children, the
 * sessions, stay). */
static void
restart_supervisor(struct api_call *c)
{
	int r;

	if (c->svc->s6 == NULL) {
		reply_problem(c->resp, 503, "no-supervisor",
		    "no s6 service folder is configured for %s", c->svc->name);
		return;
	}
	pthread_mutex_lock(&c->ctx->write_lock);
	r = s6_restart(c->svc->s6, c->ctx->ctl_timeout_ms);
	audit_restart(c, "supervisor", r == 0 ? "ok" : strerror(errno));
	pthread_mutex_unlock(&c->ctx->write_lock);
	if (r == -1)
		reply_problem(c->resp, 503, "restart-failed", "s6-svc -t %s failed", c->svc->s6);
	else
		reply_json(c->resp, 200, json_pack("{s:s, s:s, s:b}", "service", c->svc->name,
		    "mode", "supervisor", "restarted", 1));
}

/* The default: the listener execs its binary again (same pid, sockets,
 * children and table) and the new image answers with its status. */
static void
restart_reexec(struct api_call *c)
{
	struct ctl_request req;
	struct ctl_reply r;
	json_t *o;
	int ret, e;

	pthread_mutex_lock(&c->ctx->write_lock);
	memset(&req, 0, sizeof(req));
	req.cmd = CTL_REEXEC;
	ret = api_ctl_request(c, c->svc, &req, API_REEXEC_TIMEOUT_MS, &r);
	e = errno;
	audit_restart(c, "reexec", ret == -1 ? strerror(e) : r.ok ? "ok" : r.text);
	pthread_mutex_unlock(&c->ctx->write_lock);
	if (ret == -1)
		reply_problem(c->resp, 503, "listener-unavailable",
		    "the control socket of %s does not answer reexec: %s", c->svc->name,
		    strerror(e));
	else if (!r.ok && strcmp(r.code, "exec") == 0)
		reply_problem(c->resp, 503, "reexec-failed", "%s", r.text);
	else if (!r.ok)
		reply_problem(c->resp, 503, "reexec-unsupported", "the listener of %s does not "
		    "re-exec (%s %s); ?mode=supervisor restarts it through s6", c->svc->name,
		    r.code, r.text);
	else if ((o = api_service_json_from(c, c->svc, &r)) != NULL) {
		json_object_set_new(o, "mode", json_string("reexec"));
		json_object_set_new(o, "restarted", json_true());
		reply_json(c->resp, 200, o);
	}
	ctl_reply_free(&r);
}

void
api_post_restart(struct api_call *c)
{
	const char *mode = api_request_arg(c->req, "mode");

	if (mode == NULL || strcmp(mode, "reexec") == 0)
		restart_reexec(c);
	else if (strcmp(mode, "supervisor") == 0)
		restart_supervisor(c);
	else
		reply_problem_field(c->resp, "mode", "mode must be reexec or supervisor");
}

void
api_get_audit(struct api_call *c)
{
	const char *lim = api_request_arg(c->req, "limit");
	unsigned long n = 0;
	json_t *o;

	if (lim != NULL && (scan_ulong(lim, 1000000, &n) == -1 || n == 0)) {
		reply_problem_field(c->resp, "limit", "limit must be a number from 1 to 1000000");
		return;
	}
	if ((o = audit_read(c->conf->audit, n)) == NULL) {
		reply_problem(c->resp, 500, "audit-unreadable", "unable to read the audit log");
		return;
	}
	reply_json(c->resp, 200, o);
}

void
api_get_openapi(struct api_call *c)
{
	reply_text(c->resp, 200, "application/json", c->ctx->openapi != NULL ?
	    c->ctx->openapi : "{}", c->ctx->openapi != NULL ? c->ctx->openapi_len : 2);
}
