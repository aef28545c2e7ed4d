/* cmd_status.c: mailctl status [SERVICE]: every service in a table, or one
 * in detail, and a warning when the listen overflows rose since the last look. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "ctl/mailctl/ctl.h"
#include "ctl/mailctl/seen.h"
#include "ctl/mailctl/view.h"

/* The columns before and after the limits, whose headings come from the
 * limits table (lib/limitsfile.c). */
static const char *const status_heads_before[] = {
	"SERVICE", "STATE", "PID", "UPTIME", "LIVE"
};
static const char *const status_heads_after[] = {
	"ACCEPTED", "REFUSED", "BACKLOG", "QUEUE", "OVERFLOWS"
};
#define STATUS_BEFORE (sizeof(status_heads_before) / sizeof(status_heads_before[0]))
#define STATUS_AFTER (sizeof(status_heads_after) / sizeof(status_heads_after[0]))
#define STATUS_COLUMNS (STATUS_BEFORE + LIMIT_KEYS + STATUS_AFTER)

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
	view_add_limits(t, limits, 0);
	view_add(t, json_object_get(s, "accepted"));
	status_refused_cell(cell, sizeof(cell), json_object_get(s, "refused"));
	table_add(t, cell);
	view_add(t, json_object_get(s, "backlog"));
	view_add(t, json_object_get(s, "accept_queue"));
	view_add(t, json_object_get(s, "listen_overflows"));
}

int
view_status(json_t *services, FILE *out)
{
	const char *heads[STATUS_COLUMNS];
	char align[STATUS_COLUMNS + 1];
	struct table t;
	size_t i;

	for (i = 0; i < STATUS_COLUMNS; i++) {
		if (i < STATUS_BEFORE)
			heads[i] = status_heads_before[i];
		else if (i < STATUS_BEFORE + LIMIT_KEYS)
			heads[i] = limits_def((enum limit_key)(i - STATUS_BEFORE))->heading;
		else
			heads[i] = status_heads_after[i - STATUS_BEFORE - LIMIT_KEYS];
		align[i] = i < 2 ? 'l' : 'r';
	}
	align[STATUS_COLUMNS] = '\0';
	if (table_init(&t, STATUS_COLUMNS, heads, align) == -1)
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

/* The running image (re-execs, how it got its table, adopted sessions)
 * and its accept queue; "-" for what an older listener does not report. */
static void
service_image_rows(struct table *t, json_t *s)
{
	static const char *const keys[] = { "reexecs", "restored", "adopted", "unadopted",
		"backlog", "accept_queue", "listen_overflows" };
	json_t *started = json_object_get(s, "image_started");
	char cell[64];
	size_t i;

	kv_add(t, "version", json_object_get(s, "version"));
	if (json_is_integer(started))
		fmt_time(cell, sizeof(cell), json_integer_value(started));
	else
		snprintf(cell, sizeof(cell), "-");
	table_add(t, "image_started");
	table_add(t, cell);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		kv_add(t, keys[i], json_object_get(s, keys[i]));
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
	view_add_limits(&t, limits, 1);
	kv_add(&t, "limits_source", json_object_get(s, "limits_source"));
	kv_add(&t, "accepted", json_object_get(s, "accepted"));
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		table_addf(&t, "refused_%s", refused[i]);
		view_add(&t, json_object_get(ref, refused[i]));
	}
	service_image_rows(&t, s);
	service_s6_row(&t, json_object_get(s, "s6"));
	return view_finish(&t, out);
}

/* One service against what the last look saw: the counter is the
 * system's (every listener in the network namespace), so a rise means
 * some accept queue was full, this service's or another's. */
static int
status_watch_one(const struct ctl *x, struct seen *seen, json_t *s)
{
	json_t *name = json_object_get(s, "name"), *now = json_object_get(s, "listen_overflows");
	unsigned long long last, v;
	char backlog[32], queue[32];

	if (!json_is_string(name) || !json_is_integer(now) || json_integer_value(now) < 0)
		return 0;
	v = (unsigned long long)json_integer_value(now);
	if (seen_find(seen, x->conf->url, json_string_value(name), &last) && v > last) {
		ctl_cell(backlog, sizeof(backlog), json_object_get(s, "backlog"));
		ctl_cell(queue, sizeof(queue), json_object_get(s, "accept_queue"));
		/* ctl_complain names the service when the command did */
		ctl_complain(x, "%s%swarning: listen overflows rose by %llu since the last look"
		    " (%llu to %llu, TcpExtListenOverflows of every listener on the host):"
		    " connections found an accept queue full and waited unserved; backlog %s,"
		    " accept queue %s now", x->cli->service != NULL ? "" : json_string_value(name),
		    x->cli->service != NULL ? "" : ": ", v - last, last, v, backlog, queue);
	}
	return seen_set(seen, x->conf->url, json_string_value(name), v);
}

/* Compares and remembers (svc: one service object, or an array of them);
 * a state file that cannot be read or written costs the comparison,
 * never the command. */
static void
status_watch(const struct ctl *x, json_t *svc)
{
	struct seen seen = SEEN_ZERO;
	char path[4096];
	size_t i, n = json_is_array(svc) ? json_array_size(svc) : 1;

	if (seen_path(path, sizeof(path), getenv("XDG_STATE_HOME"), getenv("HOME")) == -1)
		return;
	seen_read(&seen, path);
	for (i = 0; i < n; i++)
		if (status_watch_one(x, &seen, json_is_array(svc) ? json_array_get(svc, i) :
		    svc) == -1)
			break;
	if (seen.changed && seen_write(&seen, path) == -1)
		ctl_complain(x, "warning: unable to write %s: %s (the next status cannot tell"
		    " whether listen overflows rose)", path, errstr(errno));
	seen_free(&seen);
}

static int
status_show_all(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	json_t *services = json_object_get(root, "services");

	if (view_status(services, x->out) == -1)
		return -1;
	status_watch(x, services);
	return 0;
}

static int
status_show_one(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	if (view_service(root, x->out) == -1)
		return -1;
	status_watch(x, root);
	return 0;
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
