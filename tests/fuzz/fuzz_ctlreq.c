/* fuzz_ctlreq.c: fuzz target of the listener's control protocol: request
 * lines answered by server_ctl_request over a listener state with live
 * connections (no sockets), and the escaping of data values. Input:
 * request lines separated by '\n'. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "lib/ctlproto.h"
#include "daemons/tcpserver/server.h"
#include "tests/fuzz/fuzz.h"

const char fuzz_corpus[] = "ctlreq";

/* Requests per input: a pipelining peer, bounded. */
#define LINES_MAX 64
/* A "set" of max_connections past this is not sent: the table grows to
 * it (a million slots take 170 ms, a hundred inputs' time), and growing
 * is the same code at 10000. tests/tcpserver_unit_table covers sizes. */
#define GROW_MAX 10000UL

static struct server_options fz_opts;
static struct server fz_server;
static struct limits_now fz_start;	/* the limits after start */
static char fz_limits[] = "/tmp/fuzz_ctlreq.XXXXXX";

/* The clients the "connections" answers group: IPv4 and IPv6, several
 * per address and per network. */
static const char *const fz_clients[] = {
	"192.0.2.1", "192.0.2.1", "192.0.2.7", "198.51.100.9", "10.0.0.1",
	"2001:db8::1", "2001:db8::2", "2001:db8:1::1", "::ffff:192.0.2.1",
	"fe80::1",
};

static void
ctlreq_fuzz_cleanup(void)
{
	unlink(fz_limits);
}

/* A limits file for "reload": the listener re-reads it each time. */
static void
ctlreq_fuzz_limits_file(void)
{
	static const char text[] = "# fuzz\nmax_connections=50\nmax_per_ip=4\n";
	int fd = mkstemp(fz_limits);

	fuzz_check(fd >= 0, "mkstemp");
	fuzz_check(write(fd, text, sizeof(text) - 1) == sizeof(text) - 1, "write");
	close(fd);
	atexit(ctlreq_fuzz_cleanup);
}

/* A fresh table with the same clients for each input: a "set" that grew
 * it must not slow or change the inputs after it. */
static void
ctlreq_fuzz_table(void)
{
	struct conn_info ci;
	size_t i;

	conn_table_free(&fz_server.table);
	fuzz_check(conn_table_init(&fz_server.table, 64, fz_opts.ip6_prefix,
	    fz_opts.net4_prefix, fz_opts.net6_prefix) == 0, "table init");
	for (i = 0; i < sizeof(fz_clients) / sizeof(fz_clients[0]); i++) {
		memset(&ci, 0, sizeof(ci));
		ci.pid = (pid_t)(1000 + i);
		fuzz_check(ip_parse(fz_clients[i], &ci.remote) == 0, "client address");
		ci.remote_port = 40000 + (unsigned)i;
		ci.local_port = 143;
		ci.start = 1700000000 + (time_t)i;
		fuzz_check(conn_table_add(&fz_server.table, &ci) == 0, "table add");
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char *args[] = { "mailstack-tcpserver", "-q", "-H", "-R", "-l", "fuzz",
	    "-c", "64", "-C", "3", "-N", "10", "-f", fz_limits, "127.0.0.1",
	    "0", "true", NULL };
	char err[256];

	(void)argc;
	(void)argv;
	ctlreq_fuzz_limits_file();
	fuzz_check(options_parse(&fz_opts, 17, args, err, sizeof(err)) == 0, err);
	log_verbosity = fz_opts.verbosity;
	/* As main does: the re-exec's and adoption's fields set, no
	 * listening socket ("backlog" and "accept_queue" are left out). */
	server_reexec_init(&fz_server, args);
	fz_server.listener.fd = -1;
	server_init(&fz_server, &fz_opts);
	fz_start = fz_server.lim;
	return 0;
}

/* A reply is one block: "ok" or "error CODE TEXT" (TEXT without control
 * bytes, as the man page promises one line), data lines of printable
 * ASCII (values are escaped), then ".". */
static void
ctlreq_fuzz_check_block(const char *s, size_t len)
{
	size_t i, first;

	fuzz_check(len >= 5, "a reply block");
	fuzz_check(strncmp(s, "ok\n", 3) == 0 || strncmp(s, "error ", 6) == 0,
	    "the block starts with ok or error");
	fuzz_check(memcmp(s + len - 3, "\n.\n", 3) == 0,
	    "the block ends with a dot line");
	first = (size_t)((const char *)memchr(s, '\n', len) - s);
	for (i = 0; i < first; i++)
		fuzz_check((unsigned char)s[i] >= 32 && s[i] != 127,
		    "the first line holds no control byte");
	for (i = first; i < len; i++)
		fuzz_check(s[i] == '\n' || (s[i] >= 32 && s[i] < 127),
		    "data lines hold printable ASCII only");
}

static unsigned
ctlreq_fuzz_hex(char c)
{
	return isdigit((unsigned char)c) ? (unsigned)(c - '0') :
	    (unsigned)(tolower((unsigned char)c) - 'a' + 10);
}

/* Escaped text is printable without blanks and comes back unescaped. */
static void
ctlreq_fuzz_escape(const char *s, size_t n)
{
	struct strbuf sb = STRBUF_ZERO;
	size_t i, j = 0;
	unsigned v;

	fuzz_check(ctl_put_escaped(&sb, s, n) == 0, "escape");
	for (i = 0; i < sb.len; i++) {
		fuzz_check(sb.s[i] >= 33 && sb.s[i] <= 126, "escaped bytes are graphic");
		if (sb.s[i] == '%') {
			fuzz_check(i + 2 < sb.len && isxdigit((unsigned char)sb.s[i + 1]) &&
			    isxdigit((unsigned char)sb.s[i + 2]), "escape has two hex digits");
			v = ctlreq_fuzz_hex(sb.s[i + 1]) << 4 | ctlreq_fuzz_hex(sb.s[i + 2]);
			fuzz_check(j < n && (unsigned char)s[j] == v, "escape round trip");
			i += 2;
		} else
			fuzz_check(j < n && s[j] == sb.s[i], "plain byte round trip");
		j++;
	}
	fuzz_check(j == n, "every byte escaped once");
	strbuf_free(&sb);
}

/* The line sets max_connections above GROW_MAX. */
static int
ctlreq_fuzz_huge(const char *line, size_t len)
{
	static const char key[] = "max_connections=";
	const char *k = memmem(line, len, key, sizeof(key) - 1);
	unsigned long n = 0;

	if (k == NULL)
		return 0;
	for (k += sizeof(key) - 1; k < line + len && isdigit((unsigned char)*k); k++)
		if ((n = n * 10 + (unsigned long)(*k - '0')) > GROW_MAX)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	struct strbuf out = STRBUF_ZERO;
	size_t len, lines = 0;
	int quit = 0;

	ctlreq_fuzz_table();
	fz_server.lim = fz_start;
	while (p < end && !quit && lines++ < LINES_MAX) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (len < CTL_LINE_MAX && !ctlreq_fuzz_huge(p, len)) {
			strbuf_reset(&out);
			quit = server_ctl_request(&fz_server, &out, p, len);
			/* 2: "reexec", which the socket's side carries out
			 * (the new image answers), so no block here. */
			fuzz_check(quit >= 0 && quit <= 2, "request result");
			if (quit != 2)
				ctlreq_fuzz_check_block(out.s, out.len);
			fuzz_check(quit != 2 || out.len == 0, "reexec block");
			quit = quit == 1;
		}
		ctlreq_fuzz_escape(p, len);
		p += len + (nl != NULL);
	}
	strbuf_free(&out);
	return 0;
}
