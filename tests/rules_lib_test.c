/* rules_lib_test.c: the rules library: keeping lines, editing, diagnostics,
 * the extensions, compiling, lookup order and the cache. */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rules_compile.h"
#include "rules/rules_file.h"
#include "rules/rules_lookup.h"
#include "tests/rules_util.h"


TestSuite(rules_lib, .init = rules_test_setup, .fini = rules_test_teardown, .timeout = 30);

static void
parse(struct rules_file *rf, const char *text, int cidr4)
{
	struct rules_opts o = { cidr4, 0 };

	cr_assert_eq(rules_file_parse(rf, text, strlen(text), &o), 0);
}

/* Compiles text into tmp/name and returns the path (malloc'd). */
static char *
compile(const char *text, const char *name, int cidr4)
{
	struct rules_file rf;
	char *path = rules_util_path(rules_test_tmp, name);
	int fd;

	parse(&rf, text, cidr4);
	cr_assert_eq(rf.nerrors, 0, "%s", text);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(rules_compile_fd(&rf, fd), 0);
	close(fd);
	rules_file_free(&rf);
	return path;
}

struct keys {
	char buf[4096];
};

static int
collect(void *arg, size_t lineno, const char *key, size_t keylen, const char *data,
    size_t datalen)
{
	struct keys *k = arg;

	(void)lineno;
	(void)data;
	(void)datalen;
	strncat(k->buf, key, keylen);
	strcat(k->buf, " ");
	return 0;
}

static void
expect_keys(const char *text, int cidr4, const char *want)
{
	struct rules_file rf;
	struct keys k = { "" };

	parse(&rf, text, cidr4);
	cr_assert_eq(rf.nerrors, 0, "%s: %s", text, rf.ndiags ? rf.diags[0].msg : "");
	cr_assert_eq(rules_file_records(&rf, collect, &k), 0);
	cr_expect_str_eq(k.buf, want, "%s", text);
	rules_file_free(&rf);
}

Test(rules_lib, render_gives_back_every_byte)
{
	static const char text[] = "# qmail tcp.smtp\n\n127.:allow,RELAYCLIENT=\"\"\n"
	    "   \nstray text\n10.0.0.1-3:deny\n:allow,QMAILQUEUE=\"/var/qmail/bin/simscan\"";
	struct rules_file rf;
	char *out;
	size_t len;

	parse(&rf, text, 0);
	cr_assert_eq(rf.nlines, 7);
	cr_expect_eq(rf.lines[0].kind, RULES_LINE_COMMENT);
	cr_expect_eq(rf.lines[1].kind, RULES_LINE_BLANK);
	cr_expect_eq(rf.lines[2].kind, RULES_LINE_RULE);
	cr_expect_eq(rf.lines[4].kind, RULES_LINE_IGNORED);
	cr_assert_eq(rules_file_render(&rf, &out, &len), 0);
	cr_expect_eq(len, strlen(text));
	cr_expect(memcmp(out, text, len) == 0);
	free(out);
	rules_file_free(&rf);
}

Test(rules_lib, edits_keep_comments_and_order)
{
	static const char text[] = "# relay for localhost\n127.:allow,RELAYCLIENT=\"\"\n# rest\n:allow\n";
	struct rules_file rf;
	char *out;
	size_t len;
	long i;

	parse(&rf, text, 0);
	i = rules_file_find_rule(&rf, "127.", 4);
	cr_assert_eq(i, 1);
	cr_assert_eq(rules_file_set_line(&rf, (size_t)i, "127.:deny", 9), 0);
	cr_assert_eq(rules_file_insert_line(&rf, 3, "10.:allow,MAXCONNIP=\"5\"", 23), 0);
	cr_expect_eq(rules_file_set_line(&rf, 0, "1.2.3.4: allow", 14), -1);
	cr_expect_eq(errno, EINVAL);
	cr_expect_eq(rules_file_set_line(&rf, 99, "# x", 3), -1);
	cr_expect_eq(errno, ERANGE);
	cr_assert_eq(rules_file_delete_line(&rf, 4), 0);
	cr_assert_eq(rules_file_render(&rf, &out, &len), 0);
	cr_expect_str_eq(out, "# relay for localhost\n127.:deny\n# rest\n10.:allow,MAXCONNIP=\"5\"\n");
	free(out);
	rules_file_free(&rf);
}

Test(rules_lib, every_error_of_a_file_with_line_and_column)
{
	struct rules_file rf;

	parse(&rf, "1.2.3.4: allow\n:allow,Q=\xe2\x80\x9cx\xe2\x80\x9d\n1.2.3.4:allow\r\nok:deny\n", 0);
	cr_assert_eq(rf.nerrors, 3);
	cr_expect_eq(rf.diags[0].line, 1);
	cr_expect_eq(rf.diags[0].col, 9);
	cr_expect(strstr(rf.diags[0].msg, "blank") != NULL, "%s", rf.diags[0].msg);
	cr_expect_eq(rf.diags[1].line, 2);
	cr_expect_eq(rf.diags[1].col, 10);
	cr_expect(strstr(rf.diags[1].msg, "typographic") != NULL, "%s", rf.diags[1].msg);
	cr_expect_not_null(rf.diags[1].hint);
	cr_expect_eq(rf.diags[2].line, 3);
	cr_expect(strstr(rf.diags[2].msg, "carriage return") != NULL, "%s", rf.diags[2].msg);
	cr_expect_eq(rf.lines[3].kind, RULES_LINE_RULE);
	rules_file_free(&rf);
}

Test(rules_lib, diagnostic_text_names_file_line_and_hint)
{
	struct rules_file rf;
	char *out;
	size_t len;

	parse(&rf, "# x\n1.2.3.4:allow,FOO\n", 0);
	cr_assert_eq(rf.nerrors, 1);
	cr_assert_eq(rules_diag_format(&rf, &rf.diags[0], "tcp.smtp", &out, &len), 0);
	cr_expect(strncmp(out, "tcp.smtp:2:15: variable FOO has no =\n", 37) == 0, "%s", out);
	cr_expect(strstr(out, "    1.2.3.4:allow,FOO\n") != NULL, "%s", out);
	cr_expect(strstr(out, "hint: ") != NULL, "%s", out);
	free(out);
	rules_file_free(&rf);
}

Test(rules_lib, limit_variables_must_be_counts)
{
	struct rules_file rf;
	struct rules_opts strict = { 0, 1 };
	static const char text[] = "10.:allow,MAXCONNIP=\"x\",MAXCONNC=\"20\"\n:allow,MAXCONNC=\"-1\"\n";

	parse(&rf, text, 0);
	cr_expect_eq(rf.nerrors, 0);
	cr_expect_eq(rf.nwarnings, 2);
	rules_file_free(&rf);
	cr_assert_eq(rules_file_parse(&rf, text, strlen(text), &strict), 0);
	cr_expect_eq(rf.nerrors, 2);
	rules_file_free(&rf);
}

Test(rules_lib, ranges_expand_as_0_88)
{
	expect_keys("1.2.3.-2:allow\n1-3.:allow\n1.2.3.250-300:deny\n", 0,
	    "1.2.3.0 1.2.3.1 1.2.3.2 1. 2. 3. 1.2.3.250 1.2.3.251 1.2.3.252 "
	    "1.2.3.253 1.2.3.254 1.2.3.255 ");
}

Test(rules_lib, ipv4_cidr_only_with_the_option)
{
	expect_keys("10.0.0.0/8:deny\n", 0, "10.0.0.0/8 ");
	expect_keys("10.0.0.0/8:deny\n192.168.0.0/16:allow\n1.2.3.0/24:allow\n1.2.3.4/32:allow\n", 1,
	    "10. 192.168. 1.2.3. 1.2.3.4 ");
	expect_keys("10.0.0.0/7:deny\n1.2.3.252/30:allow\n10.2.4.0/22:allow\n", 1,
	    "10. 11. 1.2.3.252 1.2.3.253 1.2.3.254 1.2.3.255 10.2.4. 10.2.5. 10.2.6. 10.2.7. ");
}

Test(rules_lib, ipv4_cidr_errors)
{
	struct rules_file rf;

	parse(&rf, "10.0.0.1/8:deny\n0.0.0.0/0:deny\n1.2.3.0/33:deny\n", 1);
	cr_assert_eq(rf.nerrors, 3);
	cr_expect_str_eq(rf.diags[0].hint, "did you mean 10.0.0.0/8?");
	rules_file_free(&rf);
}

Test(rules_lib, ipv6_forms_as_the_ipv6_build_stores_them)
{
	expect_keys("::1:allow\n2001:db8:1::deny\n2001:db8::allow\njoe@::1:allow\n"
	    "2001:0db8:0:0::5:deny\n2001:db8::/32:deny\n2001:db8:1:2::/64:allow\n", 0,
	    "::1 2001:db8:1: 2001:db8: joe@::1 2001:db8::5 2001:db8: 2001:db8:1:2: ");
}

Test(rules_lib, ipv6_errors)
{
	struct rules_file rf;

	parse(&rf, "2001:db8::/33:deny\n2001:0::/32:deny\n2001:db8::1-3:allow\n"
	    "joe@2001:db8::/32:allow\n2001:db8::1/64:deny\n", 0);
	cr_expect_eq(rf.nerrors, 5);
	rules_file_free(&rf);
}

static struct rules_db *
open_db(const char *text, int cidr4)
{
	struct rules_db *db;
	char *path = compile(text, "l.cdb", cidr4);

	cr_assert_eq(rules_db_open(&db, path), 0);
	free(path);
	return db;
}

static const char *
lookup(struct rules_db *db, const char *ip, const char *host, const char *info)
{
	static char key[256];
	struct rules_match m;
	int r = rules_db_lookup(db, ip, host, info, &m);

	cr_assert_geq(r, 0);
	if (r == 0)
		return "(none)";
	snprintf(key, sizeof(key), "%.*s", (int)m.keylen, m.key);
	return key;
}

Test(rules_lib, lookup_order_of_tcpserver)
{
	struct rules_db *db = open_db("joe@1.2.3.4:allow\njoe@=h.example.com:allow\n"
	    "1.2.3.4:allow\n=h.example.com:allow\n1.2.:allow\n=.example.com:allow\n=:allow\n", 0);

	cr_expect_str_eq(lookup(db, "1.2.3.4", "h.example.com", "joe"), "joe@1.2.3.4");
	cr_expect_str_eq(lookup(db, "1.2.3.5", "h.example.com", "joe"), "joe@=h.example.com");
	cr_expect_str_eq(lookup(db, "1.2.3.4", "h.example.com", "bob"), "1.2.3.4");
	cr_expect_str_eq(lookup(db, "1.2.3.5", "h.example.com", NULL), "=h.example.com");
	cr_expect_str_eq(lookup(db, "1.2.3.5", "x.example.com", NULL), "1.2.");
	cr_expect_str_eq(lookup(db, "9.2.3.5", "x.example.com", NULL), "=.example.com");
	cr_expect_str_eq(lookup(db, "9.2.3.5", "", NULL), "=");
	cr_expect_str_eq(lookup(db, "9.2.3.5", NULL, NULL), "(none)");
	rules_db_close(&db);
	cr_expect_null(db);
}

Test(rules_lib, lookup_ip_env_and_deny)
{
	struct rules_db *db = open_db("2001:db8::/32:deny,WHY=\"v6 net\"\n127.:allow,A=\"1\",B=\"\",A=\"2\"\n"
	    ":allow,MAXCONNIP=\"3\"\n", 0);
	struct rules_match m;
	const char *item, *v;
	size_t pos = 0, len;

	cr_assert_eq(rules_db_lookup_ip(db, "127.0.0.1", &m), 1);
	cr_expect_eq(m.deny, 0);
	cr_assert_eq(rules_match_next_env(&m, &pos, &item, &len), 1);
	cr_expect(len == 3 && memcmp(item, "A=1", 3) == 0);
	cr_assert_eq(rules_match_next_env(&m, &pos, &item, &len), 1);
	cr_expect(len == 2 && memcmp(item, "B=", 2) == 0);
	cr_assert_eq(rules_match_next_env(&m, &pos, &item, &len), 1);
	cr_expect_eq(rules_match_next_env(&m, &pos, &item, &len), 0);
	cr_assert_eq(rules_match_getenv(&m, "A", &v, &len), 1);
	cr_expect(len == 1 && *v == '1');
	cr_expect_eq(rules_match_getenv(&m, "C", &v, &len), 0);
	cr_assert_eq(rules_db_lookup_ip(db, "2001:db8:5::1", &m), 1);
	cr_expect_eq(m.deny, 1);
	cr_assert_eq(rules_db_lookup_ip(db, "2001:db9::1", &m), 1);
	cr_expect_eq(m.keylen, 0);
	cr_assert_eq(rules_match_getenv(&m, "MAXCONNIP", &v, &len), 1);
	cr_expect(len == 1 && *v == '3');
	rules_db_close(&db);
}

Test(rules_lib, open_errors_as_tcpserver_reports_them)
{
	struct rules_db *db;
	char *empty = rules_util_path(rules_test_tmp, "empty"), *text = rules_util_path(rules_test_tmp, "text");

	cr_assert_eq(rules_util_write(empty, "", 0), 0);
	cr_assert_eq(rules_util_write(text, "not a cdb", 9), 0);
	cr_expect_eq(rules_db_open(&db, empty), -1);
	cr_expect_eq(errno, EINVAL);
	cr_expect_eq(rules_db_open(&db, text), -1);
	cr_expect_eq(errno, EPROTO);
	cr_expect_eq(rules_db_open(&db, rules_test_tmp), -1);
	cr_expect_eq(errno, EISDIR);
	free(empty);
	free(text);
}

Test(rules_lib, cache_reopens_only_when_the_file_changes)
{
	struct rules_cache rc;
	struct rules_match m;
	char *path = compile("1.2.3.4:deny\n", "c.cdb", 0), *next;
	struct rules_db *first;

	cr_assert_eq(rules_cache_init(&rc, path), 0);
	cr_assert_eq(rules_cache_refresh(&rc), 0);
	cr_assert_not_null(rc.db);
	first = rc.db;
	cr_assert_eq(rules_cache_refresh(&rc), 0);
	cr_expect_eq(rc.db, first, "reopened an unchanged file");
	next = compile("1.2.3.4:allow\n", "d.cdb", 0);
	cr_assert_eq(rename(next, path), 0);
	cr_assert_eq(rules_cache_refresh(&rc), 0);
	cr_assert_not_null(rc.db);
	cr_assert_eq(rules_db_lookup_ip(rc.db, "1.2.3.4", &m), 1);
	cr_expect_eq(m.deny, 0, "the new file was not read");
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(rules_cache_refresh(&rc), 0);
	cr_expect_null(rc.db);
	cr_expect_eq(rc.last_errno, ENOENT);
	rules_cache_free(&rc);
	free(path);
	free(next);
}

Test(rules_lib, cache_interval_skips_the_stat)
{
	struct rules_cache rc;
	struct rules_match m;
	char *path = compile("1.2.3.4:deny\n", "e.cdb", 0), *next;

	cr_assert_eq(rules_cache_init(&rc, path), 0);
	rules_cache_set_interval(&rc, 600000);
	cr_assert_eq(rules_cache_refresh(&rc), 0);
	cr_assert_not_null(rc.db);
	next = compile("1.2.3.4:allow\n", "f.cdb", 0);
	cr_assert_eq(rename(next, path), 0);
	cr_assert_eq(rules_cache_refresh(&rc), 0);
	cr_assert_eq(rules_db_lookup_ip(rc.db, "1.2.3.4", &m), 1);
	cr_expect_eq(m.deny, 1, "the file was checked inside the interval");
	rules_cache_set_interval(&rc, 0);
	cr_assert_eq(rules_cache_refresh(&rc), 0);
	cr_assert_eq(rules_db_lookup_ip(rc.db, "1.2.3.4", &m), 1);
	cr_expect_eq(m.deny, 0, "the new file was not read");
	rules_cache_free(&rc);
	free(path);
	free(next);
}

Test(rules_lib, formatted_rules_compile_to_their_values)
{
	static const char *const names[] = { "RELAYCLIENT", "GREETING", "PATH" };
	static const char *const values[] = { "", "say \"hi\"", "/a/b" };
	struct rules_file rf;
	struct keys k = { "" };
	char *line;
	size_t len;

	cr_assert_eq(rules_rule_format("10.1.", 0, names, values, 3, &line, &len), 0);
	cr_expect_str_eq(line, "10.1.:allow,RELAYCLIENT=\"\",GREETING='say \"hi\"',PATH=\"/a/b\"");
	parse(&rf, "# office\n", 0);
	cr_assert_eq(rules_file_insert_line(&rf, 1, line, len), 0);
	cr_assert_eq(rules_file_records(&rf, collect, &k), 0);
	cr_expect_str_eq(k.buf, "10.1. ");
	cr_assert_eq(rf.lines[1].nvars, 3);
	cr_expect_eq(rf.vars[rf.lines[1].var_first + 1].value_len, 8);
	free(line);
	rules_file_free(&rf);
	cr_expect_eq(rules_rule_format("1.2.3.4:x", 1, NULL, NULL, 0, &line, &len), -1);
	cr_expect_eq(rules_rule_format("1.2.3.4", 1, names, (const char *const[]){ "\"'/|%!~" },
	    1, &line, &len), -1);
	cr_assert_eq(rules_rule_format("2001:db8::1", 1, NULL, NULL, 0, &line, &len), 0);
	cr_expect_str_eq(line, "2001:db8::1:deny");
	free(line);
}
