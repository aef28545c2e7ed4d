/*
 * controlprobe - times the control plane for the bench (bench/run-control.sh).
 *
 *   controlprobe ask PATH REQUEST
 *       REQUEST once on the control socket; the answer on stdout.
 *   controlprobe [-r ROUNDS] [-o FILE] socket PATH REQUEST
 *       REQUEST on the listener's control socket (a fresh connection each
 *       round, up to the block's final "."); -o: the "ip count" pairs of the
 *       last answer to a `connections` request.
 *   controlprobe [-r ROUNDS] [-o FILE] -t TOKENFILE http URL
 *       GET URL from mailctld (a fresh connection each round); -o: the
 *       "ip count" pairs of its "connections" array.
 *   controlprobe [-r ROUNDS] -t TOKENFILE raise URL SERVICE SOCKET PORT
 *       The listener at 127.0.0.1:PORT is held at its max_connections; each
 *       round a client queues behind the limit, the limit is raised by one
 *       with PATCH URL/v1/services/SERVICE/limits, and the time from the
 *       API's answer to the client's greeting is measured; then the client
 *       goes and the limit is lowered again.
 *
 * Prints one line per round on stderr and a summary line "CONTROLPROBE
 * mode=... rounds=N median_ms=... min_ms=... max_ms=..." (raise: also
 * api_median_ms, request_median_ms) on stdout. Loopback only; every wait
 * is bounded (5 s).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 5000
#define MAX_ROUNDS 1000

struct buf {
	char *s;
	size_t len, cap;
};

static void
die(const char *what)
{
	fprintf(stderr, "controlprobe: %s%s%s\n", what, errno ? ": " : "",
	    errno ? strerror(errno) : "");
	exit(111);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if ((b->s = realloc(b->s, b->cap)) == NULL)
			die("realloc");
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
wait_readable(int fd, int ms)
{
	struct pollfd pf = { fd, POLLIN, 0 };
	int r;

	while ((r = poll(&pf, 1, ms)) == -1 && errno == EINTR)
		continue;
	return r > 0;
}

/* --- control socket --------------------------------------------------- */

static void
control_ask(const char *path, const char *request, struct buf *b)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char chunk[65536];
	int fd;

	b->len = 0;
	buf_add(b, "", 0);
	if (strlen(path) >= sizeof(sa.sun_path))
		die("socket path too long");
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		die("connect to the control socket");
	if (dprintf(fd, "%s\n", request) < 0)
		die("write to the control socket");
	while (!(b->len >= 2 && strcmp(b->s + b->len - 2, ".\n") == 0 &&
	    (b->len == 2 || b->s[b->len - 3] == '\n'))) {
		ssize_t n;

		if (!wait_readable(fd, WAIT_MS))
			die("no answer on the control socket");
		if ((n = read(fd, chunk, sizeof(chunk))) <= 0)
			die("control socket closed mid-answer");
		buf_add(b, chunk, (size_t)n);
	}
	close(fd);
	if (strncmp(b->s, "ok\n", 3) != 0) {
		errno = 0;
		fprintf(stderr, "controlprobe: %s: %s", request, b->s);
		die("the listener refused the request");
	}
}

static long
control_value(const char *path, const char *key)
{
	struct buf b = { 0 };
	char needle[64];
	const char *p;
	long v = -1;

	control_ask(path, "status", &b);
	snprintf(needle, sizeof(needle), "\n%s ", key);
	if ((p = strstr(b.s, needle)) != NULL)
		v = strtol(p + strlen(needle), NULL, 10);
	free(b.s);
	return v;
}

/* "ip ADDR count N ..." lines as "ADDR N". */
static void
control_pairs(const struct buf *b, FILE *out)
{
	char ip[128];
	long count;
	const char *p;

	for (p = b->s; (p = strstr(p, "\nip ")) != NULL; p++)
		if (sscanf(p + 1, "ip %127s count %ld", ip, &count) == 2)
			fprintf(out, "%s %ld\n", ip, count);
}

/* --- HTTP ---------------------------------------------------------------- */

static char auth[256];

static size_t
curl_sink(char *p, size_t size, size_t n, void *arg)
{
	buf_add(arg, p, size * n);
	return size * n;
}

static long
http_call(const char *method, const char *url, const char *body, struct buf *b)
{
	struct curl_slist *h = NULL;
	CURL *c = curl_easy_init();
	long status = 0;

	b->len = 0;
	buf_add(b, "", 0);
	if (c == NULL)
		die("curl_easy_init");
	h = curl_slist_append(h, auth);
	if (body != NULL) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)WAIT_MS);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (curl_easy_perform(c) != CURLE_OK)
		die("HTTP request failed");
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

static void
http_pairs(const struct buf *b, FILE *out)
{
	json_t *j = json_loads(b->s, 0, NULL), *e;
	size_t i;

	if (j == NULL)
		die("mailctld's answer is not JSON");
	json_array_foreach(json_object_get(j, "connections"), i, e)
		fprintf(out, "%s %lld\n", json_string_value(json_object_get(e, "ip")),
		    (long long)json_integer_value(json_object_get(e, "count")));
	json_decref(j);
}

static void
read_token(const char *path)
{
	char tok[128];
	FILE *f = fopen(path, "r");

	if (f == NULL || fgets(tok, sizeof(tok), f) == NULL)
		die("unable to read the token file");
	fclose(f);
	tok[strcspn(tok, "\r\n")] = '\0';
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
}

/* --- the raise round ------------------------------------------------------ */

static int
tcp_client(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)port);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		die("connect to the listener");
	return fd;
}

static void
set_limit(const char *url, long max, struct buf *b)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"max_connections\":%ld}", max);
	if (http_call("PATCH", url, body, b) != 200 || strstr(b->s, "\"applied\": false") != NULL ||
	    strstr(b->s, "\"applied\":false") != NULL) {
		errno = 0;
		fprintf(stderr, "controlprobe: PATCH answered: %s\n", b->s);
		die("the limit was not applied");
	}
}

static void
wait_live(const char *sock, long want)
{
	double end = now_ms() + WAIT_MS;

	while (control_value(sock, "live") != want) {
		if (now_ms() > end) {
			errno = 0;
			die("the listener's live count did not settle");
		}
		usleep(2000);
	}
}

static void
raise_rounds(const char *base, const char *svc, const char *sock, unsigned port, int rounds)
{
	static double greet[MAX_ROUNDS], api[MAX_ROUNDS], req[MAX_ROUNDS];
	long max = control_value(sock, "max_connections");
	char url[512], line[64];
	struct buf b = { 0 };
	double med;
	int *held;

	snprintf(url, sizeof(url), "%s/v1/services/%s/limits", base, svc);
	if (max < 1 || max > 1000 || (held = calloc((size_t)max, sizeof(*held))) == NULL)
		die("max_connections must be 1..1000 for raise");
	for (long i = 0; i < max; i++) {
		held[i] = tcp_client(port);
		if (!wait_readable(held[i], WAIT_MS))
			die("a held client was not greeted");
	}
	wait_live(sock, max);
	for (int r = 0; r < rounds; r++) {
		int q = tcp_client(port);
		double t0, t1, t2;

		if (wait_readable(q, 100)) {
			errno = 0;
			die("the client was served at the limit: not queued");
		}
		t0 = now_ms();
		set_limit(url, max + 1, &b);
		t1 = now_ms();
		if (!wait_readable(q, WAIT_MS) || read(q, line, sizeof(line)) <= 0)
			die("the queued client was not greeted after the raise");
		t2 = now_ms();
		greet[r] = t2 - t1, api[r] = t1 - t0, req[r] = t2 - t0;
		fprintf(stderr, "round=%d api_ms=%.3f answer_to_greeting_ms=%.3f request_to_greeting_ms=%.3f\n",
		    r, api[r], greet[r], req[r]);
		close(q);
		set_limit(url, max, &b);
		wait_live(sock, max);
	}
	/* median() sorts: greet[0] and greet[rounds - 1] are then min and max */
	med = median(greet, rounds);
	printf("CONTROLPROBE mode=raise rounds=%d held=%ld median_ms=%.3f min_ms=%.3f max_ms=%.3f"
	    " api_median_ms=%.3f request_median_ms=%.3f\n", rounds, max, med,
	    greet[0], greet[rounds - 1], median(api, rounds), median(req, rounds));
	free(b.s);
}

/* --- main ----------------------------------------------------------------- */

static void
usage(void)
{
	fprintf(stderr, "controlprobe: usage: controlprobe ask PATH REQUEST\n"
	    "       controlprobe [-r ROUNDS] [-o FILE] socket PATH REQUEST\n"
	    "       controlprobe [-r ROUNDS] [-o FILE] -t TOKENFILE http URL\n"
	    "       controlprobe [-r ROUNDS] -t TOKENFILE raise URL SERVICE SOCKET PORT\n");
	exit(100);
}

static void
query_rounds(char **argv, int argc, int rounds, const char *outpath)
{
	static double ms[MAX_ROUNDS];
	int sock = strcmp(argv[0], "socket") == 0;
	struct buf b = { 0 };
	double med;
	FILE *out;

	if (argc != (sock ? 3 : 2) || (!sock && auth[0] == '\0'))
		usage();
	for (int r = 0; r < rounds; r++) {
		double t0 = now_ms();

		if (sock)
			control_ask(argv[1], argv[2], &b);
		else if (http_call("GET", argv[1], NULL, &b) != 200)
			die("GET did not answer 200");
		ms[r] = now_ms() - t0;
		fprintf(stderr, "round=%d ms=%.3f bytes=%zu\n", r, ms[r], b.len);
	}
	if (outpath != NULL) {
		if ((out = fopen(outpath, "w")) == NULL)
			die("unable to write the -o file");
		(sock ? control_pairs : http_pairs)(&b, out);
		if (fclose(out) == EOF)
			die("unable to write the -o file");
	}
	med = median(ms, rounds);
	printf("CONTROLPROBE mode=%s rounds=%d bytes=%zu median_ms=%.3f min_ms=%.3f max_ms=%.3f\n",
	    argv[0], rounds, b.len, med, ms[0], ms[rounds - 1]);
	free(b.s);
}

int
main(int argc, char **argv)
{
	const char *outpath = NULL;
	int ch, rounds = 11;

	while ((ch = getopt(argc, argv, "r:o:t:")) != -1) {
		switch (ch) {
		case 'r':
			rounds = atoi(optarg);
			if (rounds < 1 || rounds > MAX_ROUNDS)
				usage();
			break;
		case 'o': outpath = optarg; break;
		case 't': read_token(optarg); break;
		default: usage();
		}
	}
	argc -= optind, argv += optind;
	if (argc < 1)
		usage();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(argv[0], "ask") == 0) {
		struct buf b = { 0 };

		if (argc != 3)
			usage();
		control_ask(argv[1], argv[2], &b);
		fputs(b.s, stdout);
		free(b.s);
	} else if (strcmp(argv[0], "raise") == 0) {
		if (argc != 5 || auth[0] == '\0')
			usage();
		raise_rounds(argv[1], argv[2], argv[3], (unsigned)atoi(argv[4]), rounds);
	} else if (strcmp(argv[0], "socket") == 0 || strcmp(argv[0], "http") == 0) {
		query_rounds(argv, argc, rounds, outpath);
	} else {
		usage();
	}
	curl_global_cleanup();
	return 0;
}
