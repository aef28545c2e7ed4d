/* web_http_util.h: what the suites driving the real mailctld over HTTP
 * share: the test tree, the fake listener, the daemon and libcurl calls. */
#ifndef MAILSTACK_TESTS_WEB_HTTP_UTIL_H
#define MAILSTACK_TESTS_WEB_HTTP_UTIL_H

#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>

#include "tests/harness.h"
#include "tests/web_fake.h"

struct http_answer {
	long status;		/* 0 when no answer came (reset, timeout) */
	char *body;		/* malloc'd, NUL-terminated, NULL when none */
	size_t len;
	char headers[4096];
};

/* The tree of web_fake_tree, its imap listener, mailctld, its port. */
extern char *web_dir;
extern struct web_fake web_listener;
extern struct harness_proc web_daemon;
extern unsigned web_port;

/* The suites' .init and .fini. */
void web_http_setup(void);
void web_http_teardown(void);

/* Appends line to web_dir/conf. */
void web_add_conf_line(const char *line);
/* Starts mailctld -1 -f web_dir/conf and reads its port. */
void web_start_daemon(void);

/* One request on a fresh connection; unix_path routes it over that
 * socket. Body len -1: strlen. */
struct http_answer web_http(const char *method, const char *path, const char *token,
    const char *ctype, const char *body, long len, const char *unix_path);
/* The same on handle c, which keeps its connection from one call to the
 * next (a kept-alive API client). */
struct http_answer web_http_on(CURL *c, const char *method, const char *path,
    const char *token, const char *ctype, const char *body, long len);
/* The answer's body as JSON (asserts it parses). */
json_t *web_answer_json(const struct http_answer *a);
/* CURLOPT_WRITEFUNCTION into a struct http_answer. */
size_t web_on_body(char *p, size_t size, size_t n, void *arg);

#endif
