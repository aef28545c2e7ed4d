/* web_status_test.c: what mailctld shows of a listener that re-execs and
 * adopts (image, adoption and accept-queue figures in the service and
 * connections JSON and /metrics, null or absent for an older image), and
 * POST restart: reexec by default, s6-svc -t with ?mode=supervisor. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "tests/web_api_util.h"

TestSuite(web_status, .init = web_setup, .fini = web_teardown, .timeout = 30);

static json_t *
get_json(const char *path, int want)
{
	struct call c = { .method = "GET", .path = path, .token = WEB_READ_TOKEN };
	struct api_response r = web_run(&c);
	json_t *o;

	cr_assert_eq(r.status, want, "%s: %d %.*s", path, r.status, (int)r.len, r.body);
	o = web_body_json(&r);
	api_response_free(&r);
	return o;
}

static long long
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_integer(v), "%s is a number", key);
	return json_integer_value(v);
}

Test(web_status, service_shows_the_image_and_the_accept_queue)
{
	json_t *o = get_json("/v1/services/imap", 200);

	cr_assert_str_eq(json_string_value(json_object_get(o, "version")), "0.1.0");
	cr_assert_eq(num(o, "image_started"), 1764330000);
	cr_assert_eq(num(o, "reexecs"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(o, "restored")), "none");
	cr_assert_eq(num(o, "adopted"), 1);
	cr_assert_eq(num(o, "unadopted"), 0);
	cr_assert_eq(num(o, "backlog"), 1024);
	cr_assert_eq(num(o, "accept_queue"), 3);
	cr_assert_eq(num(o, "listen_overflows"), 17);
	cr_assert_eq(num(o, "pid"), getpid());
	json_decref(o);
	o = get_json("/v1/services", 200);
	cr_assert_eq(num(json_array_get(json_object_get(o, "services"), 0), "backlog"), 1024);
	json_decref(o);
}

/* An image from before re-exec: the members are there, null, not 0. */
Test(web_status, older_listener_gives_null_never_zero)
{
	static const char *const keys[] = { "version", "image_started", "reexecs",
	    "restored", "adopted", "unadopted", "backlog", "accept_queue", "listen_overflows" };
	json_t *o, *down;
	size_t i;

	web_fake_listener.old = 1;
	o = get_json("/v1/services/imap", 200);
	cr_assert(json_is_true(json_object_get(o, "up")));
	down = get_json("/v1/services/smtp", 200);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cr_assert_not_null(json_object_get(o, keys[i]), "%s is there", keys[i]);
		cr_assert(json_is_null(json_object_get(o, keys[i])), "%s is null", keys[i]);
		cr_assert(json_is_null(json_object_get(down, keys[i])), "%s is null when down",
		    keys[i]);
	}
	json_decref(o), json_decref(down);
}

Test(web_status, connections_say_how_many_are_adopted)
{
	json_t *o, *a, *b;

	web_fake_listener.connections =
	    "ip 10.1.2.3 count 3 limit 4 source option oldest 1733580000 adopted 1 pids 101,102,103\n"
	    "ip 127.0.0.1 count 1 limit 4 source option oldest 1733580001 pids 16\n";
	o = get_json("/v1/services/imap/connections", 200);
	a = json_array_get(json_object_get(o, "connections"), 0);
	b = json_array_get(json_object_get(o, "connections"), 1);
	cr_assert_eq(num(a, "adopted"), 1);
	cr_assert_eq(json_array_size(json_object_get(a, "pids")), 3);
	cr_assert_not_null(json_object_get(b, "adopted"));
	cr_assert(json_is_null(json_object_get(b, "adopted")), "not sent: null, not 0");
	json_decref(o);
}

static char *
metrics(void)
{
	struct call c = { .method = "GET", .path = "/metrics", .token = WEB_READ_TOKEN };
	struct api_response r = web_run(&c);
	char *s;

	cr_assert_eq(r.status, 200);
	cr_assert_not_null(s = strndup(r.body, r.len));
	api_response_free(&r);
	return s;
}

Test(web_status, metrics_show_backlog_queue_overflows_adopted_reexecs)
{
	static const char *const lines[] = { "mailstack_backlog{service=\"imap\"} 1024\n",
	    "mailstack_accept_queue{service=\"imap\"} 3\n",
	    "mailstack_listen_overflows_total{service=\"imap\"} 17\n",
	    "mailstack_adopted_connections{service=\"imap\"} 1\n",
	    "mailstack_reexecs_total{service=\"imap\"} 0\n" };
	char *s = metrics();
	size_t i;

	cr_assert_not_null(strstr(s, "# TYPE mailstack_listen_overflows_total counter\n"));
	cr_assert_not_null(strstr(s, "# TYPE mailstack_accept_queue gauge\n"));
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		cr_assert_not_null(strstr(s, lines[i]), "%s in:\n%s", lines[i], s);
	free(s);
	web_fake_listener.old = 1;
	s = metrics();
	cr_assert_not_null(strstr(s, "mailstack_connections{service=\"imap\"} 3\n"));
	cr_assert_null(strstr(s, "mailstack_backlog{"), "absent for an older image:\n%s", s);
	cr_assert_null(strstr(s, "mailstack_reexecs_total{"));
	free(s);
}

static struct api_response
restart(const char *mode, const char *token)
{
	struct call c = { .method = "POST", .path = "/v1/services/imap/restart",
	    .token = token, .args = { { mode != NULL ? "mode" : NULL, mode } } };

	return web_run(&c);
}

/* The last audit entry's "after". */
static json_t *
last_audit_after(void)
{
	json_t *o = get_json("/v1/audit", 200), *e, *after;

	e = json_array_get(json_object_get(o, "entries"),
	    json_array_size(json_object_get(o, "entries")) - 1);
	cr_assert_str_eq(json_string_value(json_object_get(e, "what")), "restart");
	cr_assert_str_eq(json_string_value(json_object_get(e, "service")), "imap");
	after = json_incref(json_object_get(e, "after"));
	json_decref(o);
	return after;
}

Test(web_status, restart_reexecs_the_listener_by_default)
{
	struct api_response r = restart(NULL, WEB_ADMIN_TOKEN);
	json_t *o, *after;

	cr_assert_eq(r.status, 200, "%.*s", (int)r.len, r.body);
	cr_assert_str_eq(web_fake_listener.last, "reexec");
	o = web_body_json(&r);
	cr_assert_str_eq(json_string_value(json_object_get(o, "name")), "imap");
	cr_assert_str_eq(json_string_value(json_object_get(o, "mode")), "reexec");
	cr_assert(json_is_true(json_object_get(o, "restarted")));
	cr_assert_eq(num(o, "reexecs"), 1, "the new image's status block");
	cr_assert_str_eq(json_string_value(json_object_get(o, "restored")), "state");
	cr_assert_eq(num(o, "pid"), getpid(), "the same process");
	json_decref(o);
	api_response_free(&r);
	cr_assert_eq(web_fake_listener.requests, 1, "the reply is the new state: no status asked");
	after = last_audit_after();
	cr_assert_str_eq(json_string_value(json_object_get(after, "mode")), "reexec");
	cr_assert_str_eq(json_string_value(json_object_get(after, "result")), "ok");
	json_decref(after);
	r = restart("reexec", WEB_ADMIN_TOKEN);
	cr_assert_eq(r.status, 200);
	api_response_free(&r);
	cr_assert_eq(web_fake_listener.reexecs, 2);
	r = restart(NULL, WEB_READ_TOKEN);
	cr_assert_eq(r.status, 403, "restart needs admin");
	api_response_free(&r);
	cr_assert_eq(web_fake_listener.reexecs, 2);
}

/* The control request outlives the usual 1 s of the tests' context. */
Test(web_status, restart_waits_for_a_slow_reexec)
{
	struct api_response r;

	web_fake_listener.reexec_ms = 1500;
	r = restart(NULL, WEB_ADMIN_TOKEN);
	cr_assert_eq(r.status, 200, "%.*s", (int)r.len, r.body);
	api_response_free(&r);
}

Test(web_status, failed_exec_is_503_with_the_listeners_text)
{
	struct call c = { .method = "POST", .path = "/v1/services/imap/restart",
	    .token = WEB_ADMIN_TOKEN };
	struct api_response r;
	json_t *o, *after;
	const char *text = "unable to run /usr/sbin/mailstack-tcpserver: No such file or directory";

	web_fake_listener.exec_error = text;
	r = web_run(&c);
	cr_assert_eq(r.status, 503);
	cr_assert_str_eq(r.content_type, "application/problem+json");
	o = web_body_json(&r);
	cr_assert_str_eq(json_string_value(json_object_get(o, "detail")), text);
	cr_assert_not_null(strstr(json_string_value(json_object_get(o, "type")), "reexec-failed"));
	json_decref(o);
	api_response_free(&r);
	after = last_audit_after();
	cr_assert_str_eq(json_string_value(json_object_get(after, "result")), text);
	json_decref(after);
	web_fake_listener.exec_error = NULL;
	web_fake_listener.old = 1;
	web_expect_problem(&c, 503, NULL);	/* an image that does not re-exec */
	c.path = "/v1/services/smtp/restart";
	web_expect_problem(&c, 503, NULL);	/* nobody listening */
}

Test(web_status, supervisor_mode_and_bad_mode)
{
	struct call c = { .method = "POST", .path = "/v1/services/imap/restart",
	    .token = WEB_ADMIN_TOKEN, .args = { { "mode", "supervisor" } } };

	/* no s6 folder for imap (web_http::s6_state_and_restart_through_s6_svc
	 * restarts through a real s6-supervise) */
	web_expect_problem(&c, 503, NULL);
	cr_assert_eq(web_fake_listener.reexecs, 0, "supervisor mode sends no reexec");
	c.args[0][1] = "kill";
	web_expect_problem(&c, 400, "mode");
}
