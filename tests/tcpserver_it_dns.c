/* tcpserver_it_dns.c: remote host names (-h) where no DNS server can be
 * reached (a private network namespace): the real tcpserver asks DNS only
 * and leaves TCPREMOTEHOST unset; ours uses the system resolver, so
 * /etc/hosts applies (a documented difference). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
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

/* The name the system resolver gives 127.0.0.1 here (/etc/hosts), or
 * NULL. */
static char *
hosts_name(void)
{
	struct sockaddr_in sin;
	char name[NI_MAXHOST];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (getnameinfo((struct sockaddr *)&sin, sizeof(sin), name,
	    sizeof(name), NULL, 0, NI_NAMEREQD) != 0)
		return NULL;
	return strdup(name);
}

/* A deliberate difference (see the man page): 0.88 asks DNS only, ours
 * the system resolver, so /etc/hosts names the client. */
static void
hosts_check(const char *const *opts)
{
	char *real, *ours, *name, want[NI_MAXHOST + 32];

	cr_assert_eq(harness_private_net(), 0, "no private network namespace");
	name = hosts_name();
	cr_assert_not_null(name, "/etc/hosts does not name 127.0.0.1");
	snprintf(want, sizeof(want), "\nTCPREMOTEHOST=%s\n", name);
	real = dns_run(IT_REAL, opts);
	cr_assert_not_null(real);
	cr_assert_null(strstr(real, "TCPREMOTEHOST="),
	    "scenario broken: the real one found a name:\n%s", real);
	ours = dns_run(IT_OURS, opts);
	cr_assert_not_null(ours, "%s did not serve", it_bin(IT_OURS));
	cr_expect(strstr(ours, want) != NULL, "wanted %s in:\n%s", want + 1,
	    ours);
	free(real);
	free(ours);
	free(name);
}

Test(it_dns, etc_hosts_names_the_client_without_dns)
{
	hosts_check((const char *const[]){ "-h", NULL });
}

Test(it_dns, etc_hosts_passes_the_paranoid_check)
{
	hosts_check((const char *const[]){ "-h", "-p", NULL });
}
