/* appliance_util.c: the real demo as a test fixture (see appliance_util.h). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appliance_util.h"

#define APPLIANCE_MAX_PIDS 256

static char env_text[6][400];
static char *env_ptrs[7];
/* the folder of a demo still running, for appliance_fini */
static char running_dir[300];

static char *const *
appliance_envp(void)
{
	for (int i = 0; i < 6; i++)
		env_ptrs[i] = env_text[i];
	env_ptrs[6] = NULL;
	return env_ptrs;
}

int
appliance_run(const char *const *argv, char **out)
{
	struct harness_opts o = HARNESS_OPTS_ZERO;
	char *err = NULL;
	int code;

	code = harness_exit_code(harness_run(harness_tmpdir(), (char *const *)argv,
	    appliance_envp(), &o, HARNESS_TIMEOUT_MS * 6, out, &err));
	if (out != NULL && *out != NULL && err != NULL) {
		char *both;

		cr_assert_geq(asprintf(&both, "%s%s", *out, err), 0);
		free(*out);
		*out = both;
	}
	free(err);
	return code;
}

static int
demo_script(const char *script, char **out)
{
	char path[512];
	const char *argv[] = { path, NULL };

	snprintf(path, sizeof(path), "%s/packaging/demo/%s", getenv("MAILSTACK_TOP"), script);
	return appliance_run(argv, out);
}

static void
read_secret(const char *dir, const char *name, char *buf, size_t cap)
{
	char path[400], *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(text = harness_read_file(path, NULL), "no %s", path);
	text[strcspn(text, "\n")] = '\0';
	cr_assert_gt(strlen(text), 0, "%s is empty", path);
	snprintf(buf, cap, "%s", text);
	free(text);
}

/* Three ports the kernel hands out, released for the demo to bind. */
static void
free_ports(struct appliance *a)
{
	unsigned *port[] = { &a->api_port, &a->imap_port, &a->smtp_port };
	int fd[3];

	for (int i = 0; i < 3; i++) {
		cr_assert_geq(fd[i] = harness_bind_loopback(SOCK_STREAM, 0), 0);
		*port[i] = (unsigned)harness_local_port(fd[i]);
	}
	for (int i = 0; i < 3; i++)
		close(fd[i]);
}

/* sock (sun_path sized): dir/run/service.sock. */
static void
sock_path(char *sock, size_t cap, const char *dir, const char *service)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/run/%s.sock", dir, service);
	cr_assert_lt(strlen(path), cap, "%s is too long for a socket", path);
	memcpy(sock, path, strlen(path) + 1);
}

void
appliance_start(struct appliance *a)
{
	static const char *need[] = { "/usr/bin/s6-svscan", "/usr/bin/imapd",
	    "/usr/sbin/imapfront-auth", "/usr/bin/cvm-pwfile", "/usr/sbin/exim4", NULL };
	char *out = NULL;

	for (int i = 0; need[i] != NULL; i++)
		if (access(need[i], X_OK) != 0)
			cr_skip_test("%s is missing (see packaging/packages.txt)", need[i]);
	memset(a, 0, sizeof(*a));
	/* the mail daemons run as nobody and pass through to the mailbox */
	cr_assert_eq(chmod(harness_tmpdir(), 0711), 0);
	snprintf(a->dir, sizeof(a->dir), "%s/demo", harness_tmpdir());
	free_ports(a);
	snprintf(env_text[0], sizeof(env_text[0]), "PATH=/usr/bin:/bin:/usr/sbin:/sbin");
	snprintf(env_text[1], sizeof(env_text[1]), "HOME=%s", harness_tmpdir());
	snprintf(env_text[2], sizeof(env_text[2]), "DEMO_DIR=%s", a->dir);
	snprintf(env_text[3], sizeof(env_text[3]), "DEMO_API_PORT=%u", a->api_port);
	snprintf(env_text[4], sizeof(env_text[4]), "DEMO_IMAP_PORT=%u", a->imap_port);
	snprintf(env_text[5], sizeof(env_text[5]), "DEMO_SMTP_PORT=%u", a->smtp_port);
	snprintf(running_dir, sizeof(running_dir), "%s", a->dir);
	cr_assert_eq(demo_script("demo-start", &out), 0, "demo-start: %s", out);
	cr_assert_not_null(strstr(out, "mailctl who imap"), "the commands to try: %s", out);
	free(out);
	read_secret(a->dir, "password", a->password, sizeof(a->password));
	read_secret(a->dir, "api-token", a->s.admin, sizeof(a->s.admin));
	read_secret(a->dir, "api-token-ro", a->s.reader, sizeof(a->s.reader));
	snprintf(a->s.url, sizeof(a->s.url), "http://127.0.0.1:%u", a->api_port);
	sock_path(a->s.sock, sizeof(a->s.sock), a->dir, "imap");
	a->s.dir = harness_tmpdir();
}

/* pid's session id and whether it still runs (not a zombie); 0 when gone. */
static long
proc_session(long pid, int *running)
{
	char path[64], *stat, *p;
	long sid = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	*running = 0;
	if ((stat = harness_read_file(path, NULL)) == NULL)
		return 0;
	/* pid (comm) state ppid pgrp session ... */
	if ((p = strrchr(stat, ')')) != NULL && p[1] == ' ') {
		*running = p[2] != 'Z';
		sscanf(p + 3, "%*d %*d %ld", &sid);
	}
	free(stat);
	return sid;
}

/* Does /proc/pid/what (cmdline, environ: NUL-separated) hold text? */
static int
proc_mentions(long pid, const char *what, const char *text)
{
	char path[64], *p;
	size_t len;
	int r = 0;

	snprintf(path, sizeof(path), "/proc/%ld/%s", pid, what);
	if ((p = harness_read_file(path, &len)) == NULL)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (p[i] == '\0')
			p[i] = '\n';
	/* a text starting with a newline may also open the file */
	r = strstr(p, text) != NULL ||
	    (text[0] == '\n' && strncmp(p, text + 1, strlen(text + 1)) == 0);
	free(p);
	return r;
}

/* "GAM_CLIENT_ID=ID\n", the demo's name for courier imapd's FAM server,
 * which leads a session of its own. */
static void
demo_fam_id(const struct appliance *a, char *buf, size_t cap)
{
	char path[400], *id;

	snprintf(path, sizeof(path), "%s/etc/imap/gam-client-id", a->dir);
	cr_assert_not_null(id = harness_read_file(path, NULL), "no %s", path);
	id[strcspn(id, "\n")] = '\0';
	snprintf(buf, cap, "\nGAM_CLIENT_ID=%s\n", id);
	free(id);
}

/* The session ids the demo started: s6-svscan's and each listener's. */
static size_t
demo_sessions(const struct appliance *a, long *sid, size_t cap)
{
	const char *names[] = { "svscan.pid", "run/imap.sessions", "run/smtp.sessions", NULL };
	size_t n = 0;

	for (int i = 0; names[i] != NULL; i++) {
		char path[400], *text, *p, *end, *next;

		snprintf(path, sizeof(path), "%s/%s", a->dir, names[i]);
		if ((text = harness_read_file(path, NULL)) == NULL)
			continue;
		/* a pid a line, or "ID START" lines: the first number of each */
		for (p = text; n < cap && *p != '\0'; p = next) {
			size_t len = strcspn(p, "\n");
			long v = strtol(p, &end, 10);

			next = p + len + (p[len] != '\0');
			if (end != p)
				sid[n++] = v;
		}
		free(text);
	}
	return n;
}

/* Every running process of the demo: in one of its sessions, or naming
 * its folder (the loggers, listeners and mailctld lead sessions of their
 * own), or its FAM server. */
static size_t
demo_processes(const struct appliance *a, long *pid, size_t cap)
{
	long sid[64];
	size_t nsid = demo_sessions(a, sid, 64), n = 0;
	char fam[128];
	DIR *d = opendir("/proc");
	struct dirent *e;

	cr_assert_not_null(d);
	demo_fam_id(a, fam, sizeof(fam));
	while ((e = readdir(d)) != NULL && n < cap) {
		long p = strtol(e->d_name, NULL, 10);
		int running, mine;
		long s;

		if (p <= 1 || p == (long)getpid())
			continue;
		s = proc_session(p, &running);
		mine = running && (proc_mentions(p, "cmdline", a->dir) ||
		    proc_mentions(p, "environ", fam));
		for (size_t i = 0; running && !mine && i < nsid; i++)
			mine = s == sid[i];
		if (mine)
			pid[n++] = p;
	}
	closedir(d);
	return n;
}

void
appliance_stop(struct appliance *a)
{
	long pid[APPLIANCE_MAX_PIDS];
	size_t n = demo_processes(a, pid, APPLIANCE_MAX_PIDS);
	char *out = NULL;
	int running;

	/* s6-svscan, 6 supervisors, 3 loggers, 2 listeners and mailctld */
	cr_assert_geq(n, 13, "only %zu processes of the demo found", n);
	cr_assert_eq(demo_script("demo-stop", &out), 0, "demo-stop: %s", out);
	cr_assert_not_null(strstr(out, "demo: stopped"), "%s", out);
	free(out);
	running_dir[0] = '\0';
	/* a process killed at the end may take a moment to go on a busy host */
	for (size_t i = 0; i < n; i++) {
		long long end = harness_now_ms() + HARNESS_TIMEOUT_MS;

		for (;;) {
			proc_session(pid[i], &running);
			if (!running || harness_now_ms() >= end)
				break;
			harness_sleep_ms(50);
		}
		if (running) {
			char path[64], *cmd;

			snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid[i]);
			cmd = harness_read_file(path, NULL);
			cr_assert_fail("pid %ld of the demo (%s) outlived demo-stop", pid[i],
			    cmd != NULL ? cmd : "?");
		}
	}
}

void
appliance_fini(void)
{
	if (running_dir[0] != '\0') {
		demo_script("demo-stop", NULL);
		running_dir[0] = '\0';
	}
	harness_cleanup();
}

void
appliance_svc(const struct appliance *a, const char *service, const char *const *args)
{
	const char *argv[16];
	char path[400], *out = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/s6/%s", a->dir, service);
	argv[n++] = "/usr/bin/s6-svc";
	for (; *args != NULL && n < 14; args++)
		argv[n++] = *args;
	argv[n++] = path;
	argv[n] = NULL;
	cr_assert_eq(appliance_run(argv, &out), 0, "s6-svc %s: %s", path, out);
	free(out);
}

int
appliance_connect(const struct appliance *a, unsigned port, const char *src, char *line,
    size_t cap)
{
	int fd = harness_connect(4, src, port, HARNESS_TIMEOUT_MS);

	(void)a;
	cr_assert_geq(fd, 0, "connect to port %u from %s", port, src ? src : "127.0.0.1");
	stack_read_line(fd, line, cap, HARNESS_TIMEOUT_MS);
	return fd;
}

int
appliance_imap(int fd, const char *tag, const char *cmd)
{
	char line[1024], req[512];
	size_t tl = strlen(tag);

	snprintf(req, sizeof(req), "%s %s\r\n", tag, cmd);
	if (harness_send(fd, req) != 0)
		return 0;
	for (;;) {
		if (stack_read_line(fd, line, sizeof(line), HARNESS_TIMEOUT_MS) == 0)
			return 0;
		if (strncmp(line, tag, tl) == 0 && line[tl] == ' ')
			return strncmp(line + tl + 1, "OK", 2) == 0;
	}
}

int
appliance_login(const struct appliance *a)
{
	char line[256], cmd[200];
	int fd = appliance_connect(a, a->imap_port, NULL, line, sizeof(line));

	cr_assert(strncmp(line, "* OK", 4) == 0, "IMAP greeting \"%s\"", line);
	snprintf(cmd, sizeof(cmd), "LOGIN demo %s", a->password);
	cr_assert(appliance_imap(fd, "L1", cmd), "LOGIN demo refused");
	return fd;
}

long
appliance_status(const struct appliance *a, const char *service, const char *key)
{
	struct stack s;
	char *b;
	long v;

	memset(&s, 0, sizeof(s));
	sock_path(s.sock, sizeof(s.sock), a->dir, service);
	b = stack_control(&s, "status");
	v = stack_block_value(b, key);
	free(b);
	return v;
}

long
appliance_wait_restarted(const struct appliance *a, const char *service, long old)
{
	long long end = harness_now_ms() + HARNESS_TIMEOUT_MS * 2;
	char path[400];
	const char *argv[] = { "/usr/bin/s6-svstat", "-o", "pid,ready", path, NULL };

	snprintf(path, sizeof(path), "%s/s6/%s", a->dir, service);
	for (;;) {
		char *out = NULL;
		long pid = 0;
		int ready = 0;

		if (appliance_run(argv, &out) == 0 && out != NULL) {
			pid = strtol(out, NULL, 10);
			ready = strstr(out, "true") != NULL;
		}
		free(out);
		/* ready: bound, and the control socket is there (made first) */
		if (pid > 0 && pid != old && ready)
			return pid;
		cr_assert_lt(harness_now_ms(), end, "s6 did not restart %s (pid %ld)", service, old);
		harness_sleep_ms(50);
	}
}
