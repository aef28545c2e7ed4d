/* ctl_unit_test.c: mailctl in-process: command line, config precedence,
 * exit codes, problem messages, request bodies and the table views. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ctl/mailctl/cli.h"
#include "ctl/mailctl/conf.h"
#include "ctl/mailctl/ctl.h"
#include "ctl/mailctl/table.h"
#include "ctl/mailctl/view.h"

TestSuite(ctl_unit, .fini = harness_cleanup, .timeout = 30);

/* Parses a NULL-terminated word list; returns cli_parse's value. */
static int
parse(struct cli *c, char *err, size_t errlen, const char *const *words)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = "mailctl";
	for (; *words != NULL && argc < 31; words++)
		argv[argc++] = (char *)*words;
	argv[argc] = NULL;
	return cli_parse(c, argc, argv, err, errlen);
}

#define PARSE(c, err, ...) parse((c), (err), sizeof(err), \
	(const char *const []){ __VA_ARGS__, NULL })

Test(ctl_unit, who_options_before_and_after_the_words)
{
	struct cli c;
	char err[256];

	cr_assert_eq(PARSE(&c, err, "--json", "who", "imap", "--top", "5", "--ip=10.0.0.1"), 0, "%s", err);
	cr_assert_eq(c.cmd, CLI_WHO);
	cr_assert(c.json);
	cr_assert_str_eq(c.service, "imap");
	cr_assert_eq(c.set, CLI_HAS_TOP | CLI_HAS_IP);
	cr_assert_eq(c.top, 5);
	cr_assert_str_eq(c.ip, "10.0.0.1");
	cli_free(&c);
}

Test(ctl_unit, limits_flags_are_recorded_each)
{
	struct cli c;
	char err[256];

	cr_assert_eq(PARSE(&c, err, "limits", "imap", "--max", "64", "--per-network=0"), 0, "%s", err);
	cr_assert_eq(c.cmd, CLI_LIMITS);
	cr_assert_eq(c.set, CLI_HAS_LIMITS);
	cr_assert_eq(c.limits.set[LIMIT_MAX_CONNECTIONS], 1);
	cr_assert_eq(c.limits.n[LIMIT_MAX_CONNECTIONS], 64);
	cr_assert_eq(c.limits.set[LIMIT_MAX_PER_IP], 0);
	cr_assert_eq(c.limits.set[LIMIT_MAX_PER_NETWORK], 1);
	cr_assert_eq(c.limits.n[LIMIT_MAX_PER_NETWORK], 0);
	cli_free(&c);
}

/* The limits table's words, as the file, the control socket and mailctld
 * say them (tests/tcpserver_ctl_unit.c, tests/web_api_test.c). */
Test(ctl_unit, limits_values_refused_in_the_tables_words)
{
	struct cli c;
	char err[256];

	cr_assert_eq(PARSE(&c, err, "limits", "imap", "--per-network", "1000001"), -1);
	cr_assert_str_eq(err, "--per-network: max_per_network must be from 0 to 1000000");
	cr_assert_eq(PARSE(&c, err, "limits", "imap", "--per-ip=abc"), -1);
	cr_assert_str_eq(err, "--per-ip: max_per_ip must be a whole number");
	cr_assert_eq(PARSE(&c, err, "limits", "imap", "--max", "0"), -1);
	cr_assert_str_eq(err, "--max: max_connections must be from 1 to 1000000");
	cr_assert_eq(PARSE(&c, err, "who", "imap", "--max", "5"), -1);
	cr_assert_str_eq(err, "--max does not apply to who");
}

Test(ctl_unit, rules_add_words_and_options)
{
	struct cli c;
	char err[256];

	cr_assert_eq(PARSE(&c, err, "rules", "smtp", "add", "10.0.0.", "allow",
	    "RELAYCLIENT=", "GREETING=hi=there", "--position", "2", "--comment", ""), 0, "%s", err);
	cr_assert_eq(c.rules_op, CLI_RULES_ADD);
	cr_assert_str_eq(c.address, "10.0.0.");
	cr_assert_not(c.deny);
	cr_assert_eq(c.nvars, 2);
	cr_assert_str_eq(c.vars[1], "GREETING=hi=there");
	cr_assert_eq(c.position, 2);
	cr_assert_str_eq(c.comment, "");
	cli_free(&c);
}

Test(ctl_unit, double_dash_ends_the_options)
{
	struct cli c;
	char err[256];

	cr_assert_eq(PARSE(&c, err, "rules", "smtp", "check", "--", "--odd-name"), 0, "%s", err);
	cr_assert_eq(c.rules_op, CLI_RULES_CHECK);
	cr_assert_str_eq(c.file, "--odd-name");
	cli_free(&c);
}

Test(ctl_unit, help_wins_over_everything)
{
	struct cli c;
	char err[256];

	cr_assert_eq(PARSE(&c, err, "who", "--help"), 0, "%s", err);
	cr_assert_eq(c.cmd, CLI_HELP);
	cr_assert_eq(PARSE(&c, err, "-h"), 0, "%s", err);
	cr_assert_eq(c.cmd, CLI_HELP);
	cr_assert_eq(PARSE(&c, err, "--version", "--help"), 0, "%s", err);
	cr_assert_eq(c.cmd, CLI_HELP);
	cr_assert_eq(PARSE(&c, err, "--version"), 0, "%s", err);
	cr_assert_eq(c.cmd, CLI_VERSION);
}

/* Each bad command line, with a word its message must hold. */
static const char *const bad_lines[][8] = {
	{ "", NULL },
	{ "frobnicate", NULL },
	{ "who", NULL },
	{ "who", "imap", "smtp", NULL },
	{ "who", "..", NULL },
	{ "who", "../etc", NULL },
	{ "who", "IMAP", NULL },
	{ "who", "-x", NULL },
	{ "who", "imap", "--top", NULL },
	{ "who", "imap", "--top", "-1", NULL },
	{ "who", "imap", "--top", "5x", NULL },
	{ "limits", "imap", "--max", "1000001", NULL },
	{ "limits", "imap", "--top", "3", NULL },
	{ "status", "--ip", "1.2.3.4", NULL },
	{ "rules", "smtp", NULL },
	{ "rules", "smtp", "add", "10.", "maybe", NULL },
	{ "rules", "smtp", "add", "10.", "deny", "NOEQUALS", NULL },
	{ "rules", "smtp", "add", "10.", "deny", "=v", NULL },
	{ "rules", "smtp", "delete", "seven", NULL },
	{ "rules", "smtp", "list", "--position", "1", NULL },
	{ "rules", "smtp", "replace", "f", "--text", NULL },
	{ "limits", "imap", "--if-match", "abc", NULL },
	{ "rules", "smtp", "list", "--if-match", "abc", NULL },
	{ "limits", "imap", "--max", "3", "--if-match", "a, b", NULL },
	{ "audit", "--limit", "x", NULL },
	{ "status", "--json=1", NULL },
	{ "status", "--url", "", NULL },
	{ "rollback", "imap", NULL },
	{ "rollback", "imap", "0", NULL },
	{ "rollback", "imap", "v2", NULL },
	{ "history", NULL },
};

Test(ctl_unit, bad_command_lines_are_refused_with_a_reason)
{
	size_t i;

	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		const char *words[9];
		struct cli c;
		char err[256];
		size_t k = 0;

		for (; bad_lines[i][k] != NULL; k++)
			words[k] = bad_lines[i][k];
		words[k] = NULL;
		if (k == 1 && *words[0] == '\0')
			words[0] = NULL;
		cr_assert_eq(parse(&c, err, sizeof(err), words), -1, "line %zu was accepted", i);
		cr_assert_neq(err[0], '\0', "line %zu: no message", i);
	}
}

Test(ctl_unit, service_names_follow_the_api)
{
	char longest[33], too_long[34];

	memset(longest, 'a', 32);
	longest[32] = '\0';
	memset(too_long, 'a', 33);
	too_long[33] = '\0';
	cr_assert(cli_service_ok("imap"));
	cr_assert(cli_service_ok("0smtp_relay-2"));
	cr_assert(cli_service_ok(longest));
	cr_assert_not(cli_service_ok(too_long));
	cr_assert_not(cli_service_ok(""));
	cr_assert_not(cli_service_ok("_imap"));
	cr_assert_not(cli_service_ok("-imap"));
	cr_assert_not(cli_service_ok("im.ap"));
	cr_assert_not(cli_service_ok("im/ap"));
}

Test(ctl_unit, exit_codes_by_status)
{
	static const long status[] = { 200, 201, 204, 400, 401, 403, 404, 409, 412, 413, 429, 500, 502, 503 };
	static const int code[] = { 0, 0, 0, 67, 65, 65, 66, 67, 67, 67, 65, 69, 69, 69 };
	size_t i;

	for (i = 0; i < sizeof(status) / sizeof(status[0]); i++)
		cr_assert_eq(reply_exit_code(status[i]), code[i], "HTTP %ld", status[i]);
}

static struct http_resp
resp_of(long status, const char *body)
{
	struct http_resp r;

	memset(&r, 0, sizeof(r));
	r.status = status;
	cr_assert_eq(strbuf_appends(&r.body, body), 0);
	return r;
}

Test(ctl_unit, problem_detail_with_line_and_column)
{
	struct http_resp r = resp_of(400, "{\"type\":\"https://mailstack.invalid/problems/rules\","
	    "\"title\":\"bad rules\",\"status\":400,\"detail\":\"expected allow or deny\","
	    "\"line\":3,\"column\":9}");
	char *m = reply_message(&r, "new.rules");

	cr_assert_str_eq(m, "new.rules:3:9: expected allow or deny");
	free(m);
	m = reply_message(&r, NULL);
	cr_assert_str_eq(m, "rules:3:9: expected allow or deny");
	free(m);
	http_resp_free(&r);
}

Test(ctl_unit, problem_title_when_no_detail_and_control_bytes_hidden)
{
	struct http_resp r = resp_of(403, "{\"title\":\"scope\\u001b[2Jshort\",\"status\":403}");
	char *m = reply_message(&r, NULL);

	cr_assert_str_eq(m, "scope?[2Jshort");
	free(m);
	http_resp_free(&r);
	r = resp_of(502, "<html>bad gateway</html>");
	m = reply_message(&r, NULL);
	cr_assert_not_null(strstr(m, "502"), "%s", m);
	free(m);
	http_resp_free(&r);
}

Test(ctl_unit, limits_patch_has_only_the_flags_given)
{
	struct cli c;
	char err[256], *body;
	json_t *o;

	cr_assert_eq(PARSE(&c, err, "limits", "imap", "--per-ip", "10", "--max", "64"), 0, "%s", err);
	body = limits_patch_body(&c);
	o = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
	cr_assert(json_is_object(o), "%s", body);
	cr_assert_eq(json_object_size(o), 2, "%s", body);
	cr_assert_eq(json_integer_value(json_object_get(o, "max_connections")), 64);
	cr_assert_eq(json_integer_value(json_object_get(o, "max_per_ip")), 10);
	json_decref(o);
	free(body);
	cli_free(&c);
}

Test(ctl_unit, rules_add_body_shape)
{
	struct cli c;
	char err[256], *body;
	json_t *o, *vars;

	cr_assert_eq(PARSE(&c, err, "rules", "smtp", "add", "10.0.0.", "deny", "A=1",
	    "B=", "--comment", "spam \"source\""), 0, "%s", err);
	body = rules_add_body(&c);
	o = json_loads(body, 0, NULL);
	cr_assert(json_is_object(o), "%s", body);
	cr_assert_str_eq(json_string_value(json_object_get(o, "address")), "10.0.0.");
	cr_assert_str_eq(json_string_value(json_object_get(o, "action")), "deny");
	cr_assert_str_eq(json_string_value(json_object_get(o, "comment")), "spam \"source\"");
	cr_assert_null(json_object_get(o, "position"), "no --position, no position");
	vars = json_object_get(o, "variables");
	cr_assert_eq(json_object_size(vars), 2);
	cr_assert_str_eq(json_string_value(json_object_get(vars, "A")), "1");
	cr_assert_str_eq(json_string_value(json_object_get(vars, "B")), "");
	json_decref(o);
	free(body);
	cli_free(&c);
}

/* conf_resolve over files in a fresh folder. */
static int
resolve(struct conf *cf, const struct conf_input *in, char *err, size_t errlen)
{
	return conf_resolve(cf, in, err, errlen);
}

Test(ctl_unit, config_then_env_then_options)
{
	const char *dir = harness_tmpdir();
	char *cfg, *tf, *tf2, err[256];
	struct conf_input in = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	struct conf cf;

	tf = harness_write_file(dir, "tok", "from-file\n", 10);
	tf2 = harness_write_file(dir, "tok2", "  other-file  \nignored\n", 23);
	cfg = harness_write_file(dir, "mailctl.conf",
	    "# mailctl\nurl http://127.0.0.9:1/ # a comment\n\ntoken conf-token\n", 63);
	cr_assert(tf != NULL && tf2 != NULL && cfg != NULL);
	in.config = cfg;
	cr_assert_eq(resolve(&cf, &in, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cf.url, "http://127.0.0.9:1");
	cr_assert_str_eq(cf.token, "conf-token");
	conf_free(&cf);
	in.env_url = "http://127.0.0.8:2";
	in.env_token = "env-token";
	cr_assert_eq(resolve(&cf, &in, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cf.url, "http://127.0.0.8:2");
	cr_assert_str_eq(cf.token, "env-token");
	conf_free(&cf);
	in.opt_url = "https://127.0.0.7:3";
	in.opt_token_file = tf2;
	cr_assert_eq(resolve(&cf, &in, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cf.url, "https://127.0.0.7:3");
	cr_assert_str_eq(cf.token, "other-file");
	conf_free(&cf);
	free(tf);
	free(tf2);
	free(cfg);
}

Test(ctl_unit, config_token_file_and_defaults)
{
	const char *dir = harness_tmpdir();
	struct conf_input in = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	char *cfg, *tf, err[256], text[512];
	struct conf cf;

	tf = harness_write_file(dir, "tok", "t0k3n", 5);
	snprintf(text, sizeof(text), "token early\ntoken-file %s\n", tf);
	cfg = harness_write_file(dir, "c", text, strlen(text));
	in.config = cfg;
	cr_assert_eq(resolve(&cf, &in, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cf.token, "t0k3n", "the later directive wins");
	cr_assert_str_eq(cf.url, CONF_DEFAULT_URL);
	cr_assert_null(cf.ca_file);
	conf_free(&cf);
	snprintf(text, sizeof(text), "ca-file /etc/ssl/ours.pem\n");
	free(cfg);
	cfg = harness_write_file(dir, "c", text, strlen(text));
	in.config = cfg;
	cr_assert_eq(resolve(&cf, &in, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cf.ca_file, "/etc/ssl/ours.pem");
	conf_free(&cf);
	in.opt_ca_file = "/tmp/other.pem";
	cr_assert_eq(resolve(&cf, &in, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cf.ca_file, "/tmp/other.pem", "--ca-file wins");
	conf_free(&cf);
	in.opt_ca_file = NULL;
	/* A missing default config is fine; a missing --config is not. */
	in.config = NULL;
	snprintf(text, sizeof(text), "%s/absent.conf", dir);
	in.default_config = text;
	cr_assert_eq(resolve(&cf, &in, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(cf.token);
	conf_free(&cf);
	in.config = text;
	cr_assert_eq(resolve(&cf, &in, err, sizeof(err)), CTL_EX_LOCAL);
	cr_assert_not_null(strstr(err, "absent.conf"), "%s", err);
	free(tf);
	free(cfg);
}

Test(ctl_unit, bad_config_content_is_a_usage_error_without_the_token)
{
	const char *dir = harness_tmpdir();
	struct conf_input in = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	static const char *const bad[] = {
		"colour blue\n", "url\n", "url ftp://x\n", "token two words\n",
	};
	char *cfg, *tf, err[256];
	struct conf cf;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg = harness_write_file(dir, "c", bad[i], strlen(bad[i]));
		in.config = cfg;
		cr_assert_eq(resolve(&cf, &in, err, sizeof(err)), CTL_EX_USAGE, "%s", bad[i]);
		cr_assert_null(strstr(err, "words"), "the token leaked: %s", err);
		free(cfg);
	}
	in.config = NULL;
	tf = harness_write_file(dir, "tok", "sec ret\n", 8);
	in.opt_token_file = tf;
	cr_assert_eq(resolve(&cf, &in, err, sizeof(err)), CTL_EX_USAGE);
	cr_assert_null(strstr(err, "sec"), "the token leaked: %s", err);
	in.opt_token_file = NULL;
	in.env_token = "bad\ttoken";
	cr_assert_eq(resolve(&cf, &in, err, sizeof(err)), CTL_EX_USAGE);
	free(tf);
}

/* Runs fn's output through a memory stream. */
static char *
capture(int (*fn)(json_t *, FILE *), json_t *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(fn(arg, f), 0);
	fclose(f);
	return buf;
}

Test(ctl_unit, table_aligns_counts_right_and_text_left)
{
	static const char *const heads[] = { "NAME", "N", "NOTE" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct table t;

	cr_assert_eq(table_init(&t, 3, heads, "lrl"), 0);
	table_add(&t, "ab");
	table_add(&t, "1234");
	table_add(&t, "x\x1b[31m");
	table_add(&t, "\xc3\xa9t\xc3\xa9");
	table_add(&t, "5");
	table_add(&t, "");
	cr_assert_eq(table_rows(&t), 2);
	cr_assert_eq(table_write(&t, f), 0);
	fclose(f);
	cr_assert_str_eq(buf,
	    "NAME     N  NOTE\n"
	    "ab    1234  x?[31m\n"
	    "\xc3\xa9t\xc3\xa9      5\n");
	table_free(&t);
	free(buf);
}

Test(ctl_unit, ages)
{
	char b[32];

	fmt_age(b, sizeof(b), 1000, 1042);
	cr_assert_str_eq(b, "42s");
	fmt_age(b, sizeof(b), 1000, 1000 + 3 * 60 + 12);
	cr_assert_str_eq(b, "3m12s");
	fmt_age(b, sizeof(b), 0, 2 * 3600 + 5 * 60 + 59);
	cr_assert_str_eq(b, "2h05m");
	fmt_age(b, sizeof(b), 0, 4 * 86400 + 3 * 3600 + 59);
	cr_assert_str_eq(b, "4d03h");
	fmt_age(b, sizeof(b), 2000, 1000);
	cr_assert_str_eq(b, "0s");
	fmt_time(b, sizeof(b), 86400 * 365 + 3661);
	cr_assert_str_eq(b, "1971-01-01 01:01:01");
}

static long long who_now;

static int
who_at(json_t *conns, FILE *out)
{
	return view_who(conns, who_now, out);
}

Test(ctl_unit, who_table)
{
	json_t *conns, *more;
	char *text;

	who_now = 1764330000;
	conns = json_pack("[{s:s,s:i,s:i,s:i,s:s,s:I,s:[i,i]},{s:s,s:i,s:i,s:s,s:i,s:I,s:[i]}]",
	    "ip", "192.0.2.10", "count", 12, "adopted", 4, "limit", 0, "limit_source", "none",
	    "oldest", (json_int_t)(who_now - 75), "pids", 301, 302,
	    "ip", "2001:db8::", "count", 3, "limit", 4, "limit_source", "rule:2001:db8::",
	    "limit_rule_line", 7, "oldest", (json_int_t)(who_now - 90000), "pids", 9);
	more = json_pack("[i,i,i,i,i,i]", 10, 11, 12, 13, 14, 15);
	cr_assert_eq(json_array_extend(json_object_get(json_array_get(conns, 1), "pids"), more), 0);
	json_decref(more);
	cr_assert_not_null(conns);
	text = capture(who_at, conns);
	cr_assert_str_eq(text,
	    "IP          COUNT  ADOPTED  LIMIT  SOURCE                    OLDEST  PIDS\n"
	    "192.0.2.10     12        4   none  none                       1m15s  301,302\n"
	    "2001:db8::      3        -      4  rule:2001:db8:: (line 7)   1d01h  9,10,11,12,13,+2\n");
	free(text);
	json_decref(conns);
}

Test(ctl_unit, status_table_shows_a_down_service)
{
	json_t *services = json_loads("[{\"name\":\"imap\",\"up\":true,\"pid\":123,\"uptime\":3700,"
	    "\"live\":3,\"limits\":{\"max_connections\":21,\"max_per_ip\":4,\"max_per_network\":0},"
	    "\"limits_source\":\"file\",\"refused\":{\"ip\":2,\"net\":0,\"rule_ip\":1,\"rule_net\":0,"
	    "\"fork\":0},\"accepted\":10,\"s6\":null,\"backlog\":1024,\"accept_queue\":0,"
	    "\"listen_overflows\":1234567},{\"name\":\"smtp\",\"up\":false,\"pid\":null,"
	    "\"uptime\":null,\"live\":null,\"limits\":null,\"limits_source\":null,\"refused\":null,"
	    "\"accepted\":null,\"s6\":null}]", 0, NULL);
	char *text;

	cr_assert_not_null(services);
	text = capture(view_status, services);
	cr_assert_str_eq(text,
	    "SERVICE  STATE  PID  UPTIME  LIVE  MAX  PER-IP  PER-NET  ACCEPTED  REFUSED  BACKLOG  QUEUE  OVERFLOWS\n"
	    "imap     up     123   1h01m     3   21       4     none        10        3     1024      0    1234567\n"
	    "smtp     down     -       -     -    -       -        -         -        -        -      -          -\n");
	free(text);
	json_decref(services);
}

Test(ctl_unit, limits_and_audit_views)
{
	json_t *limits = json_pack("{s:i,s:i,s:i}", "max_connections", 64, "max_per_ip", 10,
	    "max_per_network", 0);
	json_t *audit = json_pack("[{s:i,s:s,s:s,s:s,s:s,s:s},{s:i,s:s,s:s,s:s,s:s,s:s}]",
	    "time", 0, "token", "admin", "peer", "127.0.0.1", "method", "PATCH",
	    "path", "/v1/services/imap/limits", "what", "limits",
	    "time", 60, "token", "ops", "peer", "::1", "method", "POST",
	    "path", "/v1/services/smtp/rules", "what", "rules");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(view_limits(limits, "\"ab12\"", f), 0);
	fclose(f);
	cr_assert_str_eq(buf, "max_connections  64\nmax_per_ip       10\nmax_per_network  none\n"
	    "version          \"ab12\"\n");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	cr_assert_eq(view_audit(audit, 1, f), 0);
	fclose(f);
	cr_assert_str_eq(buf,
	    "TIME                 TOKEN  PEER  METHOD  PATH                     WHAT\n"
	    "1970-01-01 00:01:00  ops    ::1   POST    /v1/services/smtp/rules  rules\n");
	free(buf);
	json_decref(limits);
	json_decref(audit);
}

Test(ctl_unit, one_service_in_detail)
{
	json_t *s = json_loads("{\"name\":\"imap\",\"up\":true,\"pid\":123,\"uptime\":10,\"live\":3,"
	    "\"limits\":{\"max_connections\":21,\"max_per_ip\":4,\"max_per_network\":0},"
	    "\"limits_source\":\"file\",\"refused\":{\"ip\":5,\"net\":0,\"rule_ip\":1,\"rule_net\":0,"
	    "\"fork\":2},\"accepted\":10,\"s6\":{\"up\":true,\"pid\":120,\"ready\":true},"
	    "\"version\":\"0.1.0\",\"image_started\":60,\"reexecs\":2,\"restored\":\"state\","
	    "\"adopted\":1,\"unadopted\":null,\"backlog\":1024,\"accept_queue\":0,"
	    "\"listen_overflows\":7}", 0, NULL);
	char *text;

	cr_assert_not_null(s);
	text = capture(view_service, s);
	cr_assert_str_eq(text,
	    "service           imap\n"
	    "state             up\n"
	    "pid               123\n"
	    "uptime            10s\n"
	    "live              3\n"
	    "max_connections   21\n"
	    "max_per_ip        4\n"
	    "max_per_network   none\n"
	    "limits_source     file\n"
	    "accepted          10\n"
	    "refused_ip        5\n"
	    "refused_net       0\n"
	    "refused_rule_ip   1\n"
	    "refused_rule_net  0\n"
	    "refused_fork      2\n"
	    "version           0.1.0\n"
	    "image_started     1970-01-01 00:01:00\n"
	    "reexecs           2\n"
	    "restored          state\n"
	    "adopted           1\n"
	    "unadopted         -\n"
	    "backlog           1024\n"
	    "accept_queue      0\n"
	    "listen_overflows  7\n"
	    "s6                up pid 120 ready\n");
	free(text);
	json_decref(s);
}

Test(ctl_unit, history_view_and_rollback_words)
{
	json_t *v = json_pack("[{s:i,s:i,s:s,s:s,s:s}]", "version", 12, "time", 3600,
	    "token", "admin", "what", "rules", "etag", "\"e1\"");
	struct cli c;
	char err[256], *text;

	cr_assert_not_null(v);
	text = capture(view_history, v);
	cr_assert_str_eq(text,
	    "VERSION  TIME                 TOKEN  WHAT   ETAG\n"
	    "     12  1970-01-01 01:00:00  admin  rules  \"e1\"\n");
	free(text);
	json_decref(v);
	cr_assert_eq(PARSE(&c, err, "rollback", "smtp", "12", "--if-match", "e1"), 0, "%s", err);
	cr_assert_eq(c.cmd, CLI_ROLLBACK);
	cr_assert_eq(c.version, 12);
	cr_assert_str_eq(c.if_match, "e1");
	cli_free(&c);
}
