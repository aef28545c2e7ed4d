/* web_api_util.h: the shared fixture of the dispatcher tests. */
#ifndef MAILSTACK_TESTS_WEB_API_UTIL_H
#define MAILSTACK_TESTS_WEB_API_UTIL_H

#include <jansson.h>

#include "tests/web_fake.h"
#include "web/api.h"
#include "web/conf.h"

extern char *web_dir;
extern struct mailctld_conf web_conf;
extern struct api_ctx web_ctx;
extern struct web_fake web_fake_listener;

/* A fake request; unset members are absent. */
struct call {
	const char *method, *path, *token, *ctype, *body, *if_match, *accept;
	const char *args[4][2];
	const char *peer;
};

void web_setup(void);
void web_teardown(void);
/* Runs c through api_handle; free the answer with api_response_free. */
struct api_response web_run(const struct call *c);
json_t *web_body_json(const struct api_response *r);
const char *web_header(const struct api_response *r, const char *name);
/* Asserts a problem+json answer with status and, when given, field. */
void web_expect_problem(const struct call *c, int status, const char *field);
/* One bad body and the field the 400 must name (NULL: no field). */
struct bad_body {
	const char *body;
	const char *field;
};
/* Sends each body with c (method, path, token, type) and expects 400. */
void web_expect_bad_bodies(struct call c, const struct bad_body *cases, size_t n);
/* A file under the test tree (malloc'd), NULL when missing. */
char *web_read_conf(const char *name);
void web_write_conf(const char *name, const char *text);

#endif
