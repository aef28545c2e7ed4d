/* cmd_status.c: mailctl status [SERVICE]: every service in a table, or one in detail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/mailctl/ctl.h"
#include "ctl/mailctl/view.h"

static const char *const status_heads[] = {
	"SERVICE", "STATE", "PID", "UPTIME", "LIVE", "MAX", "PER-IP", "PER-NET",
	"ACCEPTED", "REFUSED"
};

static void
status_uptime_cell(char *buf, size_t len, json_t *v)
{
	if (json_is_integer(v))
		fmt_age(buf, len, 0, json_integer_value(v));
	else
		snprintf(buf, len, "-");
}

/* The sum of the refusal counters, "-" when the listener did not answer. */
static void
status_refused_cell(char *buf, size_t len, json_t *refused)
{
	long long sum = 0;
	const char *key;
	json_t *v;

	if (!json_is_object(refused)) {
		snprintf(buf, len, "-");
		return;
	}
	json_object_foreach(refused, key, v)
		if (json_is_integer(v))
			sum += json_integer_value(v);
	snprintf(buf, len, "%lld", sum);
}

static void
status_row(struct table *t, json_t *s)
{
	json_t *limits = json_object_get(s, "limits");
	char cell[128];

	view_add(t, json_object_get(s, "name"));
	table_add(t, json_is_true(json_object_get(s, "up")) ? "up" : "down");
	view_add(t, json_object_get(s, "pid"));
	status_uptime_cell(cell, sizeof(cell), json_object_get(s, "uptime"));
	table_add(t, cell);
	view_add(t, json_object_get(s, "live"));
	view_add(t, json_object_get(limits, "max_connections"));
	view_add_limit(t, json_object_get(limits, "max_per_ip"));
	view_add_limit(t, json_object_get(limits, "max_per_network"));
	view_add(t, json_object_get(s, "accepted"));
	status_refused_cell(cell, sizeof(cell), json_object_get(s, "refused"));
	table_add(t, cell);
}

int
view_status(json_t *services, FILE *out)
{
	struct table t;
	size_t i;

	if (table_init(&t, sizeof(status_heads) / sizeof(status_heads[0]),
	    status_heads, "llrrrrrrrr") == -1)
		return -1;
	for (i = 0; i < json_array_size(services); i++)
		if (json_is_object(json_array_get(services, i)))
			status_row(&t, json_array_get(services, i));
	return view_finish(&t, out);
}

static void
kv_add(struct table *t, const char *key, json_t *v)
{
	table_add(t, key);
	view_add(t, v);
}

static void
service_s6_row(struct table *t, json_t *s6)
{
	table_add(t, "s6");
	if (!json_is_object(s6))
		table_add(t, "-");
	else
		table_addf(t, "%s pid %lld%s",
		    json_is_true(json_object_get(s6, "up")) ? "up" : "down",
		    (long long)json_integer_value(json_object_get(s6, "pid")),
		    json_is_true(json_object_get(s6, "ready")) ? " ready" : "");
}

int
view_service(json_t *s, FILE *out)
{
	static const char *const refused[] = { "ip", "net", "rule_ip", "rule_net", "fork" };
	json_t *limits = json_object_get(s, "limits"), *ref = json_object_get(s, "refused");
	struct table t;
	char cell[128];
	size_t i;

	if (view_kv_init(&t) == -1)
		return -1;
	kv_add(&t, "service", json_object_get(s, "name"));
	table_add(&t, "state");
	table_add(&t, json_is_true(json_object_get(s, "up")) ? "up" : "down");
	kv_add(&t, "pid", json_object_get(s, "pid"));
	status_uptime_cell(cell, sizeof(cell), json_object_get(s, "uptime"));
	table_add(&t, "uptime");
	table_add(&t, cell);
	kv_add(&t, "live", json_object_get(s, "live"));
	kv_add(&t, "max_connections", json_object_get(limits, "max_connections"));
	table_add(&t, "max_per_ip");
	view_add_limit(&t, json_object_get(limits, "max_per_ip"));
	table_add(&t, "max_per_network");
	view_add_limit(&t, json_object_get(limits, "max_per_network"));
	kv_add(&t, "limits_source", json_object_get(s, "limits_source"));
	kv_add(&t, "accepted", json_object_get(s, "accepted"));
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		table_addf(&t, "refused_%s", refused[i]);
		view_add(&t, json_object_get(ref, refused[i]));
	}
	service_s6_row(&t, json_object_get(s, "s6"));
	return view_finish(&t, out);
}

static int
status_show_all(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	return view_status(json_object_get(root, "services"), x->out);
}

static int
status_show_one(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	return view_service(root, x->out);
}

int
cmd_status(const struct ctl *x)
{
	struct ctl_call call = { "GET", "/v1/services", NULL, NULL, 0, NULL, NULL };
	char path[128];

	if (x->cli->service == NULL)
		return ctl_run(x, &call, status_show_all);
	call.path = ctl_service_path(x, path, sizeof(path), "");
	return ctl_run(x, &call, status_show_one);
}
