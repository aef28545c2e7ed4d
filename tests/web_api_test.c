/* web_api_test.c: mailctld's request dispatcher called with fake requests,
 * no HTTP: auth, every error case, limits, rules, history, audit, against
 * a fake listener control socket in a thread. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rules/rules_lookup.h"
#include "tests/web_api_util.h"
#include "tests/web_fake.h"
#include "web/api.h"
#include "web/conf.h"
#include "lib/limitsfile.h"
#include "web/util.h"

TestSuite(web_api, .init = web_setup, .fini = web_teardown, .timeout = 30);

Test(web_api, health_needs_no_token)
{
	struct call c = { .method = "GET", .path = "/v1/health" };
	struct api_response r = web_run(&c);
	json_t *o = web_body_json(&r);

	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(json_string_value(json_object_get(o, "status")), "ok");
	cr_assert_eq(json_integer_value(json_object_get(o, "services")), 2);
	json_decref(o);
	api_response_free(&r);
}

Test(web_api, no_token_is_401_with_challenge)
{
	struct call c = { .method = "GET", .path = "/v1/services" };
	struct api_response r = web_run(&c);

	cr_assert_eq(r.status, 401);
	cr_assert_str_eq(web_header(&r, "WWW-Authenticate"), "Bearer realm=\"mailstack\"");
	api_response_free(&r);
	web_expect_problem(&c, 401, NULL);
}

Test(web_api, wrong_token_is_401_then_429_after_five)
{
	struct call bad = { .method = "GET", .path = "/v1/services", .token = "admin-secreT",
	    .peer = "192.0.2.7" };
	struct call good = bad;
	struct call other = bad;
	struct api_response r;
	int i;

	for (i = 0; i < 5; i++)
		web_expect_problem(&bad, 401, NULL);
	good.token = WEB_ADMIN_TOKEN;
	r = web_run(&good);
	cr_assert_eq(r.status, 429, "even the right token waits: %d", r.status);
	cr_assert_not_null(web_header(&r, "Retry-After"));
	cr_assert(atoi(web_header(&r, "Retry-After")) >= 1 && atoi(web_header(&r, "Retry-After")) <= 60);
	api_response_free(&r);
	other.peer = "192.0.2.8";
	other.token = WEB_ADMIN_TOKEN;
	r = web_run(&other);
	cr_assert_eq(r.status, 200, "another address is not slowed");
	api_response_free(&r);
}

Test(web_api, read_token_cannot_write)
{
	struct call c = { .method = "PUT", .path = "/v1/services/imap/limits",
	    .token = WEB_READ_TOKEN, .ctype = "application/json",
	    .body = "{\"max_connections\":5,\"max_per_ip\":1,\"max_per_network\":0}" };
	struct call get = { .method = "GET", .path = "/v1/services/imap/limits",
	    .token = WEB_READ_TOKEN };
	struct api_response r;
	char *after;

	web_expect_problem(&c, 403, NULL);
	after = web_read_conf("etc/imap/limits");
	cr_assert_null(after, "a refused write must not create the file");
	r = web_run(&get);
	cr_assert_eq(r.status, 200);
	api_response_free(&r);
}

Test(web_api, malformed_json_and_unknown_fields_and_types)
{
	static const struct bad_body bad[] = {
		{ "{\"max_connections\":5,", NULL },
		{ "{\"max_connections\":5,\"max_connections\":6,\"max_per_ip\":1,\"max_per_network\":0}", NULL },
		{ "[1,2]", NULL },
		{ "{\"max_connections\":5,\"max_per_ip\":1,\"max_per_network\":0,\"color\":1}", "color" },
		{ "{\"max_connections\":\"5\",\"max_per_ip\":1,\"max_per_network\":0}", "max_connections" },
		{ "{\"max_connections\":5.5,\"max_per_ip\":1,\"max_per_network\":0}", "max_connections" },
		{ "{\"max_connections\":5,\"max_per_ip\":1}", "max_per_network" },
	};
	struct call c = { .method = "PUT", .path = "/v1/services/imap/limits",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json" };

	web_expect_bad_bodies(c, bad, sizeof(bad) / sizeof(bad[0]));
	cr_assert_null(web_read_conf("etc/imap/limits"));
}

Test(web_api, out_of_range_limits)
{
	static const struct bad_body bad[] = {
		{ "{\"max_per_ip\":-1}", "max_per_ip" },
		{ "{\"max_per_network\":1000001}", "max_per_network" },
		{ "{\"max_connections\":0}", "max_connections" },
		{ "{\"max_connections\":true}", "max_connections" },
		{ "{\"max_connections\":99999999999999999999999}", NULL },
	};
	struct call c = { .method = "PATCH", .path = "/v1/services/imap/limits",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json" };

	web_expect_bad_bodies(c, bad, sizeof(bad) / sizeof(bad[0]));
}

/* The limits table's words (lib/limitsfile.c), as the file, the control
 * socket and mailctl say them. */
Test(web_api, bad_limit_is_refused_in_the_tables_words)
{
	static const char *const cases[][2] = {
		{ "{\"max_per_network\":1000001}", "max_per_network must be from 0 to 1000000" },
		{ "{\"max_per_ip\":-1}", "max_per_ip must be from 0 to 1000000" },
		{ "{\"max_connections\":0}", "max_connections must be from 1 to 1000000" },
		{ "{\"max_per_ip\":\"4\"}", "max_per_ip must be a whole number" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct call c = { .method = "PATCH", .path = "/v1/services/imap/limits",
		    .token = WEB_ADMIN_TOKEN, .ctype = "application/json", .body = cases[i][0] };
		struct api_response r = web_run(&c);
		json_t *o = web_body_json(&r);

		cr_assert_eq(r.status, 400, "%s: %.*s", cases[i][0], (int)r.len, r.body);
		cr_assert_str_eq(json_string_value(json_object_get(o, "detail")), cases[i][1],
		    "%s", cases[i][0]);
		json_decref(o);
		api_response_free(&r);
	}
	cr_assert_null(web_read_conf("etc/imap/limits"));
}

Test(web_api, wrong_content_type_is_415)
{
	struct call c = { .method = "PATCH", .path = "/v1/services/imap/limits",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/x-www-form-urlencoded",
	    .body = "max_per_ip=3" };

	web_expect_problem(&c, 415, NULL);
	c.ctype = NULL;
	web_expect_problem(&c, 415, NULL);
}

Test(web_api, unknown_service_and_dotdot_are_404)
{
	struct call c = { .method = "GET", .path = "/v1/services/pop3", .token = WEB_READ_TOKEN };

	web_expect_problem(&c, 404, NULL);
	c.path = "/v1/services/../limits";
	web_expect_problem(&c, 404, NULL);
	c.path = "/v1/services/..%2fetc/limits";
	web_expect_problem(&c, 404, NULL);
	c.path = "/v1/services/imap/limits/../../../etc";
	web_expect_problem(&c, 404, NULL);
	c.path = "/v2/whatever";
	web_expect_problem(&c, 404, NULL);
}

Test(web_api, method_not_allowed_lists_allow)
{
	struct call c = { .method = "DELETE", .path = "/v1/services/imap/limits",
	    .token = WEB_ADMIN_TOKEN };
	struct api_response r = web_run(&c);

	cr_assert_eq(r.status, 405);
	cr_assert_str_eq(web_header(&r, "Allow"), "GET, PUT, PATCH");
	api_response_free(&r);
}

Test(web_api, oversize_body_is_413)
{
	struct api_request req;
	struct api_response r;

	memset(&req, 0, sizeof(req));
	req.method = "PUT";
	req.path = "/v1/services/imap/rules";
	req.authorization = "Bearer " WEB_ADMIN_TOKEN;
	req.content_type = "text/plain";
	req.body_too_large = 1;
	req.peer = "127.0.0.1";
	api_handle(&web_ctx, &req, &r);
	cr_assert_eq(r.status, 413);
	cr_assert_str_eq(r.content_type, "application/problem+json");
	api_response_free(&r);
	cr_assert_null(web_read_conf("etc/imap/rules"));
}

Test(web_api, put_limits_writes_file_and_reloads_listener)
{
	struct call c = { .method = "PUT", .path = "/v1/services/imap/limits",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json",
	    .body = "{\"max_connections\":64,\"max_per_ip\":10,\"max_per_network\":0}" };
	struct api_response r = web_run(&c);
	json_t *o = web_body_json(&r);
	char *text = web_read_conf("etc/imap/limits");
	struct limitsfile_error e;
	struct limits_file lf;

	cr_assert_eq(r.status, 200, "%.*s", (int)r.len, r.body);
	cr_assert(json_is_true(json_object_get(o, "applied")));
	cr_assert_eq(json_integer_value(json_object_get(o, "max_connections")), 64);
	cr_assert_not_null(text);
	cr_assert_eq(limitsfile_parse(text, strlen(text), &lf, &e), 0);
	cr_assert_eq(lf.n[LIMIT_MAX_CONNECTIONS], 64);
	cr_assert_eq(lf.n[LIMIT_MAX_PER_IP], 10);
	cr_assert_eq(lf.set[LIMIT_MAX_PER_NETWORK], 1);
	cr_assert_eq(lf.n[LIMIT_MAX_PER_NETWORK], 0);
	cr_assert_eq(web_fake_listener.reloads, 1);
	cr_assert_eq(web_fake_listener.limits[0], 64, "the listener saw the new limit");
	cr_assert_not_null(web_header(&r, "ETag"));
	free(text);
	json_decref(o);
	api_response_free(&r);
}

Test(web_api, limits_written_while_listener_down_say_not_applied)
{
	struct call c = { .method = "PUT", .path = "/v1/services/smtp/limits",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json",
	    .body = "{\"max_connections\":7,\"max_per_ip\":2,\"max_per_network\":3}" };
	struct api_response r = web_run(&c);
	json_t *o = web_body_json(&r);
	char *text = web_read_conf("etc/smtp/limits");

	cr_assert_eq(r.status, 200);
	cr_assert(json_is_false(json_object_get(o, "applied")));
	cr_assert_not_null(strstr(text, "\nmax_connections=7\nmax_per_ip=2\nmax_per_network=3\n"));
	free(text);
	json_decref(o);
	api_response_free(&r);
}

Test(web_api, patch_merges_over_the_live_values)
{
	struct call c = { .method = "PATCH", .path = "/v1/services/imap/limits",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json",
	    .body = "{\"max_per_ip\":9}" };
	struct api_response r = web_run(&c);
	json_t *o = web_body_json(&r);

	cr_assert_eq(r.status, 200);
	cr_assert_eq(json_integer_value(json_object_get(o, "max_connections")), 21,
	    "kept from the listener's status");
	cr_assert_eq(json_integer_value(json_object_get(o, "max_per_ip")), 9);
	cr_assert_eq(web_fake_listener.limits[1], 9);
	json_decref(o);
	api_response_free(&r);
}

Test(web_api, if_match_stale_is_412_and_current_passes)
{
	struct call get = { .method = "GET", .path = "/v1/services/imap/limits",
	    .token = WEB_READ_TOKEN };
	struct call put = { .method = "PATCH", .path = "/v1/services/imap/limits",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json", .body = "{\"max_per_ip\":5}" };
	struct api_response r = web_run(&get);
	char etag[128];

	cr_assert_eq(r.status, 200);
	snprintf(etag, sizeof(etag), "%s", web_header(&r, "ETag"));
	api_response_free(&r);
	put.if_match = "\"0000\"";
	web_expect_problem(&put, 412, NULL);
	put.if_match = etag;
	r = web_run(&put);
	cr_assert_eq(r.status, 200);
	cr_assert_str_neq(web_header(&r, "ETag"), etag);
	api_response_free(&r);
	web_expect_problem(&put, 412, NULL);	/* the old ETag is stale now */
}

struct racer {
	const char *etag;
	const char *body;
	int status;
};

static void *
race(void *arg)
{
	struct racer *rc = arg;
	struct call c = { .method = "PUT", .path = "/v1/services/imap/limits",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json", .body = rc->body,
	    .if_match = rc->etag };
	struct api_response r = web_run(&c);

	rc->status = r.status;
	api_response_free(&r);
	return NULL;
}

Test(web_api, two_puts_racing_with_if_match_one_wins)
{
	struct call get = { .method = "GET", .path = "/v1/services/imap/limits",
	    .token = WEB_READ_TOKEN };
	struct api_response r = web_run(&get);
	char etag[128], *text;
	struct racer a = { etag, "{\"max_connections\":30,\"max_per_ip\":3,\"max_per_network\":0}", 0 };
	struct racer b = { etag, "{\"max_connections\":40,\"max_per_ip\":4,\"max_per_network\":0}", 0 };
	pthread_t ta, tb;

	snprintf(etag, sizeof(etag), "%s", web_header(&r, "ETag"));
	api_response_free(&r);
	pthread_create(&ta, NULL, race, &a);
	pthread_create(&tb, NULL, race, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	cr_assert((a.status == 200 && b.status == 412) || (a.status == 412 && b.status == 200),
	    "statuses %d and %d", a.status, b.status);
	text = web_read_conf("etc/imap/limits");
	cr_assert_not_null(strstr(text, a.status == 200 ? "max_connections=30\n" :
	    "max_connections=40\n"), "the winner's values are in the file");
	free(text);
}

Test(web_api, service_object_from_status_and_down_service)
{
	struct call c = { .method = "GET", .path = "/v1/services", .token = WEB_READ_TOKEN };
	struct api_response r = web_run(&c);
	json_t *o = web_body_json(&r), *imap, *smtp;

	cr_assert_eq(r.status, 200);
	imap = json_array_get(json_object_get(o, "services"), 0);
	smtp = json_array_get(json_object_get(o, "services"), 1);
	cr_assert_str_eq(json_string_value(json_object_get(imap, "name")), "imap");
	cr_assert(json_is_true(json_object_get(imap, "up")));
	cr_assert_eq(json_integer_value(json_object_get(imap, "live")), 3);
	cr_assert_eq(json_integer_value(json_object_get(imap, "pid")), getpid());
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(imap, "limits"),
	    "max_per_ip")), 4);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(imap, "refused"),
	    "rule_ip")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(imap, "limits_source")), "file");
	cr_assert(json_is_null(json_object_get(imap, "s6")));
	cr_assert(json_is_false(json_object_get(smtp, "up")));
	cr_assert(json_is_null(json_object_get(smtp, "live")));
	json_decref(o);
	api_response_free(&r);
}

Test(web_api, connections_largest_first_with_rule_line)
{
	struct call c = { .method = "GET", .path = "/v1/services/imap/connections",
	    .token = WEB_READ_TOKEN, .args = { { "top", "2" } } };
	struct api_response r;
	json_t *o, *a, *b;

	web_write_conf("etc/imap/rules", "# hosts\n10.1.2.:allow,MAXCONNIP=\"8\"\n");
	web_fake_listener.connections = "ip 10.1.2.3 count 5 limit 8 source rule:10.1.2. oldest 1764330000 pids 11,12,13,14,15\n"
	    "ip 127.0.0.1 count 1 limit 4 source option oldest 1764330001 pids 16\n";
	r = web_run(&c);
	cr_assert_eq(r.status, 200, "%.*s", (int)r.len, r.body);
	cr_assert_str_eq(web_fake_listener.last, "connections top 2");
	o = web_body_json(&r);
	cr_assert_str_eq(json_string_value(json_object_get(o, "service")), "imap");
	a = json_array_get(json_object_get(o, "connections"), 0);
	b = json_array_get(json_object_get(o, "connections"), 1);
	cr_assert_str_eq(json_string_value(json_object_get(a, "ip")), "10.1.2.3");
	cr_assert_eq(json_integer_value(json_object_get(a, "count")), 5);
	cr_assert_eq(json_array_size(json_object_get(a, "pids")), 5);
	cr_assert_eq(json_integer_value(json_array_get(json_object_get(a, "pids"), 4)), 15);
	cr_assert_str_eq(json_string_value(json_object_get(a, "limit_source")), "rule:10.1.2.");
	cr_assert_eq(json_integer_value(json_object_get(a, "limit_rule_line")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(b, "limit_source")), "option");
	cr_assert_null(json_object_get(b, "limit_rule_line"));
	json_decref(o);
	api_response_free(&r);
}

Test(web_api, connections_bad_query_and_listener_down)
{
	struct call c = { .method = "GET", .path = "/v1/services/imap/connections",
	    .token = WEB_READ_TOKEN, .args = { { "top", "-3" } } };

	web_expect_problem(&c, 400, "top");
	c.args[0][0] = "ip", c.args[0][1] = "1.2.3";
	web_expect_problem(&c, 400, "ip");
	c.args[0][0] = "sort", c.args[0][1] = "x";
	web_expect_problem(&c, 400, "sort");
	c.args[0][0] = NULL;
	c.path = "/v1/services/smtp/connections";
	web_expect_problem(&c, 503, NULL);
}

Test(web_api, busy_listener_is_asked_again)
{
	struct call c = { .method = "GET", .path = "/v1/services/imap", .token = WEB_READ_TOKEN };
	struct api_response r;
	json_t *o;

	web_fake_listener.busy = 2;
	r = web_run(&c);
	o = web_body_json(&r);
	cr_assert(json_is_true(json_object_get(o, "up")), "served after two busy answers");
	cr_assert_eq(web_fake_listener.requests, 3);
	json_decref(o);
	api_response_free(&r);
	web_fake_listener.busy = 100;
	r = web_run(&c);
	o = web_body_json(&r);
	cr_assert(json_is_false(json_object_get(o, "up")), "gives up after four");
	cr_assert_eq(web_fake_listener.busy, 96);
	json_decref(o);
	api_response_free(&r);
}
