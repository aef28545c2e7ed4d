/* ctl_e2e_test.c: mailctl through the real mailctld on loopback, with a
 * fake listener behind the control socket (the protocol of
 * mailstack-tcpserver(8), CONTROL SOCKET), so the whole chain from the
 * command line to the socket request and back is exercised. */
#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ctl_util.h"

TestSuite(ctl_e2e, .fini = harness_cleanup, .timeout = 60);

/* The fake listener: one request per connection, as mailctld asks. */
struct listener {
	int fd;
	pthread_t thread;
	volatile int stop;
	char requests[4096];	/* every request line, each ending in '\n' */
	pthread_mutex_t lock;
	const char *connections;	/* data lines for "connections" */
};

static const char status_lines[] =
    "pid 4242\nstarted 1764330000\nuptime 3700\nlive 7\nmax_connections 21\n"
    "max_per_ip 4\nmax_per_network 0\nlimits_source file\nlimits_file -\n"
    "accepted 99\nrefused_ip 2\nrefused_net 0\nrefused_rule_ip 1\n"
    "refused_rule_net 0\ndropped_fork 0\ndistinct_ips 2\ndistinct_networks 1\n"
    "local_port 1143\ncontrol_denied 0\ncontrol_busy 0\ncontrol_timeouts 0\n"
    "version 0.1.0\nimage_started 1764333000\nreexecs 2\nrestored state\nadopted 1\n"
    "unadopted 0\nbacklog 1024\naccept_queue 0\nlisten_overflows 17\n";

/* Reads one request line (mailctld then waits for the block). */
static int
listener_read_line(int c, char *req, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap && harness_readable(c, HARNESS_TIMEOUT_MS)) {
		if (read(c, req + n, 1) != 1)
			break;
		if (req[n] == '\n') {
			req[n] = '\0';
			return 0;
		}
		n++;
	}
	return -1;
}

static void
listener_answer(struct listener *l, int c)
{
	char req[1100], *reply = NULL;
	int len;

	if (listener_read_line(c, req, sizeof(req)) == -1)
		return;
	pthread_mutex_lock(&l->lock);
	if (strlen(l->requests) + strlen(req) + 2 < sizeof(l->requests))
		strcat(strcat(l->requests, req), "\n");
	pthread_mutex_unlock(&l->lock);
	/* a re-exec's answer is the new image's status */
	if (strcmp(req, "status") == 0 || strcmp(req, "reload") == 0 ||
	    strcmp(req, "reexec") == 0)
		len = asprintf(&reply, "ok\n%s.\n", status_lines);
	else if (strncmp(req, "connections", 11) == 0)
		len = asprintf(&reply, "ok\n%s.\n", l->connections);
	else
		len = asprintf(&reply, "error usage unknown request\n.\n");
	if (len > 0 && send(c, reply, (size_t)len, MSG_NOSIGNAL) != len)
		cr_log_warn("short write to mailctld");
	free(reply);
}

static void *
listener_main(void *arg)
{
	struct listener *l = arg;

	while (!l->stop) {
		int c;

		if (!harness_readable(l->fd, 100))
			continue;
		if ((c = accept(l->fd, NULL, NULL)) == -1)
			continue;
		listener_answer(l, c);
		close(c);
	}
	return NULL;
}

static void
listener_start(struct listener *l, const char *path, const char *connections)
{
	struct sockaddr_un sa;

	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->connections = connections;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	cr_assert_lt(strlen(path), sizeof(sa.sun_path));
	strcpy(sa.sun_path, path);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(l->fd, 0);
	cr_assert_eq(bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(l->fd, 8), 0);
	cr_assert_eq(pthread_create(&l->thread, NULL, listener_main, l), 0);
}

static void
listener_stop(struct listener *l)
{
	l->stop = 1;
	pthread_join(l->thread, NULL);
	close(l->fd);
}

/* A mailctld with services imap (control socket DIR/imap.sock, config
 * folder DIR/imap) and smtp, its admin and read-only tokens. */
struct api {
	const char *dir;
	char url[64];
	char *admin;
	char *ro;
	struct harness_proc proc;
};

static char *
api_token(struct api *a, const char *conf, const char *name, const char *scope)
{
	const char *argv[] = { NULL, "-f", conf, "-t", name, scope, NULL };
	char bin[4096], *out = NULL;
	int st;

	snprintf(bin, sizeof(bin), "%s/web/mailctld/mailctld", getenv("MAILSTACK_TOP"));
	argv[0] = bin;
	st = harness_run(a->dir, (char *const *)argv, NULL, NULL, HARNESS_TIMEOUT_MS, &out, NULL);
	cr_assert_eq(harness_exit_code(st), 0, "mailctld -t failed");
	cr_assert_not_null(out);
	out[strcspn(out, "\n")] = '\0';
	cr_assert_eq(strlen(out), 64, "token: %zu bytes", strlen(out));
	return out;
}

/* extra: more mailctld.conf lines (NULL = none). */
static void
api_start_conf(struct api *a, const char *rules, const char *extra)
{
	const char *argv[] = { NULL, "-1", "-f", NULL, NULL };
	char bin[4096], text[4096], *conf, *sub;
	long port;

	if (a->dir == NULL)
		a->dir = harness_tmpdir();
	cr_assert_not_null(a->dir);
	snprintf(text, sizeof(text), "listen 127.0.0.1:0\ntokens %s/tokens\nstate %s\n"
	    "audit %s/audit.log\nservice imap control=%s/imap.sock config=%s/imap\n"
	    "service smtp control=%s/smtp.sock config=%s/smtp\n%s",
	    a->dir, a->dir, a->dir, a->dir, a->dir, a->dir, a->dir, extra != NULL ? extra : "");
	conf = harness_write_file(a->dir, "mailctld.conf", text, strlen(text));
	cr_assert_not_null(conf);
	cr_assert_eq(asprintf(&sub, "%s/imap", a->dir) > 0 && mkdir(sub, 0755) == 0, 1);
	cr_assert_not_null(harness_write_file(sub, "rules", rules, strlen(rules)));
	free(sub);
	a->admin = api_token(a, conf, "admin", "admin");
	a->ro = api_token(a, conf, "viewer", "read");
	snprintf(bin, sizeof(bin), "%s/web/mailctld/mailctld", getenv("MAILSTACK_TOP"));
	argv[0] = bin;
	argv[3] = conf;
	cr_assert_eq(harness_spawn(&a->proc, a->dir, (char *const *)argv, NULL, NULL), 0);
	port = harness_read_port(&a->proc, HARNESS_TIMEOUT_MS);
	cr_assert_gt(port, 0, "mailctld gave no port: %s", harness_stderr(&a->proc));
	snprintf(a->url, sizeof(a->url), "%s://127.0.0.1:%ld", extra != NULL &&
	    strstr(extra, "tls-cert") != NULL ? "https" : "http", port);
	free(conf);
}

static void
api_start(struct api *a, const char *rules)
{
	memset(a, 0, sizeof(*a));
	api_start_conf(a, rules, NULL);
}

static void
api_stop(struct api *a)
{
	harness_kill(&a->proc);
	free(a->admin);
	free(a->ro);
}

static char *
sock_path(const struct api *a, const char *name)
{
	char *p;

	cr_assert_gt(asprintf(&p, "%s/%s.sock", a->dir, name), 0);
	return p;
}

Test(ctl_e2e, who_and_status_through_mailctld)
{
	static const char rules[] = "# local clients\n# at most two each\n"
	    "127.0.0.1:allow,MAXCONNIP=\"2\"\n:allow\n";
	char conns[256], *sock;
	struct listener l;
	struct ctl_run r;
	struct api a;

	snprintf(conns, sizeof(conns), "ip 127.0.0.1 count 2 limit 2 source rule:127.0.0.1 "
	    "oldest %lld adopted 1 pids 501,502\n", (long long)time(NULL) - 3 * 86400 - 1800);
	api_start(&a, rules);
	sock = sock_path(&a, "imap");
	listener_start(&l, sock, conns);
	r = ctl_run_with(a.url, a.ro, CTL_ARGS("who", "imap", "--top", "3"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(r.out,
	    "IP         COUNT  ADOPTED  LIMIT  SOURCE                   OLDEST  PIDS\n"
	    "127.0.0.1      2        1      2  rule:127.0.0.1 (line 3)   3d00h  501,502\n");
	ctl_run_free(&r);
	r = ctl_run_with(a.url, a.ro, CTL_ARGS("status"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(r.out,
	    "SERVICE  STATE   PID  UPTIME  LIVE  MAX  PER-IP  PER-NET  ACCEPTED  REFUSED  BACKLOG  QUEUE  OVERFLOWS\n"
	    "imap     up     4242   1h01m     7   21       4     none        99        3     1024      0         17\n"
	    "smtp     down      -       -     -    -       -        -         -        -        -      -          -\n");
	ctl_run_free(&r);
	/* restart re-execs: the listener is asked, the new image's figures shown */
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("restart", "imap"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "imap: re-executed in place: pid 4242 (unchanged), reexecs 2,"
	    " version 0.1.0, table restored from state, live 7\n");
	ctl_run_free(&r);
	listener_stop(&l);
	cr_assert(strstr(l.requests, "connections top 3\n") != NULL, "%s", l.requests);
	cr_assert(strstr(l.requests, "status\n") != NULL, "%s", l.requests);
	cr_assert(strstr(l.requests, "reexec\n") != NULL, "%s", l.requests);
	r = ctl_run_with(a.url, a.ro, CTL_ARGS("who", "imap"));
	cr_assert_eq(r.code, 69, "a silent listener is a server-side failure");
	cr_assert_str_eq(r.err, "mailctl: imap: the control socket of imap does not answer\n");
	ctl_run_free(&r);
	free(sock);
	api_stop(&a);
}

Test(ctl_e2e, limits_change_is_written_and_reloaded)
{
	char *sock, *path, *file;
	struct listener l;
	struct ctl_run r;
	struct api a;

	api_start(&a, ":allow\n");
	sock = sock_path(&a, "imap");
	listener_start(&l, sock, "");
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("limits", "imap", "--max", "64", "--per-ip", "10"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(r.err, "", "the listener took it: no warning");
	cr_assert_eq(strncmp(r.out, "max_connections  64\nmax_per_ip       10\n"
	    "max_per_network  none\nversion          \"", 79), 0, "%s", r.out);
	ctl_run_free(&r);
	listener_stop(&l);
	cr_assert(strstr(l.requests, "reload\n") != NULL, "%s", l.requests);
	cr_assert_gt(asprintf(&path, "%s/imap/limits", a.dir), 0);
	file = harness_read_file(path, NULL);
	cr_assert_not_null(file);
	cr_assert(strstr(file, "max_connections=64\n") != NULL, "%s", file);
	cr_assert(strstr(file, "max_per_ip=10\n") != NULL, "%s", file);
	free(file);
	/* Without the listener the file is still written, with a warning. */
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("limits", "imap", "--per-ip", "12"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert(strstr(r.err, "warning: limits saved") != NULL, "%s", r.err);
	cr_assert(strstr(r.out, "max_per_ip       12\n") != NULL, "%s", r.out);
	ctl_run_free(&r);
	free(path);
	free(sock);
	api_stop(&a);
}

/* The version line of a limits view, without its quotes. */
static char *
limits_version(const char *out)
{
	const char *v = strstr(out, "version          \"");

	cr_assert_not_null(v, "%s", out);
	v += 18;
	return strndup(v, strcspn(v, "\""));
}

Test(ctl_e2e, if_match_refuses_a_stale_version)
{
	struct ctl_run r;
	struct api a;
	char *old, *cur;

	api_start(&a, ":allow\n");
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("limits", "imap", "--max", "30"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	old = limits_version(r.out);
	ctl_run_free(&r);
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("limits", "imap", "--max", "31"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cur = limits_version(r.out);
	ctl_run_free(&r);
	cr_assert_str_neq(old, cur);
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("limits", "imap", "--max", "40", "--if-match", old));
	cr_assert_eq(r.code, 67, "stale: %d %s", r.code, r.err);
	ctl_run_free(&r);
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("limits", "imap", "--max", "41", "--if-match", cur));
	cr_assert_eq(r.code, 0, "current: %s", r.err);
	cr_assert_eq(strncmp(r.out, "max_connections  41\n", 20), 0, "%s", r.out);
	ctl_run_free(&r);
	free(old);
	free(cur);
	api_stop(&a);
}

Test(ctl_e2e, tokens_scopes_and_bad_values)
{
	struct ctl_run r;
	struct api a;

	api_start(&a, ":allow\n");
	r = ctl_run_with(a.url, a.ro, CTL_ARGS("limits", "imap", "--max", "64"));
	cr_assert_eq(r.code, 65, "read-only token writing: %d %s", r.code, r.err);
	ctl_run_free(&r);
	r = ctl_run_with(a.url, NULL, CTL_ARGS("limits", "imap"));
	cr_assert_eq(r.code, 65, "no token: %d %s", r.code, r.err);
	ctl_run_free(&r);
	r = ctl_run_with(a.url, "0000000000000000000000000000000000000000000000000000000000000000",
	    CTL_ARGS("limits", "imap"));
	cr_assert_eq(r.code, 65, "wrong token: %d %s", r.code, r.err);
	ctl_run_free(&r);
	/* Refused before any request, in the limits table's words (mailctld
	 * refuses the same value with the same words: tests/web_api_test.c). */
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("limits", "imap", "--max", "0"));
	cr_assert_eq(r.code, 64, "max 0: %d %s", r.code, r.err);
	cr_assert(strstr(r.err, "mailctl: --max: max_connections must be from 1 to 1000000\n") ==
	    r.err, "%s", r.err);
	ctl_run_free(&r);
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("status", "pop3"));
	cr_assert_eq(r.code, 66, "unknown service: %d %s", r.code, r.err);
	ctl_run_free(&r);
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("--json", "audit"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert(strstr(r.out, "\"entries\"") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "PATCH") == NULL, "refused writes are not changes: %s", r.out);
	ctl_run_free(&r);
	api_stop(&a);
}

Test(ctl_e2e, rules_add_list_delete_and_a_bad_upload)
{
	static const char bad[] = "127.0.0.1:allow\n10.:dney\n";
	char *file, *path, *rules;
	struct ctl_run r;
	struct api a;

	api_start(&a, "127.0.0.1:allow\n");
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("rules", "imap", "add", "10.0.0.", "deny",
	    "--comment", "abusers"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_eq(strncmp(r.out, "imap: rule added", 16), 0, "%s", r.out);
	ctl_run_free(&r);
	r = ctl_run_with(a.url, a.ro, CTL_ARGS("rules", "imap", "list"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(r.out,
	    "ID  LINE  ADDRESS    ACTION  VARIABLES  COMMENT\n"
	    " 1     1  127.0.0.1  allow   -          -\n"
	    " 3     3  10.0.0.    deny    -          abusers\n");
	ctl_run_free(&r);
	file = harness_write_file(a.dir, "bad.rules", bad, sizeof(bad) - 1);
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("rules", "imap", "replace", file));
	cr_assert_eq(r.code, 67);
	cr_assert(strncmp(r.err, "mailctl: imap: ", 15) == 0 && strstr(r.err, "bad.rules:2:5: ") != NULL,
	    "%s", r.err);
	ctl_run_free(&r);
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("rules", "imap", "delete", "3"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	ctl_run_free(&r);
	cr_assert_gt(asprintf(&path, "%s/imap/rules", a.dir), 0);
	rules = harness_read_file(path, NULL);
	cr_assert_not_null(rules);
	cr_assert(strstr(rules, "10.0.0.") == NULL, "%s", rules);
	cr_assert(strstr(rules, "127.0.0.1:allow") != NULL, "%s", rules);
	free(rules);
	free(path);
	free(file);
	api_stop(&a);
}

Test(ctl_e2e, replace_round_trip_and_a_body_too_big)
{
	static const char text[] = "# office\n10.1.0.:allow,RELAYCLIENT=\"\"\n\n# the rest\n:deny\n";
	char *file, *big;
	struct ctl_run r;
	struct api a;
	size_t n = 2 * 1024 * 1024;

	api_start(&a, ":allow\n");
	file = harness_write_file(a.dir, "new.rules", text, sizeof(text) - 1);
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("rules", "imap", "replace", file));
	cr_assert_eq(r.code, 0, "%s", r.err);
	ctl_run_free(&r);
	r = ctl_run_with(a.url, a.ro, CTL_ARGS("rules", "imap", "list", "--text"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(r.out, text);
	ctl_run_free(&r);
	big = malloc(n);
	cr_assert_not_null(big);
	memset(big, '#', n);
	free(file);
	file = harness_write_file(a.dir, "big.rules", big, n);
	free(big);
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("rules", "imap", "replace", file));
	cr_assert_eq(r.code, 67, "%d %s", r.code, r.err);
	cr_assert_eq(strncmp(r.err, "mailctl: imap: ", 15), 0, "%s", r.err);
	ctl_run_free(&r);
	free(file);
	api_stop(&a);
}

Test(ctl_e2e, history_and_rollback)
{
	struct ctl_run r;
	struct api a;
	char *path, *file;

	api_start(&a, ":allow\n");
	ctl_run_free((struct ctl_run []){ ctl_run_with(a.url, a.admin,
	    CTL_ARGS("limits", "imap", "--max", "10")) });
	ctl_run_free((struct ctl_run []){ ctl_run_with(a.url, a.admin,
	    CTL_ARGS("limits", "imap", "--max", "20")) });
	r = ctl_run_with(a.url, a.ro, CTL_ARGS("history", "imap"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_eq(strncmp(r.out, "VERSION  TIME", 13), 0, "%s", r.out);
	cr_assert_eq(harness_count(r.out, "  admin  limits  \""), 2, "%s", r.out);
	ctl_run_free(&r);
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("rollback", "imap", "1"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_eq(strncmp(r.out, "imap: back to version 1, now version \"", 38), 0, "%s", r.out);
	ctl_run_free(&r);
	cr_assert_gt(asprintf(&path, "%s/imap/limits", a.dir), 0);
	file = harness_read_file(path, NULL);
	cr_assert(file != NULL && strstr(file, "max_connections=10\n") != NULL, "%s", file);
	free(file);
	free(path);
	r = ctl_run_with(a.url, a.admin, CTL_ARGS("rollback", "imap", "99"));
	cr_assert_eq(r.code, 66, "%d %s", r.code, r.err);
	ctl_run_free(&r);
	r = ctl_run_with(a.url, a.ro, CTL_ARGS("rollback", "imap", "1"));
	cr_assert_eq(r.code, 65, "%d %s", r.code, r.err);
	ctl_run_free(&r);
	api_stop(&a);
}

/* A self-signed certificate for 127.0.0.1 in dir: DIR/cert.pem, DIR/key.pem. */
static void
make_cert(const char *dir)
{
	const char *argv[] = { "/usr/bin/openssl", "req", "-x509", "-newkey", "ec",
	    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem",
	    "-out", "cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
	    "-addext", "subjectAltName=IP:127.0.0.1", NULL };
	struct harness_opts o = HARNESS_OPTS_ZERO;
	int st;

	o.cwd = dir;
	st = harness_run(dir, (char *const *)argv, NULL, &o, HARNESS_TIMEOUT_MS, NULL, NULL);

	cr_assert_eq(harness_exit_code(st), 0, "openssl req failed");
}

Test(ctl_e2e, https_with_the_servers_own_certificate)
{
	char extra[1024], ca[1024];
	struct ctl_run r;
	struct api a;

	if (access("/usr/bin/openssl", X_OK) != 0)
		cr_skip_test("no /usr/bin/openssl to make a certificate");
	memset(&a, 0, sizeof(a));
	a.dir = harness_tmpdir();
	cr_assert_not_null(a.dir);
	make_cert(a.dir);
	snprintf(extra, sizeof(extra), "tls-cert %s/cert.pem\ntls-key %s/key.pem\n", a.dir, a.dir);
	snprintf(ca, sizeof(ca), "%s/cert.pem", a.dir);
	api_start_conf(&a, ":allow\n", extra);
	cr_assert_eq(strncmp(a.url, "https://", 8), 0);
	r = ctl_run_with(a.url, a.ro, CTL_ARGS("--ca-file", ca, "limits", "imap"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_eq(strncmp(r.out, "max_connections", 15), 0, "%s", r.out);
	ctl_run_free(&r);
	/* An unknown certificate is refused: the token is never sent to it. */
	r = ctl_run_with(a.url, a.ro, CTL_ARGS("limits", "imap"));
	cr_assert_eq(r.code, 69, "%d %s", r.code, r.err);
	cr_assert(strstr(r.err, "unable to reach https://127.0.0.1:") != NULL &&
	    strstr(r.err, "certificate") != NULL, "%s", r.err);
	ctl_run_free(&r);
	api_stop(&a);
}
