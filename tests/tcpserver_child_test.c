/* tcpserver_child_test.c: unit tests of mailstack-tcpserver's child pieces:
 * environment edits, connection forms, log fields, ident, PATH search,
 * host-name escaping. Expected values come from the captured vectors in
 * shared/spec/vectors/tcpserver{,-ipv6}/. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "daemons/tcpserver/child.h"
#include "daemons/tcpserver/ident.h"
#include "daemons/tcpserver/logfmt.h"
#include "daemons/tcpserver/pathexec.h"
#include "daemons/tcpserver/resolve.h"
#include "ip.h"
#include "strbuf.h"
#include "tests/tcpserver_child_util.h"

/* A connection as child_run would see it. */
static void
make_conn(struct child_conn *c, const char *lip, unsigned lport,
    const char *rip, unsigned rport, int force6)
{
	memset(c, 0, sizeof *c);
	cr_assert_eq(ip_parse(lip, &c->local), 0);
	cr_assert_eq(ip_parse(rip, &c->remote), 0);
	c->local_port = lport;
	c->remote_port = rport;
	child_conn_forms(c, force6);
}

static size_t
env_count(char **e)
{
	size_t n = 0;

	while (e[n] != NULL)
		n++;
	return n;
}

/* The entry for name ("NAME=..."), or NULL. */
static const char *
env_find(char **e, const char *name)
{
	size_t n = strlen(name);

	for (; *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static void
assert_env_exact(char **e, const char *const *want, size_t nwant)
{
	size_t i;

	cr_assert_eq(env_count(e), nwant, "got %zu entries, want %zu",
	    env_count(e), nwant);
	for (i = 0; i < nwant; i++)
		cr_assert_str_eq(e[i], want[i], "entry %zu", i);
}

/* Vector 13 (odd env names): -H -R -l 0, rules ="v", A B="w", PATH="/bin",
 * listener started with env -i PATH=/usr/bin:/bin; /usr/bin/env printed
 * exactly this order. */
Test(child_env, odd_rule_names_in_tcpservers_order)
{
	char *base[] = { "PATH=/usr/bin:/bin", NULL };
	const char *want[] = { "A B=w", "PROTO=TCP", "TCPLOCALIP=127.0.0.1",
		"TCPLOCALPORT=33227", "TCPLOCALHOST=0", "TCPREMOTEIP=127.0.0.1",
		"TCPREMOTEPORT=48550", "=v", "PATH=/bin" };
	struct child_env ce = CHILD_ENV_ZERO;
	struct child_conn c;
	char **e;

	make_conn(&c, "127.0.0.1", 33227, "127.0.0.1", 48550, 0);
	c.local_host = "0";
	cr_assert_eq(child_env_add_conn(&ce, &c), 0);
	cr_assert_eq(child_env_put(&ce, "=v", 2), 0);
	cr_assert_eq(child_env_put(&ce, "A B=w", 5), 0);
	cr_assert_eq(child_env_put(&ce, "PATH=/bin", 9), 0);
	cr_assert_eq(child_env_apply(&ce, base, &e), 0);
	assert_env_exact(e, want, sizeof want / sizeof want[0]);
	cr_assert_str_eq(base[0], "PATH=/usr/bin:/bin", "base was changed");
	free(e);
	child_env_free(&ce);
}

/* Vector 02 D: stale TCPREMOTEHOST/TCPREMOTEINFO/TCPLOCALHOST from the
 * listener's environment are replaced or removed. */
Test(child_env, stale_values_never_reach_the_program)
{
	char *base[] = { "TCPREMOTEHOST=stale.example", "KEEP=1",
		"TCPREMOTEINFO=mallory", "TCPLOCALHOST=old", NULL };
	struct child_conn c;
	char **e;

	make_conn(&c, "127.0.0.1", 36283, "127.0.0.1", 37768, 0);
	c.local_host = "myname";
	cr_assert_eq(child_env_build(&c, base, &e), 0);
	cr_assert_null(env_find(e, "TCPREMOTEHOST"));
	cr_assert_null(env_find(e, "TCPREMOTEINFO"));
	cr_assert_str_eq(env_find(e, "TCPLOCALHOST"), "myname");
	cr_assert_str_eq(env_find(e, "KEEP"), "1");
	cr_assert_str_eq(env_find(e, "TCPREMOTEPORT"), "37768");
	cr_assert_null(env_find(e, "TCP6REMOTEIP"), "IPv4 socket: 0.88 has no TCP6*");
	cr_assert_eq(env_count(e), 7);
	free(e);
}

/* Vector 03 G: rule variables come last and override TCP* and PROTO;
 * an item without '=' is ignored as tcpserver ignores it. */
Test(child_env, rule_variables_override_and_need_an_equals_sign)
{
	char *base[] = { NULL };
	struct child_env ce = CHILD_ENV_ZERO;
	struct child_conn c;
	char **e;

	make_conn(&c, "127.0.0.1", 36121, "127.0.0.1", 34758, 0);
	c.local_host = "0";
	c.remote_host = "client.example.com";
	c.remote_info = "";
	cr_assert_eq(child_env_add_conn(&ce, &c), 0);
	cr_assert_eq(child_env_put(&ce, "RELAYCLIENT=", 12), 0);
	cr_assert_eq(child_env_put(&ce, "TCPLOCALHOST=movie.edu", 22), 0);
	cr_assert_eq(child_env_put(&ce, "PROTO=XTCP", 10), 0);
	cr_assert_eq(child_env_put(&ce, "NOEQUALS", 8), 0);
	cr_assert_eq(child_env_apply(&ce, base, &e), 0);
	cr_assert_str_eq(env_find(e, "PROTO"), "XTCP");
	cr_assert_str_eq(env_find(e, "TCPLOCALHOST"), "movie.edu");
	cr_assert_str_eq(env_find(e, "RELAYCLIENT"), "");
	cr_assert_str_eq(env_find(e, "TCPREMOTEHOST"), "client.example.com");
	cr_assert_str_eq(env_find(e, "TCPREMOTEINFO"), "", "empty ident answer is set");
	cr_assert_null(env_find(e, "NOEQUALS"));
	cr_assert_eq(env_count(e), 9);
	free(e);
	child_env_free(&ce);
}

Test(child_env, unset_removes_only_exact_names)
{
	char *base[] = { "TCPREMOTEHOSTX=1", "TCPREMOTEHOST=a", "TCPREMOTEHOST=b", NULL };
	struct child_env ce = CHILD_ENV_ZERO;
	char **e;

	cr_assert_eq(child_env_set(&ce, "TCPREMOTEHOST", NULL), 0);
	cr_assert_eq(child_env_apply(&ce, base, &e), 0);
	/* pathexec removes the first match only, moving the last into it */
	cr_assert_eq(env_count(e), 2);
	cr_assert_str_eq(e[0], "TCPREMOTEHOSTX=1");
	cr_assert_str_eq(e[1], "TCPREMOTEHOST=b");
	free(e);
	child_env_free(&ce);
}

struct v6case {
	const char *lip, *rip;
	int force6;
	const char *want[11];
};

/* shared/spec/vectors/tcpserver-ipv6/01: V2 (-6), V4 (host ::1); all with
 * -R. V1 (dual stack, v4 client) deliberately differs: 0.88's forms. */
static const struct v6case v6cases[] = {
	/* unlike the IPv6 build, an IPv4 client of a dual-stack socket gets
	 * exactly 0.88's variables (no TCP6*) unless -6 */
	{ "::ffff:127.0.0.1", "::ffff:127.0.0.1", 0, { "PROTO=TCP",
	  "TCPLOCALIP=127.0.0.1", "TCPLOCALPORT=40263", "TCPREMOTEIP=127.0.0.1",
	  "TCPREMOTEPORT=53668", NULL } },
	{ "::ffff:127.0.0.1", "::ffff:127.0.0.1", 1, { "PROTO=TCP6",
	  "TCP6LOCALIP=::ffff:127.0.0.1", "TCP6LOCALPORT=40263",
	  "TCP6REMOTEIP=::ffff:127.0.0.1", "TCP6REMOTEPORT=53668",
	  "TCPLOCALIP=::ffff:127.0.0.1", "TCPLOCALPORT=40263",
	  "TCPREMOTEIP=::ffff:127.0.0.1", "TCPREMOTEPORT=53668", NULL } },
	{ "::1", "::1", 0, { "PROTO=TCP6", "TCP6LOCALIP=::1",
	  "TCP6LOCALPORT=40263", "TCP6REMOTEIP=::1", "TCP6REMOTEPORT=53668",
	  "TCPLOCALIP=::1", "TCPLOCALPORT=40263", "TCPREMOTEIP=::1",
	  "TCPREMOTEPORT=53668", NULL } },
	/* the parent may hand over the peer already unmapped */
	{ "::ffff:127.0.0.1", "127.0.0.1", 0, { "PROTO=TCP",
	  "TCPLOCALIP=127.0.0.1", "TCPLOCALPORT=40263", "TCPREMOTEIP=127.0.0.1",
	  "TCPREMOTEPORT=53668", NULL } },
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(child_env, ipv6_socket_forms_match_the_ipv6_build)
{
	struct child_conn c;
	size_t i, j, n;
	char **e;

	for (i = 0; i < sizeof v6cases / sizeof v6cases[0]; i++) {
		make_conn(&c, v6cases[i].lip, 40263, v6cases[i].rip, 53668,
		    v6cases[i].force6);
		cr_assert_eq(child_env_build(&c, NULL, &e), 0);
		n = env_count(e);
		qsort(e, n, sizeof *e, cmp_str);
		for (j = 0; v6cases[i].want[j] != NULL; j++) {
			cr_assert(j < n, "case %zu: too few entries", i);
			cr_assert_str_eq(e[j], v6cases[i].want[j], "case %zu", i);
		}
		cr_assert_eq(n, j, "case %zu: %zu entries", i, n);
		free(e);
	}
}

Test(child_env, ipv6_names_and_info_mirror_into_tcp6)
{
	struct child_conn c;
	char **e;

	make_conn(&c, "::1", 1, "::1", 2, 0);
	c.local_host = "v6.example.com";
	c.remote_host = "peer.example.com";
	c.remote_info = "joe";
	cr_assert_eq(child_env_build(&c, NULL, &e), 0);
	cr_assert_str_eq(env_find(e, "TCP6LOCALHOST"), "v6.example.com");
	cr_assert_str_eq(env_find(e, "TCP6REMOTEHOST"), "peer.example.com");
	cr_assert_str_eq(env_find(e, "TCP6REMOTEINFO"), "joe");
	cr_assert_str_eq(env_find(e, "TCPREMOTEINFO"), "joe");
	cr_assert_null(env_find(e, "TCP6INTERFACE"));
	free(e);
}

static char *
field(const char *s, int keep_colon)
{
	struct strbuf sb = STRBUF_ZERO;

	cr_assert_eq(logfmt_field(&sb, s, keep_colon), 0);
	if (sb.s == NULL)
		return strdup("");
	return sb.s;
}

Test(logfmt, replaces_unsafe_bytes)
{
	char *f;

	f = field("jo:e%x\xe9y", 0);	/* §1.9: ident jo:e%x\xe9y */
	cr_assert_str_eq(f, "jo?e?x?y");
	free(f);
	f = field("a b\tc\x7f~!", 0);
	cr_assert_str_eq(f, "a?b?c?~!");
	free(f);
	f = field("::1:x%", 1);
	cr_assert_str_eq(f, "::1:x?");
	free(f);
	f = field(NULL, 0);
	cr_assert_str_eq(f, "");
	free(f);
}

Test(logfmt, cuts_long_fields_like_safecats)
{
	char in[160], *f;
	size_t n;

	for (n = 98; n <= 102; n++) {
		memset(in, 'h', n);
		in[n] = '\0';
		f = field(in, 0);
		if (n < LOGFMT_FIELD_MAX) {
			cr_assert_str_eq(f, in, "length %zu kept whole", n);
		} else {
			cr_assert_eq(strlen(f), LOGFMT_FIELD_MAX + 3, "length %zu", n);
			cr_assert_str_eq(f + LOGFMT_FIELD_MAX, "...");
			cr_assert_eq(strncmp(f, in, LOGFMT_FIELD_MAX), 0);
		}
		free(f);
	}
}

static char *
decision(int deny, pid_t pid, const struct child_conn *c)
{
	struct strbuf sb = STRBUF_ZERO;

	cr_assert_eq(logfmt_decision(&sb, deny, pid, c), 0);
	return sb.s;
}

/* Lines captured from the real programs (§1.9, vectors 01, 03, 10 and the
 * IPv6 build's 01): IPv4 sockets turn ':' into '?', IPv6 sockets log the
 * long forms and keep ':'. */
static const struct {
	const char *lip, *rip;
	unsigned lport, rport;
	const char *lhost, *rhost, *info;
	int deny;
	pid_t pid;
	int force6;
	const char *want;
} decisions[] = {
	{ "127.0.0.1", "127.0.0.1", 43639, 37930, "client.example.com",
	  "client.example.com", "joe", 0, 6537, 0, "ok 6537 client.example.com:"
	  "127.0.0.1:43639 client.example.com:127.0.0.1:joe:37930" },
	{ "127.0.0.1", "127.0.0.2", 33125, 39637, "0", NULL, NULL, 1, 7592, 0,
	  "deny 7592 0:127.0.0.1:33125 :127.0.0.2::39637" },
	{ "127.0.0.1", "127.0.0.1", 37253, 57046, "0", NULL, "jo:e%x\xe9y", 0,
	  5781, 0, "ok 5781 0:127.0.0.1:37253 :127.0.0.1:jo?e?x?y:57046" },
	/* the IPv6 build's line needs -6 here; without it 0.88's line */
	{ "::ffff:127.0.0.1", "::ffff:127.0.0.1", 40263, 53668, "v4.example.com",
	  "v4.example.com", NULL, 0, 6891, 1, "ok 6891 v4.example.com:::ffff:"
	  "127.0.0.1:40263 v4.example.com:::ffff:127.0.0.1::53668" },
	{ "::ffff:127.0.0.1", "::ffff:127.0.0.1", 40263, 53668, "v4.example.com",
	  "v4.example.com", NULL, 0, 6891, 0, "ok 6891 v4.example.com:"
	  "127.0.0.1:40263 v4.example.com:127.0.0.1::53668" },
	{ "::1", "::1", 40363, 56064, "0", NULL, NULL, 1, 5760, 0,
	  "deny 5760 0:::1:40363 :::1::56064" },
};

Test(logfmt, ok_and_deny_lines_match_the_captures)
{
	struct child_conn c;
	size_t i;
	char *l;

	for (i = 0; i < sizeof decisions / sizeof decisions[0]; i++) {
		make_conn(&c, decisions[i].lip, decisions[i].lport,
		    decisions[i].rip, decisions[i].rport, decisions[i].force6);
		c.local_host = decisions[i].lhost;
		c.remote_host = decisions[i].rhost;
		c.remote_info = decisions[i].info;
		l = decision(decisions[i].deny, decisions[i].pid, &c);
		cr_assert_str_eq(l, decisions[i].want, "case %zu", i);
		free(l);
	}
}

static const char *
feed_all(struct ident_reply *r, const char *s, size_t n)
{
	ident_reply_init(r);
	ident_reply_feed(r, s, n);
	return r->done ? r->value : NULL;
}

/* §1.7's table, plus the port pair a real identd puts first. */
Test(ident, reply_parsing_follows_tcpserver)
{
	static const struct { const char *in; const char *want; } t[] = {
		{ "37930 , 43639 : USERID : UNIX : joe\r\n", "joe" },
		{ "1 , 2 : USERID : UNIX,UTF-8 : alice\r\n", "alice" },
		{ "1 , 2 : USERID : UNIX : j o:e%x\xe9y\r\n", "jo:e%x\xe9y" },
		{ "1 , 2 : ERROR : NO-USER\r\n", "" },
		{ "1 , 2 : USERID : UNIX :\r\n", "" },
		{ "1 , 2 : USERID : UNIX : bob", NULL },
		{ "\n", "" },
		{ ":::\t x y\n trailing", "xy" },
	};
	struct ident_reply r;
	const char *got;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = feed_all(&r, t[i].in, strlen(t[i].in));
		if (t[i].want == NULL)
			cr_assert_null(got, "case %zu should not finish", i);
		else
			cr_assert_str_eq(got, t[i].want, "case %zu", i);
	}
}

Test(ident, byte_by_byte_equals_whole_and_stops_at_the_newline)
{
	const char *in = "5 , 6 : USERID : UNIX : carol\r\nEXTRA";
	struct ident_reply r;
	size_t i, used = 0;

	ident_reply_init(&r);
	for (i = 0; in[i] != '\0'; i++)
		used += ident_reply_feed(&r, in + i, 1);
	cr_assert(r.done);
	cr_assert_str_eq(r.value, "carol");
	cr_assert_eq(used, strlen(in) - strlen("EXTRA"));
}

Test(ident, long_values_stop_at_257_bytes)
{
	char in[400];
	struct ident_reply r;

	memset(in, 'u', sizeof in);
	memcpy(in, ":::", 3);
	ident_reply_init(&r);
	cr_assert_lt(ident_reply_feed(&r, in, sizeof in), sizeof in);
	cr_assert(r.done, "a full value counts as an answer");
	cr_assert_eq(r.len, IDENT_VALUE_MAX);
	cr_assert_eq(strlen(r.value), IDENT_VALUE_MAX);
}

static void
ident_setup(struct ident_query *q, const char *lip, const char *rip,
    unsigned port, unsigned long timeout)
{
	memset(q, 0, sizeof *q);
	cr_assert_eq(ip_parse(lip, &q->local), 0);
	cr_assert_eq(ip_parse(rip, &q->remote), 0);
	q->local_port = 4321;
	q->remote_port = 1234;
	q->server_port = port;
	q->timeout = timeout;
}

/* The query goes out from the connection's local address (v4-mapped ends
 * over IPv4) and the answer is parsed as §1.7 says. */
static const struct {
	const char *lip, *rip, *reply, *want, *seen;
} ident_cases[] = {
	{ "127.0.0.2", "127.0.0.1", "1234 , 4321 : USERID : UNIX : joe\r\n",
	  "joe", "1234 , 4321\r\n|127.0.0.2" },
	{ "::ffff:127.0.0.1", "::ffff:127.0.0.1",
	  "1234 , 4321 : ERROR : NO-USER\r\n", "", "1234 , 4321\r\n|127.0.0.1" },
};

Test(ident, asks_from_the_local_address_and_reads_the_answer)
{
	struct fake_identd f;
	struct ident_query q;
	struct ident_reply r;
	char seen[300];
	size_t i;

	for (i = 0; i < sizeof ident_cases / sizeof ident_cases[0]; i++) {
		cr_assert_eq(fake_identd_start(&f, 0, ident_cases[i].reply), 0);
		ident_setup(&q, ident_cases[i].lip, ident_cases[i].rip, f.port, 5);
		cr_assert_eq(ident_lookup(&q, &r), 0, "case %zu: errno %d", i, errno);
		cr_assert_str_eq(r.value, ident_cases[i].want, "case %zu", i);
		fake_identd_report(&f, seen, sizeof seen);
		cr_assert_str_eq(seen, ident_cases[i].seen, "case %zu", i);
		fake_identd_stop(&f);
	}
}

Test(ident, eof_before_newline_fails)
{
	struct fake_identd f;
	struct ident_query q;
	struct ident_reply r;

	cr_assert_eq(fake_identd_start(&f, 0, "1234 , 4321 : USERID : UNIX : bob"), 0);
	ident_setup(&q, "127.0.0.1", "127.0.0.1", f.port, 5);
	cr_assert_eq(ident_lookup(&q, &r), -1);
	fake_identd_stop(&f);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(ident, a_silent_identd_costs_at_most_the_deadline)
{
	struct fake_identd f;
	struct ident_query q;
	struct ident_reply r;
	double t0, spent;

	cr_assert_eq(fake_identd_start(&f, 0, NULL), 0);
	ident_setup(&q, "127.0.0.1", "127.0.0.1", f.port, 1);
	t0 = now_s();
	cr_assert_eq(ident_lookup(&q, &r), -1);
	cr_assert_eq(errno, ETIMEDOUT);
	spent = now_s() - t0;
	cr_assert(spent >= 0.9 && spent < 4.0, "gave up after %.2f s", spent);
	fake_identd_stop(&f);
}

Test(ident, zero_timeout_and_refused_fail)
{
	struct fake_identd f;
	struct ident_query q;
	struct ident_reply r;
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int s;

	cr_assert_eq(fake_identd_start(&f, 0, "1234 , 4321 : USERID : UNIX : joe\r\n"), 0);
	ident_setup(&q, "127.0.0.1", "127.0.0.1", f.port, 0);
	cr_assert_eq(ident_lookup(&q, &r), -1, "-t 0 never succeeds");
	fake_identd_stop(&f);

	/* a port that was just free: nothing listens there */
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	close(s);
	ident_setup(&q, "127.0.0.1", "127.0.0.1", ntohs(sin.sin_port), 5);
	cr_assert_eq(ident_lookup(&q, &r), -1);
	cr_assert_eq(errno, ECONNREFUSED);
}

static char *
scratch_dir(void)
{
	char *d = util_scratch_dir();

	cr_assert_not_null(d);
	return d;
}

static void
scratch_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(chmod(path, mode), 0);
}

static void
scratch_remove(char *dir)
{
	cr_assert_eq(util_scratch_remove(dir), 0);
}

/* Runs pathexec_run in a child from cwd. Returns the program's exit
 * code, or 200 + errno when the search failed. */
static int
run_exec(const char *cwd, const char *file, const char *path)
{
	char *argv[] = { (char *)file, NULL };
	char *envp[] = { NULL };
	int status;
	pid_t pid;

	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		alarm(10);
		if (cwd != NULL && chdir(cwd) == -1)
			_exit(199);
		pathexec_run(file, argv, envp, path);
		_exit(200 + errno);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

Test(pathexec, searches_path_as_pathexec)
{
	char *d = scratch_dir(), path[1200], a[512], b[512];

	snprintf(a, sizeof a, "%s/a", d);
	snprintf(b, sizeof b, "%s/b", d);
	cr_assert_eq(mkdir(a, 0700), 0);
	cr_assert_eq(mkdir(b, 0700), 0);
	scratch_file(a, "prog", "#!/bin/sh\nexit 3\n", 0600);	/* not executable */
	scratch_file(b, "prog", "#!/bin/sh\nexit 4\n", 0700);
	scratch_file(a, "only", "#!/bin/sh\nexit 5\n", 0600);
	scratch_file(d, "here", "#!/bin/sh\nexit 6\n", 0700);

	snprintf(path, sizeof path, "%s/none:%s:%s", d, a, b);
	cr_assert_eq(run_exec(NULL, "prog", path), 4, "EACCES is skipped");
	snprintf(path, sizeof path, "%s:%s/none", a, d);
	cr_assert_eq(run_exec(NULL, "only", path), 200 + EACCES,
	    "EACCES is reported over a later ENOENT");
	cr_assert_eq(run_exec(NULL, "absent", path), 200 + ENOENT);
	snprintf(path, sizeof path, "%s/none:", d);
	cr_assert_eq(run_exec(d, "here", path), 6, "an empty element is \".\"");
	cr_assert_eq(run_exec(d, "here", a), 200 + ENOENT, "no implicit \".\"");
	cr_assert_eq(run_exec(d, "./here", "/nonexistent"), 6, "a '/' skips PATH");
	scratch_remove(d);
}

Test(pathexec, default_path_is_bin_and_usr_bin)
{
	struct stat st;

	cr_assert(stat("/bin/true", &st) == 0 || stat("/usr/bin/true", &st) == 0);
	cr_assert_eq(run_exec(NULL, "true", NULL), 0);
	cr_assert_eq(run_exec("/", "true", ""), 200 + ENOENT,
	    "PATH=\"\" means only \".\"");
}

Test(pathexec, no_shell_fallback)
{
	char *d = scratch_dir();

	scratch_file(d, "noshebang", "exit 7\n", 0700);
	cr_assert_eq(run_exec(d, "noshebang", ""), 200 + ENOEXEC);
	scratch_remove(d);
}

static char *
escaped(const char *name)
{
	struct strbuf sb = STRBUF_ZERO;

	cr_assert_eq(resolve_escape(&sb, name), 0);
	return sb.s;
}

Test(resolve, names_are_written_as_djbdns_writes_them)
{
	static const struct { const char *in, *want; } t[] = {
		{ "Client.Example.COM", "client.example.com" },
		{ "a_b-c9.example", "a_b-c9.example" },
		{ "x\\032y.example", "x\\040y.example" },	/* glibc's decimal escape */
		{ "a\\.b.example", "a\\056b.example" },		/* a dot inside a label */
		{ "caf\xc3\xa9.example", "caf\\303\\251.example" },
		{ "odd+name.example.", "odd\\053name.example" },
		{ "", "." },
		{ ".", "." },
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = escaped(t[i].in);
		cr_assert_str_eq(got, t[i].want, "case %zu (%s)", i, t[i].in);
		free(got);
	}
}

/* In a private network namespace (nothing can leave the machine) the
 * system resolver answers 127.0.0.1 from /etc/hosts. */
Test(resolve, ptr_and_paranoid_check_through_the_system_resolver)
{
	char want[256], got[RESOLVE_NAME_MAX + 8];
	struct ip_addr ip, other;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	util_hosts_name(want, sizeof want);
	if (want[0] == '\0')
		cr_skip_test("/etc/hosts has no 127.0.0.1 line");
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		char name[RESOLVE_NAME_MAX], line[RESOLVE_NAME_MAX + 8];

		alarm(20);
		if (util_private_net() == -1)
			_exit(77);
		ip_parse("127.0.0.1", &ip);
		ip_parse("127.0.0.2", &other);
		if (!resolve_ptr(&ip, name))
			snprintf(name, sizeof name, "(none)");
		snprintf(line, sizeof line, "%s %d %d", name,
		    resolve_confirm(name, &ip), resolve_confirm(name, &other));
		if (write(p[1], line, strlen(line)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], got, sizeof got - 1);
	close(p[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		cr_skip_test("no permission for a private network namespace");
	cr_assert(n > 0);
	got[n] = '\0';
	snprintf(want + strlen(want), sizeof want - strlen(want), " 1 0");
	cr_assert_str_eq(got, want);
}
