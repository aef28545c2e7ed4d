/* tcpserver_unit_options.c: mailstack-tcpserver's command line: 0.88's
 * getopt quirks, defaults, strict numbers, names, extensions; port text and
 * literal hosts (no name lookups: nothing may leave the machine). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "daemons/tcpserver/listen.h"
#include "daemons/tcpserver/options.h"
#include "log.h"

#define MAXARGS 32

/* Parses a NULL-terminated list of words (argv[0] included). */
static int
parse(struct server_options *o, char *err, ...)
{
	static char *argv[MAXARGS];
	va_list ap;
	int argc = 0;
	char *w;

	va_start(ap, err);
	while ((w = va_arg(ap, char *)) != NULL && argc < MAXARGS - 1)
		argv[argc++] = w;
	va_end(ap);
	argv[argc] = NULL;
	return options_parse(o, argc, argv, err, 256);
}

Test(options, defaults_are_tcpservers)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "tcpserver", "0", "25", "prog", NULL), 0);
	cr_assert_eq(o.verbosity, 1);
	cr_assert_eq(o.limit, 40);
	cr_assert_eq(o.backlog, 20);
	cr_assert_eq(o.ident_timeout, 26);
	cr_assert(o.remote_host_lookup && o.remote_info_lookup);
	cr_assert(!o.paranoid && !o.keep_ip_options && !o.nodelay);
	cr_assert(!o.print_port && !o.rules_missing_ok);
	cr_assert_null(o.rules_path);
	cr_assert_null(o.local_name);
	cr_assert_str_eq(o.banner, "");
	cr_assert_eq(o.uid, 0);
	cr_assert_eq(o.gid, 0);
	cr_assert_eq(o.family, 0);
	cr_assert_eq(o.per_ip_limit, 0);
	cr_assert_eq(o.ip6_prefix, 64);
	cr_assert_eq(o.net4_prefix, 24);
	cr_assert_eq(o.net6_prefix, 48);
	cr_assert_eq(o.notify_fd, -1);
	cr_assert_eq(o.preset, PRESET_NONE);
	cr_assert_str_eq(o.host, "0");
	cr_assert_str_eq(o.port, "25");
	cr_assert_str_eq(o.prog[0], "prog");
	cr_assert_null(o.prog[1]);
}

Test(options, bundles_and_attached_arguments)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", "-vHRc5", "-b7", "-l", "name", "h",
	    "p", "prog", "a", "-b", NULL), 0);
	cr_assert_eq(o.verbosity, 2);
	cr_assert(!o.remote_host_lookup && !o.remote_info_lookup);
	cr_assert_eq(o.limit, 5);
	cr_assert_eq(o.backlog, 7);
	cr_assert_str_eq(o.local_name, "name");
	cr_assert_str_eq(o.prog[0], "prog");
	cr_assert_str_eq(o.prog[1], "a");
	cr_assert_str_eq(o.prog[2], "-b", "options after prog are its own");
}

Test(options, argument_is_the_next_word_even_with_a_dash)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", "-l", "-x", "-B", "--", "h", "p",
	    "prog", NULL), 0);
	cr_assert_str_eq(o.local_name, "-x");
	cr_assert_str_eq(o.banner, "--");
	cr_assert_null(o.rules_path);
}

Test(options, first_non_option_ends_options)
{
	struct server_options o;
	char err[256];

	/* 0.88: "tcpserver 127.0.0.1 -v 0 prog" has port "-v". */
	cr_assert_eq(parse(&o, err, "t", "127.0.0.1", "-v", "0", "prog", NULL), 0);
	cr_assert_str_eq(o.host, "127.0.0.1");
	cr_assert_str_eq(o.port, "-v");
	cr_assert_eq(o.verbosity, 1);
}

Test(options, double_dash_is_consumed_lone_dash_is_host)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", "-v", "--", "-q", "p", "prog", NULL), 0);
	cr_assert_str_eq(o.host, "-q");
	cr_assert_eq(o.verbosity, 2);
	/* sgetopt treats any word starting with "--" as the end marker. */
	cr_assert_eq(parse(&o, err, "t", "--foo", "h", "p", "prog", NULL), 0);
	cr_assert_str_eq(o.host, "h");
	cr_assert_eq(parse(&o, err, "t", "-v", "-", "p", "prog", NULL), 0);
	cr_assert_str_eq(o.host, "-");
	cr_assert_str_eq(o.port, "p");
}

Test(options, getopt_messages)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", "-vZ", "h", "p", "prog", NULL), -1);
	cr_assert_str_eq(err, "illegal option -- Z");
	cr_assert_eq(parse(&o, err, "t", "-4", "-:", "h", "p", "prog", NULL), -1);
	cr_assert_str_eq(err, "illegal option -- :");
	cr_assert_eq(parse(&o, err, "t", "-v", "-c", NULL), -1);
	cr_assert_str_eq(err, "option requires an argument -- c");
	cr_assert_eq(parse(&o, err, "t", "-vx", NULL), -1);
	cr_assert_str_eq(err, "option requires an argument -- x");
}

Test(options, missing_operands)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", NULL), -1);
	cr_assert_str_eq(err, "");
	cr_assert_eq(parse(&o, err, "t", "-q", "h", NULL), -1);
	cr_assert_str_eq(err, "");
	cr_assert_eq(o.verbosity, 0, "-q must be known to the caller");
	/* the program is checked by the caller, after the port */
	cr_assert_eq(parse(&o, err, "t", "-q", "h", "p", NULL), 0);
	cr_assert_null(o.prog);
}

Test(options, last_verbosity_flag_wins)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", "-qv", "h", "p", "x", NULL), 0);
	cr_assert_eq(o.verbosity, 2);
	cr_assert_eq(parse(&o, err, "t", "-vq", "h", "p", "x", NULL), 0);
	cr_assert_eq(o.verbosity, 0);
	cr_assert_eq(parse(&o, err, "t", "-vQ", "h", "p", "x", NULL), 0);
	cr_assert_eq(o.verbosity, 1);
	cr_assert_eq(parse(&o, err, "t", "-HhRrPpOoDd", "h", "p", "x", NULL), 0);
	cr_assert(o.remote_host_lookup && o.remote_info_lookup && o.paranoid);
	cr_assert(o.keep_ip_options && !o.nodelay);
}

Test(options, numbers_are_strict)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", "-c", "3x", "h", "p", "x", NULL), -1);
	cr_assert_str_eq(err, "not a number for -c: 3x");
	cr_assert_eq(parse(&o, err, "t", "-c", "", "h", "p", "x", NULL), -1);
	cr_assert_eq(parse(&o, err, "t", "-b", "-1", "h", "p", "x", NULL), -1);
	cr_assert_eq(parse(&o, err, "t", "-t", "abc", "h", "p", "x", NULL), -1);
	cr_assert_eq(parse(&o, err, "t", "-c", "99999999999", "h", "p", "x",
	    NULL), -1);
	cr_assert(strstr(err, "too large") != NULL, "%s", err);
	cr_assert_eq(parse(&o, err, "t", "-c0", "-b0", "-t0", "h", "p", "x",
	    NULL), 0, "0 is a valid value, as in 0.88");
	cr_assert_eq(o.limit, 0);
	cr_assert_eq(o.backlog, 0);
	cr_assert_eq(o.ident_timeout, 0);
}

Test(options, user_and_group_names_are_resolved)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", "-u", "nobody", "-g", "nogroup", "h",
	    "p", "x", NULL), 0);
	cr_assert_eq(o.uid, 65534);
	cr_assert_eq(o.gid, 65534);
	cr_assert_eq(parse(&o, err, "t", "-u1", "-g2", "h", "p", "x", NULL), 0);
	cr_assert_eq(o.uid, 1);
	cr_assert_eq(o.gid, 2);
	cr_assert_eq(parse(&o, err, "t", "-u", "no-such-user-here", "h", "p",
	    "x", NULL), -1);
	cr_assert_str_eq(err, "unknown user for -u: no-such-user-here");
	cr_assert_eq(parse(&o, err, "t", "-g", "no-such-group-here", "h", "p",
	    "x", NULL), -1);
}

Test(options, dash_U_reads_uid_and_gid_when_set)
{
	struct server_options o;
	char err[256];

	setenv("UID", "7", 1);
	unsetenv("GID");
	cr_assert_eq(parse(&o, err, "t", "-g9", "-U", "h", "p", "x", NULL), 0);
	cr_assert_eq(o.uid, 7);
	cr_assert_eq(o.gid, 9, "unset $GID keeps the value");
	setenv("GID", "8x", 1);
	cr_assert_eq(parse(&o, err, "t", "-U", "h", "p", "x", NULL), -1);
	cr_assert(strstr(err, "$GID") != NULL, "%s", err);
}

Test(options, per_ip_and_per_net_limits_with_messages)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", "-C", "3:busy\\r\\n\\\\x\\t", "-N10",
	    "h", "p", "x", NULL), 0);
	cr_assert_eq(o.per_ip_limit, 3);
	cr_assert_str_eq(o.per_ip_msg, "busy\r\n\\x\\t");
	cr_assert_eq(o.per_net_limit, 10);
	cr_assert_null(o.per_net_msg);
	options_free(&o);
	cr_assert_null(o.per_ip_msg);
	cr_assert_eq(parse(&o, err, "t", "-C", "2:", "h", "p", "x", NULL), 0);
	cr_assert_str_eq(o.per_ip_msg, "", "an empty message is a message");
	options_free(&o);
	cr_assert_eq(parse(&o, err, "t", "-C", "x:msg", "h", "p", "x", NULL), -1);
	cr_assert_eq(parse(&o, err, "t", "-N", ":msg", "h", "p", "x", NULL), -1);
}

Test(options, prefixes_preset_notify_family)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", "-k56", "-K", "16,40", "-m", "smtp",
	    "-w", "5", "-6", "-I", "lo", "h", "p", "x", NULL), 0);
	cr_assert_eq(o.ip6_prefix, 56);
	cr_assert_eq(o.net4_prefix, 16);
	cr_assert_eq(o.net6_prefix, 40);
	cr_assert_eq(o.preset, PRESET_SMTP);
	cr_assert_eq(o.notify_fd, 5);
	cr_assert_eq(o.family, 6);
	cr_assert_str_eq(o.interface, "lo");
	cr_assert_eq(parse(&o, err, "t", "-6", "-4", "-m", "imap", "h", "p",
	    "x", NULL), 0);
	cr_assert_eq(o.family, 4);
	cr_assert_eq(o.preset, PRESET_IMAP);
	cr_assert_eq(parse(&o, err, "t", "-k129", "h", "p", "x", NULL), -1);
	cr_assert_eq(parse(&o, err, "t", "-K24", "h", "p", "x", NULL), -1);
	cr_assert_eq(parse(&o, err, "t", "-K33,48", "h", "p", "x", NULL), -1);
	cr_assert_eq(parse(&o, err, "t", "-m", "http", "h", "p", "x", NULL), -1);
	cr_assert(strstr(err, "-m") != NULL, "%s", err);
}

Test(ports, numbers_wrap_and_names_resolve)
{
	unsigned port = 1;

	cr_assert_eq(listen_parse_port("", &port), 0);
	cr_assert_eq(port, 0);
	cr_assert_eq(listen_parse_port("65536", &port), 0);
	cr_assert_eq(port, 0);
	cr_assert_eq(listen_parse_port("70000", &port), 0);
	cr_assert_eq(port, 4464);
	cr_assert_eq(listen_parse_port("0025", &port), 0);
	cr_assert_eq(port, 25);
	cr_assert_eq(listen_parse_port("smtp", &port), 0);
	cr_assert_eq(port, 25);
	cr_assert_eq(listen_parse_port("25x", &port), -1);
	cr_assert_eq(listen_parse_port("no-such-service-here", &port), -1);
}

static struct ip_addr
host(const char *h, int family, int *dualstack)
{
	struct server_options o;
	struct ip_addr ip;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", h, "0", "x", NULL), 0);
	o.family = family;
	listen_resolve_host(&o, &ip, dualstack);
	return ip;
}

Test(hosts, any_is_dual_stack_unless_dash_4)
{
	struct ip_addr ip;
	char text[IP_FMT_MAX];
	int dual = -1;

	ip = host("0", 0, &dual);
	ip_format(&ip, text);
	cr_assert_str_eq(text, "::");
	cr_assert_eq(dual, 1);
	ip = host("", 0, &dual);
	cr_assert_eq(ip.family, AF_INET6);
	cr_assert_eq(dual, 1);
	ip = host("0", 4, &dual);
	ip_format(&ip, text);
	cr_assert_str_eq(text, "0.0.0.0");
	cr_assert_eq(dual, 0);
}

Test(hosts, literals_as_given_and_dash_6_maps_ipv4)
{
	struct ip_addr ip;
	char text[IP_FMT_MAX];
	int dual = -1;

	ip = host("127.0.0.1", 0, &dual);
	cr_assert_eq(ip.family, AF_INET);
	cr_assert_eq(dual, 0);
	ip = host("::1", 0, &dual);
	ip_format(&ip, text);
	cr_assert_str_eq(text, "::1");
	cr_assert_eq(dual, 0);
	ip = host("127.0.0.1", 6, &dual);
	ip_format(&ip, text);
	cr_assert_str_eq(text, "::ffff:127.0.0.1");
	cr_assert_eq(dual, 1, "a v4-mapped bind needs IPV6_V6ONLY off");
}

Test(hosts, dash_4_with_an_ipv6_literal_is_a_usage_error, .exit_code = 100)
{
	int dual;

	log_verbosity = 0;
	host("::1", 4, &dual);
}

Test(hosts, inet_aton_forms_are_not_addresses, .exit_code = 111)
{
	int dual;

	/* 0.88 asks DNS for "7" and finds nothing; getaddrinfo would make it
	 * 0.0.0.7. Dies before any lookup, so nothing leaves the machine. */
	log_verbosity = 0;
	host("7", 0, &dual);
}

Test(options, control_socket_limits_file_and_allowed_peers)
{
	struct server_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, "t", "h", "p", "x", NULL), 0);
	cr_assert_null(o.ctl_path);
	cr_assert_null(o.limits_path);
	cr_assert_eq(o.nallow, 0);
	cr_assert_eq(parse(&o, err, "t", "-s/run/imap.sock", "-f", "lim",
	    "-a", "uid:nobody", "-agid:7", "-a", "uid:0", "h", "p", "x", NULL),
	    0, "%s", err);
	cr_assert_str_eq(o.ctl_path, "/run/imap.sock");
	cr_assert_str_eq(o.limits_path, "lim");
	cr_assert_eq(o.nallow, 3);
	cr_assert_eq(o.allow[0].is_gid, 0);
	cr_assert_eq(o.allow[0].id, 65534);
	cr_assert_eq(o.allow[1].is_gid, 1);
	cr_assert_eq(o.allow[1].id, 7);
	cr_assert_eq(o.allow[2].id, 0);
	cr_assert_eq(parse(&o, err, "t", "-a", "7", "h", "p", "x", NULL), -1);
	cr_assert_str_eq(err, "bad peer for -a: 7 (want uid:ID or gid:ID)");
	cr_assert_eq(parse(&o, err, "t", "-a", "gid:no-such-group-here", "h",
	    "p", "x", NULL), -1);
	cr_assert_str_eq(err, "unknown group for -a: gid:no-such-group-here");
	cr_assert_eq(parse(&o, err, "t", "-a", "uid:", "h", "p", "x", NULL), -1);
}

Test(options, at_most_sixteen_allowed_peers)
{
	static char *argv[2 * OPTIONS_MAX_ALLOW + 8];
	struct server_options o;
	char err[256];
	int argc = 0, i;

	argv[argc++] = "t";
	for (i = 0; i <= OPTIONS_MAX_ALLOW; i++) {
		argv[argc++] = "-a";
		argv[argc++] = "uid:1";
	}
	argv[argc++] = "h";
	argv[argc++] = "p";
	argv[argc++] = "x";
	argv[argc] = NULL;
	cr_assert_eq(options_parse(&o, argc, argv, err, sizeof err), -1);
	cr_assert_str_eq(err, "too many -a (at most 16)");
	argv[2 * OPTIONS_MAX_ALLOW + 1] = "-v";
	argv[2 * OPTIONS_MAX_ALLOW + 2] = "-v";
	cr_assert_eq(options_parse(&o, argc, argv, err, sizeof err), 0, "%s", err);
	cr_assert_eq(o.nallow, OPTIONS_MAX_ALLOW);
}
