/* tcpserver_child_run_test.c: child_run on real loopback connections,
 * without the listener parent: a test accepts, forks and calls child_run,
 * then reads what the program wrote and what the child logged. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "daemons/tcpserver/child.h"
#include "ip.h"
#include "log.h"
#include "tests/tcpserver_child_dns.h"
#include "tests/tcpserver_child_util.h"

#define WAIT_MS 5000

struct run {
	pid_t pid;
	int client;			/* the test's end of the connection */
	unsigned server_port, client_port;
	char errpath[64];
	char out[16384];		/* what the program wrote, NUL-terminated */
	char err[8192];			/* the child's stderr */
	int status;
};

typedef void run_prep_fn(void);

static char *dir;

static void
setup(void)
{
	dir = util_scratch_dir();
	cr_assert_not_null(dir);
}

static void
teardown(void)
{
	fakedns_private_resolver_end();
	if (util_scratch_remove(dir) == -1)
		cr_log_warn("could not remove a scratch folder");
}

TestSuite(child_run, .init = setup, .fini = teardown);

static void
opts_default(struct server_options *o, char **prog)
{
	memset(o, 0, sizeof *o);
	o->verbosity = 2;
	o->local_name = "name";
	o->ident_timeout = 26;
	o->notify_fd = -1;
	o->prog = prog;
}

static int
listen_on(const char *ip, unsigned *port)
{
	struct sockaddr_storage ss;
	struct ip_addr a;
	socklen_t len;
	int s, one = 1;

	cr_assert_eq(ip_parse(ip, &a), 0);
	len = ip_to_sockaddr(&a, 0, &ss);
	s = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_neq(s, -1);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (struct sockaddr *)&ss, len) == -1) {
		close(s);
		return -1;
	}
	cr_assert_eq(listen(s, 4), 0);
	len = sizeof ss;
	cr_assert_eq(getsockname(s, (struct sockaddr *)&ss, &len), 0);
	cr_assert_eq(ip_from_sockaddr((struct sockaddr *)&ss, &a, port), 0);
	return s;
}

static void
child_side(const struct server_options *o, int ls, struct run *r, int fd,
    const struct ip_addr *remote, run_prep_fn *prep)
{
	int e;

	alarm(20);
	close(ls);
	close(r->client);
	e = open(r->errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (e == -1 || dup2(e, 2) == -1)
		_exit(99);
	close(e);
	log_set_prog("mailstack-tcpserver");
	log_verbosity = o->verbosity;
	if (prep != NULL)
		prep();
	child_run(o, fd, remote, r->client_port);
}

/* Connects from cip to a listener on lip and starts child_run there. */
static int
run_start(struct run *r, const struct server_options *o, const char *lip,
    const char *cip, run_prep_fn *prep)
{
	struct sockaddr_storage ss;
	struct ip_addr a, remote;
	socklen_t len;
	int ls, fd;

	memset(r, 0, sizeof *r);
	snprintf(r->errpath, sizeof r->errpath, "%s/stderr.%d", dir, (int)getpid());
	ls = listen_on(lip, &r->server_port);
	if (ls == -1)
		return -1;
	cr_assert_eq(ip_parse(cip, &a), 0);
	len = ip_to_sockaddr(&a, r->server_port, &ss);
	r->client = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(connect(r->client, (struct sockaddr *)&ss, len), 0);
	len = sizeof ss;
	fd = accept(ls, (struct sockaddr *)&ss, &len);
	cr_assert_neq(fd, -1);
	cr_assert_eq(ip_from_sockaddr((struct sockaddr *)&ss, &remote,
	    &r->client_port), 0);
	r->pid = fork();
	cr_assert_neq(r->pid, -1);
	if (r->pid == 0)
		child_side(o, ls, r, fd, &remote, prep);
	close(fd);
	close(ls);
	return 0;
}

static void
read_all(int fd, char *buf, size_t size)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t n = 0;
	ssize_t got;

	while (n < size - 1 && poll(&p, 1, WAIT_MS) == 1) {
		got = read(fd, buf + n, size - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
}

/* Reads to EOF, reaps the child (killing it after WAIT_MS), loads stderr. */
static void
run_finish(struct run *r)
{
	int i, fd;
	ssize_t n;

	read_all(r->client, r->out, sizeof r->out);
	close(r->client);
	for (i = 0; i < WAIT_MS / 10; i++) {
		if (waitpid(r->pid, &r->status, WNOHANG) == r->pid)
			break;
		usleep(10000);
	}
	if (i == WAIT_MS / 10) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, &r->status, 0);
		cr_assert_fail("child did not finish");
	}
	fd = open(r->errpath, O_RDONLY);
	cr_assert_neq(fd, -1);
	n = read(fd, r->err, sizeof r->err - 1);
	r->err[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* One connection from start to reaped child; skips the test when lip
 * cannot be bound (no IPv6 here). */
static void
run_conn(struct run *r, const struct server_options *o, const char *lip,
    const char *cip, run_prep_fn *prep)
{
	if (run_start(r, o, lip, cip, prep) == -1)
		cr_skip_test("cannot listen on %s", lip);
	run_finish(r);
}

/* The whole -v output of the child: "pid PID from IP" then the decision
 * "ok|deny PID LOCAL:LPORT REMOTE:RPORT", local being "HOST:IP" and
 * remote "HOST:IP:INFO". */
static void
assert_log(const struct run *r, const char *ip, const char *word,
    const char *local, const char *remote)
{
	char want[1024];

	snprintf(want, sizeof want, "mailstack-tcpserver: pid %d from %s\n"
	    "mailstack-tcpserver: %s %d %s:%u %s:%u\n", (int)r->pid, ip,
	    word, (int)r->pid, local, r->server_port, remote, r->client_port);
	cr_assert_str_eq(r->err, want);
}

static int
exit_code(const struct run *r)
{
	cr_assert(WIFEXITED(r->status), "wait status %d", r->status);
	return WEXITSTATUS(r->status);
}

/* 1 when the program's output has the whole line "NAME=VALUE". */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

static void
assert_var(const struct run *r, const char *name, const char *value)
{
	char line[512];

	snprintf(line, sizeof line, "%s=%s", name, value);
	cr_assert(has_line(r->out, line), "missing %s in:\n%s", line, r->out);
}

static void
assert_no_var(const struct run *r, const char *name)
{
	char prefix[128];

	snprintf(prefix, sizeof prefix, "\n%s=", name);
	cr_assert(strstr(r->out, prefix) == NULL &&
	    strncmp(r->out, prefix + 1, strlen(prefix + 1)) != 0,
	    "%s is set:\n%s", name, r->out);
}

static void
stale_env(void)
{
	setenv("TCPREMOTEHOST", "stale.example", 1);
	setenv("TCPREMOTEINFO", "mallory", 1);
	setenv("TCPLOCALHOST", "old", 1);
}

Test(child_run, env_and_log_lines_with_H_R_l)
{
	char *prog[] = { "/usr/bin/env", NULL };
	struct server_options o;
	char num[16];
	struct run r;

	opts_default(&o, prog);
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", stale_env);
	cr_assert_eq(exit_code(&r), 0, "stderr: %s", r.err);
	assert_var(&r, "PROTO", "TCP");
	assert_var(&r, "TCPLOCALHOST", "name");
	assert_var(&r, "TCPLOCALIP", "127.0.0.1");
	assert_var(&r, "TCPREMOTEIP", "127.0.0.1");
	snprintf(num, sizeof num, "%u", r.server_port);
	assert_var(&r, "TCPLOCALPORT", num);
	snprintf(num, sizeof num, "%u", r.client_port);
	assert_var(&r, "TCPREMOTEPORT", num);
	assert_no_var(&r, "TCPREMOTEHOST");
	assert_no_var(&r, "TCPREMOTEINFO");
	assert_no_var(&r, "TCP6REMOTEIP");
	assert_log(&r, "127.0.0.1", "ok", "name:127.0.0.1", ":127.0.0.1:");
}

Test(child_run, quiet_child_logs_nothing)
{
	char *prog[] = { "/bin/true", NULL };
	struct server_options o;
	struct run r;

	opts_default(&o, prog);
	o.verbosity = 1;
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
	cr_assert_eq(exit_code(&r), 0);
	cr_assert_str_eq(r.err, "");
}

Test(child_run, socket_on_0_and_1_with_default_signals)
{
	char *prog[] = { "/bin/sh", "-c",
		"read x; echo \"got $x\"; grep -E '^Sig(Blk|Ign)' /proc/self/status",
		NULL };
	struct server_options o;
	unsigned long long blk = 1, ign = 1;
	const char *p;
	struct run r;

	opts_default(&o, prog);
	cr_assert_eq(run_start(&r, &o, "127.0.0.1", "127.0.0.1", NULL), 0);
	cr_assert_eq(write(r.client, "hello\n", 6), 6);
	run_finish(&r);
	cr_assert_eq(exit_code(&r), 0, "stderr: %s", r.err);
	cr_assert(strncmp(r.out, "got hello\n", 10) == 0, "out: %s", r.out);
	p = strstr(r.out, "SigBlk:");
	cr_assert(p != NULL && sscanf(p, "SigBlk: %llx", &blk) == 1);
	p = strstr(r.out, "SigIgn:");
	cr_assert(p != NULL && sscanf(p, "SigIgn: %llx", &ign) == 1);
	cr_assert_eq(blk, 0, "blocked signals: %llx", blk);
	cr_assert_eq(ign & (1ULL << (SIGPIPE - 1)), 0, "SIGPIPE ignored");
}

Test(child_run, banner_comes_first)
{
	char *prog[] = { "/bin/echo", "after", NULL };
	struct server_options o;
	struct run r;

	opts_default(&o, prog);
	o.banner = "220 hi\r\n";
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
	cr_assert_str_eq(r.out, "220 hi\r\nafter\n");
}

Test(child_run, exec_failure_drops)
{
	char *prog[] = { "mailstack-no-such-program", NULL };
	struct server_options o;
	struct run r;

	opts_default(&o, prog);
	o.verbosity = 1;
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
	cr_assert_eq(exit_code(&r), 111);
	cr_assert_str_eq(r.err, "mailstack-tcpserver: warning: dropping connection, "
	    "unable to run mailstack-no-such-program: file does not exist\n");
}

/* Compiles rules text with the real tcprules into dir/name. */
static char *
compile_rules(const char *name, const char *text)
{
	char src[256], cmd[1024], *cdb;
	FILE *f;

	if (access("/usr/bin/tcprules", X_OK) != 0)
		cr_skip_test("no /usr/bin/tcprules to compile rules");
	snprintf(src, sizeof src, "%s/%s.rules", dir, name);
	f = fopen(src, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cdb = malloc(256);
	snprintf(cdb, 256, "%s/%s.cdb", dir, name);
	snprintf(cmd, sizeof cmd, "/usr/bin/tcprules %s %s.tmp < %s", cdb, cdb, src);
	cr_assert_eq(system(cmd), 0);
	return cdb;
}

Test(child_run, rule_deny_after_banner)
{
	char *prog[] = { "/bin/echo", "ran", NULL };
	struct server_options o;
	struct run r;

	opts_default(&o, prog);
	o.banner = "220 banner\r\n";
	o.local_name = "0";
	o.rules_path = compile_rules("deny", "127.0.0.1:deny\n:allow\n");
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
	cr_assert_eq(exit_code(&r), 100);
	cr_assert_str_eq(r.out, "220 banner\r\n");
	assert_log(&r, "127.0.0.1", "deny", "0:127.0.0.1", ":127.0.0.1:");
	free((char *)o.rules_path);
}

Test(child_run, rule_variables_win_but_path_search_uses_the_listeners)
{
	char *prog[] = { "env", NULL };
	struct server_options o;
	struct run r;

	opts_default(&o, prog);
	o.rules_path = compile_rules("allow", "127.:allow,TCPLOCALHOST=\"movie.edu\","
	    "PROTO=\"XTCP\",RELAYCLIENT=\"\",PATH=\"/nonexistent\"\n");
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
	cr_assert_eq(exit_code(&r), 0, "stderr: %s", r.err);
	assert_var(&r, "TCPLOCALHOST", "movie.edu");
	assert_var(&r, "PROTO", "XTCP");
	assert_var(&r, "RELAYCLIENT", "");
	assert_var(&r, "PATH", "/nonexistent");
	/* the log shows the -l name, not the rule's */
	cr_assert(strstr(r.err, " ok ") != NULL && strstr(r.err, " name:127.0.0.1:"),
	    "stderr: %s", r.err);
	free((char *)o.rules_path);
}

static void
assert_rules_drop(const char *path, int missing_ok, const char *reason)
{
	char *prog[] = { "/bin/echo", "ran", NULL };
	struct server_options o;
	char want[512];
	struct run r;

	opts_default(&o, prog);
	o.verbosity = 1;
	o.rules_path = path;
	o.rules_missing_ok = missing_ok;
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
	cr_assert_eq(exit_code(&r), 111, "%s", path);
	cr_assert_str_eq(r.out, "");
	snprintf(want, sizeof want, "mailstack-tcpserver: warning: dropping "
	    "connection, unable to read %s: %s\n", path, reason);
	cr_assert_str_eq(r.err, want);
}

Test(child_run, unreadable_rules_drop_as_spec_1_8)
{
	char missing[256], empty[256], garbage[256];
	int fd;

	snprintf(missing, sizeof missing, "%s/missing.cdb", dir);
	assert_rules_drop(missing, 0, "file does not exist");
	snprintf(empty, sizeof empty, "%s/zero.cdb", dir);
	fd = open(empty, O_WRONLY | O_CREAT, 0600);
	close(fd);
	assert_rules_drop(empty, 0, "invalid argument");
	assert_rules_drop(empty, 1, "invalid argument");
	snprintf(garbage, sizeof garbage, "%s/garbage.cdb", dir);
	fd = open(garbage, O_WRONLY | O_CREAT, 0600);
	cr_assert_eq(write(fd, "garbage\n", 8), 8);
	close(fd);
	assert_rules_drop(garbage, 0, "protocol error");
	/* 0.88 crashes here; we drop */
	assert_rules_drop(dir, 1, "is a directory");
}

Test(child_run, missing_rules_with_X_allow)
{
	char *prog[] = { "/bin/echo", "ran", NULL };
	struct server_options o;
	char missing[256];
	struct run r;

	opts_default(&o, prog);
	snprintf(missing, sizeof missing, "%s/missing.cdb", dir);
	o.rules_path = missing;
	o.rules_missing_ok = 1;
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
	cr_assert_eq(exit_code(&r), 0);
	cr_assert_str_eq(r.out, "ran\n");
}

/* The IPv6 build's captures (vectors/tcpserver-ipv6/01, V4 and V2); an
 * IPv4 client of a dual-stack socket without -6 gets 0.88's forms. */
static const struct {
	const char *lip, *cip;
	int family;		/* o.family: 6 is -6 */
	int no_tcp6;		/* no TCP6* variable may be set */
	const char *vars[6][2];
	const char *pid_ip, *local, *remote;
} v6runs[] = {
	{ "::1", "::1", 0, 0, { { "PROTO", "TCP6" }, { "TCPREMOTEIP", "::1" },
	  { "TCP6REMOTEIP", "::1" }, { "TCP6LOCALIP", "::1" },
	  { "TCP6LOCALHOST", "0" }, { "TCPLOCALIP", "::1" } },
	  "::1", "0:::1", ":::1:" },
	/* dual stack, IPv4 client: exactly 0.88's forms, no TCP6* */
	{ "::", "127.0.0.1", 0, 1, { { "PROTO", "TCP" },
	  { "TCPREMOTEIP", "127.0.0.1" }, { "TCPLOCALIP", "127.0.0.1" },
	  { "TCPLOCALHOST", "0" }, { "PROTO", "TCP" },
	  { "TCPREMOTEIP", "127.0.0.1" } },
	  "127.0.0.1", "0:127.0.0.1", ":127.0.0.1:" },
	/* -6: the IPv6 build's forms for the same client */
	{ "::", "127.0.0.1", 6, 0, { { "PROTO", "TCP6" },
	  { "TCPREMOTEIP", "::ffff:127.0.0.1" },
	  { "TCP6REMOTEIP", "::ffff:127.0.0.1" },
	  { "TCP6LOCALIP", "::ffff:127.0.0.1" }, { "TCP6LOCALHOST", "0" },
	  { "TCPLOCALIP", "::ffff:127.0.0.1" } },
	  "::ffff:127.0.0.1", "0:::ffff:127.0.0.1", ":::ffff:127.0.0.1:" },
};

Test(child_run, ipv6_and_dual_stack_forms)
{
	char *prog[] = { "/usr/bin/env", NULL };
	struct server_options o;
	struct run r;
	size_t i, j;

	opts_default(&o, prog);
	o.local_name = "0";
	for (i = 0; i < sizeof v6runs / sizeof v6runs[0]; i++) {
		o.family = v6runs[i].family;
		run_conn(&r, &o, v6runs[i].lip, v6runs[i].cip, NULL);
		cr_assert_eq(exit_code(&r), 0, "stderr: %s", r.err);
		for (j = 0; j < 6; j++)
			assert_var(&r, v6runs[i].vars[j][0], v6runs[i].vars[j][1]);
		if (v6runs[i].no_tcp6) {
			assert_no_var(&r, "TCP6REMOTEIP");
			assert_no_var(&r, "TCP6LOCALIP");
		}
		assert_log(&r, v6runs[i].pid_ip, "ok", v6runs[i].local,
		    v6runs[i].remote);
	}
}

/* In a private network namespace (loopback only, nothing leaves the
 * machine) the default -h and -p resolve 127.0.0.1 through /etc/hosts. */
static void
private_net(void)
{
	if (util_private_net() == -1)
		cr_skip_test("no permission for a private network namespace");
}

Test(child_run, host_names_through_the_system_resolver)
{
	char *prog[] = { "/usr/bin/env", NULL };
	struct server_options o;
	char host[256], local[300], remote[300];
	struct run r;

	util_hosts_name(host, sizeof host);
	if (host[0] == '\0')
		cr_skip_test("/etc/hosts has no 127.0.0.1 line");
	private_net();
	opts_default(&o, prog);
	o.local_name = NULL;
	o.remote_host_lookup = 1;
	o.paranoid = 1;
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
	cr_assert_eq(exit_code(&r), 0, "stderr: %s", r.err);
	assert_var(&r, "TCPREMOTEHOST", host);
	assert_var(&r, "TCPLOCALHOST", host);
	snprintf(local, sizeof local, "%s:127.0.0.1", host);
	snprintf(remote, sizeof remote, "%s:127.0.0.1:", host);
	assert_log(&r, "127.0.0.1", "ok", local, remote);
}

Test(child_run, ident_refused_leaves_info_unset)
{
	char *prog[] = { "/usr/bin/env", NULL };
	struct server_options o;
	struct run r;

	private_net();	/* nothing listens on port 113 in here */
	opts_default(&o, prog);
	o.remote_info_lookup = 1;
	o.ident_timeout = 5;
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
	cr_assert_eq(exit_code(&r), 0, "stderr: %s", r.err);
	assert_no_var(&r, "TCPREMOTEINFO");
	assert_var(&r, "PROTO", "TCP");
}

/* A private network and resolver (undone at teardown) in which
 * fakedns_start can serve. */
static void
dns_world(void)
{
	private_net();
	if (fakedns_private_resolver(dir) == -1)
		cr_skip_test("no permission for a private mount namespace");
}

static void
dns_stop(pid_t server)
{
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
}

/* Vector 01 A/B/C: PTR names are lower-cased; -p keeps TCPREMOTEHOST only
 * when an A record of the name is the client's address, and never checks
 * the local name. */
static const struct {
	const char *a;		/* A record of the PTR name */
	const char *remote;	/* expected TCPREMOTEHOST, NULL = unset */
	const char *log_remote;
} paranoid_cases[] = {
	{ "127.0.0.1", "client.example.com", "client.example.com:127.0.0.1:" },
	{ "127.0.0.2", NULL, ":127.0.0.1:" },
};

Test(child_run, dns_names_lowercased_and_paranoia_checked)
{
	char *prog[] = { "/usr/bin/env", NULL };
	struct fakedns_record recs[] = {
		{ FAKEDNS_PTR, "1.0.0.127.in-addr.arpa", "Client.Example.COM" },
		{ FAKEDNS_A, "client.example.com", NULL },
	};
	struct server_options o;
	struct run r;
	size_t i;
	pid_t dns;

	dns_world();
	for (i = 0; i < sizeof paranoid_cases / sizeof paranoid_cases[0]; i++) {
		recs[1].answer = paranoid_cases[i].a;
		dns = fakedns_start(recs, 2);
		cr_assert_neq(dns, -1, "fake DNS server");
		opts_default(&o, prog);
		o.local_name = NULL;
		o.remote_host_lookup = 1;
		o.paranoid = 1;
		run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
		dns_stop(dns);
		cr_assert_eq(exit_code(&r), 0, "stderr: %s", r.err);
		assert_var(&r, "TCPLOCALHOST", "client.example.com");
		if (paranoid_cases[i].remote != NULL)
			assert_var(&r, "TCPREMOTEHOST", paranoid_cases[i].remote);
		else
			assert_no_var(&r, "TCPREMOTEHOST");
		assert_log(&r, "127.0.0.1", "ok", "client.example.com:127.0.0.1",
		    paranoid_cases[i].log_remote);
	}
}

/* Vector 01 A and 10 W3 through child_run: the identd on port 113 of a
 * private network is asked "REMOTEPORT , LOCALPORT"; its answer is
 * TCPREMOTEINFO, sanitised in the log, and an INFO@IP rule sees it. */
Test(child_run, ident_answer_reaches_env_log_and_rules)
{
	char *prog[] = { "/usr/bin/env", NULL };
	struct server_options o;
	struct fake_identd f;
	char seen[300], want[300];
	struct run r;

	private_net();
	cr_assert_eq(fake_identd_start(&f, 113, "x : USERID : UNIX : j o%x\r\n"), 0);
	opts_default(&o, prog);
	o.local_name = "0";
	o.remote_info_lookup = 1;
	o.rules_path = compile_rules("info", "jo%x@127.0.0.1:allow,WHO=\"info\"\n"
	    ":allow,WHO=\"default\"\n");
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
	fake_identd_report(&f, seen, sizeof seen);
	fake_identd_stop(&f);
	cr_assert_eq(exit_code(&r), 0, "stderr: %s", r.err);
	snprintf(want, sizeof want, "%u , %u\r\n|127.0.0.1", r.client_port,
	    r.server_port);
	cr_assert_str_eq(seen, want);
	assert_var(&r, "TCPREMOTEINFO", "jo%x");
	assert_var(&r, "WHO", "info");
	assert_log(&r, "127.0.0.1", "ok", "0:127.0.0.1", ":127.0.0.1:jo?x");
	free((char *)o.rules_path);
}

/* A PTR name glibc refuses (odd bytes) still reaches the program escaped as
 * 0.88 escapes it (as the real one showed in tests/tcpserver_it_names.c),
 * and IPv6 clients are named through ip6.arpa. */
Test(child_run, dns_odd_bytes_escaped_and_ipv6_names)
{
	char *prog[] = { "/usr/bin/env", NULL };
	char nibbles[80] = "1.";
	struct fakedns_record recs[] = {
		{ FAKEDNS_PTR, "1.0.0.127.in-addr.arpa", "we!rd\001x_y-z.Example.com" },
		{ FAKEDNS_PTR, nibbles, "V6.Example.com" },
	};
	struct server_options o;
	struct run r;
	pid_t dns;
	int i;

	for (i = 0; i < 31; i++)
		strcat(nibbles, "0.");
	strcat(nibbles, "ip6.arpa");
	dns_world();
	dns = fakedns_start(recs, 2);
	cr_assert_neq(dns, -1, "fake DNS server");
	opts_default(&o, prog);
	o.remote_host_lookup = 1;
	run_conn(&r, &o, "127.0.0.1", "127.0.0.1", NULL);
	cr_assert_eq(exit_code(&r), 0, "stderr: %s", r.err);
	assert_var(&r, "TCPREMOTEHOST", "we\\041rd\\001x_y-z.example.com");
	assert_log(&r, "127.0.0.1", "ok", "name:127.0.0.1",
	    "we\\041rd\\001x_y-z.example.com:127.0.0.1:");
	run_conn(&r, &o, "::1", "::1", NULL);
	dns_stop(dns);
	cr_assert_eq(exit_code(&r), 0, "stderr: %s", r.err);
	assert_var(&r, "TCPREMOTEHOST", "v6.example.com");
	assert_var(&r, "TCP6REMOTEHOST", "v6.example.com");
}
