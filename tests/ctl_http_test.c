/* ctl_http_test.c: the real mailctl against a fake mailctld on loopback:
 * requests sent (method, path, headers, body), exit codes per status,
 * tables, --json passthrough and where the URL and token come from. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ctl_fake.h"
#include "ctl_util.h"

TestSuite(ctl_http, .fini = harness_cleanup, .timeout = 60);

#define TOKEN "4d2f0c1e9b8a7766554433221100ffeeddccbbaa99887766554433221100aabb"
#define PROBLEM "application/problem+json"

/* mailctl against fake f with MAILCTL_URL and MAILCTL_TOKEN=TOKEN. */
static struct ctl_run
run_fake(struct ctl_fake *f, const char *const *args)
{
	return ctl_run_with(ctl_fake_url(f), TOKEN, args);
}

/* One exchange: a fake answering the canned reply, mailctl ARGS against
 * it; f holds the request afterwards. */
static struct ctl_run
exchange(struct ctl_fake *f, int status, const char *ctype, const char *body,
    const char *const *args)
{
	struct ctl_run r;

	cr_assert_eq(ctl_fake_start(f, status, ctype, body), 0);
	r = run_fake(f, args);
	ctl_fake_wait(f);
	return r;
}

static void
assert_header(const struct ctl_fake *f, const char *name, const char *want)
{
	char *v = ctl_fake_header(f, name);

	if (want == NULL)
		cr_assert_null(v, "%s: %s sent", name, v);
	else {
		cr_assert_not_null(v, "no %s header", name);
		cr_assert_str_eq(v, want, "%s", name);
	}
	free(v);
}

Test(ctl_http, who_sends_the_query_and_the_token_and_prints_a_table)
{
	char body[512], want[512];
	long long now = (long long)time(NULL);
	struct ctl_fake f;
	struct ctl_run r;

	/* 3 days, 2 hours and a half: "3d02h" for the next half hour. */
	snprintf(body, sizeof(body), "{\"service\":\"imap\",\"connections\":[{\"ip\":\"127.0.0.1\","
	    "\"count\":4,\"limit\":4,\"limit_source\":\"option\",\"oldest\":%lld,\"pids\":[11,12]}]}",
	    now - (3 * 86400 + 2 * 3600 + 1800));
	r = exchange(&f, 200, "application/json", body,
	    CTL_ARGS("who", "imap", "--top", "5", "--ip", "::1"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(f.method, "GET");
	cr_assert_str_eq(f.target, "/v1/services/imap/connections?top=5&ip=%3A%3A1");
	assert_header(&f, "Authorization", "Bearer " TOKEN);
	assert_header(&f, "Accept", "application/json");
	snprintf(want, sizeof(want),
	    "IP         COUNT  ADOPTED  LIMIT  SOURCE  OLDEST  PIDS\n"
	    "127.0.0.1      4        -      4  option   3d02h  11,12\n");
	cr_assert_str_eq(r.out, want);
	cr_assert_str_eq(r.err, "");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_http, json_prints_the_reply_as_is)
{
	static const char body[] = "{\"services\":[{\"name\":\"imap\",\"up\":false}],\"x\":\"\\u00e9\"}";
	struct ctl_fake f;
	struct ctl_run r;

	r = exchange(&f, 200, "application/json", body,
	    CTL_ARGS("status", "--json"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(f.target, "/v1/services");
	cr_assert_eq(strncmp(r.out, body, sizeof(body) - 1), 0, "%s", r.out);
	cr_assert_str_eq(r.out + sizeof(body) - 1, "\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_http, limits_max_sends_a_patch_of_that_one_limit)
{
	struct ctl_fake f;
	struct ctl_run r;
	json_t *o;

	r = exchange(&f, 200, "application/json",
	    "{\"max_connections\":64,\"max_per_ip\":10,\"max_per_network\":0}",
	    CTL_ARGS("limits", "imap", "--max", "64"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(f.method, "PATCH");
	cr_assert_str_eq(f.target, "/v1/services/imap/limits");
	assert_header(&f, "Content-Type", "application/json");
	o = json_loads(f.body_in, JSON_REJECT_DUPLICATES, NULL);
	cr_assert(json_is_object(o), "%s", f.body_in);
	cr_assert_eq(json_object_size(o), 1, "%s", f.body_in);
	cr_assert_eq(json_integer_value(json_object_get(o, "max_connections")), 64);
	cr_assert_str_eq(r.out, "max_connections  64\nmax_per_ip       10\nmax_per_network  none\n");
	json_decref(o);
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_http, limits_without_flags_only_reads)
{
	struct ctl_fake f;
	struct ctl_run r;

	r = exchange(&f, 200, "application/json",
	    "{\"max_connections\":21,\"max_per_ip\":0,\"max_per_network\":5}",
	    CTL_ARGS("limits", "smtp"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(f.method, "GET");
	cr_assert_eq(f.body_len, 0);
	assert_header(&f, "Content-Type", NULL);
	cr_assert_str_eq(r.out, "max_connections  21\nmax_per_ip       none\nmax_per_network  5\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

/* Status, the exit code mailctl must give, and the problem it gets. */
static const struct {
	int status;
	int code;
} errors[] = {
	{ 400, 67 }, { 401, 65 }, { 403, 65 }, { 404, 66 }, { 409, 67 },
	{ 412, 67 }, { 413, 67 }, { 429, 65 }, { 500, 69 }, { 503, 69 },
};

Test(ctl_http, error_statuses_give_distinct_codes_and_the_detail)
{
	size_t i;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		char body[256], want[256];
		struct ctl_fake f;
		struct ctl_run r;

		snprintf(body, sizeof(body), "{\"type\":\"https://mailstack.invalid/problems/x\","
		    "\"title\":\"t\",\"status\":%d,\"detail\":\"detail of %d\"}",
		    errors[i].status, errors[i].status);
		r = exchange(&f, errors[i].status, PROBLEM, body,
		    CTL_ARGS("limits", "imap", "--per-ip", "3"));
		cr_assert_eq(r.code, errors[i].code, "HTTP %d: exit %d", errors[i].status, r.code);
		snprintf(want, sizeof(want), "mailctl: imap: detail of %d\n", errors[i].status);
		cr_assert_str_eq(r.err, want);
		cr_assert_str_eq(r.out, "", "nothing on stdout without --json");
		cr_assert_null(strstr(r.err, TOKEN));
		ctl_run_free(&r);
		ctl_fake_free(&f);
	}
}

Test(ctl_http, json_mode_passes_the_problem_through_too)
{
	static const char body[] = "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no service mail\"}";
	struct ctl_fake f;
	struct ctl_run r;

	r = exchange(&f, 404, PROBLEM, body,
	    CTL_ARGS("--json", "who", "mail"));
	cr_assert_eq(r.code, 66);
	cr_assert_str_eq(r.out, "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no service mail\"}\n");
	cr_assert_str_eq(r.err, "mailctl: mail: no service mail\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_http, a_server_error_page_is_not_a_problem)
{
	struct ctl_fake f;
	struct ctl_run r;

	r = exchange(&f, 502, "text/html", "<html>\x1b[2Jbad gateway</html>",
	    CTL_ARGS("status"));
	cr_assert_eq(r.code, 69);
	cr_assert_not_null(strstr(r.err, "502"), "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'));
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_http, a_success_that_is_not_json_is_a_server_fault)
{
	struct ctl_fake f;
	struct ctl_run r;

	r = exchange(&f, 200, "text/plain", "hello",
	    CTL_ARGS("who", "imap"));
	cr_assert_eq(r.code, 69);
	cr_assert_str_eq(r.err, "mailctl: imap: unable to read the server's reply: not a JSON object\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

/* A port nothing listens on: bound, then closed. */
static unsigned
closed_port(void)
{
	int port = harness_free_port();

	cr_assert_gt(port, 0);
	return (unsigned)port;
}

Test(ctl_http, a_silent_server_is_given_up_after_ten_seconds)
{
	struct ctl_fake f;
	struct ctl_run r;
	long long t0 = harness_now_ms(), ms;

	r = exchange(&f, 0, NULL, "", CTL_ARGS("status"));
	ms = harness_now_ms() - t0;
	cr_assert_eq(r.code, 69, "%d %s", r.code, r.err);
	cr_assert(f.got, "the request arrived");
	cr_assert(ms >= 9500 && ms < CTL_FAKE_SILENT_MS, "gave up after %lld ms", ms);
	cr_assert(strstr(r.err, "timed out") != NULL, "%s", r.err);
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_http, rules_list_text_is_the_file_as_is)
{
	static const char text[] = "# office\n10.1.0.:allow,RELAYCLIENT=\"\"\n";
	struct ctl_fake f;
	struct ctl_run r;

	r = exchange(&f, 200, "text/plain; charset=utf-8", text,
	    CTL_ARGS("rules", "smtp", "list", "--text"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	assert_header(&f, "Accept", "text/plain");
	cr_assert_str_eq(r.out, text);
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_http, unreachable_server)
{
	char url[128];
	const char *env[] = { url, "MAILCTL_TOKEN=" TOKEN, NULL };
	struct ctl_run r;

	snprintf(url, sizeof(url), "MAILCTL_URL=http://127.0.0.1:%u", closed_port());
	r = ctl_run_env(env, NULL, NULL, CTL_ARGS("reload", "imap"));
	cr_assert_eq(r.code, 69);
	cr_assert_eq(strncmp(r.err, "mailctl: imap: unable to reach http://127.0.0.1:", 48), 0, "%s", r.err);
	cr_assert_null(strstr(r.err, TOKEN));
	ctl_run_free(&r);
}

Test(ctl_http, rules_replace_uploads_the_file_and_reports_line_and_column)
{
	static const char text[] = "# relay\n127.0.0.1:allow,RELAYCLIENT=\"\"\n10.:dney\n";
	char *path = harness_write_file(harness_tmpdir(), "new.rules", text, sizeof(text) - 1);
	char want[4200];
	struct ctl_fake f;
	struct ctl_run r;

	cr_assert_not_null(path);
	r = exchange(&f, 400, PROBLEM, "{\"type\":\"https://mailstack.invalid/"
	    "problems/rules\",\"title\":\"bad rules\",\"status\":400,"
	    "\"detail\":\"expected allow or deny after the colon\",\"line\":3,\"column\":5}",
	    CTL_ARGS("rules", "smtp", "replace", path));
	cr_assert_eq(r.code, 67);
	cr_assert_str_eq(f.method, "PUT");
	cr_assert_str_eq(f.target, "/v1/services/smtp/rules");
	assert_header(&f, "Content-Type", "text/plain");
	cr_assert_eq(f.body_len, sizeof(text) - 1);
	cr_assert_str_eq(f.body_in, text);
	snprintf(want, sizeof(want), "mailctl: smtp: %s:3:5: expected allow or deny after the colon\n",
	    path);
	cr_assert_str_eq(r.err, want);
	ctl_run_free(&r);
	ctl_fake_free(&f);
	free(path);
}

Test(ctl_http, rules_replace_from_stdin)
{
	static const char text[] = "192.168.:deny\n";
	char *path = harness_write_file(harness_tmpdir(), "in", text, sizeof(text) - 1);
	char url[128];
	const char *env[] = { url, "MAILCTL_TOKEN=" TOKEN, NULL };
	struct ctl_fake f;
	struct ctl_run r;

	cr_assert_eq(ctl_fake_start(&f, 200, "application/json", "{\"etag\":\"\\\"v7\\\"\"}"), 0);
	snprintf(url, sizeof(url), "MAILCTL_URL=%s", ctl_fake_url(&f));
	r = ctl_run_env(env, NULL, path, CTL_ARGS("rules", "smtp", "replace", "-"));
	ctl_fake_wait(&f);
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(f.body_in, text);
	cr_assert_str_eq(r.out, "smtp: rules replaced, version \"v7\"\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
	free(path);
}

Test(ctl_http, rules_add_posts_json)
{
	struct ctl_fake f;
	struct ctl_run r;
	json_t *o;

	r = exchange(&f, 201, "application/json", "{\"id\":4,\"line\":4}",
	    CTL_ARGS("rules", "smtp", "add", "10.0.0.", "allow", "RELAYCLIENT=",
	    "--position", "1", "--comment", "office"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(f.method, "POST");
	cr_assert_str_eq(f.target, "/v1/services/smtp/rules");
	o = json_loads(f.body_in, JSON_REJECT_DUPLICATES, NULL);
	cr_assert(json_is_object(o), "%s", f.body_in);
	cr_assert_str_eq(json_string_value(json_object_get(o, "address")), "10.0.0.");
	cr_assert_str_eq(json_string_value(json_object_get(o, "action")), "allow");
	cr_assert_eq(json_integer_value(json_object_get(o, "position")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(o, "comment")), "office");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "variables"),
	    "RELAYCLIENT")), "");
	cr_assert_str_eq(r.out, "smtp: rule added (id 4)\n");
	json_decref(o);
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_http, rules_delete_and_a_stale_version)
{
	struct ctl_fake f;
	struct ctl_run r;

	r = exchange(&f, 204, NULL, "",
	    CTL_ARGS("rules", "smtp", "delete", "7"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(f.method, "DELETE");
	cr_assert_str_eq(f.target, "/v1/services/smtp/rules/7");
	assert_header(&f, "If-Match", NULL);
	cr_assert_str_eq(r.out, "smtp: rule deleted\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
	r = exchange(&f, 412, PROBLEM, "{\"status\":412,\"title\":\"stale\","
	    "\"detail\":\"the rules changed since you read them\"}",
	    CTL_ARGS("rules", "smtp", "delete", "7", "--if-match", "v1"));
	cr_assert_eq(r.code, 67);
	assert_header(&f, "If-Match", "\"v1\"");
	cr_assert_str_eq(r.err, "mailctl: smtp: the rules changed since you read them\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_http, rules_list_table)
{
	struct ctl_fake f;
	struct ctl_run r;

	r = exchange(&f, 200, "application/json", "{\"etag\":\"x\",\"rules\":["
	    "{\"id\":2,\"line\":2,\"address\":\"127.0.0.1\",\"action\":\"allow\","
	    "\"variables\":{\"RELAYCLIENT\":\"\"},\"comment\":\"local\\nmore\"},"
	    "{\"id\":3,\"line\":3,\"address\":\"10.\",\"action\":\"deny\",\"variables\":{},"
	    "\"comment\":null}]}",
	    CTL_ARGS("rules", "smtp", "list"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(f.method, "GET");
	cr_assert_str_eq(r.out,
	    "ID  LINE  ADDRESS    ACTION  VARIABLES       COMMENT\n"
	    " 2     2  127.0.0.1  allow   RELAYCLIENT=\"\"  local ...\n"
	    " 3     3  10.        deny    -               -\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_http, reload_and_restart_post_without_a_body)
{
	static const char *const verbs[] = { "reload", "restart" };
	static const char *const said[] = { "imap: reloaded\n", "imap: re-executed in place: "
	    "pid - (unchanged), reexecs -, version -, table restored from -, live -\n" };
	size_t i;

	for (i = 0; i < 2; i++) {
		char want[64];
		struct ctl_fake f;
		struct ctl_run r;

		r = exchange(&f, 200, "application/json", "{}",
		    CTL_ARGS(verbs[i], "imap"));
		cr_assert_eq(r.code, 0, "%s", r.err);
		cr_assert_str_eq(f.method, "POST");
		snprintf(want, sizeof(want), "/v1/services/imap/%s", verbs[i]);
		cr_assert_str_eq(f.target, want);
		assert_header(&f, "Content-Length", "0");
		cr_assert_str_eq(r.out, said[i]);
		ctl_run_free(&r);
		ctl_fake_free(&f);
	}
}

Test(ctl_http, audit_asks_for_the_limit)
{
	struct ctl_fake f;
	struct ctl_run r;

	r = exchange(&f, 200, "application/json", "{\"entries\":[{\"time\":0,"
	    "\"token\":\"admin\",\"peer\":\"127.0.0.1\",\"method\":\"PUT\",\"path\":\"/v1/services/imap/limits\","
	    "\"what\":\"limits\",\"before\":null,\"after\":null}]}",
	    CTL_ARGS("audit", "--limit", "20"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(f.target, "/v1/audit?limit=20");
	cr_assert_str_eq(r.out,
	    "TIME                 TOKEN  PEER       METHOD  PATH                      WHAT\n"
	    "1970-01-01 00:00:00  admin  127.0.0.1  PUT     /v1/services/imap/limits  limits\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

/* Where the token comes from: each case runs one mailctl against one fake. */
struct token_case {
	const char *config;	/* config text; %s is the fake's URL */
	int env_url;		/* MAILCTL_URL = the fake */
	const char *env_token;
	int opt_token_file;	/* --token-file with "file-token" */
	const char *want;	/* Authorization header, NULL = none */
};

static const struct token_case token_cases[] = {
	{ "url %s\ntoken conf-token\n", 0, NULL, 0, "Bearer conf-token" },
	{ "url http://127.0.0.1:1\ntoken conf-token\n", 1, "env-token", 0, "Bearer env-token" },
	{ "url %s\ntoken conf-token\n", 0, "env-token", 1, "Bearer file-token" },
	{ "url %s\ntoken-file TOKENFILE\n", 0, NULL, 0, "Bearer file-token" },
	{ "url %s\n", 0, NULL, 0, NULL },
};

static char *
token_config(const struct token_case *tc, const char *url, const char *token_file)
{
	char text[1024], *p, *path;

	snprintf(text, sizeof(text), tc->config, url);
	if ((p = strstr(text, "TOKENFILE")) != NULL)
		snprintf(p, sizeof(text) - (size_t)(p - text), "%s\n", token_file);
	path = harness_write_file(harness_tmpdir(), "mailctl.conf", text, strlen(text));
	cr_assert_not_null(path);
	return path;
}

Test(ctl_http, token_and_url_precedence)
{
	char *token_file = harness_write_file(harness_tmpdir(), "tok", "file-token\n", 11);
	size_t i;

	cr_assert_not_null(token_file);
	for (i = 0; i < sizeof(token_cases) / sizeof(token_cases[0]); i++) {
		const struct token_case *tc = &token_cases[i];
		char url[128], tok[128], *config;
		const char *env[3] = { NULL, NULL, NULL }, **e = env;
		struct ctl_fake f;
		struct ctl_run r;

		cr_assert_eq(ctl_fake_start(&f, 200, "application/json", "{\"entries\":[]}"), 0);
		config = token_config(tc, ctl_fake_url(&f), token_file);
		snprintf(url, sizeof(url), "MAILCTL_URL=%s", ctl_fake_url(&f));
		snprintf(tok, sizeof(tok), "MAILCTL_TOKEN=%s", tc->env_token != NULL ? tc->env_token : "");
		if (tc->env_url)
			*e++ = url;
		if (tc->env_token != NULL)
			*e++ = tok;
		r = tc->opt_token_file ?
		    ctl_run_env(env, config, NULL, CTL_ARGS("--token-file", token_file, "audit")) :
		    ctl_run_env(env, config, NULL, CTL_ARGS("audit"));
		ctl_fake_wait(&f);
		cr_assert_eq(r.code, 0, "case %zu: %s", i, r.err);
		cr_assert(f.got, "case %zu: no request", i);
		assert_header(&f, "Authorization", tc->want);
		cr_assert_null(strstr(r.out, "token"), "case %zu printed a token", i);
		ctl_run_free(&r);
		ctl_fake_free(&f);
		free(config);
	}
	free(token_file);
}

Test(ctl_http, option_url_beats_the_environment)
{
	char url[128];
	const char *env[] = { url, NULL };
	struct ctl_fake f;
	struct ctl_run r;

	cr_assert_eq(ctl_fake_start(&f, 200, "application/json", "{\"services\":[]}"), 0);
	snprintf(url, sizeof(url), "MAILCTL_URL=http://127.0.0.1:%u", closed_port());
	r = ctl_run_env(env, NULL, NULL, CTL_ARGS("--url", ctl_fake_url(&f), "status"));
	ctl_fake_wait(&f);
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert(f.got);
	assert_header(&f, "Authorization", NULL);
	cr_assert_str_eq(r.out, "SERVICE  STATE  PID  UPTIME  LIVE  MAX  PER-IP  PER-NET  ACCEPTED  REFUSED"
	    "  BACKLOG  QUEUE  OVERFLOWS\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_http, rules_check_needs_no_server)
{
	static const char text[] = "127.0.0.1:allow\n10.:maybe\n";
	char *path = harness_write_file(harness_tmpdir(), "r", text, sizeof(text) - 1);
	const char *env[] = { "MAILCTL_URL=http://127.0.0.1:1", NULL };
	char want[4200];
	struct ctl_run r;

	r = ctl_run_env(env, NULL, NULL, CTL_ARGS("rules", "smtp", "check", path));
	cr_assert_eq(r.code, 67);
	snprintf(want, sizeof(want), "%s:2:5: ", path);
	cr_assert_eq(strncmp(r.err, want, strlen(want)), 0, "%s", r.err);
	snprintf(want, sizeof(want), "mailctl: smtp: unable to parse %s: 1 error\n", path);
	cr_assert_not_null(strstr(r.err, want), "%s", r.err);
	ctl_run_free(&r);
	free(path);
	path = harness_write_file(harness_tmpdir(), "r", text, 16);
	r = ctl_run_env(env, NULL, NULL, CTL_ARGS("rules", "smtp", "check", path));
	cr_assert_eq(r.code, 0, "%s", r.err);
	snprintf(want, sizeof(want), "%s: ok (0 warnings)\n", path);
	cr_assert_str_eq(r.out, want);
	ctl_run_free(&r);
	free(path);
}
