/* web_rules_test.c: mailctld's rules, history, rollback, audit and metrics
 * resources through the dispatcher (no HTTP). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_lookup.h"
#include "tests/web_api_util.h"

TestSuite(web_rules, .init = web_setup, .fini = web_teardown, .timeout = 30);

/* 1 deny, 0 allow, -1 no rule matched, for ip in the service's rules.cdb. */
static int
cdb_verdict(const char *ip)
{
	char *path = web_fake_path(web_dir, "etc/imap/rules.cdb");
	struct rules_db *db = NULL;
	struct rules_match m;
	int r;

	cr_assert_eq(rules_db_open(&db, path), 0, "rules.cdb opens");
	r = rules_db_lookup_ip(db, ip, &m);
	cr_assert_neq(r, -1);
	r = r == 1 ? m.deny : -1;
	rules_db_close(&db);
	free(path);
	return r;
}

static json_t *
get_json(const char *path, char *etag, size_t etaglen)
{
	struct call c = { .method = "GET", .path = path, .token = WEB_READ_TOKEN };
	struct api_response r = web_run(&c);
	json_t *o;

	cr_assert_eq(r.status, 200, "GET %s: %d %.*s", path, r.status, (int)r.len, r.body);
	o = web_body_json(&r);
	if (etag != NULL)
		snprintf(etag, etaglen, "%s", web_header(&r, "ETag"));
	api_response_free(&r);
	return o;
}

Test(web_rules, get_lists_rules_with_comments_and_variables)
{
	json_t *o, *rules, *a, *b;

	web_write_conf("etc/imap/rules", "# loopback\n# trusted\n127.0.0.1:allow,RELAYCLIENT=\"\"\n\n"
	    "10.0.0.:deny\n");
	o = get_json("/v1/services/imap/rules", NULL, 0);
	rules = json_object_get(o, "rules");
	cr_assert_eq(json_array_size(rules), 2);
	a = json_array_get(rules, 0);
	b = json_array_get(rules, 1);
	cr_assert_eq(json_integer_value(json_object_get(a, "line")), 3);
	cr_assert_str_eq(json_string_value(json_object_get(a, "address")), "127.0.0.1");
	cr_assert_str_eq(json_string_value(json_object_get(a, "action")), "allow");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(a, "variables"),
	    "RELAYCLIENT")), "");
	cr_assert_str_eq(json_string_value(json_object_get(a, "comment")), "loopback\ntrusted");
	cr_assert_str_eq(json_string_value(json_object_get(b, "action")), "deny");
	cr_assert(json_is_null(json_object_get(b, "comment")));
	cr_assert(json_string_length(json_object_get(o, "etag")) > 10);
	json_decref(o);
}

Test(web_rules, get_text_plain_is_the_file)
{
	const char *text = "# keep me\n127.0.0.1:allow\n";
	struct call c = { .method = "GET", .path = "/v1/services/imap/rules",
	    .token = WEB_READ_TOKEN, .accept = "text/plain" };
	struct api_response r;

	web_write_conf("etc/imap/rules", text);
	r = web_run(&c);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.len, strlen(text));
	cr_assert(memcmp(r.body, text, r.len) == 0);
	cr_assert(strncmp(r.content_type, "text/plain", 10) == 0);
	api_response_free(&r);
}

Test(web_rules, put_text_compiles_cdb_and_keeps_text)
{
	const char *text = "# office\n10.0.0.:deny\n:allow\n";
	struct call c = { .method = "PUT", .path = "/v1/services/imap/rules",
	    .token = WEB_ADMIN_TOKEN, .ctype = "text/plain; charset=utf-8", .body = text };
	struct api_response r = web_run(&c);
	char *now;

	cr_assert_eq(r.status, 200, "%.*s", (int)r.len, r.body);
	api_response_free(&r);
	now = web_read_conf("etc/imap/rules");
	cr_assert_str_eq(now, text);
	free(now);
	cr_assert_eq(cdb_verdict("10.0.0.5"), 1);
	cr_assert_eq(cdb_verdict("192.0.2.1"), 0);
}

Test(web_rules, put_json_text_and_errors_with_line_and_column)
{
	struct call c = { .method = "PUT", .path = "/v1/services/imap/rules",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json",
	    .body = "{\"text\":\"1.2.3.4:allow\\n5.6.7.8:permit\\n\"}" };
	struct api_response r = web_run(&c);
	json_t *o = web_body_json(&r);

	cr_assert_eq(r.status, 400);
	cr_assert_str_eq(r.content_type, "application/problem+json");
	cr_assert_eq(json_integer_value(json_object_get(o, "line")), 2);
	cr_assert_eq(json_integer_value(json_object_get(o, "column")), 9);
	json_decref(o);
	api_response_free(&r);
	cr_assert_null(web_read_conf("etc/imap/rules"), "nothing written on error");
	cr_assert_null(web_read_conf("etc/imap/rules.cdb"));
	c.body = "{\"text\":\"1.2.3.4:allow\\n\",\"mode\":1}";
	web_expect_problem(&c, 400, "mode");
	c.body = "{\"text\":5}";
	web_expect_problem(&c, 400, "text");
	c.body = "{\"text\":\"1.2.3.4:allow\\n\"}";
	r = web_run(&c);
	cr_assert_eq(r.status, 200);
	api_response_free(&r);
	cr_assert_eq(cdb_verdict("1.2.3.4"), 0);
}

Test(web_rules, post_adds_at_position_with_comment_then_delete_removes_both)
{
	struct call post = { .method = "POST", .path = "/v1/services/imap/rules",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json",
	    .body = "{\"address\":\"192.0.2.\",\"action\":\"deny\",\"position\":1,"
	    "\"comment\":\"abuse\",\"variables\":{\"WHY\":\"say \\\"no\\\"\"}}" };
	struct call del = { .method = "DELETE", .token = WEB_ADMIN_TOKEN };
	struct api_response r;
	char *text;
	json_t *o;

	web_write_conf("etc/imap/rules", "127.0.0.1:allow\n");
	r = web_run(&post);
	cr_assert_eq(r.status, 201, "%.*s", (int)r.len, r.body);
	o = web_body_json(&r);
	cr_assert_eq(json_integer_value(json_object_get(o, "id")), 2, "the new rule's id");
	json_decref(o);
	api_response_free(&r);
	text = web_read_conf("etc/imap/rules");
	cr_assert_str_eq(text, "# abuse\n192.0.2.:deny,WHY='say \"no\"'\n127.0.0.1:allow\n");
	free(text);
	cr_assert_eq(cdb_verdict("192.0.2.9"), 1, "the new rule applies through the cdb");
	del.path = "/v1/services/imap/rules/1";
	web_expect_problem(&del, 404, NULL);	/* line 1 is the comment, not a rule */
	del.path = "/v1/services/imap/rules/2";
	r = web_run(&del);
	cr_assert_eq(r.status, 200, "%.*s", (int)r.len, r.body);
	api_response_free(&r);
	text = web_read_conf("etc/imap/rules");
	cr_assert_str_eq(text, "127.0.0.1:allow\n");
	free(text);
	cr_assert_eq(cdb_verdict("192.0.2.9"), -1, "deleted live");
}

Test(web_rules, post_validation)
{
	static const struct bad_body bad[] = {
		{ "{\"action\":\"deny\"}", "address" },
		{ "{\"address\":\"1.2.3.4\",\"action\":\"maybe\"}", "action" },
		{ "{\"address\":\"1.2.3.4\",\"action\":\"deny\",\"position\":0}", "position" },
		{ "{\"address\":\"1.2.3.4\",\"action\":\"deny\",\"position\":3}", "position" },
		{ "{\"address\":\"1.2.3.4\",\"action\":\"deny\",\"variables\":{\"A\":1}}", "variables" },
		{ "{\"address\":\"1.2.3.4\",\"action\":\"deny\",\"id\":3}", "id" },
		{ "{\"address\":\"1.2.3.4:x\",\"action\":\"deny\"}", "address" },
	};
	struct call post = { .method = "POST", .path = "/v1/services/imap/rules",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json" };

	web_expect_bad_bodies(post, bad, sizeof(bad) / sizeof(bad[0]));
	cr_assert_null(web_read_conf("etc/imap/rules"));
}

Test(web_rules, history_and_rollback_of_limits)
{
	struct call put = { .method = "PUT", .path = "/v1/services/imap/limits",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json" };
	struct call back = { .method = "POST", .path = "/v1/services/imap/rollback",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json", .body = "{\"version\":1}" };
	struct api_response r;
	json_t *o, *v;
	char *text;

	put.body = "{\"max_connections\":10,\"max_per_ip\":1,\"max_per_network\":0}";
	api_response_free((r = web_run(&put), &r));
	put.body = "{\"max_connections\":20,\"max_per_ip\":2,\"max_per_network\":0}";
	api_response_free((r = web_run(&put), &r));
	o = get_json("/v1/services/imap/history", NULL, 0);
	v = json_object_get(o, "versions");
	cr_assert_eq(json_array_size(v), 2);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(v, 1), "version")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(v, 1), "token")), "admin");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(v, 1), "what")), "limits");
	json_decref(o);
	r = web_run(&back);
	cr_assert_eq(r.status, 200, "%.*s", (int)r.len, r.body);
	api_response_free(&r);
	text = web_read_conf("etc/imap/limits");
	cr_assert_not_null(strstr(text, "max_connections=10\n"));
	free(text);
	cr_assert_eq(web_fake_listener.limits[0], 10, "the rollback was reloaded");
	back.body = "{\"version\":99}";
	web_expect_problem(&back, 404, NULL);
	back.body = "{\"version\":\"1\"}";
	web_expect_problem(&back, 400, "version");
}

Test(web_rules, first_rules_write_keeps_the_hand_written_version)
{
	struct call put = { .method = "PUT", .path = "/v1/services/imap/rules",
	    .token = WEB_ADMIN_TOKEN, .ctype = "text/plain", .body = "10.:deny\n" };
	struct call back = { .method = "POST", .path = "/v1/services/imap/rollback",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json", .body = "{\"version\":1}" };
	struct api_response r;
	char *text;

	web_write_conf("etc/imap/rules", "# by hand\n127.:allow\n");
	api_response_free((r = web_run(&put), &r));
	cr_assert_eq(cdb_verdict("10.1.1.1"), 1);
	r = web_run(&back);
	cr_assert_eq(r.status, 200, "%.*s", (int)r.len, r.body);
	api_response_free(&r);
	text = web_read_conf("etc/imap/rules");
	cr_assert_str_eq(text, "# by hand\n127.:allow\n");
	free(text);
	cr_assert_eq(cdb_verdict("10.1.1.1"), -1);
}

Test(web_rules, audit_records_every_change)
{
	struct call put = { .method = "PATCH", .path = "/v1/services/imap/limits",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json", .body = "{\"max_per_ip\":6}",
	    .peer = "127.0.0.9" };
	struct call post = { .method = "POST", .path = "/v1/services/imap/rules",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json",
	    .body = "{\"address\":\"10.\",\"action\":\"deny\"}" };
	struct api_response r;
	json_t *o, *e, *last;

	api_response_free((r = web_run(&put), &r));
	api_response_free((r = web_run(&post), &r));
	o = get_json("/v1/audit", NULL, 0);
	e = json_object_get(o, "entries");
	cr_assert_eq(json_array_size(e), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(e, 0), "peer")),
	    "127.0.0.9");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(e, 0), "what")), "limits");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(json_array_get(e, 0),
	    "after"), "max_per_ip")), 6);
	last = json_array_get(e, 1);
	cr_assert_str_eq(json_string_value(json_object_get(last, "method")), "POST");
	cr_assert_str_eq(json_string_value(json_object_get(last, "token")), "admin");
	cr_assert(json_is_null(json_object_get(last, "before")));
	json_decref(o);
}

Test(web_rules, metrics_need_a_token_and_show_services)
{
	struct call c = { .method = "GET", .path = "/metrics" };
	struct api_response r;
	char *s;

	web_expect_problem(&c, 401, NULL);
	web_fake_listener.connections = "ip 127.0.0.1 count 3 limit 4 source option oldest 1 pids 1,2,3\n";
	c.token = WEB_READ_TOKEN;
	r = web_run(&c);
	cr_assert_eq(r.status, 200);
	s = r.body;
	cr_assert_not_null(strstr(s, "mailstack_up{service=\"imap\"} 1\n"));
	cr_assert_not_null(strstr(s, "mailstack_up{service=\"smtp\"} 0\n"));
	cr_assert_not_null(strstr(s, "mailstack_connections{service=\"imap\"} 3\n"));
	cr_assert_not_null(strstr(s, "mailstack_max_per_ip{service=\"imap\"} 4\n"));
	cr_assert_not_null(strstr(s, "mailstack_refused_total{service=\"imap\",reason=\"ip\"} 2\n"));
	cr_assert_not_null(strstr(s, "mailstack_accepted_total{service=\"imap\"} 10\n"));
	cr_assert_not_null(strstr(s, "mailstack_ip_connections{service=\"imap\",ip=\"127.0.0.1\"} 3\n"));
	api_response_free(&r);
}

Test(web_rules, reload_and_restart)
{
	struct call c = { .method = "POST", .path = "/v1/services/imap/reload",
	    .token = WEB_ADMIN_TOKEN };
	struct api_response r;

	web_write_conf("etc/imap/limits", "max_per_ip=12\n");
	r = web_run(&c);
	cr_assert_eq(r.status, 200, "%.*s", (int)r.len, r.body);
	api_response_free(&r);
	cr_assert_eq(web_fake_listener.limits[1], 12);
	web_write_conf("etc/imap/limits", "max_per_ip=twelve\n");
	web_expect_problem(&c, 409, NULL);
	c.path = "/v1/services/smtp/reload";
	web_expect_problem(&c, 503, NULL);
	c.path = "/v1/services/imap/restart";
	c.args[0][0] = "mode", c.args[0][1] = "supervisor";
	web_expect_problem(&c, 503, NULL);	/* no s6 folder configured */
}

Test(web_rules, history_keeps_the_last_hundred_and_audit_limit)
{
	struct call put = { .method = "PATCH", .path = "/v1/services/imap/limits",
	    .token = WEB_ADMIN_TOKEN, .ctype = "application/json" };
	struct call audit = { .method = "GET", .path = "/v1/audit", .token = WEB_READ_TOKEN,
	    .args = { { "limit", "3" } } };
	struct api_response r;
	char body[64];
	json_t *o, *v;
	int i;

	for (i = 1; i <= 105; i++) {
		snprintf(body, sizeof(body), "{\"max_per_ip\":%d}", i);
		put.body = body;
		r = web_run(&put);
		cr_assert_eq(r.status, 200);
		api_response_free(&r);
	}
	o = get_json("/v1/services/imap/history", NULL, 0);
	v = json_object_get(o, "versions");
	cr_assert_eq(json_array_size(v), 100);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(v, 0), "version")), 6);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(v, 99), "version")), 105);
	json_decref(o);
	r = web_run(&audit);
	cr_assert_eq(r.status, 200);
	o = web_body_json(&r);
	v = json_object_get(o, "entries");
	cr_assert_eq(json_array_size(v), 3);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(json_array_get(v, 2),
	    "after"), "max_per_ip")), 105, "newest last");
	json_decref(o);
	api_response_free(&r);
}
