/* web_api_util.c: the fixture of the dispatcher tests: a service tree,
 * a context over it, a fake listener, and calls with fake requests. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/web_api_util.h"
#include "web/util.h"

char *web_dir;
struct mailctld_conf web_conf;
struct api_ctx web_ctx;
struct web_fake web_fake_listener;

void
web_setup(void)
{
	char err[256], *cpath, *sock, *lim;

	cr_assert_not_null(web_dir = web_fake_tree());
	cpath = web_fake_path(web_dir, "conf");
	cr_assert_eq(conf_load(&web_conf, cpath, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(api_ctx_init(&web_ctx, &web_conf), 0);
	web_ctx.ctl_timeout_ms = 1000;
	sock = web_fake_path(web_dir, "imap.sock");
	lim = web_fake_path(web_dir, "etc/imap/limits");
	cr_assert_eq(web_fake_start(&web_fake_listener, sock, lim), 0);
	free(cpath), free(sock), free(lim);
}

void
web_teardown(void)
{
	web_fake_stop(&web_fake_listener);
	api_ctx_free(&web_ctx);
	conf_free(&web_conf);
	web_fake_rmtree(web_dir);
	free(web_dir);
}

/* Runs c; returns the response (free with api_response_free). */
struct api_response
web_run(const struct call *c)
{
	struct api_request req;
	struct api_response resp;
	char auth[256];
	size_t i;

	memset(&req, 0, sizeof(req));
	req.method = c->method;
	req.path = c->path;
	if (c->token != NULL) {
		snprintf(auth, sizeof(auth), "Bearer %s", c->token);
		req.authorization = auth;
	}
	req.content_type = c->ctype;
	req.body = c->body;
	req.body_len = c->body != NULL ? strlen(c->body) : 0;
	req.if_match = c->if_match;
	req.accept = c->accept;
	req.peer = c->peer != NULL ? c->peer : "127.0.0.1";
	for (i = 0; i < 4 && c->args[i][0] != NULL; i++) {
		req.args[i].name = c->args[i][0];
		req.args[i].value = c->args[i][1];
		req.nargs++;
	}
	api_handle(&web_ctx, &req, &resp);
	return resp;
}

json_t *
web_body_json(const struct api_response *r)
{
	json_error_t e;
	json_t *o = json_loadb(r->body, r->len, 0, &e);

	cr_assert_not_null(o, "body is not JSON: %.*s", (int)r->len, r->body);
	return o;
}

const char *
web_header(const struct api_response *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

/* Asserts a problem+json answer with status and, when given, field. */
void
web_expect_problem(const struct call *c, int status, const char *field)
{
	struct api_response r = web_run(c);
	json_t *o;

	cr_assert_eq(r.status, status, "%s %s: %d %.*s", c->method, c->path, r.status,
	    (int)r.len, r.body);
	cr_assert_str_eq(r.content_type, "application/problem+json");
	o = web_body_json(&r);
	cr_assert_eq(json_integer_value(json_object_get(o, "status")), status);
	cr_assert_not_null(json_string_value(json_object_get(o, "title")));
	cr_assert_not_null(json_string_value(json_object_get(o, "detail")));
	cr_assert(strncmp(json_string_value(json_object_get(o, "type")),
	    "https://mailstack.invalid/problems/", 35) == 0);
	if (field != NULL)
		cr_assert_str_eq(json_string_value(json_object_get(o, "field")), field);
	json_decref(o);
	api_response_free(&r);
}

void
web_expect_bad_bodies(struct call c, const struct bad_body *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		c.body = cases[i].body;
		web_expect_problem(&c, 400, cases[i].field);
	}
}

char *
web_read_conf(const char *name)
{
	char *p = web_fake_path(web_dir, name), *buf = NULL;
	size_t len;

	if (util_read_file(p, &buf, &len) == -1)
		buf = NULL;
	free(p);
	return buf;
}

void
web_write_conf(const char *name, const char *text)
{
	char *p = web_fake_path(web_dir, name);
	FILE *f = fopen(p, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

