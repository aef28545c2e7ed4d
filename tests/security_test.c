/* security_test.c: security checks not covered elsewhere: the
 * child's supplementary groups after the drop, tokens never logged nor
 * stored in clear (with repeated failures slowed, over real HTTP), a huge
 * header refused without harm to mailctld, and the 1 MiB body bound to the
 * byte. Which other tests cover the rest: see tests/security.mk. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stack_util.h"

TestSuite(security, .fini = harness_cleanup, .timeout = 60);

#define RULES "127.0.0.1:allow\n:allow\n"
/* reserved for this file (4242, 4243, 4248 are tcpserver_it_faults') */
#define CHILD_UID "4250"
#define CHILD_GID "4251"

static const char *
top(void)
{
	const char *t = getenv("MAILSTACK_TOP");

	return t != NULL ? t : ".";
}

/* The listener is started with supplementary groups of its own, as root
 * from a login shell would be; none may reach the child. */
static int
with_groups(void *arg)
{
	static const gid_t groups[] = { 10, 20, 4259 };

	(void)arg;
	return setgroups(3, groups);
}

/* What the child of bin (ours or 0.88's) says about its ids. */
static char *
child_ids(const char *bin)
{
	const char *dir = harness_tmpdir();
	struct harness_opts o = HARNESS_OPTS_ZERO;
	char *argv[] = { (char *)bin, "-1", "-H", "-R", "-l", "localhost", "-u", CHILD_UID,
	    "-g", CHILD_GID, "127.0.0.1", "0", "/bin/grep", "-E", "^(Uid|Gid|Groups):",
	    "/proc/self/status", NULL };
	struct harness_proc p;
	char *reply;
	long port;
	int fd;

	cr_assert_not_null(dir);
	o.setup = with_groups;
	cr_assert_eq(harness_spawn(&p, dir, argv, NULL, &o), 0);
	port = harness_read_port(&p, HARNESS_TIMEOUT_MS);
	cr_assert_gt(port, 0, "%s did not start: %s", bin, harness_stderr(&p));
	cr_assert_geq(fd = harness_connect(4, NULL, (unsigned)port, HARNESS_TIMEOUT_MS), 0);
	reply = harness_read_all(fd, HARNESS_TIMEOUT_MS, NULL);
	cr_assert_not_null(reply, "%s: no EOF from the child", bin);
	close(fd);
	harness_kill(&p);
	return reply;
}

Test(security, child_has_the_dropped_uid_gid_and_no_other_group)
{
	char ours[512], *got, *real;

	snprintf(ours, sizeof(ours), "%s/daemons/tcpserver/mailstack-tcpserver", top());
	got = child_ids(ours);
	cr_assert_not_null(strstr(got, "Uid:\t" CHILD_UID "\t" CHILD_UID "\t" CHILD_UID "\t"
	    CHILD_UID "\n"), "%s", got);
	cr_assert_not_null(strstr(got, "Gid:\t" CHILD_GID "\t" CHILD_GID "\t" CHILD_GID "\t"
	    CHILD_GID "\n"), "%s", got);
	/* /proc writes each group followed by a space */
	cr_assert_not_null(strstr(got, "Groups:\t" CHILD_GID " \n"),
	    "the listener's groups 10, 20, 4259 leaked: %s", got);
	if (access("/usr/bin/tcpserver", X_OK) == 0) {
		real = child_ids("/usr/bin/tcpserver");
		cr_expect_str_eq(got, real, "0.88 drops to other ids");
		free(real);
	}
	free(got);
}

/* --- tokens ------------------------------------------------------------ */

/* curl -i with a bearer token; the whole answer; *status its status. */
static char *
http(const struct stack *s, const char *method, const char *path, const char *token,
    const char *body_file, int *status)
{
	char url[160], auth[128], data[300], *out = NULL;
	char *argv[16] = { "/usr/bin/curl", "-s", "-i", "--max-time", "10", "-X", (char *)method,
	    "-H", auth, "-H", "Content-Type: application/json", url, NULL };
	char *env[] = { "PATH=/usr/bin:/bin", NULL };
	int st;

	snprintf(url, sizeof(url), "%s%s", s->url, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	if (body_file != NULL) {
		snprintf(data, sizeof(data), "@%s", body_file);
		argv[12] = "--data-binary";
		argv[13] = data;
		argv[14] = NULL;
	}
	st = harness_run(s->dir, argv, env, NULL, 2 * HARNESS_TIMEOUT_MS, &out, NULL);
	cr_assert_eq(harness_exit_code(st), 0, "curl %s %s failed", method, url);
	cr_assert(out != NULL && sscanf(out, "HTTP/%*s %d", status) == 1, "answer: %s", out);
	return out;
}

/* Fails when any file under dir (recursively) holds text. */
static void
assert_nowhere(const char *dir, const char *text, const char *what)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	char path[600], *data;

	cr_assert_not_null(dp, "%s", dir);
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (d->d_type == DT_DIR) {
			assert_nowhere(path, text, what);
			continue;
		}
		if (d->d_type != DT_REG || (data = harness_read_file(path, NULL)) == NULL)
			continue;
		cr_assert_null(strstr(data, text), "the %s token is in %s", what, path);
		free(data);
	}
	closedir(dp);
}

Test(security, tokens_hashed_never_logged_and_wrong_ones_slowed)
{
	static const char wrong[] =
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct stack s;
	char *a, *log, path[300];
	int status, i, refused = 0;

	stack_init(&s, RULES, NULL);
	stack_listener_start(&s, NULL);
	stack_api_start(&s);
	stack_mailctl_expect(&s, 1, 0, CTL_ARGS("limits", "imap", "--max", "6"));
	free(http(&s, "GET", "/v1/services/imap", s.reader, NULL, &status));
	cr_assert_eq(status, 200);
	free(http(&s, "PATCH", "/v1/services/imap/limits", s.reader, NULL, &status));
	cr_assert_eq(status, 403, "a read token wrote");
	a = http(&s, "GET", "/v1/services/imap", wrong, NULL, &status);
	cr_assert_eq(status, 401, "%s", a);
	cr_assert_not_null(strcasestr(a, "\nWWW-Authenticate: Bearer"), "%s", a);
	free(a);
	/* a guesser from one address is slowed down: 429 with Retry-After */
	for (i = 0; i < 20 && status != 429; i++) {
		free(a = http(&s, "GET", "/v1/services/imap", wrong, NULL, &status));
		refused += status == 401;
	}
	cr_assert_eq(status, 429, "20 wrong tokens and no 429 (%d 401s)", refused);
	a = http(&s, "GET", "/v1/services/imap", wrong, NULL, &status);
	cr_assert_eq(status, 429);
	cr_assert_not_null(strcasestr(a, "\nRetry-After: "), "%s", a);
	cr_assert_gt(atoi(strcasestr(a, "\nRetry-After: ") + 14), 0, "%s", a);
	free(a);

	snprintf(path, sizeof(path), "%s/tokens", s.dir);
	cr_assert_not_null(log = harness_read_file(path, NULL));
	cr_assert_eq(harness_count(log, " sha256:"), 2, "tokens file:\n%s", log);
	free(log);
	log = harness_stderr(&s.api);
	cr_assert_gt(harness_count(log, "401"), 0, "the refusals were not logged:\n%s", log);
	cr_assert_null(strstr(log, s.admin), "the admin token is in mailctld's log");
	cr_assert_null(strstr(log, s.reader), "the read token is in mailctld's log");
	cr_assert_null(strstr(log, wrong), "a wrong token is in mailctld's log");
	free(log);
	/* the audit log, history and every other file mailctld keeps */
	assert_nowhere(s.dir, s.admin, "admin");
	assert_nowhere(s.dir, s.reader, "read");
	assert_nowhere(s.dir, wrong, "wrong");
}

/* --- header and body bounds -------------------------------------------- */

Test(security, huge_header_refused_and_mailctld_keeps_serving)
{
	size_t big = 1 << 20, n;
	struct stack s;
	char *req, *a, head[64];
	int fd, status;

	stack_init(&s, RULES, NULL);
	stack_api_start(&s);
	cr_assert_not_null(req = malloc(big + 128));
	n = (size_t)sprintf(req, "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ");
	memset(req + n, 'a', big);
	memcpy(req + n + big, "\r\n\r\n", 5);
	fd = harness_connect(4, NULL, (unsigned)atoi(strrchr(s.url, ':') + 1),
	    HARNESS_TIMEOUT_MS);
	cr_assert_geq(fd, 0);
	/* mailctld may close early: a failed send is a refusal too */
	(void)send(fd, req, n + big + 4, MSG_NOSIGNAL);
	n = harness_read_upto(fd, head, sizeof(head), 12, HARNESS_TIMEOUT_MS);
	cr_assert(n == 0 || strncmp(head, "HTTP/1.1 4", 10) == 0,
	    "a 1 MiB header was answered: \"%s\"", head);
	close(fd);
	free(req);
	cr_assert_eq(kill(s.api.pid, 0), 0, "mailctld died");
	a = http(&s, "GET", "/v1/health", s.reader, NULL, &status);
	cr_assert_eq(status, 200, "%s", a);
	free(a);
}

/* A limits body of exactly 1 MiB (JSON after leading blanks) is read; one
 * byte more is 413 and changes nothing. */
Test(security, body_bound_is_1_mib_to_the_byte)
{
	static const char json[] =
	    "{\"max_connections\":%d,\"max_per_ip\":0,\"max_per_network\":0}";
	size_t mib = 1 << 20;
	struct stack s;
	char *body, *a, *path, *b;
	int status, n;

	stack_init(&s, RULES, NULL);
	stack_listener_start(&s, NULL);
	stack_api_start(&s);
	cr_assert_not_null(body = malloc(mib + 2));
	for (int extra = 0; extra <= 1; extra++) {
		memset(body, ' ', mib + (size_t)extra);
		n = snprintf(NULL, 0, json, 30 + extra);
		snprintf(body + mib + (size_t)extra - (size_t)n, (size_t)n + 1, json, 30 + extra);
		cr_assert_not_null(path = harness_write_file(s.dir, "body", body,
		    mib + (size_t)extra));
		a = http(&s, "PUT", "/v1/services/imap/limits", s.admin, path, &status);
		cr_assert_eq(status, extra ? 413 : 200, "%zu bytes: %s", mib + (size_t)extra, a);
		free(a), free(path);
	}
	b = stack_control(&s, "status");
	cr_assert_eq(stack_block_value(b, "max_connections"), 30, "%s", b);
	free(b), free(body);
}
