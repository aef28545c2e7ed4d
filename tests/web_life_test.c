/* web_life_test.c: mailctld's own life: SIGHUP reads the configuration
 * again without dropping API clients (a bad file is kept out), and a
 * SIGKILL and a new start lose no answered history or audit entry. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/web_durable.h"
#include "tests/web_http_util.h"
#include "web/token.h"
#include "web/util.h"

TestSuite(web_life, .init = web_http_setup, .fini = web_http_teardown, .timeout = 60);

static int hups;

/* SIGHUP, then wait for mailctld's line saying how it went. */
static void
hup(const char *want)
{
	cr_assert_eq(kill(web_daemon.pid, SIGHUP), 0);
	hups++;
	cr_assert_eq(harness_wait_stderr(&web_daemon, "SIGHUP: ", hups, HARNESS_TIMEOUT_MS), 0,
	    "no SIGHUP line: %s", harness_stderr(&web_daemon));
	if (want != NULL) {
		char *err = harness_stderr(&web_daemon);

		cr_assert_not_null(strstr(err, want), "want \"%s\" in:\n%s", want, err);
		free(err);
	}
}

static long
status_of(const char *method, const char *path, const char *token)
{
	struct http_answer a = web_http(method, path, token, NULL, NULL, 0, NULL);

	free(a.body);
	return a.status;
}

/* A tokens file with the admin token only: the read token is revoked. */
static char *
admin_only_tokens(void)
{
	unsigned char h[TOKEN_HASH_LEN];
	char hex[2 * TOKEN_HASH_LEN + 1], line[200], *path = web_fake_path(web_dir, "tokens2");
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	cr_assert_eq(token_sha256(WEB_ADMIN_TOKEN, strlen(WEB_ADMIN_TOKEN), h), 0);
	token_hex(h, sizeof(h), hex);
	snprintf(line, sizeof(line), "admin admin sha256:%s\n", hex);
	fputs(line, f);
	fclose(f);
	chmod(path, 0600);
	return path;
}

static void
add_pop3_and_revoke_read(void)
{
	char line[600], *tokens = admin_only_tokens(), *etc = web_fake_path(web_dir, "etc/pop3");

	cr_assert_eq(mkdir(etc, 0750), 0);
	free(etc);
	snprintf(line, sizeof(line), "service pop3 control=%s/imap.sock config=%s/etc/pop3\n"
	    "tokens %s\n", web_dir, web_dir, tokens);
	web_add_conf_line(line);
	free(tokens);
}

Test(web_life, sighup_adds_a_service_and_revokes_a_token)
{
	web_start_daemon();
	cr_assert_eq(status_of("GET", "/v1/services/pop3", WEB_ADMIN_TOKEN), 404);
	add_pop3_and_revoke_read();
	cr_assert_eq(status_of("GET", "/v1/services/pop3", WEB_ADMIN_TOKEN), 404,
	    "nothing changes before the signal");
	cr_assert_eq(status_of("GET", "/v1/services", WEB_READ_TOKEN), 200);
	hup("services, tokens");
	cr_assert_eq(status_of("GET", "/v1/services/pop3", WEB_ADMIN_TOKEN), 200);
	cr_assert_eq(status_of("GET", "/v1/services/pop3/limits", WEB_ADMIN_TOKEN), 200);
	cr_assert_eq(status_of("GET", "/v1/services", WEB_READ_TOKEN), 401, "revoked");
	cr_assert_eq(status_of("GET", "/v1/health", NULL), 200);
}

struct slow_call {
	long status;
	pthread_t t;
};

static void *
slow_restart(void *arg)
{
	struct slow_call *s = arg;

	s->status = status_of("POST", "/v1/services/imap/restart", WEB_ADMIN_TOKEN);
	return NULL;
}

/* One kept-alive connection: the request after the signal goes over the
 * same connection and sees the new configuration; a request under way
 * (a reexec that takes 1.5 s) finishes. */
Test(web_life, sighup_keeps_kept_alive_and_running_requests)
{
	CURL *c = curl_easy_init();
	struct http_answer a;
	struct slow_call s = { 0 };
	long conns = -1;

	cr_assert_not_null(c);
	web_start_daemon();
	a = web_http_on(c, "GET", "/v1/services", WEB_ADMIN_TOKEN, NULL, NULL, 0);
	cr_assert_eq(a.status, 200);
	cr_assert_null(strstr(a.body, "\"pop3\""));
	free(a.body);
	web_listener.reexec_ms = 1500;
	cr_assert_eq(pthread_create(&s.t, NULL, slow_restart, &s), 0);
	harness_sleep_ms(300);
	add_pop3_and_revoke_read();
	hup("read again");
	a = web_http_on(c, "GET", "/v1/services", WEB_ADMIN_TOKEN, NULL, NULL, 0);
	cr_assert_eq(a.status, 200);
	cr_assert_not_null(strstr(a.body, "\"pop3\""), "the new configuration: %s", a.body);
	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &conns);
	cr_assert_eq(conns, 0, "served on the kept-alive connection");
	free(a.body);
	pthread_join(s.t, NULL);
	cr_assert_eq(s.status, 200, "the restart under way was answered");
	cr_assert_eq(web_listener.reexecs, 1);
	curl_easy_cleanup(c);
}

Test(web_life, sighup_with_a_bad_file_keeps_the_configuration_in_force)
{
	char *conf = web_fake_path(web_dir, "conf"), *text, want[512];
	size_t len, lines = 0;

	web_start_daemon();
	cr_assert_eq(util_read_file(conf, &text, &len), 0);
	for (char *p = text; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	free(text);
	add_pop3_and_revoke_read();
	web_add_conf_line("servce oops\n");
	snprintf(want, sizeof(want), "mailctld: warning: SIGHUP: %s:%zu: unknown directive: "
	    "servce; the configuration in force is kept\n", conf, lines + 3);
	hup(want);
	cr_assert_eq(status_of("GET", "/v1/services/imap", WEB_READ_TOKEN), 200,
	    "the old tokens still work");
	cr_assert_eq(status_of("GET", "/v1/services/pop3", WEB_ADMIN_TOKEN), 404,
	    "nothing of the bad file");
	unlink(conf);
	hup("unable to read");
	cr_assert_eq(status_of("GET", "/v1/services/imap", WEB_READ_TOKEN), 200);
	free(conf);
}

/* An entry of kind what in GET /v1/audit with after.etag etag, or
 * after.max_connections max. */
static int
api_has_audit(json_t *entries, const char *etag, long long max)
{
	size_t i;
	json_t *e, *after;

	json_array_foreach(entries, i, e) {
		after = json_object_get(e, "after");
		if (etag != NULL && json_is_string(json_object_get(after, "etag")) &&
		    strcmp(json_string_value(json_object_get(after, "etag")), etag) == 0)
			return 1;
		if (etag == NULL && json_integer_value(json_object_get(after,
		    "max_connections")) == max)
			return 1;
	}
	return 0;
}

/* Every answered write of the burst, read back through the API of a new
 * mailctld: its audit entry, its history version, and for rules the rule. */
static int
check_acks_through_the_api(void)
{
	char *acks = web_fake_path(web_dir, "acks"), *text, *line, *nl, etag[80], comment[64];
	char want[80];
	struct http_answer au, hi, ru;
	json_t *root, *audit;
	size_t len;
	int n = 0, total = 0, max, per;

	cr_assert_eq(util_read_file(acks, &text, &len), 0);
	au = web_http("GET", "/v1/audit", WEB_READ_TOKEN, NULL, NULL, 0, NULL);
	hi = web_http("GET", "/v1/services/imap/history", WEB_READ_TOKEN, NULL, NULL, 0, NULL);
	ru = web_http("GET", "/v1/services/imap/rules", WEB_READ_TOKEN, NULL, NULL, 0, NULL);
	cr_assert(au.status == 200 && hi.status == 200 && ru.status == 200);
	root = web_answer_json(&au);
	audit = json_object_get(root, "entries");
	for (line = text; (line = strchr(line, '\n')) != NULL; line++)
		total++;
	for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1, n++) {
		*nl = '\0';
		if (sscanf(line, "limits %d %d", &max, &per) == 2) {
			cr_assert(api_has_audit(audit, NULL, max), "audit lost: %s", line);
			continue;
		}
		cr_assert_eq(sscanf(line, "rules %79s burst-%63s", etag, comment), 2);
		cr_assert(api_has_audit(audit, etag, 0), "audit lost: %s", line);
		/* The history keeps the last 100 versions: the last 40 answered
		 * writes are surely among them (a kill adds a few unanswered).
		 * Its JSON escapes the etag's quotes. */
		if (n >= total - 40)
			cr_assert_not_null(strstr(hi.body, strtok(etag, "\"")), "history lost: %s",
			    line);
		snprintf(want, sizeof(want), "\"burst %s\"", comment);
		cr_assert_not_null(strstr(ru.body, want), "rule lost: %s", line);
	}
	json_decref(root);
	free(au.body), free(hi.body), free(ru.body), free(text), free(acks);
	return n;
}

Test(web_life, sigkill_and_a_new_start_lose_no_answered_entry)
{
	int round, n = 0;

	for (round = 0; round < 3; round++) {
		pid_t w = burst_start(round);

		burst_wait_first_ack();
		harness_sleep_ms(100 + 50 * round);
		burst_kill(w);
		web_start_daemon();
		n = check_acks_through_the_api();
		harness_kill(&web_daemon);
	}
	cr_assert_gt(n, 3, "the bursts had answered writes (%d)", n);
}
