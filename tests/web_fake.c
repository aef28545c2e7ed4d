/* web_fake.c: the fake listener control socket and the test service tree. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tests/web_fake.h"
#include "lib/limitsfile.h"
#include "web/token.h"
#include "web/util.h"

static void
reply_status(struct web_fake *f, FILE *out)
{
	fprintf(out, "ok\npid %d\nstarted 1764330000\nuptime 42\nlive 3\n"
	    "max_connections %ld\nmax_per_ip %ld\nmax_per_network %ld\n"
	    "limits_source file\nlimits_file %s\naccepted 10\nrefused_ip 2\n"
	    "refused_net 0\nrefused_rule_ip 1\nrefused_rule_net 0\ndropped_fork 0\n"
	    "distinct_ips 2\ndistinct_networks 1\nlocal_port 1143\n", (int)getpid(),
	    f->limits[0], f->limits[1], f->limits[2], f->limits_path);
	/* The fields of a listener that re-execs and adopts, in the order
	 * mailstack-tcpserver(8) gives them, after control_timeouts. */
	if (!f->old)
		fprintf(out, "control_timeouts 0\nversion 0.1.0\nimage_started %d\n"
		    "reexecs %d\nrestored %s\nadopted 1\nunadopted 0\nbacklog 1024\n"
		    "accept_queue 3\nlisten_overflows 17\n", 1764330000 + f->reexecs,
		    f->reexecs, f->reexecs > 0 ? "state" : "none");
	fputs(".\n", out);
}

static void
do_reexec(struct web_fake *f, FILE *out)
{
	struct timespec ts = { f->reexec_ms / 1000, (f->reexec_ms % 1000) * 1000000L };

	if (f->old) {
		fprintf(out, "error usage unknown request\n.\n");
		return;
	}
	if (f->exec_error != NULL) {
		fprintf(out, "error exec %s\n.\n", f->exec_error);
		return;
	}
	nanosleep(&ts, NULL);
	f->reexecs++;
	reply_status(f, out);
}

static void
do_reload(struct web_fake *f, FILE *out)
{
	struct limitsfile_error e;
	struct limits_file lf;
	char *buf;
	size_t len, i;

	if (util_read_file(f->limits_path, &buf, &len) == -1) {
		reply_status(f, out);
		return;
	}
	if (limitsfile_parse(buf, len, &lf, &e) == -1) {
		fprintf(out, "error config %s:%lu: %s\n.\n", f->limits_path, e.line, e.reason);
		free(buf);
		return;
	}
	free(buf);
	for (i = 0; i < LIMIT_KEYS; i++)
		if (lf.set[i])
			f->limits[i] = (long)lf.n[i];
	f->reloads++;
	reply_status(f, out);
}

/* The canned lines, the first N only for "top N". */
static void
reply_connections(struct web_fake *f, const char *line, FILE *out)
{
	const char *p = f->connections != NULL ? f->connections : "", *top = strstr(line, " top ");
	long n = top != NULL ? atol(top + 5) : -1;

	fputs("ok\n", out);
	for (; *p != '\0' && n != 0; n--) {
		size_t k = strcspn(p, "\n") + 1;

		fwrite(p, 1, k, out);
		p += k;
	}
	fputs(".\n", out);
}

static void
answer(struct web_fake *f, const char *line, FILE *out)
{
	pthread_mutex_lock(&f->lock);
	f->requests++;
	snprintf(f->last, sizeof(f->last), "%s", line);
	if (f->busy > 0) {
		f->busy--;
		fprintf(out, "error busy too many control clients\n.\n");
	} else if (strcmp(line, "status") == 0)
		reply_status(f, out);
	else if (strcmp(line, "reload") == 0)
		do_reload(f, out);
	else if (strcmp(line, "reexec") == 0)
		do_reexec(f, out);
	else if (strncmp(line, "connections", 11) == 0)
		reply_connections(f, line, out);
	else if (strcmp(line, "quit") == 0)
		fprintf(out, "ok\n.\n");
	else
		fprintf(out, "error usage unknown request\n.\n");
	pthread_mutex_unlock(&f->lock);
}

static void
serve_client(struct web_fake *f, int c)
{
	FILE *in = fdopen(dup(c), "r"), *out = fdopen(c, "w");
	char line[1100];

	while (in != NULL && out != NULL && fgets(line, sizeof(line), in) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		answer(f, line, out);
		fflush(out);
	}
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
}

static void *
serve(void *arg)
{
	struct web_fake *f = arg;
	sigset_t pipe_sig;

	/* A client that gave up (mailctld's timeout) must cost this reply an
	 * EPIPE, not the whole test process a SIGPIPE: mailctld itself ignores
	 * SIGPIPE in main(), which the tests and the fuzz target do not run. */
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);

	while (f->running) {
		struct pollfd p = { f->fd, POLLIN, 0 };
		int c;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if ((c = accept(f->fd, NULL, NULL)) == -1)
			continue;
		serve_client(f, c);
	}
	return NULL;
}

int
web_fake_start(struct web_fake *f, const char *path, const char *limits_path)
{
	struct sockaddr_un sun;

	memset(f, 0, sizeof(*f));
	f->limits[0] = 21, f->limits[1] = 4, f->limits[2] = 0;
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(f->limits_path, sizeof(f->limits_path), "%s", limits_path);
	pthread_mutex_init(&f->lock, NULL);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if ((f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(f->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 || listen(f->fd, 16) == -1)
		return -1;
	f->running = 1;
	return pthread_create(&f->thread, NULL, serve, f) == 0 ? 0 : -1;
}

void
web_fake_stop(struct web_fake *f)
{
	if (!f->running)
		return;
	f->running = 0;
	pthread_join(f->thread, NULL);
	close(f->fd);
	unlink(f->path);
}

char *
web_fake_path(const char *dir, const char *name)
{
	return util_path(dir, name);
}

static int
write_text(const char *dir, const char *name, const char *text)
{
	char *p = util_path(dir, name);
	FILE *f = p != NULL ? fopen(p, "w") : NULL;
	int r = -1;

	if (f != NULL) {
		r = fputs(text, f) < 0 ? -1 : 0;
		if (fclose(f) != 0)
			r = -1;
	}
	free(p);
	return r;
}

static int
token_line(char *out, size_t outlen, const char *name, const char *scope, const char *tok)
{
	unsigned char h[TOKEN_HASH_LEN];
	char hex[2 * TOKEN_HASH_LEN + 1];

	if (token_sha256(tok, strlen(tok), h) == -1)
		return -1;
	token_hex(h, sizeof(h), hex);
	snprintf(out, outlen, "%s %s sha256:%s\n", name, scope, hex);
	return 0;
}

char *
web_fake_tree(void)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[512], *dir, conf[4096], tokens[512], *etc;
	size_t n;

	snprintf(tmpl, sizeof(tmpl), "%s/web_test.XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(tmpl) == NULL || (dir = strdup(tmpl)) == NULL)
		return NULL;
	etc = util_path(dir, "etc/imap");
	if (etc == NULL || util_mkdirs(etc) == -1)
		return NULL;
	free(etc);
	etc = util_path(dir, "etc/smtp");
	if (etc == NULL || util_mkdirs(etc) == -1)
		return NULL;
	free(etc);
	if (token_line(tokens, sizeof(tokens), "admin", "admin", WEB_ADMIN_TOKEN) == -1)
		return NULL;
	n = strlen(tokens);
	if (token_line(tokens + n, sizeof(tokens) - n, "ro", "read", WEB_READ_TOKEN) == -1)
		return NULL;
	snprintf(conf, sizeof(conf), "listen 127.0.0.1:0\ntokens %s/tokens\nstate %s/var\n"
	    "audit %s/var/audit.log\nmetrics-top 5\n"
	    "service imap control=%s/imap.sock config=%s/etc/imap\n"
	    "service smtp control=%s/smtp.sock config=%s/etc/smtp\n",
	    dir, dir, dir, dir, dir, dir, dir);
	if (write_text(dir, "tokens", tokens) == -1 || write_text(dir, "conf", conf) == -1)
		return NULL;
	etc = util_path(dir, "var");
	if (etc == NULL || util_mkdirs(etc) == -1)
		return NULL;
	free(etc);
	return dir;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void
web_fake_rmtree(const char *dir)
{
	if (dir != NULL)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
