/* rules_vectors_test.c: mailstack-tcprules and mailstack-tcprulescheck
 * against the captured behaviour of ucspi-tcp 0.88 (tests/rules_vectors). */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/rules_util.h"

#define OLD_CDB "an old cdb that must survive a failed compile"


static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case names (file names without .rules) of a vector folder, sorted. */
static size_t
case_names(const char *dir, char ***out)
{
	char *path = rules_util_vector(dir), **names = NULL;
	struct dirent *de;
	size_t n = 0, len;
	DIR *d = opendir(path);

	cr_assert_not_null(d, "cannot open %s", path);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 7 || strcmp(de->d_name + len - 6, ".rules") != 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strndup(de->d_name, len - 6);
	}
	closedir(d);
	free(path);
	qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	return n;
}

/* The number after "exit code: " in a .result.txt. */
static int
expected_exit(const char *result)
{
	const char *p = strstr(result, "exit code: ");

	cr_assert_not_null(p);
	return atoi(p + 11);
}

/* The 1-based line that 0.88 named in "unable to parse this line: X\n"
 * (X escaped as in the capture: compared on its first 8 bytes). */
static size_t
failed_line(const char *rules, const char *result)
{
	const char *p = strstr(result, "unable to parse this line: "), *line = rules;
	size_t n = 1;

	cr_assert_not_null(p);
	p += strlen("unable to parse this line: ");
	for (;;) {
		if (strncmp(line, p, 8) == 0 || (strlen(line) < 8 && strncmp(line, p, strlen(line)) == 0))
			return n;
		line = strchr(line, '\n');
		cr_assert_not_null(line, "line named by tcprules not found");
		line++;
		n++;
	}
}

static int
run_tcprules(const char *rules_path, const char *err_path)
{
	char *bin = rules_util_top("rules/tcprules/mailstack-tcprules");
	char *argv[] = { bin, "x.cdb", "x.tmp", NULL };
	int rc;

	rc = rules_util_run(rules_test_tmp, argv, NULL, rules_path, NULL, err_path);
	free(bin);
	return rc;
}

/* The IPv6 extension accepts what 0.88 refuses; it stores what the IPv6
 * build stores. */
static void
check_ipv6_extension(const char *name, const char *cdbpath, int rc)
{
	char *dump;
	size_t len;

	cr_expect_eq(rc, 0, "%s: IPv6 rules are an extension", name);
	dump = rules_util_read(cdbpath, &len);
	cr_assert_not_null(dump);
	cr_expect(memmem(dump, len, "::1", 3) != NULL, "%s: key ::1", name);
	cr_expect(memmem(dump, len, "2001:db8::1", 11) != NULL, "%s: key 2001:db8::1", name);
	free(dump);
}

static void
check_case(const char *name)
{
	char *base = rules_util_vector("tcprules/"), *p, *result, *rules, *got, *want;
	char *cdb = rules_util_path(rules_test_tmp, "x.cdb"), *tmpf = rules_util_path(rules_test_tmp, "x.tmp");
	char *err = rules_util_path(rules_test_tmp, "err"), *stderr_text, loc[32];
	size_t glen, wlen;
	int rc, want_rc;

	cr_assert(asprintf(&p, "%s%s.result.txt", base, name) > 0);
	result = rules_util_read(p, NULL);
	cr_assert_not_null(result, "%s", p);
	free(p);
	cr_assert(asprintf(&p, "%s%s.rules", base, name) > 0);
	rules = rules_util_read(p, NULL);
	cr_assert_eq(rules_util_write(cdb, OLD_CDB, strlen(OLD_CDB)), 0);
	rc = run_tcprules(p, err);
	free(p);
	want_rc = expected_exit(result);
	cr_expect(!rules_util_exists(tmpf), "%s: the temporary file is left behind", name);
	got = rules_util_read(cdb, &glen);
	cr_assert_not_null(got);
	if (strcmp(name, "35-ipv6-style-address") == 0)
		check_ipv6_extension(name, cdb, rc);
	else if (want_rc == 0) {
		cr_expect_eq(rc, 0, "%s: exit %d, tcprules 0", name, rc);
		cr_assert(asprintf(&p, "%s%s.cdb", base, name) > 0);
		want = rules_util_read(p, &wlen);
		cr_assert_not_null(want);
		cr_expect(glen == wlen && memcmp(got, want, glen) == 0,
		    "%s: cdb bytes differ from tcprules'", name);
		free(want);
		free(p);
	} else {
		cr_expect_eq(rc, want_rc, "%s: exit %d, tcprules %d", name, rc, want_rc);
		cr_expect(glen == strlen(OLD_CDB) && memcmp(got, OLD_CDB, glen) == 0,
		    "%s: the old cdb was not kept", name);
		stderr_text = rules_util_read(err, NULL);
		snprintf(loc, sizeof(loc), "-:%zu:", failed_line(rules, result));
		cr_expect(stderr_text != NULL && strstr(stderr_text, loc) != NULL,
		    "%s: no diagnostic %s in: %s", name, loc, stderr_text);
		free(stderr_text);
	}
	free(got);
	free(rules);
	free(result);
	free(base);
	free(cdb);
	free(tmpf);
	free(err);
}

TestSuite(rules_vectors, .init = rules_test_setup, .fini = rules_test_teardown, .timeout = 60);

Test(rules_vectors, tcprules_cases_match_0_88)
{
	char **names;
	size_t i, n = case_names("tcprules", &names);

	cr_assert_geq(n, 30, "only %zu cases found", n);
	for (i = 0; i < n; i++) {
		check_case(names[i]);
		free(names[i]);
	}
	free(names);
}

/* Runs mailstack-tcprulescheck on cdb (a vector path) with env; returns
 * its exit code and its stdout in *out. */
static int
run_check(const char *cdb, char *const envp[], char **out)
{
	char *bin = rules_util_top("rules/tcprulescheck/mailstack-tcprulescheck");
	char *outp = rules_util_path(rules_test_tmp, "out");
	char *argv[] = { bin, (char *)cdb, NULL };
	int rc;

	rc = rules_util_run(rules_test_tmp, argv, envp, NULL, outp, NULL);
	*out = rules_util_read(outp, NULL);
	cr_assert_not_null(*out);
	free(outp);
	free(bin);
	return rc;
}

/* "ip=A info=B host=C" into TCPREMOTE* variables. */
static void
env_from_desc(const char *desc, char *env[4])
{
	static const char *const keys[] = { "ip=", "info=", "host=" };
	static const char *const vars[] = { "TCPREMOTEIP=", "TCPREMOTEINFO=", "TCPREMOTEHOST=" };
	const char *p, *end;
	size_t i, n = 0;

	for (i = 0; i < 3; i++) {
		p = strstr(desc, keys[i]);
		if (p == NULL)
			continue;
		p += strlen(keys[i]);
		end = strchr(p, ' ');
		if (end == NULL)
			end = p + strlen(p);
		cr_assert(asprintf(&env[n++], "%s%.*s", vars[i], (int)(end - p), p) > 0);
	}
	env[n] = NULL;
}

Test(rules_vectors, tcprulescheck_output_matches_0_88)
{
	char *check = rules_util_vector("tcprulescheck/basic.check.txt");
	char *cdb = rules_util_vector("tcprulescheck/basic.cdb");
	char *text = rules_util_read(check, NULL), *line, *save, *env[4], *out;
	char want[2048] = "";
	size_t i, cases = 0;
	int rc;

	cr_assert_not_null(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "[rc=", 4) != 0) {
			strncat(want, line, sizeof(want) - strlen(want) - 2);
			strcat(want, "\n");
			continue;
		}
		if (strstr(line, "ip=") != NULL || strstr(line, "(nothing set)") != NULL) {
			env_from_desc(line, env);
			rc = run_check(cdb, env, &out);
			cr_expect_eq(rc, 0, "%s", line);
			cr_expect_str_eq(out, want, "%s", line);
			for (i = 0; env[i] != NULL; i++)
				free(env[i]);
			free(out);
			cases++;
		}
		want[0] = '\0';
	}
	cr_expect_geq(cases, 13, "only %zu environments checked", cases);
	free(text);
	free(check);
	free(cdb);
}

Test(rules_vectors, tcprulescheck_errors_and_usage)
{
	char *bin = rules_util_top("rules/tcprulescheck/mailstack-tcprulescheck");
	char *errp = rules_util_path(rules_test_tmp, "err"), *err, *out;
	char *noargs[] = { bin, NULL };
	char *missing[] = { bin, "nonexist.cdb", NULL };
	int rc;

	rc = rules_util_run(rules_test_tmp, missing, NULL, NULL, NULL, errp);
	err = rules_util_read(errp, NULL);
	cr_expect_eq(rc, 111);
	cr_expect(strstr(err, "fatal: unable to read nonexist.cdb: file does not exist") != NULL,
	    "got %s", err);
	free(err);
	rc = rules_util_run(rules_test_tmp, noargs, NULL, NULL, NULL, errp);
	err = rules_util_read(errp, NULL);
	cr_expect_eq(rc, 100);
	cr_expect(strstr(err, "usage: ") != NULL, "got %s", err);
	free(err);
	/* tcprulescheck 0.88 crashes on a folder; ours says why */
	rc = run_check(rules_test_tmp, NULL, &out);
	cr_expect_eq(rc, 111);
	free(out);
	free(errp);
	free(bin);
}

/* The IPv6 build's captures: our lookup is textual on the compressed form
 * like the IPv6 build's, with ':' ending prefixes too. */
static void
check_v6_file(const char *name)
{
	char *path, *cdb, *text, *line, *save, want[2048] = "", *out, *env[2];
	size_t cases = 0;
	char ip[128] = "";

	cr_assert(asprintf(&path, "tcprules-ipv6/%s.check.txt", name) > 0);
	cdb = rules_util_vector(path);
	text = rules_util_read(cdb, NULL);
	free(cdb);
	free(path);
	cr_assert(asprintf(&path, "tcprules-ipv6/%s.cdb", name) > 0);
	cdb = rules_util_vector(path);
	free(path);
	cr_assert_not_null(text);
	for (line = strtok_r(text, "\n", &save); ; line = strtok_r(NULL, "\n", &save)) {
		if (line == NULL || strncmp(line, "## TCPREMOTEIP=", 15) == 0) {
			if (ip[0] != '\0') {
				cr_assert(asprintf(&env[0], "TCPREMOTEIP=%s", ip) > 0);
				env[1] = NULL;
				cr_expect_eq(run_check(cdb, env, &out), 0);
				cr_expect_str_eq(out, want, "%s %s", name, ip);
				free(out);
				free(env[0]);
				cases++;
			}
			if (line == NULL)
				break;
			snprintf(ip, sizeof(ip), "%s", line + 15);
			want[0] = '\0';
			continue;
		}
		strncat(want, line, sizeof(want) - strlen(want) - 2);
		strcat(want, "\n");
	}
	cr_expect_geq(cases, 3);
	free(text);
	free(cdb);
}

Test(rules_vectors, tcprulescheck_ipv6_build_lookups)
{
	check_v6_file("v6");
	check_v6_file("v6prefix");
}

/* The IPv6 build's prefix rules compile to its bytes with our extension. */
Test(rules_vectors, ipv6_prefix_rules_compile_as_the_ipv6_build)
{
	char *rules = rules_util_vector("tcprules-ipv6/v6prefix.rules");
	char *want_path = rules_util_vector("tcprules-ipv6/v6prefix.cdb");
	char *cdb = rules_util_path(rules_test_tmp, "x.cdb"), *got, *want;
	size_t glen, wlen;

	cr_assert_eq(run_tcprules(rules, NULL), 0);
	got = rules_util_read(cdb, &glen);
	want = rules_util_read(want_path, &wlen);
	cr_assert_not_null(got);
	cr_assert_not_null(want);
	cr_expect(glen == wlen && memcmp(got, want, glen) == 0, "cdb bytes differ");
	free(got);
	free(want);
	free(cdb);
	free(want_path);
	free(rules);
}

/* -v names the line the matching record came from. */
Test(rules_vectors, tcprulescheck_v_names_the_source_line)
{
	char *bin = rules_util_top("rules/tcprulescheck/mailstack-tcprulescheck");
	char *cdb = rules_util_vector("tcprulescheck/basic.cdb");
	char *text = rules_util_vector("tcprulescheck/basic.rules");
	char *outp = rules_util_path(rules_test_tmp, "out"), *out, want[512];
	char *argv[] = { bin, "-v", cdb, text, NULL };
	char *env[] = { "TCPREMOTEIP=10.0.5.5", "TCPREMOTEHOST=a.b.example.com", NULL };

	cr_assert_eq(rules_util_run(rules_test_tmp, argv, env, NULL, outp, NULL), 0);
	out = rules_util_read(outp, NULL);
	cr_assert_not_null(out);
	snprintf(want, sizeof(want), "rule 10.0.:\nset environment variable RELAYCLIENT=@fix.me\n"
	    "allow connection\nsource %s:8: 10.0.:allow,RELAYCLIENT=/@fix.me/\n", text);
	cr_expect_str_eq(out, want);
	free(out);
	free(outp);
	free(text);
	free(cdb);
	free(bin);
}

/* Our options: -n writes nothing, -c expands CIDR, -s makes warnings
 * fatal, -f reads a file and names it in messages. */
Test(rules_vectors, tcprules_options)
{
	char *bin = rules_util_top("rules/tcprules/mailstack-tcprules");
	char *in = rules_util_path(rules_test_tmp, "in.rules");
	char *cdb = rules_util_path(rules_test_tmp, "x.cdb");
	char *errp = rules_util_path(rules_test_tmp, "err"), *err, *got;
	char *check[] = { bin, "-n", NULL };
	char *cidr[] = { bin, "-c", "x.cdb", "x.tmp", NULL };
	char *strict[] = { bin, "-s", "-f", in, "x.cdb", "x.tmp", NULL };
	size_t len;

	cr_assert_eq(rules_util_write(in, "10.0.0.0/8:deny\n", 16), 0);
	cr_expect_eq(rules_util_run(rules_test_tmp, check, NULL, in, NULL, errp), 0);
	cr_expect(!rules_util_exists(cdb), "-n wrote a cdb");
	err = rules_util_read(errp, NULL);
	cr_expect(strstr(err, "-:1:9: warning: ") != NULL, "got %s", err);
	free(err);
	cr_expect_eq(rules_util_run(rules_test_tmp, cidr, NULL, in, NULL, errp), 0);
	got = rules_util_read(cdb, &len);
	cr_assert_not_null(got);
	cr_expect(memmem(got + 2048, len - 2048, "10.", 3) != NULL, "no key 10.");
	cr_expect(memmem(got, len, "10.0.0.0/8", 10) == NULL, "the CIDR text was stored");
	free(got);
	cr_expect_eq(rules_util_run(rules_test_tmp, strict, NULL, NULL, NULL, errp), 100);
	err = rules_util_read(errp, NULL);
	cr_expect(strstr(err, "in.rules:1:9: a.b.c.d/n") != NULL, "got %s", err);
	free(err);
	free(errp);
	free(cdb);
	free(in);
	free(bin);
}

/* Ours under the drop-in's name (a symlink, as the packages' alternative
 * installs it) against the real program: same usage line, same code. */
static void
usage_matches_0_88(const char *ours_rel, const char *name, char *const *args)
{
	char *bin = rules_util_top(ours_rel);
	char *link = rules_util_path(rules_test_tmp, name);
	char *errp = rules_util_path(rules_test_tmp, "usage.err");
	char *argv[6], real[64], *want, *got;
	int i, rc_real, rc_ours;

	snprintf(real, sizeof real, "/usr/bin/%s", name);
	cr_assert_eq(symlink(bin, link), 0);
	for (i = 0; args[i] != NULL && i < 4; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	argv[0] = real;
	rc_real = rules_util_run(rules_test_tmp, argv, NULL, NULL, NULL, errp);
	want = rules_util_read(errp, NULL);
	argv[0] = link;
	rc_ours = rules_util_run(rules_test_tmp, argv, NULL, NULL, NULL, errp);
	got = rules_util_read(errp, NULL);
	cr_expect_eq(rc_ours, rc_real);
	cr_expect_eq(rc_real, 100, "the scenario: 0.88 says usage");
	cr_expect_str_eq(got, want);
	unlink(link);
	free(want);
	free(got);
	free(errp);
	free(link);
	free(bin);
}

Test(rules_vectors, usage_lines_are_0_88s)
{
	usage_matches_0_88("rules/tcprules/mailstack-tcprules", "tcprules",
	    (char *[]){ "rules.cdb", NULL });
	usage_matches_0_88("rules/tcprules/mailstack-tcprules", "tcprules",
	    (char *[]){ NULL });
	usage_matches_0_88("rules/tcprulescheck/mailstack-tcprulescheck",
	    "tcprulescheck", (char *[]){ NULL });
}
