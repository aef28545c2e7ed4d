/* webbench.c: mailctld's own share of the control-plane latencies, against a fake
 * listener control socket: a limit raise answered by the API (file written
 * and fsynced, history, audit, reload), and the per-IP report for 10,000
 * connections from 1,000 addresses. Run by make bench-web. */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/web_fake.h"

#define ROUNDS 300

static unsigned port;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	*(size_t *)arg += size * n;
	return size * n;
}

/* One request; returns the status, the body size in *got. */
static long
request(CURL *c, const char *method, const char *path, const char *body, size_t *got)
{
	char url[256];
	long status = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	*got = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, got);
	if (curl_easy_perform(c) != CURLE_OK)
		return 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
measure(CURL *c, const char *what, const char *method, const char *path, int patch)
{
	double t[ROUNDS], t0;
	char body[64];
	size_t got = 0;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		snprintf(body, sizeof(body), "{\"max_connections\":%d}", 100 + i);
		t0 = now_ms();
		if (request(c, method, path, patch ? body : NULL, &got) != 200) {
			fprintf(stderr, "webbench: %s %s failed\n", method, path);
			exit(111);
		}
		t[i] = now_ms() - t0;
	}
	qsort(t, ROUNDS, sizeof(t[0]), cmp);
	printf("| %s | %d | %.2f | %.2f | %.2f | %zu |\n", what, ROUNDS, t[ROUNDS / 2],
	    t[ROUNDS * 99 / 100], t[ROUNDS - 1], got);
}

/* 1,000 addresses holding 10 connections each, as the listener lists them. */
static char *
fake_connections(void)
{
	size_t cap = 1000 * 160, n = 0;
	char *s = malloc(cap);
	int i;

	for (i = 0; s != NULL && i < 1000; i++) {
		int p = 20000 + i * 10;

		n += (size_t)snprintf(s + n, cap - n, "ip 10.%d.%d.%d count 10 limit 10 source option "
		    "oldest 1764330000 pids %d,%d,%d,%d,%d,%d,%d,%d,%d,%d\n", i / 65536, i / 256 % 256,
		    i % 256, p, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8, p + 9);
	}
	return s;
}

static pid_t
start_mailctld(const char *bin, const char *dir)
{
	char conf[512], line[32];
	int p[2];
	pid_t pid;
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/conf", dir);
	if (pipe(p) == -1 || (pid = fork()) == -1)
		exit(111);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]), close(p[1]);
		execl(bin, bin, "-1", "-f", conf, (char *)NULL);
		_exit(111);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL)
		exit(111);
	port = (unsigned)atoi(line);
	return pid;
}

int
main(int argc, char **argv)
{
	struct web_fake fake;
	struct curl_slist *h = NULL;
	char *dir, sock[300], lim[300];
	CURL *c;
	pid_t pid;

	if (argc != 2 || (dir = web_fake_tree()) == NULL) {
		fprintf(stderr, "webbench: usage: webbench MAILCTLD\n");
		return 100;
	}
	snprintf(sock, sizeof(sock), "%s/imap.sock", dir);
	snprintf(lim, sizeof(lim), "%s/etc/imap/limits", dir);
	if (web_fake_start(&fake, sock, lim) == -1)
		return 111;
	fake.connections = fake_connections();
	pid = start_mailctld(argv[1], dir);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	h = curl_slist_append(h, "Authorization: Bearer " WEB_ADMIN_TOKEN);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	printf("mailctld latencies (ms) over one kept-alive HTTP connection, fake listener "
	    "socket, state in %s\n\n", dir);
	printf("| request | n | median | p99 | max | body bytes |\n|---|---|---|---|---|---|\n");
	measure(c, "PATCH limits (write+fsync, history, audit, reload)", "PATCH",
	    "/v1/services/imap/limits", 1);
	measure(c, "GET connections, 1,000 IPs / 10,000 conns", "GET",
	    "/v1/services/imap/connections", 0);
	measure(c, "GET connections?top=10", "GET", "/v1/services/imap/connections?top=10", 0);
	measure(c, "GET service", "GET", "/v1/services/imap", 0);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	web_fake_stop(&fake);
	web_fake_rmtree(dir);
	return 0;
}
