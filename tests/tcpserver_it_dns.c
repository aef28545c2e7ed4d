/* tcpserver_it_dns.c: remote host names (-h) where no DNS server can be
 * reached (a private network namespace): the real tcpserver asks DNS only,
 * never /etc/hosts, so TCPREMOTEHOST stays unset. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tcpserver_it.h"

TestSuite(it_dns, .fini = harness_cleanup, .timeout = 30);

static char *
dns_run(enum it_flavour f, const void *arg)
{
	static const char *const no_lines[] = { NULL };
	const char *dir = harness_tmpdir();

	cr_assert_not_null(dir);
	return it_env_run(f, dir, arg, NULL, NULL, no_lines);
}

Test(it_dns, unreachable_dns_leaves_remote_host_unset)
{
	static const char *const opts[] = { "-h", NULL };
	static const char *const needles[] = { "PROTO=TCP\n", NULL };

	cr_assert_eq(harness_private_net(), 0, "no private network namespace");
	it_compare(dns_run, opts, needles);
}

Test(it_dns, paranoid_without_dns_leaves_remote_host_unset)
{
	static const char *const opts[] = { "-h", "-p", NULL };
	static const char *const needles[] = { "PROTO=TCP\n", NULL };

	cr_assert_eq(harness_private_net(), 0, "no private network namespace");
	it_compare(dns_run, opts, needles);
}
