/* packages_deb_test.c: make deb builds a .deb of configure's version that
 * holds the programs, man pages, unit, templates and conffiles, and that
 * lintian passes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "harness.h"
#include "packages_util.h"

/* dpkg-deb -c, one path a line, without the leading '.' and without the
 * target of a link. */
static char *
deb_paths(const char *deb)
{
	char *argv[] = { "dpkg-deb", "-c", (char *)deb, NULL };
	char *out, *paths, *line, *save, *q;
	size_t n = 0;

	cr_assert_eq(pkg_run(argv, PKG_TOOL_MS, &out), 0, "dpkg-deb -c: %s", out);
	paths = calloc(1, strlen(out) + 1);
	cr_assert_not_null(paths);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, " ./");

		if (p == NULL)
			continue;
		p += 2;
		if ((q = strstr(p, " -> ")) != NULL)
			*q = '\0';
		n += (size_t)sprintf(paths + n, "%s\n", p);
	}
	free(out);
	return paths;
}

Test(packages_deb, version_is_configures,
    .fini = harness_cleanup, .timeout = 180)
{
	char *deb = pkg_built("deb"), *out;
	char *argv[] = { "dpkg-deb", "-f", deb, "Version", "Package",
		"Architecture", "Depends", NULL };

	cr_assert_eq(pkg_run(argv, PKG_TOOL_MS, &out), 0, "%s", out);
	cr_expect(harness_has_line(out, "Version: " MAILSTACK_VERSION "-1"),
	    "not lib/config.h's version %s: %s", MAILSTACK_VERSION, out);
	cr_expect(harness_has_line(out, "Package: mailstack"), "%s", out);
	cr_expect_not(harness_has_line(out, "Architecture: all"), "%s", out);
	/* the service tree runs under s6; the libraries come from shlibs */
	cr_expect_not_null(strstr(out, " s6"), "no s6 in Depends: %s", out);
	cr_expect_not_null(strstr(out, "libmicrohttpd"), "no shlibs: %s", out);
	free(out);
	free(deb);
}

Test(packages_deb, lists_the_expected_files,
    .fini = harness_cleanup, .timeout = 180)
{
	char *deb = pkg_built("deb"), *paths = deb_paths(deb);
	char **want = pkg_expected_files("deb");

	pkg_expect_all(paths, want, deb);
	/* nothing of the build or the tests leaks in */
	cr_expect_null(strstr(paths, "/tests/"), "%s", paths);
	cr_expect_null(strstr(paths, "/usr/local/"), "%s", paths);
	pkg_free_list(want);
	free(paths);
	free(deb);
}

Test(packages_deb, conffiles_are_the_config,
    .fini = harness_cleanup, .timeout = 180)
{
	char *deb = pkg_built("deb"), *out;
	char *argv[] = { "dpkg-deb", "-I", deb, "conffiles", NULL };
	char **want = pkg_expected_conffiles("deb");
	size_t i, n, lines = 0;

	cr_assert_eq(pkg_run(argv, PKG_TOOL_MS, &out), 0, "%s", out);
	i = pkg_expect_all(out, want, "the conffiles");
	/* exactly those: tokens and rules.cdb are made on the host */
	for (n = 0; out[n] != '\0'; n++)
		lines += out[n] == '\n';
	cr_expect_eq(lines, i, "%zu conffiles, %zu files in packaging/dist/etc:\n%s",
	    lines, i, out);
	cr_expect_null(strstr(out, "api-token"), "%s", out);
	cr_expect_null(strstr(out, "rules.cdb"), "%s", out);
	pkg_free_list(want);
	free(out);
	free(deb);
}

Test(packages_deb, lintian_is_clean,
    .fini = harness_cleanup, .timeout = 240)
{
	char *deb = pkg_built("deb"), *out;
	char *argv[] = { "lintian", "--fail-on", "error,warning", deb, NULL };
	int code = pkg_run(argv, PKG_TOOL_MS, &out);

	cr_expect_eq(code, 0, "lintian exit %d:\n%s", code, out);
	cr_expect_null(strstr(out, "\nE: "), "%s", out);
	cr_expect_null(strstr(out, "W: "), "%s", out);
	free(out);
	free(deb);
}
