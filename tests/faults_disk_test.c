/* faults_disk_test.c: ENOSPC while mailctld writes limits and rules and
 * while mailstack-tcprules compiles: the service's config folder is a tiny
 * tmpfs (in the test's private mount namespace), filled up before the
 * writes. Nothing may be corrupt, the old config stays in force, the API
 * answers 5xx problem+json naming the reason, and the logs say so. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "faults_util.h"

static char mounted[256];

static void
disk_fini(void)
{
	if (mounted[0] != '\0')
		umount2(mounted, MNT_DETACH);
	harness_cleanup();
}

TestSuite(faults_disk, .fini = disk_fini, .timeout = 60);

#define RULES "127.0.0.1:allow\n:allow\n"
#define NEW_RULES "127.0.0.9:deny\n:allow\n"
#define LIMITS "max_connections=5\nmax_per_ip=2\n"

struct saved {
	char *text;
	size_t len;
};

static void
save(struct saved *f, const char *path)
{
	cr_assert_not_null(f->text = harness_read_file(path, &f->len), "%s", path);
}

static void
assert_unchanged(const struct saved *f, const char *path)
{
	size_t len;
	char *now = harness_read_file(path, &len);

	cr_assert_not_null(now, "%s is gone", path);
	cr_assert(len == f->len && memcmp(now, f->text, len) == 0, "%s changed", path);
	free(now);
}

/* s->conf becomes a 64 KiB tmpfs holding the same files. */
static void
conf_on_tmpfs(struct stack *s)
{
	static const char *const names[] = { "limits", "rules", "rules.cdb" };
	struct saved f[3];
	char path[300];

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", s->conf, names[i]);
		save(&f[i], path);
	}
	cr_assert_eq(unshare(CLONE_NEWNS), 0, "unshare -m: %s", strerror(errno));
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	cr_assert_eq(mount("tmpfs", s->conf, "tmpfs", MS_NOSUID | MS_NODEV,
	    "size=64k,mode=0700"), 0, "mount tmpfs: %s", strerror(errno));
	snprintf(mounted, sizeof(mounted), "%s", s->conf);
	for (size_t i = 0; i < 3; i++) {
		cr_assert_not_null(harness_write_file(s->conf, names[i], f[i].text, f[i].len));
		free(f[i].text);
	}
}

/* Writes conf/filler until the file system is full; returns its path. */
static char *
conf_fill(const struct stack *s)
{
	char block[4096], *path;
	ssize_t w;
	int fd;

	cr_assert_neq(asprintf(&path, "%s/filler", s->conf), -1);
	cr_assert_geq(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), 0);
	memset(block, 'x', sizeof(block));
	/* then byte by byte, so that not even a partial page is left */
	while ((w = write(fd, block, sizeof(block))) > 0)
		;
	while ((w = write(fd, block, 1)) > 0)
		;
	cr_assert_eq(errno, ENOSPC, "filling: %s", strerror(errno));
	close(fd);
	return path;
}

/* curl -i METHOD URL/v1/services/imap/WHAT with the admin token; the whole
 * answer (headers and body), malloc'd; *status gets the HTTP status. */
static char *
api(const struct stack *s, const char *method, const char *what, const char *type,
    const char *body, int *status)
{
	char url[128], auth[128], ctype[80], *out = NULL;
	char *argv[] = { "/usr/bin/curl", "-s", "-i", "--max-time", "5", "-X", (char *)method,
	    "-H", auth, "-H", ctype, "--data-binary", (char *)body, url, NULL };
	char *env[] = { "PATH=/usr/bin:/bin", NULL };
	int st;

	snprintf(url, sizeof(url), "%s/v1/services/imap/%s", s->url, what);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", s->admin);
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", type);
	st = harness_run(s->dir, argv, env, NULL, HARNESS_TIMEOUT_MS, &out, NULL);
	cr_assert_eq(harness_exit_code(st), 0, "curl %s %s failed", method, url);
	cr_assert(out != NULL && sscanf(out, "HTTP/%*s %d", status) == 1, "answer: %s", out);
	return out;
}

static void
assert_problem_about_space(const char *answer, int status, const char *what)
{
	cr_assert(status >= 500 && status <= 599, "%s on a full disk: %d\n%s", what, status,
	    answer);
	cr_expect_not_null(strcasestr(answer, "Content-Type: application/problem+json"),
	    "%s: not problem+json:\n%s", what, answer);
	cr_expect_not_null(strstr(answer, "\"detail\""), "%s: no detail:\n%s", what, answer);
	cr_expect_not_null(strstr(answer, "No space left on device"), "%s: the reason is not named:\n%s",
	    what, answer);
}

static long
history_versions(const struct stack *s)
{
	json_t *j = stack_mailctl_json(s, CTL_ARGS("history", "imap"));
	json_t *v = json_object_get(j, "versions");
	long n;

	cr_assert(json_is_array(v), "history: no versions");
	n = (long)json_array_size(v);
	json_decref(j);
	return n;
}

Test(faults_disk, enospc_keeps_old_limits_and_rules_and_says_why)
{
	struct stack s;
	struct saved limits, rules, cdb;
	char *filler, *answer, *log;
	long versions;
	int status, fd;

	stack_init(&s, RULES, LIMITS);
	conf_on_tmpfs(&s);
	stack_listener_start(&s, NULL);
	stack_api_start(&s);
	save(&limits, s.limits);
	save(&rules, s.rules);
	save(&cdb, s.cdb);
	versions = history_versions(&s);
	filler = conf_fill(&s);

	answer = api(&s, "PATCH", "limits", "application/json", "{\"max_connections\":9}",
	    &status);
	assert_problem_about_space(answer, status, "PATCH limits");
	free(answer);
	answer = api(&s, "PUT", "rules", "text/plain", NEW_RULES, &status);
	assert_problem_about_space(answer, status, "PUT rules");
	free(answer);
	cr_expect_eq(harness_wait_stderr(&s.api, "failed: unable to write the limits of imap: No space left on device", 1, HARNESS_TIMEOUT_MS), 0,
	    "mailctld logged no reason; stderr:\n%s", harness_stderr(&s.api));
	cr_expect_eq(harness_wait_stderr(&s.api, "failed: unable to write the rules of imap: "
	    "No space left on device", 1, HARNESS_TIMEOUT_MS), 0,
	    "mailctld logged no reason; stderr:\n%s", harness_stderr(&s.api));

	assert_unchanged(&limits, s.limits);
	assert_unchanged(&rules, s.rules);
	assert_unchanged(&cdb, s.cdb);
	cr_expect_eq(history_versions(&s), versions, "a failed write became a version");
	log = stack_control(&s, "status");
	cr_assert_eq(stack_block_value(log, "max_connections"), 5, "%s", log);
	cr_assert_eq(stack_block_value(log, "max_per_ip"), 2, "%s", log);
	free(log);
	/* the old rules are in force: 127.0.0.9 is still served */
	fd = stack_session(&s, "127.0.0.9");
	close(fd);

	/* once there is room again, the same change goes through */
	cr_assert_eq(unlink(filler), 0);
	answer = api(&s, "PATCH", "limits", "application/json", "{\"max_connections\":9}",
	    &status);
	cr_assert_eq(status, 200, "after room was made: %s", answer);
	free(answer);
	log = stack_control(&s, "status");
	cr_assert_eq(stack_block_value(log, "max_connections"), 9, "%s", log);
	free(log);
	free(filler), free(limits.text), free(rules.text), free(cdb.text);
}

Test(faults_disk, enospc_in_tcprules_exits_111_and_keeps_the_cdb)
{
	const char *top = getenv("MAILSTACK_TOP");
	struct harness_opts o = HARNESS_OPTS_ZERO;
	struct stack s;
	struct saved cdb;
	char bin[512], tmp[300], *err = NULL, *filler, *in;
	char *argv[] = { bin, s.cdb, tmp, NULL };
	int st;

	stack_init(&s, RULES, LIMITS);
	conf_on_tmpfs(&s);
	snprintf(bin, sizeof(bin), "%s/rules/tcprules/mailstack-tcprules", top ? top : ".");
	snprintf(tmp, sizeof(tmp), "%s/rules.tmp", s.conf);
	save(&cdb, s.cdb);
	/* the new rules text lives outside the full file system */
	cr_assert_not_null(in = harness_write_file(s.dir, "new-rules", NEW_RULES,
	    strlen(NEW_RULES)));
	filler = conf_fill(&s);
	o.stdin_path = in;
	st = harness_run(s.dir, argv, NULL, &o, HARNESS_TIMEOUT_MS, NULL, &err);
	cr_assert_eq(harness_exit_code(st), 111, "mailstack-tcprules on a full disk: %d: %s",
	    harness_exit_code(st), err);
	cr_assert_not_null(strstr(err, "out of disk space"), "stderr: %s", err);
	cr_assert_not_null(strstr(err, "fatal: "), "stderr: %s", err);
	assert_unchanged(&cdb, s.cdb);
	free(err);
	free(filler), free(in), free(cdb.text);
}
