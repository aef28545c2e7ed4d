/* ctl_restart_test.c: the real mailctl against a fake mailctld: restart
 * re-execs by default and says the pid stayed, --supervisor asks s6;
 * status shows the accept queue and warns when the listen overflows rose
 * since the last look, remembered in a state file that may be missing,
 * bad or unwritable without failing the command; who shows adopted. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "ctl_fake.h"
#include "ctl_util.h"

TestSuite(ctl_restart, .fini = harness_cleanup, .timeout = 60);

#define JSON "application/json"

static char env_url[128], env_token[128], env_state[512];

/* mailctl ARGS against f, with XDG_STATE_HOME=state (NULL: no HOME and
 * no XDG_STATE_HOME, so no state at all). */
static struct ctl_run
run_at(const struct ctl_fake *f, const char *state, const char *const *args)
{
	const char *env[] = { env_url, env_token, env_state, NULL };

	snprintf(env_url, sizeof(env_url), "MAILCTL_URL=%s", ctl_fake_url(f));
	snprintf(env_token, sizeof(env_token), "MAILCTL_TOKEN=t0ken");
	snprintf(env_state, sizeof(env_state), "XDG_STATE_HOME=%s", state != NULL ? state : "");
	if (state == NULL)
		env[2] = NULL;
	return ctl_run_env(env, NULL, NULL, args);
}

/* One exchange on f's port (started on the first call). */
static struct ctl_run
once(struct ctl_fake *f, int status, const char *body, const char *state,
    const char *const *args)
{
	struct ctl_run r;

	if (f->started == 0 && f->port == 0)
		cr_assert_eq(ctl_fake_start(f, status, status == 200 ? JSON :
		    "application/problem+json", body), 0);
	else
		cr_assert_eq(ctl_fake_again(f, status, status == 200 ? JSON :
		    "application/problem+json", body), 0);
	r = run_at(f, state, args);
	ctl_fake_wait(f);
	cr_assert(f->got, "no request came");
	return r;
}

Test(ctl_restart, restart_reexecs_by_default_and_the_pid_stays)
{
	struct ctl_fake f = { 0 };
	struct ctl_run r;

	r = once(&f, 200, "{\"name\":\"imap\",\"up\":true,\"pid\":4242,\"live\":30,"
	    "\"version\":\"0.1.0\",\"reexecs\":3,\"restored\":\"state\",\"mode\":\"reexec\","
	    "\"restarted\":true}", NULL, CTL_ARGS("restart", "imap"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(f.method, "POST");
	cr_assert_str_eq(f.target, "/v1/services/imap/restart");
	cr_assert_str_eq(r.out, "imap: re-executed in place: pid 4242 (unchanged), reexecs 3,"
	    " version 0.1.0, table restored from state, live 30\n");
	cr_assert_str_eq(r.err, "");
	ctl_run_free(&r);

	/* a new image that fell back to a scan says so */
	r = once(&f, 200, "{\"name\":\"imap\",\"pid\":4242,\"live\":28,\"version\":\"0.1.1\","
	    "\"reexecs\":4,\"restored\":\"adoption\",\"mode\":\"reexec\"}", NULL,
	    CTL_ARGS("restart", "imap"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "reexecs 4, version 0.1.1, table restored from adoption"));
	cr_assert_str_eq(r.err, "mailctl: imap: warning: the new image did not take the table"
	    " over from the re-exec state (restored adoption); see unadopted in mailctl status"
	    " imap\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_restart, supervisor_asks_s6_and_a_failed_exec_is_a_server_error)
{
	struct ctl_fake f = { 0 };
	struct ctl_run r;

	r = once(&f, 200, "{\"service\":\"imap\",\"mode\":\"supervisor\",\"restarted\":true}",
	    NULL, CTL_ARGS("restart", "--supervisor", "imap"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(f.target, "/v1/services/imap/restart?mode=supervisor");
	cr_assert_str_eq(r.out, "imap: restarted through s6 (s6-svc -t): a new listener"
	    " process; the sessions go on and it adopts them\n");
	ctl_run_free(&r);

	/* the old image goes on; its text reaches the admin */
	r = once(&f, 503, "{\"type\":\"about:blank#reexec-failed\",\"title\":\"Service Unavailable\","
	    "\"status\":503,\"detail\":\"exec unable to run /usr/sbin/mailstack-tcpserver: "
	    "No such file or directory\"}", NULL, CTL_ARGS("restart", "imap"));
	cr_assert_eq(r.code, 69, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	cr_assert_str_eq(r.err, "mailctl: imap: exec unable to run /usr/sbin/mailstack-tcpserver:"
	    " No such file or directory\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);

	r = ctl_run_with("http://127.0.0.1:1", "t", CTL_ARGS("status", "--supervisor"));
	cr_assert_eq(r.code, 64);
	cr_assert_not_null(strstr(r.err, "--supervisor does not apply to status"), "%s", r.err);
	ctl_run_free(&r);
}

static char status_body[512];

#define IMAP_WITH "{\"name\":\"imap\",\"up\":true,\"pid\":7,\"uptime\":5,\"live\":2," \
	"\"limits\":{\"max_connections\":21,\"max_per_ip\":4,\"max_per_network\":0}," \
	"\"refused\":{\"ip\":1},\"accepted\":9,\"backlog\":1024,\"accept_queue\":3," \
	"\"listen_overflows\":%lld}"

/* GET /v1/services with one listener reporting listen_overflows n. */
static const char *
services_with(long long n)
{
	snprintf(status_body, sizeof(status_body), "{\"services\":[" IMAP_WITH ","
	    "{\"name\":\"smtp\",\"up\":false,\"listen_overflows\":null}]}", n);
	return status_body;
}

/* GET /v1/services/imap likewise. */
static const char *
imap_with(long long n)
{
	snprintf(status_body, sizeof(status_body), IMAP_WITH, n);
	return status_body;
}

Test(ctl_restart, status_shows_the_queue_and_warns_once_when_overflows_rose)
{
	char state[400], path[512], want[512], *text;
	struct ctl_fake f = { 0 };
	struct ctl_run r;
	struct stat st;

	snprintf(state, sizeof(state), "%s/state", harness_tmpdir());
	snprintf(path, sizeof(path), "%s/mailctl/seen", state);
	/* the first look: nothing to compare with, the value kept */
	r = once(&f, 200, services_with(10), state, CTL_ARGS("status"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(r.out,
	    "SERVICE  STATE  PID  UPTIME  LIVE  MAX  PER-IP  PER-NET  ACCEPTED  REFUSED  BACKLOG  QUEUE  OVERFLOWS\n"
	    "imap     up       7      5s     2   21       4     none         9        1     1024      3         10\n"
	    "smtp     down     -       -     -    -       -        -         -        -        -      -          -\n");
	cr_assert_str_eq(r.err, "");
	ctl_run_free(&r);
	cr_assert_eq(stat(path, &st), 0, "no %s", path);
	cr_assert_eq(st.st_mode & 0777, 0600);
	text = harness_read_file(path, NULL);
	snprintf(want, sizeof(want), "%s imap 10", ctl_fake_url(&f));
	cr_assert(harness_has_line(text, want), "%s", text);
	free(text);

	/* risen: one warning; the same again: none */
	r = once(&f, 200, imap_with(15), state, CTL_ARGS("status", "imap"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(r.err, "mailctl: imap: warning: listen overflows rose by 5 since the"
	    " last look (10 to 15, TcpExtListenOverflows of every listener on the host):"
	    " connections found an accept queue full and waited unserved; backlog 1024, accept"
	    " queue 3 now\n");
	ctl_run_free(&r);
	r = once(&f, 200, services_with(15), state, CTL_ARGS("status"));
	cr_assert_str_eq(r.err, "");
	ctl_run_free(&r);
	/* lower (a reboot, another namespace): no warning, the new value kept */
	r = once(&f, 200, services_with(2), state, CTL_ARGS("status"));
	cr_assert_str_eq(r.err, "");
	ctl_run_free(&r);
	r = once(&f, 200, services_with(3), state, CTL_ARGS("status"));
	cr_assert_not_null(strstr(r.err, "rose by 1 since the last look (2 to 3,"), "%s", r.err);
	ctl_run_free(&r);
	ctl_fake_free(&f);

	/* another URL is another look */
	f = (struct ctl_fake){ 0 };
	r = once(&f, 200, services_with(50), state, CTL_ARGS("status"));
	cr_assert_str_eq(r.err, "");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

static char *
write_or_fail(const char *dir, const char *name, const char *text)
{
	char *p = harness_write_file(dir, name, text, strlen(text));

	cr_assert_not_null(p, "%s/%s", dir, name);
	return p;
}

Test(ctl_restart, a_bad_or_unwritable_state_file_costs_the_warning_only)
{
	static const char *const bad[] = { "", "\x01\x02 garbage\n", "x imap\n",
		"http://h imap -3\n", "http://h imap 1 2\n" };
	char state[400], dir[512], path[600], *text;
	struct ctl_fake f = { 0 };
	struct ctl_run r;

	snprintf(state, sizeof(state), "%s/s", harness_tmpdir());
	snprintf(dir, sizeof(dir), "%s/mailctl", state);
	snprintf(path, sizeof(path), "%s/seen", dir);
	cr_assert_eq(mkdir(state, 0700), 0);
	cr_assert_eq(mkdir(dir, 0700), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		free(write_or_fail(dir, "seen", bad[i]));
		r = once(&f, 200, services_with(99), state, CTL_ARGS("status"));
		cr_assert_eq(r.code, 0, "%s", r.err);
		cr_assert_str_eq(r.err, "", "file \"%s\"", bad[i]);
		ctl_run_free(&r);
		/* rewritten with what was seen */
		text = harness_read_file(path, NULL);
		cr_assert_not_null(strstr(text, " imap 99\n"), "%s", text);
		free(text);
	}
	/* a state folder that cannot be made: exit 0, the table, a warning */
	/* (each harness_tmpdir call makes a new folder) */
	text = write_or_fail(state, "plain", "x");
	snprintf(path, sizeof(path), "%s", text);
	free(text);
	r = once(&f, 200, services_with(99), path, CTL_ARGS("status"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "OVERFLOWS"), "%s", r.out);
	cr_assert_not_null(strstr(r.err, "mailctl: warning: unable to write "), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "/plain/mailctl/seen: "), "%s", r.err);
	ctl_run_free(&r);
	/* no HOME and no XDG_STATE_HOME: no state, no complaint */
	r = once(&f, 200, services_with(99), NULL, CTL_ARGS("status"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}

Test(ctl_restart, who_shows_the_adopted_count_per_address)
{
	struct ctl_fake f = { 0 };
	struct ctl_run r;

	r = once(&f, 200, "{\"service\":\"imap\",\"connections\":[{\"ip\":\"192.0.2.7\","
	    "\"count\":5,\"adopted\":2,\"limit\":0,\"limit_source\":\"none\",\"oldest\":null,"
	    "\"pids\":[1,2,3,4,5]},{\"ip\":\"192.0.2.8\",\"count\":1,\"adopted\":null,"
	    "\"limit\":4,\"limit_source\":\"option\",\"pids\":[9]}]}", NULL,
	    CTL_ARGS("who", "imap"));
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_str_eq(r.out,
	    "IP         COUNT  ADOPTED  LIMIT  SOURCE  OLDEST  PIDS\n"
	    "192.0.2.7      5        2   none  none         -  1,2,3,4,5\n"
	    "192.0.2.8      1        -      4  option       -  9\n");
	ctl_run_free(&r);
	ctl_fake_free(&f);
}
