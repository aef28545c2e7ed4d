/* packages_root_test.c: the .deb installs, upgrades, and is removed and
 * purged in a throwaway root, with the real maintainer scripts.
 *
 * How: dpkg --root=T --force-script-chrootless runs the scripts on this
 * host with DPKG_ROOT=T, which they (and debhelper's parts) honour; the
 * user is added to T/etc/passwd by useradd --prefix; T's policy-rc.d
 * forbids starting anything. Needs root (dpkg's ownership, useradd). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "packages_util.h"

static char *
root_path(const char *root, const char *rel)
{
	char *p;

	cr_assert_neq(asprintf(&p, "%s%s", root, rel), -1);
	return p;
}

static void
root_file(const char *root, const char *rel, const char *text, mode_t mode)
{
	char *p = root_path(root, rel);
	FILE *f = fopen(p, "w");

	cr_assert_not_null(f, "%s", p);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(p, mode), 0);
	free(p);
}

/* A root with what dpkg --root and useradd --prefix need, and nothing of
 * this host's. */
static const char *
root_make(void)
{
	static const char *const dirs[] = { "/var", "/var/lib", "/var/lib/dpkg",
		"/var/lib/dpkg/info", "/var/lib/dpkg/updates", "/etc", "/usr",
		"/usr/sbin", NULL };
	const char *root;
	size_t i;

	if (geteuid() != 0)
		cr_skip_test("dpkg --root and useradd --prefix need root");
	root = harness_tmpdir();
	cr_assert_not_null(root);
	for (i = 0; dirs[i] != NULL; i++) {
		char *p = root_path(root, dirs[i]);

		cr_assert_eq(mkdir(p, 0755), 0, "%s", p);
		free(p);
	}
	root_file(root, "/var/lib/dpkg/status", "", 0644);
	root_file(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
	root_file(root, "/etc/group", "root:x:0:\n", 0644);
	root_file(root, "/usr/sbin/policy-rc.d", "#!/bin/sh\nexit 101\n", 0755);
	return root;
}

/* dpkg --root=ROOT ACTION ARG; its exit code, its output in *out. */
static int
root_dpkg(const char *root, const char *action, const char *arg, char **out)
{
	char *r = root_path("--root=", root), *log = root_path(root, "/dpkg.log");
	char *l = root_path("--log=", log);
	char *argv[] = { "dpkg", r, l, "--force-script-chrootless",
		"--force-not-root", "--force-depends", (char *)action,
		(char *)arg, NULL };
	int code = pkg_run(argv, PKG_TOOL_MS, out);

	free(r);
	free(log);
	free(l);
	return code;
}

static void
root_install(const char *root)
{
	char *deb = pkg_built("deb"), *out;
	int code;

	code = root_dpkg(root, "-i", deb, &out);
	cr_assert_eq(code, 0, "dpkg -i exit %d:\n%s", code, out);
	free(out);
	free(deb);
}

static char *
root_read(const char *root, const char *rel)
{
	char *p = root_path(root, rel), *text = harness_read_file(p, NULL);

	free(p);
	return text;
}

static int
root_exists(const char *root, const char *rel)
{
	char *p = root_path(root, rel);
	struct stat st;
	int r = lstat(p, &st) == 0;

	free(p);
	return r;
}

/* The mode and owner of ROOT/rel. */
static struct stat
root_stat(const char *root, const char *rel)
{
	char *p = root_path(root, rel);
	struct stat st;

	cr_assert_eq(lstat(p, &st), 0, "%s is missing", p);
	free(p);
	return st;
}

/* The uid of mailstack in ROOT/etc/passwd, and its line in *line. */
static uid_t
root_uid(const char *root)
{
	char *pw = root_read(root, "/etc/passwd"), *line;
	unsigned uid;

	cr_assert_not_null(pw);
	line = strstr(pw, "\nmailstack:");
	cr_assert_not_null(line, "no user mailstack in the root:\n%s", pw);
	cr_assert_eq(sscanf(line, "\nmailstack:%*[^:]:%u:", &uid), 1, "%s", pw);
	cr_expect_not_null(strstr(line, ":/var/lib/mailstack:/usr/sbin/nologin\n"),
	    "%s", pw);
	free(pw);
	return uid;
}

/* The SHA-256 of s as mailctld stores it: sha256sum's hex. */
static char *
sha256_hex(const char *s)
{
	char *argv[] = { "sh", "-c", NULL, NULL }, *script, *out;

	cr_assert_neq(asprintf(&script, "printf %%s '%s' | sha256sum", s), -1);
	argv[2] = script;
	cr_assert_eq(pkg_run(argv, PKG_TOOL_MS, &out), 0, "%s", out);
	cr_assert_geq(strlen(out), 64);
	out[64] = '\0';
	free(script);
	return out;
}

Test(packages_root, install_makes_user_folders_token_rules,
    .fini = harness_cleanup, .timeout = 180)
{
	const char *root = root_make();
	char *token, *tokens, *line, *hex, *out, *cdb, *group, *run;
	struct stat st;
	char *argv[] = { "env", "TCPREMOTEIP=127.0.0.1", "tcprulescheck", NULL,
		NULL };
	uid_t uid;
	size_t n;

	root_install(root);
	uid = root_uid(root);
	group = root_read(root, "/etc/group");
	cr_expect_not_null(strstr(group, "\nmailstack:"), "%s", group);
	free(group);

	/* the admin token: 32 random bytes in hex, root only; its hash in
	 * the tokens file, which mailctld (as mailstack) reads */
	token = root_read(root, "/etc/mailstack/api-token");
	cr_assert_not_null(token);
	n = strspn(token, "0123456789abcdef");
	cr_expect(n == 64 && strcmp(token + n, "\n") == 0, "token: '%s'", token);
	st = root_stat(root, "/etc/mailstack/api-token");
	cr_expect(st.st_uid == 0 && (st.st_mode & 07777) == 0600);
	st = root_stat(root, "/etc/mailstack/api-tokens");
	cr_expect(st.st_uid == uid && (st.st_mode & 07777) == 0600);
	token[n] = '\0';
	hex = sha256_hex(token);
	tokens = root_read(root, "/etc/mailstack/api-tokens");
	cr_assert_neq(asprintf(&line, "admin admin sha256:%s", hex), -1);
	cr_expect(harness_has_line(tokens, line), "%s not in:\n%s", line, tokens);

	/* folders of the layout, the service user's */
	cr_expect_eq(root_stat(root, "/var/lib/mailstack").st_uid, uid);
	cr_expect_eq(root_stat(root, "/var/log/mailstack/imap").st_uid, uid);
	cr_expect_eq(root_stat(root, "/etc/mailstack/smtp").st_uid, uid);
	cr_expect_eq(root_stat(root, "/run/mailstack").st_mode & 07777, 0750);

	/* the SMTP rules compiled: loopback relays, as in tcp.smtp */
	cdb = root_path(root, "/etc/mailstack/smtp/rules.cdb");
	argv[3] = cdb;
	cr_expect_eq(pkg_run(argv, PKG_TOOL_MS, &out), 0, "%s", out);
	cr_expect(harness_has_line(out, "set environment variable RELAYCLIENT="),
	    "%s", out);
	free(out);
	/* the s6 service tree for the installed paths, the listeners
	 * dropping to the service user */
	run = root_read(root, "/etc/s6/mailstack/imap/run");
	cr_assert_not_null(run, "no service tree in /etc/s6/mailstack");
	cr_expect_not_null(strstr(run, "/usr/sbin/mailstack-tcpserver"), "%s", run);
	cr_expect_not_null(strstr(run, "-x /etc/mailstack/imap/rules.cdb"), "%s", run);
	cr_expect_not_null(strstr(run, "-u mailstack"), "%s", run);
	cr_expect_not_null(strstr(run, " 143 "), "%s", run);
	cr_expect_not_null(strstr(run, " -b 1024 "), "the services file's BACKLOG: %s", run);
	cr_expect(root_stat(root, "/etc/s6/mailstack/imap/run").st_mode & 0100);
	free(run);
	run = root_read(root, "/etc/s6/mailstack/smtp/log/run");
	cr_assert_not_null(run);
	cr_expect_not_null(strstr(run, "/var/log/mailstack/smtp"), "%s", run);
	free(run);
	cr_expect(root_exists(root, "/etc/s6/mailstack/mailctld/run"));

	/* enabled for systemd, inside the root only */
	cr_expect(root_exists(root,
	    "/etc/systemd/system/multi-user.target.wants/mailstack.service"));
	free(cdb);
	free(line);
	free(hex);
	free(tokens);
	free(token);
}

Test(packages_root, upgrade_keeps_token_and_edited_config,
    .fini = harness_cleanup, .timeout = 180)
{
	const char *root = root_make();
	char *token, *tokens, *limits, *again, *deb, *out, *p;
	FILE *f;

	root_install(root);
	token = root_read(root, "/etc/mailstack/api-token");
	tokens = root_read(root, "/etc/mailstack/api-tokens");
	p = root_path(root, "/etc/mailstack/imap/limits");
	f = fopen(p, "a");
	cr_assert_not_null(f);
	fputs("# raised by the admin\n", f);
	cr_assert_eq(fclose(f), 0);
	limits = root_read(root, "/etc/mailstack/imap/limits");
	free(p);
	p = root_path(root, "/etc/mailstack/services");
	f = fopen(p, "a");
	cr_assert_not_null(f);
	fputs("IMAP_PORT=1143\nBACKLOG=2048\n", f);
	cr_assert_eq(fclose(f), 0);

	/* the same version again is what dpkg does on an upgrade */
	deb = pkg_built("deb");
	cr_assert_eq(root_dpkg(root, "-i", deb, &out), 0, "%s", out);
	again = root_read(root, "/etc/mailstack/api-token");
	cr_expect_str_eq(again, token, "the admin token was replaced");
	free(again);
	again = root_read(root, "/etc/mailstack/api-tokens");
	cr_expect_str_eq(again, tokens, "the tokens file changed");
	free(again);
	again = root_read(root, "/etc/mailstack/imap/limits");
	cr_expect_str_eq(again, limits, "the edited conffile was replaced");
	free(again);
	/* the run scripts are made again with the admin's settings */
	again = root_read(root, "/etc/s6/mailstack/imap/run");
	cr_assert_not_null(again);
	cr_expect_not_null(strstr(again, " 1143 "), "%s", again);
	cr_expect_not_null(strstr(again, " -b 2048 "), "%s", again);
	free(again);
	free(out);
	free(deb);
	free(p);
	free(limits);
	free(tokens);
	free(token);
}

Test(packages_root, remove_keeps_config_purge_removes_it,
    .fini = harness_cleanup, .timeout = 180)
{
	static const char *const gone[] = { "/etc/mailstack", "/var/lib/mailstack",
		"/var/log/mailstack", "/run/mailstack", "/etc/s6",
		"/etc/systemd/system/multi-user.target.wants/mailstack.service",
		NULL };
	const char *root = root_make();
	char *out;
	size_t i;

	root_install(root);
	cr_assert_eq(root_dpkg(root, "-r", "mailstack", &out), 0, "%s", out);
	free(out);
	cr_expect_not(root_exists(root, "/usr/sbin/mailstack-tcpserver"));
	cr_expect(root_exists(root, "/etc/mailstack/api-token"),
	    "remove (not purge) lost the admin token");
	cr_expect(root_exists(root, "/etc/mailstack/mailctld.conf"));

	cr_assert_eq(root_dpkg(root, "-P", "mailstack", &out), 0, "%s", out);
	free(out);
	for (i = 0; gone[i] != NULL; i++)
		cr_expect_not(root_exists(root, gone[i]), "%s is left after purge",
		    gone[i]);
	/* Debian policy: the system user stays */
	root_uid(root);
	cr_expect_neq(root_dpkg(root, "-s", "mailstack", &out), 0,
	    "still known to dpkg:\n%s", out);
	free(out);
}
