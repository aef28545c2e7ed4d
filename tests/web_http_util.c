/* web_http_util.c: the shared part of the suites that drive mailctld over
 * HTTP (tests/web_http_test.c, tests/web_life_test.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/web_http_util.h"

char *web_dir;
struct web_fake web_listener;
struct harness_proc web_daemon;
unsigned web_port;

void
web_add_conf_line(const char *line)
{
	char *p = web_fake_path(web_dir, "conf");
	FILE *f = fopen(p, "a");

	cr_assert_not_null(f);
	fputs(line, f);
	fclose(f);
	free(p);
}

void
web_start_daemon(void)
{
	char *conf = web_fake_path(web_dir, "conf"), *bin;
	const char *top = getenv("MAILSTACK_TOP");
	long p;

	cr_assert_not_null(top, "MAILSTACK_TOP must name the top folder");
	bin = web_fake_path(top, "web/mailctld/mailctld");
	char *argv[] = { bin, "-1", "-f", conf, NULL };
	cr_assert_eq(harness_spawn(&web_daemon, web_dir, argv, NULL, NULL), 0);
	p = harness_read_port(&web_daemon, HARNESS_TIMEOUT_MS);
	cr_assert(p > 0, "mailctld printed no port: %s", harness_stderr(&web_daemon));
	web_port = (unsigned)p;
	free(conf), free(bin);
}

void
web_http_setup(void)
{
	char *sock, *lim;

	cr_assert_not_null(web_dir = web_fake_tree());
	sock = web_fake_path(web_dir, "imap.sock");
	lim = web_fake_path(web_dir, "etc/imap/limits");
	cr_assert_eq(web_fake_start(&web_listener, sock, lim), 0);
	free(sock), free(lim);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
web_http_teardown(void)
{
	harness_kill(&web_daemon);
	harness_cleanup();
	web_fake_stop(&web_listener);
	web_fake_rmtree(web_dir);
	free(web_dir);
}

size_t
web_on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_answer *a = arg;
	char *nb = realloc(a->body, a->len + size * n + 1);

	if (nb == NULL)
		return 0;
	memcpy(nb + a->len, p, size * n);
	a->body = nb;
	a->len += size * n;
	a->body[a->len] = '\0';
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_answer *a = arg;
	size_t have = strlen(a->headers);

	if (have + size * n < sizeof(a->headers))
		memcpy(a->headers + have, p, size * n), a->headers[have + size * n] = '\0';
	return size * n;
}

struct http_answer
web_http_on(CURL *c, const char *method, const char *path, const char *token,
    const char *ctype, const char *body, long len)
{
	struct http_answer a = { 0, NULL, 0, "" };
	struct curl_slist *h = NULL;
	char url[512], auth[256], ct[128];

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", web_port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	/* A reused handle forgets the last call's body (HTTPGET resets it),
	 * then the method string overrides GET. */
	if (body == NULL)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	if (ctype != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		h = curl_slist_append(h, ct);
	}
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, len >= 0 ? len : (long)strlen(body));
	}
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, web_on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	return a;
}

struct http_answer
web_http(const char *method, const char *path, const char *token, const char *ctype,
    const char *body, long len, const char *unix_path)
{
	struct http_answer a;
	CURL *c = curl_easy_init();

	cr_assert_not_null(c);
	if (unix_path != NULL)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, unix_path);
	a = web_http_on(c, method, path, token, ctype, body, len);
	curl_easy_cleanup(c);
	return a;
}

json_t *
web_answer_json(const struct http_answer *a)
{
	json_t *o = json_loadb(a->body != NULL ? a->body : "", a->len, 0, NULL);

	cr_assert_not_null(o, "not JSON: %s", a->body);
	return o;
}
