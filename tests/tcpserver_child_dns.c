/* tcpserver_child_dns.c: a fake DNS server (PTR and A only) and a private
 * resolver configuration for the tcpserver child tests. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include "tests/tcpserver_child_dns.h"

static int
bind_over(const char *dir, const char *name, const char *text, const char *target)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	return mount(path, target, NULL, MS_BIND, NULL);
}

/* Set only once this process has its own mount namespace, so that the
 * undo can never touch the machine's mounts. */
static int private_mounts;

int
fakedns_private_resolver(const char *dir)
{
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return -1;
	private_mounts = 1;
	if (bind_over(dir, "resolv.conf", "nameserver 127.0.0.1\n"
	    "options attempts:1 timeout:2\n", "/etc/resolv.conf") == -1 ||
	    bind_over(dir, "hosts", "", "/etc/hosts") == -1)
		return -1;
	return 0;
}

void
fakedns_private_resolver_end(void)
{
	if (!private_mounts)
		return;
	umount2("/etc/resolv.conf", MNT_DETACH);
	umount2("/etc/hosts", MNT_DETACH);
}

/* The query name as dotted text, and the offset after the question. */
static size_t
parse_question(const unsigned char *p, size_t n, char *name, size_t size)
{
	size_t off = 12, out = 0, len;

	while (off < n && p[off] != 0) {
		len = p[off++];
		if (off + len > n || out + len + 2 > size)
			return 0;
		if (out > 0)
			name[out++] = '.';
		memcpy(name + out, p + off, len);
		out += len;
		off += len;
	}
	name[out] = '\0';
	return off + 5 <= n ? off + 5 : 0;
}

static size_t
encode_name(const char *dotted, unsigned char *out)
{
	size_t n = 0, len;
	const char *dot;

	while (*dotted != '\0') {
		dot = strchr(dotted, '.');
		len = dot ? (size_t)(dot - dotted) : strlen(dotted);
		out[n++] = (unsigned char)len;
		memcpy(out + n, dotted, len);
		n += len;
		dotted += len + (dot != NULL);
	}
	out[n++] = 0;
	return n;
}

/* Appends the answer for rec after the question; returns the new length. */
static size_t
add_answer(unsigned char *r, size_t len, const struct fakedns_record *rec)
{
	unsigned char rd[300];
	size_t rdlen;

	if (rec->type == FAKEDNS_PTR)
		rdlen = encode_name(rec->answer, rd);
	else if (inet_pton(AF_INET, rec->answer, rd) == 1)
		rdlen = 4;
	else
		return len;
	memcpy(r + len, "\xc0\x0c\0\0\0\x01\0\0\0\x3c", 10);
	r[len + 3] = (unsigned char)rec->type;
	r[len + 10] = (unsigned char)(rdlen >> 8);
	r[len + 11] = (unsigned char)rdlen;
	memcpy(r + len + 12, rd, rdlen);
	r[7] = 1;	/* ANCOUNT */
	return len + 12 + rdlen;
}

static size_t
answer(const unsigned char *q, size_t n, unsigned char *r,
    const struct fakedns_record *recs, size_t nrecs)
{
	char name[300];
	size_t end, i, len;
	int type;

	end = parse_question(q, n, name, sizeof name);
	if (end == 0)
		return 0;
	type = q[end - 3];
	memcpy(r, q, end);
	r[2] = 0x81;
	r[3] = 0x83;		/* NXDOMAIN unless found */
	r[5] = 1;
	r[6] = r[7] = r[8] = r[9] = r[10] = r[11] = 0;
	len = end;
	for (i = 0; i < nrecs; i++) {
		if (strcasecmp(recs[i].name, name) != 0)
			continue;
		r[3] = 0x80;
		if (recs[i].type == type)
			return add_answer(r, len, &recs[i]);
	}
	return len;
}

int
fakedns_bind(void)
{
	struct sockaddr_in sin;
	int s;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(s);
		return -1;
	}
	return s;
}

void
fakedns_serve(int s, const struct fakedns_record *recs, size_t nrecs)
{
	struct sockaddr_in from;
	unsigned char q[512], r[1024];
	socklen_t flen;
	ssize_t n;
	size_t rl;

	for (;;) {
		flen = sizeof from;
		n = recvfrom(s, q, sizeof q, 0, (struct sockaddr *)&from, &flen);
		if (n < 12)
			continue;
		rl = answer(q, (size_t)n, r, recs, nrecs);
		if (rl > 0)
			sendto(s, r, rl, 0, (struct sockaddr *)&from, flen);
	}
}

pid_t
fakedns_start(const struct fakedns_record *recs, size_t nrecs)
{
	pid_t pid;
	int s;

	s = fakedns_bind();
	if (s == -1)
		return -1;
	pid = fork();
	if (pid != 0) {
		close(s);
		return pid;
	}
	alarm(30);	/* never outlive a broken test */
	fakedns_serve(s, recs, nrecs);
	_exit(0);
}
