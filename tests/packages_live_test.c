/* packages_live_test.c: the .deb installed for real with dpkg -i on this
 * Debian host, and the installed system run: s6-svscan on
 * /etc/s6/mailstack, IMAP on 143 and SMTP on 25 as the mailstack user,
 * mailctl with the first-install token through mailctld.
 *
 * Nothing reaches the host: the test process moves into a private
 * network namespace (loopback only) and a private mount namespace where
 * /etc, /usr and /var are overlays whose changes land in a temporary
 * folder and /run is an empty tmpfs (so no systemd is asked to start
 * anything). At the end every process of that namespace is killed.
 * Needs root. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "packages_util.h"

#define LIVE_SCAN "/etc/s6/mailstack"
/* the listeners' per-connection program: who it runs as, then a line */
#define LIVE_SERVER \
	"#!/bin/sh\necho \"* OK pkgtest as $(id -un)\"\nexec cat >/dev/null\n"

/* An overlay on dir whose changes go to base/NAME. */
static void
live_overlay(const char *base, const char *dir)
{
	char *up, *work, *opts;

	cr_assert_neq(asprintf(&up, "%s%s.up", base, dir), -1);
	cr_assert_neq(asprintf(&work, "%s%s.work", base, dir), -1);
	cr_assert_eq(mkdir(up, 0755), 0, "%s", up);
	cr_assert_eq(mkdir(work, 0755), 0, "%s", work);
	cr_assert_neq(asprintf(&opts, "lowerdir=%s,upperdir=%s,workdir=%s", dir,
	    up, work), -1);
	cr_assert_eq(mount("overlay", dir, "overlay", 0, opts), 0,
	    "overlay on %s: %s", dir, strerror(errno));
	free(up);
	free(work);
	free(opts);
}

/* the temporary folder under the overlays, for live_fini */
static const char *live_base;

static void
live_private(void)
{
	const char *base;

	if (geteuid() != 0)
		cr_skip_test("namespaces, overlays and dpkg -i need root");
	base = harness_tmpdir();
	cr_assert_not_null(base);
	cr_assert_eq(harness_private_net(), 0, "%s", strerror(errno));
	cr_assert_eq(unshare(CLONE_NEWNS), 0, "%s", strerror(errno));
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	/* upper folders must not be on an overlay themselves (a container's
	 * root often is): a tmpfs of this namespace holds them */
	cr_assert_eq(mount("tmpfs", base, "tmpfs", 0, "mode=0755"), 0,
	    "%s", strerror(errno));
	live_base = base;
	live_overlay(base, "/etc");
	live_overlay(base, "/usr");
	live_overlay(base, "/var");
	cr_assert_eq(mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"), 0,
	    "%s", strerror(errno));
}

/* Every other process in this mount namespace: what the installed tree
 * started (s6-supervise puts each service in a session of its own). */
static void
live_kill_namespace(void)
{
	char self[64], link[64], path[64];
	struct dirent *e;
	DIR *d;
	ssize_t n;

	n = readlink("/proc/self/ns/mnt", self, sizeof(self) - 1);
	if (n <= 0 || (d = opendir("/proc")) == NULL)
		return;
	self[n] = '\0';
	while ((e = readdir(d)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0 && (link[n] = '\0', strcmp(link, self) == 0))
			kill(pid, SIGKILL);
	}
	closedir(d);
}

static void
live_fini(void)
{
	char *out = NULL;
	char *argv[] = { "s6-svscanctl", "-t", LIVE_SCAN, NULL };

	/* the tree's own way down first, then nothing may survive */
	if (geteuid() == 0 && pkg_run(argv, 5000, &out) == 0)
		harness_sleep_ms(500);
	free(out);
	live_kill_namespace();
	/* so that harness_cleanup can remove the folder itself */
	if (live_base != NULL) {
		umount2("/etc", MNT_DETACH);
		umount2("/usr", MNT_DETACH);
		umount2("/var", MNT_DETACH);
		umount2(live_base, MNT_DETACH);
	}
	harness_cleanup();
}

static void
live_write(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, mode), 0);
}

/* Connects to 127.0.0.1:port and reads the greeting line, retrying while
 * s6 brings the listener up. The socket is returned open in *fd. */
static char *
live_greeting(unsigned port, int *fd)
{
	long long deadline = harness_now_ms() + 20000;
	char buf[256];

	while (harness_now_ms() < deadline) {
		*fd = harness_connect(4, NULL, port, 1000);
		if (*fd >= 0) {
			size_t n = harness_read_upto(*fd, buf, sizeof(buf), 64,
			    HARNESS_TIMEOUT_MS);

			if (n > 0 && strchr(buf, '\n') != NULL)
				return strdup(buf);
			close(*fd);
		}
		harness_sleep_ms(200);
	}
	cr_assert_fail("no greeting on 127.0.0.1:%u within 20 s", port);
	return NULL;
}

/* mailctl ARGS... with /etc/mailstack/mailctl.conf, retried while
 * mailctld starts (exit 69: unreachable). */
static char *
live_mailctl(char *const args[])
{
	long long deadline = harness_now_ms() + 20000;
	char *argv[16] = { "/usr/bin/mailctl" }, *out = NULL;
	size_t i;
	int code = -1;

	for (i = 0; args[i] != NULL && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	while (harness_now_ms() < deadline) {
		free(out);
		code = pkg_run(argv, PKG_TOOL_MS, &out);
		if (code != 69)
			break;
		harness_sleep_ms(200);
	}
	cr_assert_eq(code, 0, "mailctl %s: exit %d: %s", args[0], code, out);
	return out;
}

/* 1 once mailctl status NAME shows reexecs n (within 20 s), else 0. */
static int
live_reexecs(char *name, long n)
{
	char *args[] = { "status", name, NULL }, want[64], *out;
	long long deadline = harness_now_ms() + 20000;
	int found = 0;

	snprintf(want, sizeof(want), "reexecs           %ld", n);
	while (!found && harness_now_ms() < deadline) {
		out = live_mailctl(args);
		found = harness_has_line(out, want);
		if (!found)
			harness_sleep_ms(200);
		free(out);
	}
	return found;
}

/* The pid s6 shows for a service once it is up with a pid other than
 * old (s6-svstat); -1 if that does not happen within 20 s. */
static long
live_pid(const char *name, long old)
{
	char *dir, *out = NULL;
	char *argv[] = { "s6-svstat", "-o", "up,pid", NULL, NULL };
	long long deadline = harness_now_ms() + 20000;
	long pid = -1;

	cr_assert_neq(asprintf(&dir, "%s/%s", LIVE_SCAN, name), -1);
	argv[3] = dir;
	while (harness_now_ms() < deadline) {
		free(out);
		if (pkg_run(argv, PKG_TOOL_MS, &out) == 0 &&
		    sscanf(out, "true %ld", &pid) == 1 && pid > 0 && pid != old)
			break;
		pid = -1;
		harness_sleep_ms(100);
	}
	free(out);
	free(dir);
	return pid;
}

Test(packages_live, dpkg_i_then_the_installed_system_runs,
    .fini = live_fini, .timeout = 240)
{
	char *deb = pkg_built("deb"), *out, *greet, *limits, *log;
	char *dpkg[] = { "dpkg", "-i", deb, NULL };
	char *svscan[] = { "/usr/bin/s6-svscan", LIVE_SCAN, NULL };
	char *who[] = { "who", "imap", NULL };
	char *who_json[] = { "--json", "who", "imap", NULL };
	FILE *f;
	char *raise[] = { "limits", "imap", "--max", "50", NULL };
	char *stop[] = { "s6-svscanctl", "-t", LIVE_SCAN, NULL };
	struct harness_proc scan;
	int imap, smtp, code;
	long pid;

	live_private();
	/* on this host's own package database: Depends must be satisfied */
	code = pkg_run(dpkg, PKG_TOOL_MS, &out);
	cr_assert_eq(code, 0, "dpkg -i exit %d:\n%s", code, out);
	free(out);
	live_write("/etc/mailstack/imap/server", LIVE_SERVER, 0755);
	live_write("/etc/mailstack/smtp/server", LIVE_SERVER, 0755);
	cr_assert_eq(harness_spawn(&scan, "/tmp", svscan, pkg_environ(), NULL), 0);

	/* the listeners serve as the service user, after binding 143/25 */
	greet = live_greeting(143, &imap);
	cr_expect(strncmp(greet, "* OK pkgtest as mailstack", 25) == 0, "%s", greet);
	free(greet);
	greet = live_greeting(25, &smtp);
	cr_expect(strncmp(greet, "* OK pkgtest as mailstack", 25) == 0, "%s", greet);
	free(greet);

	/* mailctl as root: the token made on install, mailctld as mailstack
	 * reading the listeners' control sockets and writing the limits */
	out = live_mailctl(who);
	cr_expect_not_null(strstr(out, "127.0.0.1"), "%s", out);
	free(out);
	free(live_mailctl(raise));
	limits = harness_read_file("/etc/mailstack/imap/limits", NULL);
	cr_assert_not_null(limits);
	cr_expect(harness_has_line(limits, "max_connections=50"), "%s", limits);
	cr_expect(harness_readable(imap, 0) == 0, "the session was dropped");

	/* the loggers write where the layout says */
	log = harness_read_file("/var/log/mailstack/imap/current", NULL);
	cr_expect(log != NULL && strstr(log, "tcpserver") != NULL, "%s", log);

	/* an upgrade re-execs each listener in place (the run script is the
	 * same): the same process, the session kept and still counted */
	pid = live_pid("imap", 0);
	cr_assert_gt(pid, 0, "imap is not up");
	code = pkg_run(dpkg, PKG_TOOL_MS, &out);
	cr_assert_eq(code, 0, "dpkg -i again: exit %d:\n%s", code, out);
	free(out);
	cr_expect(live_reexecs("imap", 1), "the listener did not re-exec");
	cr_expect_eq(live_pid("imap", 0), pid, "the upgrade replaced the listener process");
	cr_expect(harness_readable(imap, 500) == 0, "the upgrade ended a session");
	out = live_mailctl(who);
	cr_expect_not_null(strstr(out, "127.0.0.1"), "the session is no longer counted: %s", out);
	free(out);

	/* changed settings need the new run script: a new listener through
	 * s6, which adopts the session of the old one */
	f = fopen("/etc/mailstack/services", "a");
	cr_assert_not_null(f);
	fputs("BACKLOG=2048\n", f);
	cr_assert_eq(fclose(f), 0);
	code = pkg_run(dpkg, PKG_TOOL_MS, &out);
	cr_assert_eq(code, 0, "dpkg -i with new settings: exit %d:\n%s", code, out);
	free(out);
	cr_expect_gt(live_pid("imap", pid), 0, "the listener did not start again");
	cr_expect(harness_readable(imap, 500) == 0, "the restart ended a session");
	out = live_mailctl(who_json);
	cr_expect_not_null(strstr(out, "\"ip\":\"127.0.0.1\""), "%s", out);
	cr_expect_not_null(strstr(out, "\"adopted\":1"), "the session was not adopted: %s", out);
	free(out);

	/* taking everything down on purpose ends the sessions too */
	out = NULL;
	cr_assert_eq(pkg_run(stop, PKG_TOOL_MS, &out), 0, "%s", out);
	free(out);
	cr_expect_eq(harness_wait_exit(&scan, 20000), 0, "s6-svscan did not exit");
	cr_expect(harness_readable(imap, 10000) == 1,
	    "the IMAP session outlived the stop");
	close(imap);
	close(smtp);
	free(log);
	free(limits);
	free(deb);
}

/* The RPM's scriptlets for real (on Debian: rpm's own database, empty, so
 * --nodeps): %post runs setup, an erase removes the service tree and
 * keeps the configuration and the token. */
Test(packages_live, rpm_i_then_rpm_e, .fini = live_fini, .timeout = 240)
{
	char *rpm = pkg_built("rpm"), *out, *passwd;
	char *install[] = { "rpm", "-i", "--nodeps", "--force-debian", rpm, NULL };
	char *erase[] = { "rpm", "-e", "--nodeps", "--force-debian", "mailstack",
		NULL };
	struct stat st;
	int code;

	live_private();
	code = pkg_run(install, PKG_TOOL_MS, &out);
	cr_assert_eq(code, 0, "rpm -i exit %d:\n%s", code, out);
	free(out);
	passwd = harness_read_file("/etc/passwd", NULL);
	cr_expect_not_null(strstr(passwd, "\nmailstack:"), "no user mailstack");
	free(passwd);
	cr_assert_eq(stat("/etc/mailstack/api-token", &st), 0, "no admin token");
	cr_expect_eq(st.st_mode & 07777, 0600);
	cr_expect_eq(stat(LIVE_SCAN "/imap/run", &st), 0, "no service tree");
	cr_expect_eq(stat("/etc/mailstack/smtp/rules.cdb", &st), 0);

	code = pkg_run(erase, PKG_TOOL_MS, &out);
	cr_assert_eq(code, 0, "rpm -e exit %d:\n%s", code, out);
	free(out);
	cr_expect_neq(stat("/usr/sbin/mailstack-tcpserver", &st), 0);
	cr_expect_neq(stat(LIVE_SCAN, &st), 0, "the service tree is left");
	cr_expect_eq(stat("/etc/mailstack/api-token", &st), 0,
	    "the erase took the token");
	free(rpm);
}
