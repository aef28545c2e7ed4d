/* packages_rpm_test.c: make rpm builds an RPM of configure's version that
 * holds the same files in the EL layout, marks the config
 * %config(noreplace), runs the setup script, and that rpmlint passes with
 * packaging/rpm/rpmlint.toml. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "harness.h"
#include "packages_util.h"

/* rpm -qp with a query option, its output; fails the test unless rpm
 * answers. */
static char *
rpm_query(const char *rpm, const char *opt, const char *arg)
{
	char *argv[] = { "rpm", "-qp", (char *)opt, (char *)arg, NULL, NULL };
	char *out;
	int code;

	if (arg == NULL)
		argv[3] = (char *)rpm;
	else
		argv[4] = (char *)rpm;
	code = pkg_run(argv, PKG_TOOL_MS, &out);
	cr_assert_eq(code, 0, "rpm -qp %s: exit %d: %s", opt, code, out);
	return out;
}

Test(packages_rpm, version_is_configures,
    .fini = harness_cleanup, .timeout = 180)
{
	char *rpm = pkg_built("rpm");
	char *out = rpm_query(rpm, "--qf", "%{NAME} %{VERSION}-%{RELEASE}\n");

	cr_expect(strncmp(out, "mailstack " MAILSTACK_VERSION "-1",
	    strlen("mailstack " MAILSTACK_VERSION "-1")) == 0,
	    "not lib/config.h's version %s: %s", MAILSTACK_VERSION, out);
	free(out);
	out = rpm_query(rpm, "--requires", NULL);
	cr_expect(harness_has_line(out, "s6"), "no Requires: s6:\n%s", out);
	free(out);
	free(rpm);
}

Test(packages_rpm, lists_the_expected_files,
    .fini = harness_cleanup, .timeout = 180)
{
	char *rpm = pkg_built("rpm"), *out = rpm_query(rpm, "-l", NULL);
	char **want = pkg_expected_files("rpm");

	pkg_expect_all(out, want, rpm);
	cr_expect_null(strstr(out, "/usr/local/"), "%s", out);
	pkg_free_list(want);
	free(out);
	free(rpm);
}

Test(packages_rpm, config_is_noreplace,
    .fini = harness_cleanup, .timeout = 180)
{
	char *rpm = pkg_built("rpm");
	char *out = rpm_query(rpm, "--qf",
	    "[%{FILEFLAGS:fflags} %{FILENAMES}\n]");
	char **want = pkg_expected_conffiles("rpm"), *line;
	size_t i;

	/* "cn": %config(noreplace) */
	for (i = 0; want[i] != NULL; i++) {
		cr_assert_neq(asprintf(&line, "cn %s", want[i]), -1);
		cr_expect(harness_has_line(out, line), "%s is not %%config(noreplace):\n%s",
		    want[i], out);
		free(line);
	}
	pkg_free_list(want);
	free(out);
	free(rpm);
}

Test(packages_rpm, scriptlets_run_setup_and_systemd,
    .fini = harness_cleanup, .timeout = 180)
{
	char *rpm = pkg_built("rpm"), *out = rpm_query(rpm, "--scripts", NULL);

	cr_expect_not_null(strstr(out, "/usr/libexec/mailstack/setup configure"),
	    "%s", out);
	cr_expect_not_null(strstr(out, "mailstack.service"), "%s", out);
	free(out);
	free(rpm);
}

Test(packages_rpm, rpmlint_is_clean,
    .fini = harness_cleanup, .timeout = 180)
{
	char *rpm = pkg_built("rpm"), *out, *toml, *spec;
	char *argv[] = { "rpmlint", "-c", NULL, NULL, rpm, NULL };
	int code;

	cr_assert_neq(asprintf(&toml, "%s/packaging/rpm/rpmlint.toml", pkg_top()), -1);
	cr_assert_neq(asprintf(&spec, "%s/rpm/rpmbuild/SPECS/mailstack.spec",
	    pkg_out()), -1);
	argv[2] = toml;
	argv[3] = spec;
	code = pkg_run(argv, PKG_TOOL_MS, &out);
	cr_expect_eq(code, 0, "rpmlint exit %d:\n%s", code, out);
	cr_expect_not_null(strstr(out, " 0 errors, 0 warnings"), "%s", out);
	free(out);
	free(toml);
	free(spec);
	free(rpm);
}
