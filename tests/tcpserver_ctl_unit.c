/* tcpserver_ctl_unit.c: the control protocol's parser and formatter, the
 * limits file parser (every way a file is rejected), the growth of the
 * connection table, the per-address grouping of "connections" against
 * a plain sort on random tables and its reply for children still being
 * started, in-process. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemons/tcpserver/conn_table.h"
#include "daemons/tcpserver/ctlgroups.h"
#include "lib/ctlproto.h"
#include "lib/limitsfile.h"
/* The "connections" reply, included so that it runs on a bare table: no
 * listener, and the per-address limit is server_ip_limit's below. */
#include "daemons/tcpserver/ctlconns.c"

unsigned long
server_ip_limit(struct server *s, const struct ip_addr *remote,
    struct strbuf *src)
{
	(void)s;
	(void)remote;
	strbuf_reset(src);
	(void)strbuf_appends(src, "none");
	return 0;
}

static int
parse(const char *line, struct ctl_request *req, struct ctl_error *e)
{
	return ctl_parse_request(line, strlen(line), req, e);
}

Test(ctlproto, simple_requests)
{
	struct ctl_request r;
	struct ctl_error e;

	cr_assert_eq(parse("status", &r, &e), 0);
	cr_assert_eq(r.cmd, CTL_STATUS);
	cr_assert_eq(parse("reload\r", &r, &e), 0, "a CR before LF is fine");
	cr_assert_eq(r.cmd, CTL_RELOAD);
	cr_assert_eq(parse("quit", &r, &e), 0);
	cr_assert_eq(r.cmd, CTL_QUIT);
	cr_assert_eq(parse("connections", &r, &e), 0);
	cr_assert_eq(r.cmd, CTL_CONNECTIONS);
	cr_assert_eq(r.top, 0);
	cr_assert_eq(r.has_ip, 0);
}

Test(ctlproto, connections_arguments)
{
	struct ctl_request r;
	struct ctl_error e;
	char text[IP_FMT_MAX];

	cr_assert_eq(parse("connections top 5 ip 2001:db8::1", &r, &e), 0);
	cr_assert_eq(r.top, 5);
	cr_assert_eq(r.has_ip, 1);
	ip_format(&r.ip, text);
	cr_assert_str_eq(text, "2001:db8::1");
	cr_assert_eq(parse("connections ip 127.0.0.2 top 1", &r, &e), 0);
	cr_assert_eq(r.top, 1);
	ip_format(&r.ip, text);
	cr_assert_str_eq(text, "127.0.0.2");
}

struct bad {
	const char *line;
	const char *code;
};

Test(ctlproto, bad_requests_named)
{
	static const struct bad cases[] = {
		{ "", "usage" }, { "stat", "usage" }, { "status now", "usage" },
		{ "STATUS", "usage" }, { " status", "usage" },
		{ "status ", "usage" }, { "connections  top 1", "usage" },
		{ "connections top", "usage" }, { "connections top x", "usage" },
		{ "connections top 0", "range" },
		{ "connections top 1000001", "range" },
		{ "connections top 1 top 2", "usage" },
		{ "connections ip 10.0.0.256", "usage" },
		{ "connections ip example.org", "usage" },
		{ "connections ip 127.0.0.1 ip 127.0.0.2", "usage" },
		{ "connections size 3", "usage" }, { "set", "usage" },
		{ "set max_connections", "usage" },
		{ "set max_connections=", "usage" },
		{ "set max_connections=-1", "usage" },
		{ "set max_connections=0", "range" },
		{ "set max_per_ip=1000001", "range" },
		{ "set max_per_ip=99999999999999999999999", "range" },
		{ "set max_per_ip=1 max_per_ip=2", "usage" },
		{ "set limit=4", "usage" }, { "set max_per_ip =4", "usage" },
		{ "quit\r\r", "usage" }, { "status\001", "usage" },
	};
	struct ctl_request r;
	struct ctl_error e;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		e.code = NULL;
		cr_assert_eq(parse(cases[i].line, &r, &e), -1, "accepted: '%s'",
		    cases[i].line);
		cr_assert_str_eq(e.code, cases[i].code, "'%s': %s %s",
		    cases[i].line, e.code, e.text);
		cr_assert_neq(e.text[0], '\0', "no reason for '%s'",
		    cases[i].line);
	}
}

Test(ctlproto, set_keys_and_values)
{
	struct ctl_request r;
	struct ctl_error e;

	cr_assert_eq(parse("set max_per_network=0 max_connections=1000000",
	    &r, &e), 0);
	cr_assert_eq(r.cmd, CTL_SET);
	cr_assert_eq(r.set[LIMIT_MAX_CONNECTIONS], 1);
	cr_assert_eq(r.n[LIMIT_MAX_CONNECTIONS], 1000000);
	cr_assert_eq(r.set[LIMIT_MAX_PER_IP], 0, "not given, not set");
	cr_assert_eq(r.set[LIMIT_MAX_PER_NETWORK], 1);
	cr_assert_eq(r.n[LIMIT_MAX_PER_NETWORK], 0, "0 = no limit is fine");
}

Test(ctlproto, values_escaped)
{
	struct strbuf sb = STRBUF_ZERO;
	const char raw[] = "a b%c\tz\x7f\xc3\xa9!~";

	cr_assert_eq(ctl_put_escaped(&sb, raw, sizeof raw - 1), 0);
	cr_assert_str_eq(sb.s, "a%20b%25c%09z%7F%C3%A9!~");
	strbuf_reset(&sb);
	cr_assert_eq(ctl_put_str(&sb, "limits_file", "/etc/my limits"), 0);
	cr_assert_eq(ctl_put_num(&sb, "live", 18446744073709551615ULL), 0);
	cr_assert_str_eq(sb.s, "limits_file /etc/my%20limits\n"
	    "live 18446744073709551615\n");
	strbuf_free(&sb);
}

Test(ctlproto, blocks)
{
	struct strbuf sb = STRBUF_ZERO;

	cr_assert_eq(ctl_put_ok(&sb), 0);
	cr_assert_eq(ctl_put_end(&sb), 0);
	cr_assert_eq(ctl_put_error(&sb, "config", "f:3: bad\nline\r"), 0);
	cr_assert_str_eq(sb.s, "ok\n.\nerror config f:3: bad?line?\n.\n",
	    "an error stays one line");
	strbuf_reset(&sb);
	cr_assert_eq(ctl_put_error(&sb, "usage", "unknown limit caf\xc3\xa9\x7f"), 0);
	cr_assert_str_eq(sb.s, "error usage unknown limit caf???\n.\n",
	    "echoed bytes above 126 stay printable");
	strbuf_free(&sb);
}

/* Parses s; returns the line of the error (0 when accepted). */
static unsigned long
lf_parse(const char *s, struct limits_file *lf, const char **reason)
{
	static struct limitsfile_error e;

	*reason = NULL;
	if (limitsfile_parse(s, strlen(s), lf, &e) == 0)
		return 0;
	*reason = e.reason;
	return e.line;
}

Test(limitsfile, good_file)
{
	struct limits_file lf;
	const char *why;

	cr_assert_eq(lf_parse("# mailstack limits for imap\n\nmax_connections=64\n"
	    "  \nmax_per_ip=10\n#max_per_network=3\nmax_per_network=0", &lf,
	    &why), 0, "%s", why);
	cr_assert_eq(lf.set[LIMIT_MAX_CONNECTIONS], 1);
	cr_assert_eq(lf.n[LIMIT_MAX_CONNECTIONS], 64);
	cr_assert_eq(lf.n[LIMIT_MAX_PER_IP], 10);
	cr_assert_eq(lf.set[LIMIT_MAX_PER_NETWORK], 1);
	cr_assert_eq(lf.n[LIMIT_MAX_PER_NETWORK], 0);
	cr_assert_eq(lf_parse("", &lf, &why), 0, "an empty file is fine");
	cr_assert_eq(lf.set[LIMIT_MAX_CONNECTIONS] + lf.set[LIMIT_MAX_PER_IP] +
	    lf.set[LIMIT_MAX_PER_NETWORK], 0);
	cr_assert_eq(lf_parse("max_per_ip=1000000\n", &lf, &why), 0);
	cr_assert_eq(lf.n[LIMIT_MAX_PER_IP], 1000000);
	cr_assert_eq(lf.set[LIMIT_MAX_CONNECTIONS], 0, "keys are optional");
}

struct badfile {
	const char *text;
	unsigned long line;
	const char *reason;	/* a word of it */
};

Test(limitsfile, every_error_names_its_line)
{
	static const struct badfile cases[] = {
		{ "max_connection=3\n", 1, "unknown" },
		{ "max_connections=3\nMAX_PER_IP=3\n", 2, "unknown" },
		{ "# c\nmax_per_ip=3\nmax_per_ip=4\n", 3, "duplicate" },
		{ "max_per_ip=three\n", 1, "max_per_ip must be a whole number" },
		{ "max_per_ip=\n", 1, "whole number" },
		{ "max_per_ip=-1\n", 1, "whole number" },
		{ "max_per_ip=+1\n", 1, "whole number" },
		{ "max_per_ip=1\r\n", 1, "whole number" },
		{ "max_per_ip=1 # ten\n", 1, "whole number" },
		{ "\n\nmax_per_network=1000001\n", 3, "max_per_network must be from 0 to 1000000" },
		{ "max_per_network=18446744073709551616\n", 1, "max_per_network must be from 0 to 1000000" },
		{ "max_per_ip =3\n", 1, "blank" },
		{ "max_per_ip= 3\n", 1, "blank" },
		{ "max_per_ip\t=3\n", 1, "blank" },
		{ "max_per_ip 3\n", 1, "missing =" },
		{ "max_connections=0\n", 1, "max_connections must be from 1 to 1000000" },
		{ "max_per_ip=1\nmax_\0per=2\n", 2, "NUL" },
	};
	struct limits_file lf;
	struct limitsfile_error e;
	size_t i, len;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		len = strlen(cases[i].text);
		if (strstr(cases[i].reason, "NUL") != NULL)
			len = sizeof "max_per_ip=1\nmax_\0per=2\n" - 1;
		cr_assert_eq(limitsfile_parse(cases[i].text, len, &lf, &e), -1,
		    "accepted: %s", cases[i].text);
		cr_assert_eq(e.line, cases[i].line, "%s: line %lu", cases[i].text,
		    e.line);
		cr_assert_not_null(strstr(e.reason, cases[i].reason), "%s: %s",
		    cases[i].text, e.reason);
	}
}

Test(limitsfile, read_missing_unreadable_and_applied)
{
	char dir[] = "/tmp/ctlunitXXXXXX", path[64];
	struct limits_file lf;
	struct limitsfile_error e;
	struct limits_now cmd, out;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/limits", dir);
	cr_assert_eq(limitsfile_read(path, &lf, &e), 0, "missing is fine");
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(limitsfile_read(path, &lf, &e), -1, "a folder");
	cr_assert_eq(e.line, 0);
	cr_assert_eq(e.err, EISDIR);
	cr_assert_eq(rmdir(path), 0);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("max_per_ip=7\n", f);
	fclose(f);
	cr_assert_eq(limitsfile_read(path, &lf, &e), 1);
	memset(&cmd, 0, sizeof cmd);
	cmd.n[LIMIT_MAX_CONNECTIONS] = 40;
	cmd.n[LIMIT_MAX_PER_NETWORK] = 9;
	limits_apply_file(&cmd, &lf, &out);
	cr_assert_eq(out.n[LIMIT_MAX_CONNECTIONS], 40);
	cr_assert_eq(out.from[LIMIT_MAX_CONNECTIONS], LIMIT_FROM_CMDLINE);
	cr_assert_eq(out.n[LIMIT_MAX_PER_IP], 7);
	cr_assert_eq(out.from[LIMIT_MAX_PER_IP], LIMIT_FROM_FILE);
	cr_assert_eq(out.n[LIMIT_MAX_PER_NETWORK], 9);
	unlink(path);
	rmdir(dir);
}

static void
add(struct conn_table *t, pid_t pid, const char *ip)
{
	struct conn_info ci;

	memset(&ci, 0, sizeof ci);
	ci.pid = pid;
	cr_assert_eq(ip_parse(ip, &ci.remote), 0);
	cr_assert_eq(conn_table_add(t, &ci), 0, "add %ld %s", (long)pid, ip);
}

Test(conn_table, grows_keeping_every_entry)
{
	struct conn_table t;
	struct ip_addr a, b, key;
	char text[IP_FMT_MAX];
	pid_t pid;

	cr_assert_eq(conn_table_init(&t, 2, 64, 24, 48), 0);
	add(&t, 10, "192.0.2.1");
	add(&t, 11, "2001:db8::1");
	cr_assert_eq(conn_table_grow(&t, 1), 0, "smaller: nothing to do");
	cr_assert_eq(t.capacity, 2);
	cr_assert_eq(conn_table_grow(&t, 500), 0);
	cr_assert_eq(t.capacity, 500);
	for (pid = 100; pid < 598; pid++)
		add(&t, pid, pid % 2 ? "192.0.2.1" : "2001:db8::2");
	cr_assert_eq(conn_table_count(&t), 500);
	ip_parse("192.0.2.1", &a);
	ip_parse("2001:db8::ffff", &b);
	cr_assert_eq(conn_table_count_ip(&t, &a), 250);
	cr_assert_eq(conn_table_count_ip(&t, &b), 250, "same /64");
	cr_assert_eq(conn_table_distinct_ips(&t), 2);
	cr_assert_eq(conn_table_remove(&t, 11, NULL), 1, "moved with its pid");
	cr_assert_eq(conn_table_count_ip(&t, &b), 249);
	conn_table_ip_key(&t, &b, &key);
	ip_format(&key, text);
	cr_assert_str_eq(text, "2001:db8::");
	conn_table_free(&t);
}

/* The reference for ctl_groups_build: every connection with its key,
 * sorted by key then pid, cut into groups, groups sorted by count then
 * key (what "connections" did before it used the table's counts). */
struct ref_entry {
	struct ip_addr key;
	struct conn_info ci;
};

static int
ref_entry_cmp(const void *x, const void *y)
{
	const struct ref_entry *a = x, *b = y;
	int c = ctl_key_cmp(&a->key, &b->key);

	return c != 0 ? c : (a->ci.pid > b->ci.pid) - (a->ci.pid < b->ci.pid);
}

struct ref_group {
	size_t first, count;
	time_t oldest;
};

static struct ref_entry *ref_sorted;

static int
ref_group_cmp(const void *x, const void *y)
{
	const struct ref_group *a = x, *b = y;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return ctl_key_cmp(&ref_sorted[a->first].key, &ref_sorted[b->first].key);
}

/* Fills e (room for every connection) and g; returns the group count. */
static size_t
ref_groups(const struct conn_table *t, const struct ip_addr *only,
    struct ref_entry *e, struct ref_group *g)
{
	const struct conn_info *ci;
	struct ip_addr want;
	size_t pos = 0, n = 0, ng = 0, i;

	if (only != NULL)
		conn_table_ip_key(t, only, &want);
	while (conn_table_next(t, &pos, &ci)) {
		conn_table_ip_key(t, &ci->remote, &e[n].key);
		if (only == NULL || ip_equal(&e[n].key, &want))
			e[n++].ci = *ci;
	}
	qsort(e, n, sizeof *e, ref_entry_cmp);
	for (i = 0; i < n; i++) {
		if (ng == 0 || !ip_equal(&e[i].key, &e[g[ng - 1].first].key)) {
			g[ng].first = i;
			g[ng].count = 0;
			g[ng++].oldest = e[i].ci.start;
		}
		g[ng - 1].count++;
		if (e[i].ci.start < g[ng - 1].oldest)
			g[ng - 1].oldest = e[i].ci.start;
	}
	ref_sorted = e;
	qsort(g, ng, sizeof *g, ref_group_cmp);
	return ng;
}

static void
groups_match_reference(const struct conn_table *t, unsigned long top,
    const struct ip_addr *only, unsigned seed)
{
	struct ref_entry *e = calloc(conn_table_count(t) + 1, sizeof *e);
	struct ref_group *g = calloc(conn_table_count(t) + 1, sizeof *g);
	struct ctl_groups gs;
	size_t ng, i, k;

	cr_assert(e != NULL && g != NULL);
	ng = ref_groups(t, only, e, g);
	if (top > 0 && top < ng)
		ng = top;
	cr_assert_eq(ctl_groups_build(&gs, t, top, only), 0);
	cr_assert_eq(gs.n, ng, "seed %u top %lu: %zu groups, want %zu", seed,
	    top, gs.n, ng);
	for (i = 0; i < ng; i++) {
		const struct ref_entry *r = &e[g[i].first];

		cr_assert(ip_equal(&gs.g[i].key, &r->key), "seed %u top %lu "
		    "group %zu: another address", seed, top, i);
		cr_assert_eq(gs.g[i].count, g[i].count, "seed %u group %zu",
		    seed, i);
		cr_assert_eq(gs.g[i].oldest, g[i].oldest, "seed %u group %zu",
		    seed, i);
		cr_assert(ip_equal(&gs.g[i].remote, &r->ci.remote), "seed %u "
		    "group %zu: not the lowest pid's address", seed, i);
		for (k = 0; k < g[i].count; k++)
			cr_assert_eq(gs.pids[gs.g[i].first + k], r[k].ci.pid,
			    "seed %u group %zu pid %zu", seed, i, k);
	}
	ctl_groups_free(&gs);
	free(e);
	free(g);
}

/* An address from a small pool: IPv4, and IPv6 with several addresses
 * per /64 (grouped under one key, each its own remote). */
static struct ip_addr
random_addr(unsigned pool)
{
	struct ip_addr ip;
	unsigned n = (unsigned)rand() % pool;

	memset(&ip, 0, sizeof ip);
	if (n % 3 != 0) {
		ip.family = AF_INET;
		ip.a[0] = 10;
		ip.a[2] = (unsigned char)(n >> 8);
		ip.a[3] = (unsigned char)n;
		return ip;
	}
	ip.family = AF_INET6;
	ip.a[0] = 0x20;
	ip.a[1] = 0x01;
	ip.a[7] = (unsigned char)n;
	ip.a[15] = (unsigned char)(rand() % 4);
	return ip;
}

/* conns connections from pool addresses, with churn so that slots and
 * key indices are reused out of order. */
static void
random_table(struct conn_table *t, size_t conns, unsigned pool)
{
	struct conn_info ci;
	pid_t pid = 1 + rand() % 1000;
	size_t i;

	cr_assert_eq(conn_table_init(t, conns + conns / 4, 64, 24, 48), 0);
	for (i = 0; conn_table_count(t) < conns; i++) {
		memset(&ci, 0, sizeof ci);
		ci.pid = pid;
		pid += 1 + rand() % 7;
		ci.remote = random_addr(pool);
		ci.start = 1764330000 + rand() % 5000 - 2500;
		cr_assert_eq(conn_table_add(t, &ci), 0);
		if (i % 3 == 2)
			(void)conn_table_remove(t, ci.pid - 1 - rand() % 40,
			    NULL);
	}
}

Test(ctlgroups, random_tables_match_a_plain_sort)
{
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	struct conn_table t;
	struct ip_addr some, absent, mapped;
	const struct conn_info *ci;
	size_t pos = 0, d;
	int round;

	srand(seed);
	for (round = 0; round < 4; round++) {
		random_table(&t, 2000 + (size_t)(rand() % 3000),
		    50 + (unsigned)(rand() % 1200));
		d = conn_table_distinct_ips(&t);
		groups_match_reference(&t, 0, NULL, seed);
		groups_match_reference(&t, 1, NULL, seed);
		groups_match_reference(&t, 10, NULL, seed);
		groups_match_reference(&t, d - 1, NULL, seed);
		groups_match_reference(&t, d, NULL, seed);
		groups_match_reference(&t, d + 5, NULL, seed);
		pos = (size_t)rand() % (t.capacity / 2);
		cr_assert(conn_table_next(&t, &pos, &ci));
		some = ci->remote;
		groups_match_reference(&t, 0, &some, seed);
		groups_match_reference(&t, 3, &some, seed);
		if (some.family == AF_INET) {
			memset(&mapped, 0, sizeof mapped);
			mapped.family = AF_INET6;
			mapped.a[10] = mapped.a[11] = 0xff;
			memcpy(mapped.a + 12, some.a, 4);
			groups_match_reference(&t, 0, &mapped, seed);
		}
		cr_assert_eq(ip_parse("192.0.2.200", &absent), 0);
		groups_match_reference(&t, 0, &absent, seed);
		conn_table_free(&t);
	}
}

Test(ctlgroups, empty_table_and_every_group_counted_once)
{
	struct conn_table t;
	struct ctl_groups gs;
	size_t i, total = 0;

	cr_assert_eq(conn_table_init(&t, 0, 64, 24, 48), 0);
	cr_assert_eq(ctl_groups_build(&gs, &t, 0, NULL), 0);
	cr_assert_eq(gs.n, 0);
	ctl_groups_free(&gs);
	conn_table_free(&t);
	srand((unsigned)time(NULL));
	random_table(&t, 3000, 400);
	cr_assert_eq(ctl_groups_build(&gs, &t, 0, NULL), 0);
	cr_assert_eq(gs.n, conn_table_distinct_ips(&t));
	for (i = 0; i < gs.n; i++) {
		total += gs.g[i].count;
		if (i > 0)
			cr_assert(gs.g[i - 1].count >= gs.g[i].count,
			    "largest first");
	}
	cr_assert_eq(total, conn_table_count(&t));
	ctl_groups_free(&gs);
	conn_table_free(&t);
}

/* The whole "connections" reply for s's table (malloc'd). */
static char *
connections_reply(struct server *s)
{
	struct ctl_request req;
	struct strbuf out = STRBUF_ZERO;

	memset(&req, 0, sizeof req);
	req.cmd = CTL_CONNECTIONS;
	cr_assert_eq(server_ctl_connections(s, &req, &out), 0);
	cr_assert_not_null(out.s);
	return out.s;
}

/* A child being started is counted under a negative ticket until its
 * worker answers: listed as pid 0 (a negative number would read as a
 * pid to signal), then under its pid once rekeyed. */
Test(ctlconns, ticket_listed_as_pid_0_until_rekeyed)
{
	struct server s;
	char *r;

	memset(&s, 0, sizeof s);
	cr_assert_eq(conn_table_init(&s.table, 8, 64, 24, 48), 0);
	add(&s.table, 4321, "127.0.0.1");
	add(&s.table, -2, "127.0.0.1");
	add(&s.table, -5, "127.0.0.1");
	add(&s.table, -3, "10.0.0.1");
	r = connections_reply(&s);
	cr_expect_str_eq(r, "ok\n"
	    "ip 127.0.0.1 count 3 limit 0 source none oldest 0 adopted 0 "
	    "pids 0,0,4321\n"
	    "ip 10.0.0.1 count 1 limit 0 source none oldest 0 adopted 0 pids 0\n"
	    ".\n");
	free(r);
	cr_assert_eq(conn_table_rekey(&s.table, -2, 4322), 0);
	cr_assert_eq(conn_table_rekey(&s.table, -5, 99), 0);
	cr_assert_eq(conn_table_rekey(&s.table, -3, 17), 0);
	r = connections_reply(&s);
	cr_expect_str_eq(r, "ok\n"
	    "ip 127.0.0.1 count 3 limit 0 source none oldest 0 adopted 0 "
	    "pids 99,4321,4322\n"
	    "ip 10.0.0.1 count 1 limit 0 source none oldest 0 adopted 0 pids 17\n"
	    ".\n");
	free(r);
	conn_table_free(&s.table);
}

/* Adopted sessions (an earlier listener's) are counted per group, and in
 * the table, apart from the listener's own; removing one uncounts it. */
Test(ctlconns, adopted_counted_per_group)
{
	struct conn_info ci;
	struct server s;
	char *r;

	memset(&s, 0, sizeof s);
	cr_assert_eq(conn_table_init(&s.table, 8, 64, 24, 48), 0);
	add(&s.table, 10, "127.0.0.1");
	memset(&ci, 0, sizeof ci);
	cr_assert_eq(ip_parse("127.0.0.1", &ci.remote), 0);
	ci.pid = 11;
	ci.adopted = CONN_ADOPTED;
	cr_assert_eq(conn_table_add(&s.table, &ci), 0);
	ci.pid = 12;
	ci.adopted = CONN_ADOPTED_CHILD;
	cr_assert_eq(ip_parse("10.0.0.1", &ci.remote), 0);
	cr_assert_eq(conn_table_add(&s.table, &ci), 0);
	cr_assert_eq(conn_table_count_adopted(&s.table), 2);
	r = connections_reply(&s);
	cr_expect_str_eq(r, "ok\n"
	    "ip 127.0.0.1 count 2 limit 0 source none oldest 0 adopted 1 "
	    "pids 10,11\n"
	    "ip 10.0.0.1 count 1 limit 0 source none oldest 0 adopted 1 pids 12\n"
	    ".\n");
	free(r);
	cr_assert_eq(conn_table_remove(&s.table, 11, NULL), 1);
	cr_assert_eq(conn_table_count_adopted(&s.table), 1);
	cr_assert_eq(conn_table_grow(&s.table, 32), 0);
	cr_assert_eq(conn_table_count_adopted(&s.table), 1,
	    "growing keeps the adopted count");
	conn_table_free(&s.table);
}

/* One validation: a bad value of a limit is refused by the limits file and
 * by the control socket's "set" with the limits table's own words
 * (lib/limitsfile.c); mailctld and mailctl use the same words
 * (tests/web_api_test.c, tests/ctl_unit_test.c). */
Test(limits_contract, file_and_set_refuse_with_the_same_words)
{
	static const struct { const char *key, *value, *words; } cases[] = {
		{ "max_per_ip", "abc", "max_per_ip must be a whole number" },
		{ "max_per_ip", "-1", "max_per_ip must be a whole number" },
		{ "max_per_network", "1000001", "max_per_network must be from 0 to 1000000" },
		{ "max_per_network", "99999999999999999999", "max_per_network must be from 0 to 1000000" },
		{ "max_connections", "0", "max_connections must be from 1 to 1000000" },
	};
	struct limitsfile_error fe;
	struct limits_file lf;
	struct ctl_request req;
	struct ctl_error ce;
	char line[128], why[96];
	unsigned long v;
	size_t i;
	int k;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		k = limits_key_find(cases[i].key, strlen(cases[i].key));
		cr_assert_geq(k, 0);
		cr_assert_eq(limits_value_scan(k, cases[i].value, strlen(cases[i].value),
		    &v, why, sizeof why), -1);
		cr_assert_str_eq(why, cases[i].words);
		snprintf(line, sizeof line, "%s=%s\n", cases[i].key, cases[i].value);
		cr_assert_eq(limitsfile_parse(line, strlen(line), &lf, &fe), -1, "%s", line);
		cr_assert_str_eq(fe.reason, cases[i].words, "the file: %s", line);
		snprintf(line, sizeof line, "set %s=%s", cases[i].key, cases[i].value);
		cr_assert_eq(ctl_parse_request(line, strlen(line), &req, &ce), -1, "%s", line);
		cr_assert_str_eq(ce.text, cases[i].words, "the socket: %s", line);
	}
}

/* What a client formats, the listener parses back to the same request. */
Test(limits_contract, requests_round_trip)
{
	struct ctl_request req, back;
	struct ctl_error ce;
	char line[CTL_LINE_MAX];

	memset(&req, 0, sizeof req);
	req.cmd = CTL_SET;
	req.set[LIMIT_MAX_PER_IP] = 1;
	req.n[LIMIT_MAX_PER_IP] = 4;
	req.set[LIMIT_MAX_CONNECTIONS] = 1;
	req.n[LIMIT_MAX_CONNECTIONS] = 64;
	cr_assert_eq(ctl_format_request(&req, line, sizeof line), 0);
	cr_assert_str_eq(line, "set max_connections=64 max_per_ip=4");
	cr_assert_eq(ctl_parse_request(line, strlen(line), &back, &ce), 0, "%s", ce.text);
	cr_assert_eq(memcmp(&req, &back, sizeof req), 0);

	memset(&req, 0, sizeof req);
	req.cmd = CTL_CONNECTIONS;
	req.top = 5;
	req.has_ip = 1;
	cr_assert_eq(ip_parse("2001:db8::1", &req.ip), 0);
	cr_assert_eq(ctl_format_request(&req, line, sizeof line), 0);
	cr_assert_str_eq(line, "connections top 5 ip 2001:db8::1");
	cr_assert_eq(ctl_parse_request(line, strlen(line), &back, &ce), 0, "%s", ce.text);
	cr_assert_eq(back.top, 5);
	cr_assert_eq(back.has_ip, 1);
	cr_assert_eq(memcmp(&req.ip, &back.ip, sizeof req.ip), 0);
	cr_assert_eq(ctl_format_request(&req, line, 10), -1, "too small a buffer");
}

/* A block written by the listener's side reads back on the client's. */
Test(limits_contract, replies_round_trip)
{
	struct strbuf sb = STRBUF_ZERO;
	struct ctl_reply r;
	char v[64];
	long long n;
	char *buf;

	cr_assert_eq(ctl_put_ok(&sb), 0);
	cr_assert_eq(ctl_put_num(&sb, "max_per_ip", 4), 0);
	cr_assert_eq(ctl_put_str(&sb, "note", "a b%c"), 0);
	cr_assert_eq(ctl_put_end(&sb), 0);
	buf = strdup(sb.s);
	cr_assert_eq(ctl_reply_parse(buf, sb.len, &r), 0);
	cr_assert(r.ok);
	cr_assert_eq(r.nlines, 2);
	cr_assert_eq(ctl_reply_num(&r, "max_per_ip", &n), 1);
	cr_assert_eq(n, 4);
	cr_assert_eq(ctl_reply_get(&r, "note", v, sizeof v), 1);
	cr_assert_str_eq(v, "a b%c");
	ctl_reply_free(&r);
	strbuf_free(&sb);
	cr_assert_eq(ctl_put_error(&sb, "range", "max_per_ip must be from 0 to 1000000"), 0);
	buf = strdup(sb.s);
	cr_assert_eq(ctl_reply_parse(buf, sb.len, &r), 0);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.code, "range");
	cr_assert_str_eq(r.text, "max_per_ip must be from 0 to 1000000");
	ctl_reply_free(&r);
	strbuf_free(&sb);
	buf = strdup("ok\nno end\n");
	cr_assert_eq(ctl_reply_parse(buf, strlen(buf), &r), -1, "not a whole block");
}
