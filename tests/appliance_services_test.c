/* appliance_services_test.c: packaging/s6/mailstack-mkservices writes the
 * system's service tree (the packages' defaults) and a tree for other
 * paths: every placeholder filled in, scripts executable and valid sh,
 * the listeners with their presets, limits, rules and user. */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "appliance_util.h"

TestSuite(appliance_services, .fini = appliance_fini, .timeout = 120);

static const char *const files[] = { "run", "finish", "notification-fd", "log/run",
	"log/notification-fd" };

static int
mkservices(const char *scan, const char *const *settings, char **out)
{
	char bin[512];
	const char *argv[16];
	size_t n = 0;

	snprintf(bin, sizeof(bin), "%s/packaging/s6/mailstack-mkservices",
	    getenv("MAILSTACK_TOP"));
	argv[n++] = bin;
	argv[n++] = scan;
	for (; *settings != NULL && n < 15; settings++)
		argv[n++] = *settings;
	argv[n] = NULL;
	return appliance_run(argv, out);
}

/* scan/service/name's text, checked complete: no @PLACEHOLDER@ left, and
 * a script executable and accepted by sh -n. */
static char *
service_file(const char *scan, const char *service, const char *name)
{
	char path[512], *text, *out = NULL;
	const char *sh[] = { "/bin/sh", "-n", path, NULL };
	regex_t re;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/%s", scan, service, name);
	cr_assert_eq(stat(path, &st), 0, "no %s", path);
	cr_assert_not_null(text = harness_read_file(path, NULL));
	cr_assert_eq(regcomp(&re, "@[A-Z_]+@", REG_EXTENDED | REG_NOSUB), 0);
	cr_assert_neq(regexec(&re, text, 0, NULL, 0), 0, "%s keeps a placeholder:\n%s",
	    path, text);
	regfree(&re);
	if (strncmp(text, "#!/bin/sh", 9) == 0) {
		cr_assert_eq(st.st_mode & 0111, 0111, "%s is not executable", path);
		cr_assert_eq(appliance_run(sh, &out), 0, "sh -n %s: %s", path, out);
		free(out);
	} else {
		cr_assert_str_eq(text, "3\n", "%s", path);
	}
	return text;
}

static void
assert_has(const char *text, const char *want)
{
	cr_assert_not_null(strstr(text, want), "no \"%s\" in:\n%s", want, text);
}

Test(appliance_services, the_system_tree_has_the_installed_paths_and_user)
{
	char scan[400], *out = NULL, *t;

	snprintf(scan, sizeof(scan), "%s/scan", harness_tmpdir());
	cr_assert_eq(mkservices(scan, CTL_ARGS("LOCALNAME=mx.example.test"), &out), 0, "%s", out);
	free(out);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		free(service_file(scan, "imap", files[i]));
		free(service_file(scan, "smtp", files[i]));
	}
	t = service_file(scan, "imap", "run");
	assert_has(t, "exec /usr/sbin/mailstack-tcpserver -v -H -R -l mx.example.test -m imap -w 3 -b 1024 -u mailstack -g mailstack");
	assert_has(t, "-s /run/mailstack/imap.sock -f /etc/mailstack/imap/limits");
	assert_has(t, "-x /etc/mailstack/imap/rules.cdb 0 143 \"$server\"");
	assert_has(t, "s6-svperms -G mailstack .");
	free(t);
	t = service_file(scan, "smtp", "run");
	assert_has(t, "-m smtp -w 3 -b 1024 ");
	assert_has(t, "-x /etc/mailstack/smtp/rules.cdb 0 25 ");
	free(t);
	t = service_file(scan, "smtp", "log/run");
	assert_has(t, "s6-setuidgid mailstack s6-log -d 3 -b -- n10 s1000000 T /var/log/mailstack/smtp");
	free(t);
	t = service_file(scan, "mailctld", "run");
	assert_has(t, "s6-setuidgid mailstack /usr/sbin/mailctld -1 -f /etc/mailstack/mailctld.conf >&3");
	free(t);
	free(service_file(scan, "mailctld", "log/run"));
}

Test(appliance_services, other_paths_no_user_and_unknown_keys)
{
	char scan[400], *out = NULL, *t;

	snprintf(scan, sizeof(scan), "%s/scan", harness_tmpdir());
	cr_assert_eq(mkservices(scan, CTL_ARGS("USER=", "CONFDIR=/srv/ms-etc",
	    "RUNDIR=/srv/a&b|c", "IMAP_ADDR=127.0.0.1", "IMAP_PORT=1143"), &out), 0, "%s", out);
	free(out);
	t = service_file(scan, "imap", "run");
	cr_assert_null(strstr(t, " -u "), "%s", t);
	cr_assert_null(strstr(t, "s6-svperms"), "%s", t);
	assert_has(t, "-s /srv/a&b|c/imap.sock -f /srv/ms-etc/imap/limits");
	assert_has(t, " 127.0.0.1 1143 ");
	free(t);
	t = service_file(scan, "imap", "log/run");
	cr_assert_null(strstr(t, "s6-setuidgid"), "%s", t);
	free(t);

	cr_assert_eq(mkservices(scan, CTL_ARGS("PORT=1"), &out), 100, "%s", out);
	assert_has(out, "unknown setting PORT=1");
	free(out);
}

/* BACKLOG=N reaches both listeners' -b; a value the listener or the kernel
 * would not take as meant is refused before anything is written, and one
 * above net.core.somaxconn is written with a warning that the kernel caps it. */
Test(appliance_services, backlog_is_a_setting_checked_before_writing)
{
	static const char *const bad[] = { "BACKLOG=", "BACKLOG=abc", "BACKLOG=0",
		"BACKLOG=-5", "BACKLOG=0100", "BACKLOG=65536", "BACKLOG=1024x",
		"BACKLOG=99999999999999999999" };
	char scan[400], arg[64], *out = NULL, *t;
	unsigned long max;
	struct stat st;

	snprintf(scan, sizeof(scan), "%s/scan", harness_tmpdir());
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(mkservices(scan, CTL_ARGS(bad[i]), &out), 100, "%s: %s", bad[i], out);
		assert_has(out, "mailstack-mkservices: fatal: BACKLOG must be a whole number from 1 to 65535: ");
		assert_has(out, bad[i]);
		free(out);
		cr_assert_neq(stat(scan, &st), 0, "%s: %s was made", bad[i], scan);
	}
	cr_assert_eq(mkservices(scan, CTL_ARGS("BACKLOG=1"), &out), 0, "%s", out);
	free(out);
	t = service_file(scan, "imap", "run");
	assert_has(t, " -w 3 -b 1 -u mailstack ");
	free(t);
	t = harness_read_file("/proc/sys/net/core/somaxconn", NULL);
	cr_assert_not_null(t);
	max = strtoul(t, NULL, 10);
	free(t);
	cr_assert_geq(max, 1, "somaxconn %lu", max);
	if (max >= 65535)
		return;	/* no value above it is a valid setting */
	snprintf(arg, sizeof(arg), "BACKLOG=%lu", max + 1);
	cr_assert_eq(mkservices(scan, CTL_ARGS(arg), &out), 0, "%s", out);
	snprintf(arg, sizeof(arg), "warning: BACKLOG=%lu is above net.core.somaxconn (%lu):"
	    " the kernel makes it %lu", max + 1, max, max);
	assert_has(out, arg);
	free(out);
	t = service_file(scan, "smtp", "run");
	snprintf(arg, sizeof(arg), " -b %lu ", max + 1);
	assert_has(t, arg);
	free(t);
}
