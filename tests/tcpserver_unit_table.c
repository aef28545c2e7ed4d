/* tcpserver_unit_table.c: the listener's connection table, the limit
 * decisions and the refusal messages. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemons/tcpserver/conn_table.h"
#include "daemons/tcpserver/limits.h"
#include "daemons/tcpserver/refuse.h"

static struct conn_info
conn(pid_t pid, const char *ip)
{
	struct conn_info ci;

	memset(&ci, 0, sizeof ci);
	ci.pid = pid;
	cr_assert_eq(ip_parse(ip, &ci.remote), 0, "bad test address %s", ip);
	ci.remote_port = 1000 + (unsigned)pid;
	ci.local_port = 25;
	ci.start = 1;
	return ci;
}

static struct ip_addr
addr(const char *s)
{
	struct ip_addr ip;

	cr_assert_eq(ip_parse(s, &ip), 0, "bad test address %s", s);
	return ip;
}

static void
add(struct conn_table *t, pid_t pid, const char *ip)
{
	struct conn_info ci = conn(pid, ip);

	cr_assert_eq(conn_table_add(t, &ci), 0, "add %d %s: %s", (int)pid, ip,
	    strerror(errno));
}

Test(conn_table, counts_per_ip_and_net)
{
	struct conn_table t;
	struct conn_info out;
	struct ip_addr a;

	cr_assert_eq(conn_table_init(&t, 8, 64, 24, 48), 0);
	add(&t, 101, "192.0.2.1");
	add(&t, 102, "192.0.2.1");
	add(&t, 103, "192.0.2.77");
	add(&t, 104, "198.51.100.1");
	a = addr("192.0.2.1");
	cr_assert_eq(conn_table_count(&t), 4);
	cr_assert_eq(conn_table_count_ip(&t, &a), 2);
	cr_assert_eq(conn_table_count_net(&t, &a), 3);
	cr_assert_eq(conn_table_distinct_ips(&t), 3);
	cr_assert_eq(conn_table_distinct_nets(&t), 2);
	cr_assert_eq(conn_table_remove(&t, 102, &out), 1);
	cr_assert_eq(out.pid, 102);
	cr_assert_eq(out.remote_port, 1102);
	cr_assert_eq(conn_table_count_ip(&t, &a), 1);
	cr_assert_eq(conn_table_count_net(&t, &a), 2);
	cr_assert_eq(conn_table_remove(&t, 102, NULL), 0, "removed twice");
	cr_assert_eq(conn_table_remove(&t, 999, NULL), 0);
	cr_assert_eq(conn_table_count(&t), 3);
	conn_table_free(&t);
}

Test(conn_table, ipv6_counts_per_prefix_and_v4_mapped_is_ipv4)
{
	struct conn_table t;
	struct ip_addr a, b, mapped;

	cr_assert_eq(conn_table_init(&t, 8, 64, 24, 48), 0);
	add(&t, 1, "2001:db8:1:2::1");
	add(&t, 2, "2001:db8:1:2:ffff::9");
	add(&t, 3, "2001:db8:1:3::1");
	add(&t, 4, "::ffff:192.0.2.5");
	a = addr("2001:db8:1:2::77");
	b = addr("2001:db8:1:3::77");
	cr_assert_eq(conn_table_count_ip(&t, &a), 2, "one /64 is one client");
	cr_assert_eq(conn_table_count_ip(&t, &b), 1);
	cr_assert_eq(conn_table_count_net(&t, &b), 3, "one /48 is one network");
	a = addr("192.0.2.5");
	mapped = addr("::ffff:192.0.2.5");
	cr_assert_eq(conn_table_count_ip(&t, &a), 1);
	cr_assert_eq(conn_table_count_ip(&t, &mapped), 1);
	cr_assert_eq(conn_table_count_net(&t, &a), 1);
	conn_table_free(&t);
}

Test(conn_table, full_duplicate_and_zero_capacity)
{
	struct conn_table t;
	struct conn_info ci;
	struct ip_addr a = addr("10.0.0.1");

	cr_assert_eq(conn_table_init(&t, 2, 64, 24, 48), 0);
	add(&t, 10, "10.0.0.1");
	ci = conn(10, "10.0.0.2");
	cr_assert_eq(conn_table_add(&t, &ci), -1);
	cr_assert_eq(errno, EEXIST);
	add(&t, 11, "10.0.0.2");
	ci = conn(12, "10.0.0.3");
	cr_assert_eq(conn_table_add(&t, &ci), -1);
	cr_assert_eq(errno, ENOSPC);
	ci = conn(0, "10.0.0.3");
	cr_assert_eq(conn_table_add(&t, &ci), -1);
	cr_assert_eq(conn_table_count(&t), 2, "failed adds change nothing");
	cr_assert_eq(conn_table_count_ip(&t, &a), 1);
	conn_table_free(&t);

	cr_assert_eq(conn_table_init(&t, 0, 64, 24, 48), 0);
	ci = conn(5, "10.0.0.1");
	cr_assert_eq(conn_table_add(&t, &ci), -1);
	cr_assert_eq(errno, ENOSPC);
	cr_assert_eq(conn_table_remove(&t, 5, NULL), 0);
	cr_assert_eq(conn_table_count_ip(&t, &a), 0);
	conn_table_free(&t);
}

/* The table against a plain array model under random churn: adds from a
 * small address space (so counts collide), removals in any order. */
Test(conn_table, exact_under_random_churn)
{
	enum { CAP = 64, ROUNDS = 20000 };
	static struct conn_info model[CAP];
	struct conn_table t;
	char ip[32];
	pid_t next = 1;
	size_t live = 0, i, seen, pos;
	const struct conn_info *ci;
	int r;

	srandom(12345);
	cr_assert_eq(conn_table_init(&t, CAP, 64, 24, 48), 0);
	for (r = 0; r < ROUNDS; r++) {
		if (live < CAP && (live == 0 || random() % 2)) {
			snprintf(ip, sizeof ip, "10.0.%ld.%ld", random() % 3,
			    random() % 4);
			model[live] = conn(next++, ip);
			cr_assert_eq(conn_table_add(&t, &model[live]), 0);
			live++;
		} else {
			i = (size_t)random() % live;
			cr_assert_eq(conn_table_remove(&t, model[i].pid, NULL), 1);
			model[i] = model[--live];
		}
		if (r % 997 != 0)
			continue;
		for (i = 0; i < live; i++) {
			unsigned long want_ip = 0, want_net = 0;
			size_t j;

			for (j = 0; j < live; j++) {
				want_ip += ip_equal(&model[j].remote, &model[i].remote);
				want_net += memcmp(model[j].remote.a, model[i].remote.a,
				    3) == 0;
			}
			cr_assert_eq(conn_table_count_ip(&t, &model[i].remote), want_ip);
			cr_assert_eq(conn_table_count_net(&t, &model[i].remote),
			    want_net);
		}
	}
	cr_assert_eq(conn_table_count(&t), live);
	seen = 0;
	pos = 0;
	while (conn_table_next(&t, &pos, &ci)) {
		for (i = 0; i < live && model[i].pid != ci->pid; i++)
			;
		cr_assert_lt(i, live, "iterated pid %d is not live", (int)ci->pid);
		seen++;
	}
	cr_assert_eq(seen, live, "iteration saw %zu of %zu", seen, live);
	conn_table_free(&t);
}

Test(conn_table, memory_per_connection_is_bounded)
{
	/* slot + one counter in each count table + 2 bucket heads in each
	 * of the three hash tables (they are sized to twice the capacity,
	 * rounded up to a power of two: at most 4 heads each). */
	size_t worst = sizeof(struct conn_slot) + 2 * sizeof(struct conn_count) +
	    3 * 4 * sizeof(uint32_t);

	cr_assert_leq(worst, 256, "%zu bytes per connection", worst);
}

static struct server_options
opts(void)
{
	struct server_options o;

	memset(&o, 0, sizeof o);
	o.limit = 100;
	o.ip6_prefix = 64;
	o.net4_prefix = 24;
	o.net6_prefix = 48;
	return o;
}

Test(limits, per_ip_then_per_net)
{
	struct limits_now l;
	struct limit_vars v;
	struct conn_table t;
	struct ip_addr a = addr("192.0.2.1"), b = addr("192.0.2.2");

	memset(&v, 0, sizeof v);
	memset(&l, 0, sizeof l);
	l.n[LIMIT_MAX_CONNECTIONS] = 100;
	cr_assert_eq(conn_table_init(&t, 10, 64, 24, 48), 0);
	cr_assert_eq(limits_decide(&l, &t, &a, &v), LIMIT_OK, "no limits set");
	l.n[LIMIT_MAX_PER_IP] = 2;
	l.n[LIMIT_MAX_PER_NETWORK] = 3;
	add(&t, 1, "192.0.2.1");
	cr_assert_eq(limits_decide(&l, &t, &a, &v), LIMIT_OK);
	add(&t, 2, "192.0.2.1");
	cr_assert_eq(limits_decide(&l, &t, &a, &v), LIMIT_IP);
	cr_assert_eq(limits_decide(&l, &t, &b, &v), LIMIT_OK);
	add(&t, 3, "192.0.2.2");
	cr_assert_eq(limits_decide(&l, &t, &b, &v), LIMIT_NET);
	conn_table_remove(&t, 1, NULL);
	cr_assert_eq(limits_decide(&l, &t, &a, &v), LIMIT_OK);
	conn_table_free(&t);
}

Test(limits, rule_variables_replace_option_limits)
{
	struct limits_now l;
	struct limit_vars v;
	struct conn_table t;
	struct ip_addr a = addr("192.0.2.1");
	const char ip0[] = "MAXCONNIP=0", ip5[] = "MAXCONNIP=5",
	    c1[] = "MAXCONNC=1", bad[] = "MAXCONNIP=5x",
	    msg[] = "DIEMSG=421 go away", other[] = "RELAYCLIENT=";

	memset(&v, 0, sizeof v);
	memset(&l, 0, sizeof l);
	l.n[LIMIT_MAX_CONNECTIONS] = 100;
	cr_assert_eq(conn_table_init(&t, 10, 64, 24, 48), 0);
	l.n[LIMIT_MAX_PER_IP] = 1;
	add(&t, 1, "192.0.2.1");
	cr_assert_eq(limits_decide(&l, &t, &a, &v), LIMIT_IP);
	cr_assert_eq(limits_vars_put(&v, ip5, strlen(ip5)), 1);
	cr_assert_eq(limits_decide(&l, &t, &a, &v), LIMIT_OK,
	    "a rule may grant more than -C");
	cr_assert_eq(limits_vars_put(&v, bad, strlen(bad)), -1);
	cr_assert_eq(v.maxconnip.n, 5, "a bad value changes nothing");
	cr_assert_eq(limits_vars_put(&v, c1, strlen(c1)), 1);
	cr_assert_eq(limits_decide(&l, &t, &a, &v), LIMIT_RULE_NET);
	cr_assert_eq(limits_vars_put(&v, ip0, strlen(ip0)), 1);
	conn_table_remove(&t, 1, NULL);
	cr_assert_eq(limits_decide(&l, &t, &a, &v), LIMIT_RULE_IP,
	    "MAXCONNIP=0 refuses always");
	cr_assert_eq(limits_vars_put(&v, msg, strlen(msg)), 1);
	cr_assert_eq(v.diemsg.len, strlen("421 go away"));
	cr_assert(v.diemsg.from_rule);
	cr_assert_eq(limits_vars_put(&v, other, strlen(other)), 0);
	cr_assert_str_eq(limits_flag(LIMIT_RULE_IP), "MAXCONNIP:");
	cr_assert_str_eq(limits_flag(LIMIT_NET), "MAXCONNC:");
	conn_table_free(&t);
}

Test(limits, environment_presets)
{
	struct limit_vars v;
	char err[128];

	setenv("MAXCONNIP", "4", 1);
	setenv("MAXCONNC", "lots", 1);
	setenv("DIEMSG", "busy", 1);
	limits_vars_from_env(&v, err, sizeof err);
	cr_assert(v.maxconnip.set);
	cr_assert_eq(v.maxconnip.n, 4);
	cr_assert(!v.maxconnc.set, "a non-number is ignored");
	cr_assert(strstr(err, "MAXCONNC") != NULL, "%s", err);
	cr_assert(v.diemsg.set && !v.diemsg.from_rule);
}

static size_t
message(struct server_options *o, enum limit_reason r, struct limit_vars *v,
    char *out)
{
	char buf[REFUSE_MAX];
	size_t n = refuse_message(o, r, v, buf);

	memcpy(out, buf, n);
	out[n] = '\0';
	return n;
}

Test(refuse, presets_say_why)
{
	struct server_options o = opts();
	struct limit_vars v;
	char out[REFUSE_MAX + 1];

	memset(&v, 0, sizeof v);
	cr_assert_eq(message(&o, LIMIT_IP, &v, out), 0, "no preset, no text");
	o.preset = PRESET_IMAP;
	message(&o, LIMIT_IP, &v, out);
	cr_assert_str_eq(out, "* BYE [UNAVAILABLE] Too many connections from "
	    "your address, try again later\r\n");
	o.preset = PRESET_SMTP;
	message(&o, LIMIT_RULE_NET, &v, out);
	cr_assert_str_eq(out, "421 4.7.0 Too many connections from your "
	    "network, try again later\r\n");
	o.preset = PRESET_POP3;
	refuse_busy_message(&o, out);
	cr_assert_eq(strncmp(out, "-ERR [SYS/TEMP] Server busy", 27), 0);
}

Test(refuse, precedence_of_texts)
{
	struct server_options o = opts();
	struct limit_vars v;
	char out[REFUSE_MAX + 1], ipmsg[] = "ip!", netmsg[] = "net!";
	const char rule[] = "DIEMSG=from rule";

	memset(&v, 0, sizeof v);
	o.preset = PRESET_SMTP;
	v.diemsg.set = 1;
	v.diemsg.text = "from env";
	v.diemsg.len = 8;
	message(&o, LIMIT_IP, &v, out);
	cr_assert_str_eq(out, "from env\r\n", "env DIEMSG over the preset");
	o.per_ip_msg = ipmsg;
	o.per_net_msg = netmsg;
	message(&o, LIMIT_IP, &v, out);
	cr_assert_str_eq(out, "ip!", "-C msg over env DIEMSG, sent as given");
	message(&o, LIMIT_NET, &v, out);
	cr_assert_str_eq(out, "net!");
	limits_vars_put(&v, rule, strlen(rule));
	message(&o, LIMIT_NET, &v, out);
	cr_assert_str_eq(out, "from rule\r\n", "a rule's DIEMSG wins");
}

Test(refuse, long_diemsg_is_cut_but_keeps_crlf)
{
	struct server_options o = opts();
	struct limit_vars v;
	static char big[3000];
	char out[REFUSE_MAX + 1];
	size_t n;

	memset(big, 'x', sizeof big);
	memset(&v, 0, sizeof v);
	v.diemsg.set = 1;
	v.diemsg.text = big;
	v.diemsg.len = sizeof big;
	n = message(&o, LIMIT_IP, &v, out);
	cr_assert_eq(n, REFUSE_MAX);
	cr_assert_eq(out[n - 2], '\r');
	cr_assert_eq(out[n - 1], '\n');
}

Test(refuse, send_writes_then_closes)
{
	int sv[2];
	char buf[64];
	ssize_t n;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	refuse_send(sv[0], "bye\r\n", 5);
	n = read(sv[1], buf, sizeof buf);
	cr_assert_eq(n, 5);
	cr_assert_eq(memcmp(buf, "bye\r\n", 5), 0);
	cr_assert_eq(read(sv[1], buf, sizeof buf), 0, "EOF after the text");
	cr_assert_eq(fcntl(sv[0], F_GETFD), -1, "the socket is closed");
	cr_assert_eq(errno, EBADF);
	close(sv[1]);
}

/* A connection is counted under a ticket (a negative key) while its child
 * is being started, then keyed by the child's pid: counts stay, the
 * ticket is gone, iteration and growth keep it. */
Test(conn_table, ticket_then_pid)
{
	struct conn_table t;
	struct ip_addr a = addr("10.0.0.1");
	const struct conn_info *ci;
	size_t pos = 0;

	cr_assert_eq(conn_table_init(&t, 2, 64, 24, 48), 0);
	add(&t, -1, "10.0.0.1");
	add(&t, 40, "10.0.0.1");
	cr_assert_eq(conn_table_count_ip(&t, &a), 2, "a ticket counts");
	cr_assert_eq(conn_table_grow(&t, 8), 0);
	cr_assert_eq(conn_table_count(&t), 2, "growth keeps the ticket");
	cr_assert_eq(conn_table_rekey(&t, -1, 40), -1);
	cr_assert_eq(errno, EEXIST);
	cr_assert_eq(conn_table_rekey(&t, -2, 41), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(conn_table_rekey(&t, -1, 0), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(conn_table_rekey(&t, -1, 41), 0);
	cr_assert_eq(conn_table_remove(&t, -1, NULL), 0, "the ticket is gone");
	cr_assert_eq(conn_table_count_ip(&t, &a), 2);
	while (conn_table_next(&t, &pos, &ci))
		cr_assert(ci->pid == 40 || ci->pid == 41, "pid %d", (int)ci->pid);
	cr_assert_eq(conn_table_remove(&t, 41, NULL), 1);
	cr_assert_eq(conn_table_remove(&t, 40, NULL), 1);
	cr_assert_eq(conn_table_count_ip(&t, &a), 0);
	conn_table_free(&t);
}
