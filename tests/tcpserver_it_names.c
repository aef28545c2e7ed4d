/* tcpserver_it_names.c: TCPREMOTEHOST from a fake DNS server (PTR, the
 * -p A check, case and odd bytes, rules by host name), mailstack-tcpserver
 * against the real tcpserver. Each test runs in its own network and mount
 * namespaces, with a resolv.conf naming the fake server on 127.0.0.1:53.
 * Clients come from 127.0.0.2, which /etc/hosts does not name. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcpserver_it.h"

#define CLIENT "127.0.0.2"
#define CLIENT_PTR "2.0.0.127.in-addr.arpa"

TestSuite(it_names, .fini = harness_cleanup, .timeout = 30);

/* The fake's records: PTR of the client, and A of that name. */
struct zone {
	const char *ptr;	/* NULL: NXDOMAIN for the PTR */
	const char *a_name;	/* NULL: no A records */
	const char *a_ip;
};

/* Reads the question name at q+12 as dotted text; returns the offset
 * after it, or 0 if malformed. */
static size_t
dns_qname(const unsigned char *q, size_t len, char *name, size_t cap)
{
	size_t pos = 12, n = 0;

	while (pos < len && q[pos] != 0) {
		size_t l = q[pos++];

		if (l > 63 || pos + l > len || n + l + 2 > cap)
			return 0;
		if (n > 0)
			name[n++] = '.';
		memcpy(name + n, q + pos, l);
		n += l;
		pos += l;
	}
	name[n] = '\0';
	return pos < len ? pos + 1 : 0;
}

/* Appends name in wire form (labels split at dots, bytes as they are). */
static size_t
dns_put_name(unsigned char *out, const char *name)
{
	size_t n = 0;

	while (*name != '\0') {
		size_t l = strcspn(name, ".");

		out[n++] = (unsigned char)l;
		memcpy(out + n, name, l);
		n += l;
		name += l + (name[l] == '.');
	}
	out[n++] = 0;
	return n;
}

/* Appends one answer record for the question (name by pointer). */
static size_t
dns_put_rr(unsigned char *out, int type, const unsigned char *rd, size_t rdlen)
{
	static const unsigned char head[] = { 0xc0, 0x0c, 0, 0, 0, 1,
	    0, 0, 0, 60 };

	memcpy(out, head, sizeof(head));
	out[3] = (unsigned char)type;
	out[10] = (unsigned char)(rdlen >> 8);
	out[11] = (unsigned char)rdlen;
	memcpy(out + 12, rd, rdlen);
	return 12 + rdlen;
}

/* Builds the reply to query q; returns its length, 0 to ignore it. */
static size_t
dns_answer(const struct zone *z, const unsigned char *q, size_t len,
    unsigned char *out)
{
	char name[256];
	unsigned char rd[256];
	size_t end, n, an = 0;
	int type, known = 0;

	if (len < 12 || (end = dns_qname(q, len, name, sizeof(name))) == 0 ||
	    end + 4 > len)
		return 0;
	type = q[end] << 8 | q[end + 1];
	memcpy(out, q, end + 4);
	n = end + 4;
	if (strcasecmp(name, CLIENT_PTR) == 0 && z->ptr != NULL) {
		known = 1;
		if (type == 12) {
			n += dns_put_rr(out + n, 12, rd,
			    dns_put_name(rd, z->ptr));
			an++;
		}
	}
	if (z->a_name != NULL && strcasecmp(name, z->a_name) == 0) {
		known = 1;
		if (type == 1 && inet_pton(AF_INET, z->a_ip, rd) == 1) {
			n += dns_put_rr(out + n, 1, rd, 4);
			an++;
		}
	}
	out[2] = 0x84 | (q[2] & 1);	/* response, authoritative, RD */
	out[3] = 0x80 | (known ? 0 : 3);	/* RA; NXDOMAIN if unknown */
	memset(out + 6, 0, 6);
	out[7] = (unsigned char)an;
	return n;
}

/* Serves z on UDP 127.0.0.1:53 in a child until the test ends. */
static void
dns_start(const struct zone *z)
{
	int fd = harness_bind_loopback(SOCK_DGRAM, 53);
	pid_t pid;

	cr_assert_neq(fd, -1, "cannot bind 127.0.0.1:53");
	pid = harness_fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		unsigned char q[512], out[1024];
		struct sockaddr_storage from;

		for (;;) {
			socklen_t flen = sizeof(from);
			ssize_t r = recvfrom(fd, q, sizeof(q), 0,
			    (struct sockaddr *)&from, &flen);
			size_t n = r > 0 ? dns_answer(z, q, (size_t)r, out) : 0;

			if (n > 0)
				sendto(fd, out, n, 0, (struct sockaddr *)&from,
				    flen);
		}
	}
	close(fd);
}

/* A private network with the fake DNS as the only resolver. */
static void
private_dns(const struct zone *z)
{
	const char *dir = harness_tmpdir();
	static const char conf[] = "nameserver 127.0.0.1\n";
	char *rc;

	cr_assert_not_null(dir);
	cr_assert_eq(harness_private_net(), 0, "no private network namespace");
	rc = harness_write_file(dir, "resolv.conf", conf, sizeof(conf) - 1);
	cr_assert_not_null(rc);
	cr_assert_eq(harness_private_file(rc, "/etc/resolv.conf"), 0,
	    "cannot mount a private resolv.conf");
	free(rc);
	dns_start(z);
}

struct names_case {
	const char *const *opts;	/* after -h (names on) */
	const char *rules;
};

/* Env of one client from 127.0.0.2 plus the normalised ok/deny line. */
static char *
names_run(enum it_flavour f, const void *arg)
{
	static const char *const lines[] = { ": ok ", ": deny ", NULL };
	const struct names_case *c = arg;
	const char *dir = harness_tmpdir();
	const char *o[12] = { "-h" };

	cr_assert_not_null(dir);
	it_opts_rules(dir, c->opts, c->rules, o + 1, 11);
	return it_env_run(f, dir, o, NULL, CLIENT, lines);
}

static void
names_compare(const struct zone *z, const char *const *opts,
    const char *rules, const char *needle)
{
	struct names_case c = { opts, rules };
	const char *const needles[] = { needle, NULL };

	private_dns(z);
	it_compare(names_run, &c, needles);
}

Test(it_names, ptr_name_lower_cased)
{
	struct zone z = { "Client.Example.COM", NULL, NULL };

	names_compare(&z, NULL, NULL, "\nTCPREMOTEHOST=client.example.com\n");
}

Test(it_names, underscore_kept)
{
	struct zone z = { "mail_gw.example.com", NULL, NULL };

	names_compare(&z, NULL, NULL, "\nTCPREMOTEHOST=mail_gw.example.com\n");
}

Test(it_names, odd_bytes_escaped)
{
	struct zone z = { "we!rd\001x_y-z.example.com", NULL, NULL };

	names_compare(&z, NULL, NULL, "\nTCPREMOTEHOST=we");
}

Test(it_names, no_ptr_leaves_it_unset)
{
	struct zone z = { NULL, NULL, NULL };

	names_compare(&z, NULL, NULL, ":" CLIENT ":");
}

Test(it_names, paranoid_match_keeps_it)
{
	struct zone z = { "client.example.com", "client.example.com", CLIENT };

	names_compare(&z, (const char *const[]){ "-p", NULL }, NULL,
	    "\nTCPREMOTEHOST=client.example.com\n");
}

Test(it_names, paranoid_mismatch_unsets_it)
{
	struct zone z = { "client.example.com", "client.example.com",
	    "127.0.0.9" };

	names_compare(&z, (const char *const[]){ "-p", NULL }, NULL,
	    "ok PID it:127.0.0.1:PORT :" CLIENT "::PORT");
}

Test(it_names, rules_by_host_suffix)
{
	struct zone z = { "a.b.example.com", NULL, NULL };

	names_compare(&z, NULL,
	    "=.example.com:allow,BY=\"suffix\"\n=:allow,BY=\"any-host\"\n",
	    "BY=suffix\n");
}

Test(it_names, rules_deny_by_exact_host)
{
	struct zone z = { "bad.example.com", NULL, NULL };

	names_compare(&z, NULL, "=bad.example.com:deny\n:allow\n",
	    "deny PID it:127.0.0.1:PORT bad.example.com:" CLIENT "::PORT");
}
