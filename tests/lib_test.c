/* lib_test.c: unit tests of the shared library (lib/). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "atomicfile.h"
#include "deadline.h"
#include "errstr.h"
#include "ip.h"
#include "log.h"
#include "scan.h"
#include "selfpipe.h"
#include "strbuf.h"

Test(scan, accepts_whole_decimal_strings)
{
	unsigned long v = 7;

	cr_assert_eq(scan_ulong("0", 10, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(scan_ulong("65535", 65535, &v), 0);
	cr_assert_eq(v, 65535);
	cr_assert_eq(scan_ulong_n("123abc", 3, 1000, &v), 0);
	cr_assert_eq(v, 123);
}

Test(scan, rejects_what_atoi_would_take)
{
	const char *bad[] = { "", "3x", "x3", " 3", "3 ", "-1", "+1", "0x10" };
	unsigned long v = 42;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		cr_assert_eq(scan_ulong(bad[i], 1000, &v), -1, "accepted \"%s\"", bad[i]);
		cr_assert_eq(errno, EINVAL, "errno for \"%s\"", bad[i]);
	}
	cr_assert_eq(v, 42, "output written on failure");
}

Test(scan, range_is_enforced)
{
	unsigned long v;

	cr_assert_eq(scan_ulong("65536", 65535, &v), -1);
	cr_assert_eq(errno, ERANGE);
	cr_assert_eq(scan_ulong("1", 0, &v), -1);
	cr_assert_eq(errno, ERANGE);
	cr_assert_eq(scan_ulong("99999999999999999999999", (unsigned long)-1, &v), -1);
	cr_assert_eq(errno, ERANGE);
}

static void
roundtrip(const char *in, const char *want, int family)
{
	struct ip_addr ip;
	char buf[IP_FMT_MAX];

	cr_assert_eq(ip_parse(in, &ip), 0, "parse %s", in);
	cr_assert_eq(ip.family, family, "family of %s", in);
	ip_format(&ip, buf);
	cr_assert_str_eq(buf, want);
}

Test(ip, parse_and_format)
{
	roundtrip("127.0.0.1", "127.0.0.1", AF_INET);
	roundtrip("::1", "::1", AF_INET6);
	roundtrip("2001:DB8:0:0:0:0:0:9", "2001:db8::9", AF_INET6);
	roundtrip("::ffff:127.0.0.1", "::ffff:127.0.0.1", AF_INET6);
}

Test(ip, rejects_non_canonical_and_names)
{
	const char *bad[] = { "01.2.3.4", "1.2.3", "1.2.3.4.", "256.1.1.1", "localhost",
		"", "1.2.3.4/8", "[::1]", "fe80::1%lo" };
	struct ip_addr ip;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(ip_parse(bad[i], &ip), -1, "accepted %s", bad[i]);
}

Test(ip, unmap_and_mask)
{
	struct ip_addr ip, other;
	char buf[IP_FMT_MAX];

	ip_parse("::ffff:10.1.2.3", &ip);
	cr_assert(ip_is_v4mapped(&ip));
	ip_unmap(&ip);
	cr_assert_eq(ip.family, AF_INET);
	ip_format(&ip, buf);
	cr_assert_str_eq(buf, "10.1.2.3");
	ip_mask(&ip, 24);
	ip_format(&ip, buf);
	cr_assert_str_eq(buf, "10.1.2.0");
	ip_parse("2001:db8:1:2:3:4:5:6", &ip);
	ip_mask(&ip, 64);
	ip_format(&ip, buf);
	cr_assert_str_eq(buf, "2001:db8:1:2::");
	ip_parse("2001:db8:1:2::", &other);
	cr_assert(ip_equal(&ip, &other));
	cr_assert_eq(ip_hash(&ip), ip_hash(&other));
	ip_parse("10.0.0.255", &ip);
	ip_mask(&ip, 25);
	ip_format(&ip, buf);
	cr_assert_str_eq(buf, "10.0.0.128");
}

Test(ip, sockaddr_roundtrip)
{
	struct ip_addr ip, back;
	struct sockaddr_storage ss;
	unsigned port = 0;

	ip_parse("::1", &ip);
	ip_to_sockaddr(&ip, 4242, &ss);
	cr_assert_eq(ip_from_sockaddr((struct sockaddr *)&ss, &back, &port), 0);
	cr_assert(ip_equal(&ip, &back));
	cr_assert_eq(port, 4242);
}

static char *
tmpdir_make(void)
{
	char *d = strdup("/tmp/mailstack-libtest.XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static char *
file_read(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

Test(atomicfile, replace_writes_new_content_and_leaves_no_temp)
{
	char *d = tmpdir_make();
	char path[512], cmd[600];
	struct stat st;

	snprintf(path, sizeof path, "%s/limits", d);
	cr_assert_eq(atomicfile_replace(path, "old\n", 4, 0640), 0);
	cr_assert_eq(atomicfile_replace(path, "new\n", 4, 0640), 0);
	cr_assert_str_eq(file_read(path), "new\n");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0640 & ~umask(022));
	snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) -eq 1", d);
	cr_assert_eq(system(cmd), 0, "a temporary file was left behind");
	snprintf(cmd, sizeof cmd, "rm -rf %s", d);
	system(cmd);
	free(d);
}

Test(atomicfile, failure_keeps_old_file)
{
	char *d = tmpdir_make();
	char path[512], cmd[600];
	struct atomicfile af;

	snprintf(path, sizeof path, "%s/rules.cdb", d);
	cr_assert_eq(atomicfile_replace(path, "old", 3, 0644), 0);
	/* the target is replaced by a folder: rename must fail */
	cr_assert_eq(atomicfile_open(&af, path, NULL, 0644), 0);
	cr_assert_eq(atomicfile_write(&af, "new", 3), 0);
	atomicfile_abort(&af);
	cr_assert_str_eq(file_read(path), "old");
	snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) -eq 1", d);
	cr_assert_eq(system(cmd), 0, "abort left the temporary file");
	/* a temp in a missing folder fails to open, old file kept */
	snprintf(cmd, sizeof cmd, "%s/missing/x.tmp", d);
	cr_assert_eq(atomicfile_open(&af, path, cmd, 0644), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_str_eq(file_read(path), "old");
	snprintf(cmd, sizeof cmd, "rm -rf %s", d);
	system(cmd);
	free(d);
}

Test(strbuf, grows_and_stays_terminated)
{
	struct strbuf sb = STRBUF_ZERO;
	int i;

	for (i = 0; i < 1000; i++)
		cr_assert_eq(strbuf_printf(&sb, "%d,", i % 10), 0);
	cr_assert_eq(sb.len, 2000);
	cr_assert_eq(sb.s[sb.len], '\0');
	cr_assert_eq(strncmp(sb.s, "0,1,2,", 6), 0);
	strbuf_reset(&sb);
	cr_assert_eq(sb.len, 0);
	cr_assert_eq(strbuf_append(&sb, "a\0b", 3), 0);
	cr_assert_eq(memcmp(sb.s, "a\0b", 4), 0);
	strbuf_free(&sb);
	cr_assert_null(sb.s);
}

Test(errstr, uses_djb_words)
{
	cr_assert_str_eq(errstr(ENOENT), "file does not exist");
	cr_assert_str_eq(errstr(EADDRINUSE), "address already used");
	cr_assert_str_eq(errstr(EPROTO), "protocol error");
	cr_assert_str_eq(errstr(EINVAL), "invalid argument");
}

static void
redirect_all(void)
{
	cr_redirect_stderr();
}

Test(log, die_sys_prints_prefix_reason_and_exits, .init = redirect_all, .exit_code = 111)
{
	log_set_prog("/usr/sbin/mailstack-test");
	errno = EADDRINUSE;
	die_sys(EX_TEMP, "unable to bind");
}

Test(log, warn_line_is_exact, .init = redirect_all)
{
	log_set_prog("/usr/sbin/mailstack-test");
	log_verbosity = 1;
	errno = ENOENT;
	log_warn_sys("dropping connection, unable to read %s", "x.cdb");
	log_info("not shown at verbosity 1");
	fflush(stderr);
	cr_assert_stderr_eq_str(
	    "mailstack-test: warning: dropping connection, unable to read x.cdb: file does not exist\n");
}

Test(log, quiet_prints_nothing, .init = redirect_all)
{
	log_verbosity = 0;
	log_warn("hidden");
	log_verbosity = 2;
	log_info("status: %d/%d", 0, 40);
	fflush(stderr);
	cr_assert_stderr_eq_str("mailstack: status: 0/40\n");
}

Test(selfpipe, signal_becomes_a_byte)
{
	int fd = selfpipe_init();

	cr_assert_geq(fd, 0);
	cr_assert_eq(selfpipe_trap(SIGUSR1), 0);
	cr_assert_eq(selfpipe_read(), 0, "nothing pending yet");
	raise(SIGUSR1);
	cr_assert_eq(selfpipe_read(), SIGUSR1);
	cr_assert_eq(selfpipe_read(), 0);
	selfpipe_child_reset();
	cr_assert_eq(signal(SIGUSR1, SIG_DFL), SIG_DFL, "disposition not restored");
}

Test(deadline, wait_times_out_then_sees_data)
{
	int sv[2];
	long long t0;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	t0 = deadline_now_ms();
	cr_assert_eq(deadline_wait(sv[0], POLLIN, t0 + 50), -1);
	cr_assert_eq(errno, ETIMEDOUT);
	cr_assert_geq(deadline_now_ms() - t0, 50, "returned before the deadline");
	cr_assert_eq(deadline_send_all(sv[1], "ping", 4, deadline_now_ms() + 1000), 0);
	cr_assert_eq(deadline_wait(sv[0], POLLIN, deadline_now_ms()), 0,
	    "a passed deadline must still see ready data");
	close(sv[0]);
	close(sv[1]);
}

Test(deadline, connect_reports_the_connection_error)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, "/nonexistent/mailstack.sock");
	cr_assert_eq(deadline_connect(fd, (struct sockaddr *)&sun, sizeof sun,
	    deadline_now_ms() + 1000), -1);
	cr_assert_eq(errno, ENOENT);
	close(fd);
}
