/*
 * controlhold - holds many idle connections to a loopback listener, each
 * from an explicitly bound source address, for the control-plane bench.
 *
 *   controlhold [-n N] [-a A] [-B BATCH] [-T SECS] PORT
 *
 * Opens N connections to 127.0.0.1:PORT; connection i comes from address
 * i mod A, the addresses being 127.0.1.1, 127.0.1.2, ... 127.0.1.250,
 * 127.0.2.1, ... (250 per third octet). Each one must greet (a line) within
 * 10 s. Then prints "held N addresses A" and keeps them all until its
 * standard input ends or SECS (default 600) pass, and exits 0. Connections
 * are opened BATCH (default 256) at a time, fewer than a listener's
 * backlog, so a connect never waits for a SYN to be retried.
 *
 * "controlhold -p A" prints the A addresses (for the bench's truth).
 * Loopback only; every wait is bounded.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GREET_MS 10000

static void
fail(const char *what)
{
	fprintf(stderr, "controlhold: %s: %s\n", what, strerror(errno));
	exit(111);
}

static struct in_addr
source_of(unsigned a)
{
	struct in_addr in;

	in.s_addr = htonl((127u << 24) | ((1 + a / 250) << 8) | (1 + a % 250));
	return in;
}

static int
open_one(unsigned a, unsigned port)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	int one = 1, fd;

	src.sin_addr = source_of(a);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dst.sin_port = htons((unsigned short)port);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fail("socket");
	/* the port is picked at connect time, per 4-tuple: 10,000 sockets
	 * do not exhaust one address's ephemeral range */
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == -1)
		fail("bind");
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) == -1)
		fail("connect");
	return fd;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Reads the greeting line of every connection of the batch. */
static void
greet_batch(struct pollfd *pf, unsigned n)
{
	long long end = now_ms() + GREET_MS;
	unsigned left = n;
	char c;

	for (unsigned i = 0; i < n; i++)
		pf[i].events = POLLIN;
	while (left > 0) {
		long long ms = end - now_ms();
		int r;

		if (ms <= 0) {
			fprintf(stderr, "controlhold: %u of %u connections not greeted in %d ms\n",
			    left, n, GREET_MS);
			exit(111);
		}
		if ((r = poll(pf, n, (int)ms)) == -1 && errno != EINTR)
			fail("poll");
		for (unsigned i = 0; r > 0 && i < n; i++) {
			if (pf[i].fd < 0 || pf[i].revents == 0)
				continue;
			if (read(pf[i].fd, &c, 1) != 1) {
				fprintf(stderr, "controlhold: connection closed before its greeting\n");
				exit(111);
			}
			if (c == '\n') {
				pf[i].fd = ~pf[i].fd;	/* done: poll skips negative fds */
				left--;
			}
		}
	}
	for (unsigned i = 0; i < n; i++)
		pf[i].fd = ~pf[i].fd;
}

static unsigned
number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > 1000000) {
		fprintf(stderr, "controlhold: usage: controlhold [-n N] [-a A] [-B BATCH] [-T SECS] PORT\n");
		exit(100);
	}
	return (unsigned)v;
}

int
main(int argc, char **argv)
{
	unsigned n = 10000, addrs = 1000, batch = 256, secs = 600, port;
	struct pollfd *pf;
	int ch, print = 0;
	char c;

	while ((ch = getopt(argc, argv, "n:a:B:T:p")) != -1) {
		switch (ch) {
		case 'n': n = number(optarg); break;
		case 'a': addrs = number(optarg); break;
		case 'B': batch = number(optarg); break;
		case 'T': secs = number(optarg); break;
		case 'p': print = 1; break;
		default: number("");
		}
	}
	if (print) {
		for (unsigned a = 0; a < addrs; a++)
			printf("%s\n", inet_ntoa(source_of(a)));
		return 0;
	}
	if (argc - optind != 1 || addrs > 250 * 254)
		number("");
	port = number(argv[optind]);
	if ((pf = calloc(n, sizeof(*pf))) == NULL)
		fail("calloc");
	for (unsigned i = 0; i < n; i += batch) {
		unsigned k = n - i < batch ? n - i : batch;

		for (unsigned j = 0; j < k; j++)
			pf[i + j].fd = open_one((i + j) % addrs, port);
		greet_batch(pf + i, k);
	}
	printf("held %u addresses %u\n", n, addrs);
	fflush(stdout);
	alarm(secs);
	while (read(0, &c, 1) > 0)
		continue;
	return 0;
}
