/* tcpserver_it_common.c: starting either tcpserver, fetching replies and
 * normalising logs and environments so the two can be compared. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcpserver_it.h"

#define IT_MAX_ARGS 64

static const char *
top(void)
{
	const char *t = getenv("MAILSTACK_TOP");

	return t != NULL && *t != '\0' ? t : ".";
}

const char *
it_bin(enum it_flavour f)
{
	static char *ours;

	if (f == IT_REAL)
		return "/usr/bin/tcpserver";
	/* MAILSTACK_IT_OURS points the suite at another build (or, to check
	 * the suite itself, at the real tcpserver). */
	if (ours == NULL && getenv("MAILSTACK_IT_OURS") != NULL)
		ours = strdup(getenv("MAILSTACK_IT_OURS"));
	if (ours == NULL && asprintf(&ours,
	    "%s/daemons/tcpserver/mailstack-tcpserver", top()) == -1)
		ours = NULL;
	return ours;
}

const char *
it_prog_name(enum it_flavour f)
{
	const char *bin = it_bin(f), *slash;

	if (bin == NULL)
		return "";
	slash = strrchr(bin, '/');
	return slash != NULL ? slash + 1 : bin;
}

const char *
it_child(const char *name)
{
	char *path;

	if (asprintf(&path, "%s/tests/bin/%s", top(), name) == -1)
		return NULL;
	return path;
}

/* Appends a NULL-terminated list to v at *n; -1 if it does not fit. */
static int
append_list(const char **v, size_t *n, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++) {
		if (*n >= IT_MAX_ARGS - 1)
			return -1;
		v[(*n)++] = *list;
	}
	v[*n] = NULL;
	return 0;
}

/* "MAILSTACK_TCPSERVER_SPAWN=..." when the suite was given it. */
static const char *
spawn_var(void)
{
	static char *var;
	const char *v = getenv("MAILSTACK_TCPSERVER_SPAWN");

	if (var == NULL && v != NULL &&
	    asprintf(&var, "MAILSTACK_TCPSERVER_SPAWN=%s", v) == -1)
		var = NULL;
	return var;
}

int
it_server_start_with(struct it_server *s, enum it_flavour f, const char *dir,
    const char *const *opts, const char *host, const char *const *prog,
    const char *const *env, const struct harness_opts *ho)
{
	/* Never any DNS or ident traffic: -H -R -l. */
	static const char *const fixed[] = { "-1", "-H", "-R", "-l", "it",
	    NULL };
	static const char *const path[] = { "PATH=/usr/bin:/bin", NULL };
	const char *argv[IT_MAX_ARGS], *envp[IT_MAX_ARGS];
	const char *const hostport[] = { host, "0", NULL };
	struct harness_opts o = HARNESS_OPTS_ZERO;
	size_t na = 0, ne = 0;

	memset(s, 0, sizeof(*s));
	s->proc.pid = -1;
	s->proc.out_fd = -1;
	s->flavour = f;
	s->port = -1;
	argv[na++] = it_bin(f);
	if (append_list(argv, &na, fixed) == -1 ||
	    append_list(argv, &na, opts) == -1 ||
	    append_list(argv, &na, hostport) == -1 ||
	    append_list(argv, &na, prog) == -1 ||
	    append_list(envp, &ne, path) == -1 ||
	    append_list(envp, &ne, env) == -1)
		return -1;
	/* tests/tcpserver_it_fork runs the suite again with every child of
	 * ours forked (the full child), so both paths meet the real one. */
	if (f == IT_OURS && spawn_var() != NULL) {
		const char *const mode[] = { spawn_var(), NULL };

		if (append_list(envp, &ne, mode) == -1)
			return -1;
	}
	/* In its temp dir, relative paths (which appear in messages) are the
	 * same for both servers. */
	if (ho != NULL)
		o = *ho;
	o.cwd = dir;
	if (harness_spawn(&s->proc, dir, (char *const *)argv,
	    (char *const *)envp, &o) == -1)
		return -1;
	s->port = harness_read_port(&s->proc, HARNESS_TIMEOUT_MS);
	if (s->port <= 0) {
		char *err = harness_stderr(&s->proc);

		/* The reason belongs in the test's output (127: the harness
		 * could not exec it). */
		fprintf(stderr, "%s did not start (status %d): %s\n", argv[0],
		    harness_wait_exit(&s->proc, 100) == 0 ?
		    harness_exit_code(s->proc.status) : -1, err);
		free(err);
		return -1;
	}
	return 0;
}

int
it_server_start(struct it_server *s, enum it_flavour f, const char *dir,
    const char *const *opts, const char *host, const char *const *prog,
    const char *const *env)
{
	return it_server_start_with(s, f, dir, opts, host, prog, env, NULL);
}

int
it_server_stop(struct it_server *s)
{
	if (s->proc.pid <= 0)
		return -1;
	kill(s->proc.pid, SIGTERM);
	if (harness_wait_exit(&s->proc, HARNESS_TIMEOUT_MS) == -1)
		return -1;
	return s->proc.status;
}

void
it_server_free(struct it_server *s)
{
	harness_kill(&s->proc);
}

char *
it_fetch(const struct it_server *s, int family, const char *src,
    const char *data, int *cport)
{
	int fd;
	char *reply = NULL;

	if (cport != NULL)
		*cport = -1;
	if (s->port <= 0)
		return NULL;
	fd = harness_connect(family, src, (unsigned)s->port,
	    HARNESS_TIMEOUT_MS);
	if (fd == -1)
		return NULL;
	if (cport != NULL)
		*cport = harness_local_port(fd);
	if (data == NULL || harness_send(fd, data) == 0) {
		if (data != NULL)
			shutdown(fd, SHUT_WR);
		reply = harness_read_all(fd, HARNESS_TIMEOUT_MS, NULL);
	}
	close(fd);
	return reply;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the lines of a malloc'd text in place of a new string. */
static char *
sort_lines(char *text)
{
	char **v = NULL;
	size_t n = 0, i, len = 0;
	char *save = NULL, *line, *out, *p;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char **t = realloc(v, (n + 1) * sizeof(*v));

		if (t == NULL)
			break;
		v = t;
		v[n++] = line;
		len += strlen(line) + 1;
	}
	/* qsort wants an array even for no lines (UBSan: NULL argument). */
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_str);
	out = p = malloc(len + 1);
	for (i = 0; out != NULL && i < n; i++)
		p += sprintf(p, "%s\n", v[i]);
	if (out != NULL)
		*p = '\0';
	free(v);
	free(text);
	return out;
}

/* In a field HOST:IP:PORT (or HOST:IP:INFO:PORT) the port is the digits
 * after the last colon. */
static void
put_field_noport(FILE *f, const char *field, size_t n)
{
	size_t c = n;

	while (c > 0 && field[c - 1] != ':')
		c--;
	if (c > 0 && c < n && strspn(field + c, "0123456789") == n - c)
		fprintf(f, "%.*sPORT", (int)c, field);
	else
		fprintf(f, "%.*s", (int)n, field);
}

/* Writes one normalised log line (without the prefix) to f. */
static void
put_line(FILE *f, const char *rest)
{
	static const char *const with_pid[] = { "pid ", "ok ", "deny ",
	    "end ", NULL };
	const char *const *k;
	const char *p;
	int field;

	for (k = with_pid; *k != NULL; k++)
		if (strncmp(rest, *k, strlen(*k)) == 0)
			break;
	if (*k == NULL || strspn(rest + strlen(*k), "0123456789") == 0) {
		fprintf(f, "%s\n", rest);
		return;
	}
	fprintf(f, "%sPID", *k);
	p = rest + strlen(*k);
	p += strspn(p, "0123456789");
	for (field = 0; *p != '\0'; field++) {
		size_t n;

		if (*p == ' ')
			fputc(*p++, f);
		n = strcspn(p, " ");
		if ((**k == 'o' || **k == 'd') && field < 2)
			put_field_noport(f, p, n);
		else
			fprintf(f, "%.*s", (int)n, p);
		p += n;
	}
	fputc('\n', f);
}

/* Writes one line (without its newline) in normalised form. */
typedef void put_fn(FILE *f, const char *line, const void *arg);

/* Passes every line of text through put and sorts the result. */
static char *
map_lines(const char *text, put_fn *put, const void *arg)
{
	char *out = NULL, *copy, *save = NULL, *line;
	size_t outlen = 0;
	FILE *mf;

	if (text == NULL || (copy = strdup(text)) == NULL)
		return NULL;
	if ((mf = open_memstream(&out, &outlen)) == NULL) {
		free(copy);
		return NULL;
	}
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		put(mf, line, arg);
	fclose(mf);
	free(copy);
	return out != NULL ? sort_lines(out) : NULL;
}

static void
put_log_line(FILE *f, const char *line, const void *arg)
{
	const char *name = arg;
	size_t plen = strlen(name);

	if (strncmp(line, name, plen) == 0 &&
	    strncmp(line + plen, ": ", 2) == 0) {
		fputs("tcpserver: ", f);
		put_line(f, line + plen + 2);
	} else
		fprintf(f, "%s\n", line);
}

char *
it_log_normalise(const char *log, enum it_flavour f)
{
	return map_lines(log, put_log_line, it_prog_name(f));
}

struct ports {
	long lport;
	int rport;
};

static void
put_env_line(FILE *f, const char *line, const void *arg)
{
	const struct ports *p = arg;
	const char *eq = strchr(line, '=');
	int is_l = eq && strstr(line, "LOCALPORT=") == eq - 9;
	int is_r = eq && strstr(line, "REMOTEPORT=") == eq - 10;
	char want[64];

	snprintf(want, sizeof(want), "%ld", is_l ? p->lport : (long)p->rport);
	if ((is_l || is_r) && strcmp(eq + 1, want) == 0)
		fprintf(f, "%.*s=%s\n", (int)(eq - line), line,
		    is_l ? "LPORT" : "RPORT");
	else
		fprintf(f, "%s\n", line);
}

char *
it_env_normalise(const char *env, long lport, int rport)
{
	struct ports p = { lport, rport };

	return map_lines(env, put_env_line, &p);
}

void
it_compare(it_run_fn *run, const void *arg, const char *const *needles)
{
	char *real, *ours;

	real = run(IT_REAL, arg);
	cr_assert_not_null(real, "the real tcpserver did not serve");
	for (; needles != NULL && *needles != NULL; needles++)
		cr_assert(strstr(real, *needles) != NULL,
		    "scenario broken: the real one lacks \"%s\":\n%s",
		    *needles, real);
	ours = run(IT_OURS, arg);
	cr_assert_not_null(ours, "%s did not serve", it_bin(IT_OURS));
	cr_expect_str_eq(ours, real, "differs\nours:\n%s\nreal:\n%s", ours,
	    real);
	free(real);
	free(ours);
}

const char **
it_opts_rules(const char *dir, const char *const *opts, const char *rules,
    const char **o, size_t cap)
{
	size_t n = 0;

	for (; opts != NULL && *opts != NULL && n + 3 < cap; opts++)
		o[n++] = *opts;
	if (rules != NULL) {
		o[n++] = "-x";
		o[n++] = it_rules_compile(dir, "rules", rules);
		cr_assert_not_null(o[n - 1], "the real tcprules failed");
	}
	o[n] = NULL;
	return o;
}

char *
it_rules_compile(const char *dir, const char *name, const char *text)
{
	struct harness_opts ho = HARNESS_OPTS_ZERO;
	char *txt, *cdb = NULL, *tmp = NULL, *tname = NULL;
	int st = -1;

	if (asprintf(&tname, "%s.txt", name) == -1)
		return NULL;
	txt = harness_write_file(dir, tname, text, strlen(text));
	if (txt != NULL && asprintf(&cdb, "%s/%s.cdb", dir, name) != -1 &&
	    asprintf(&tmp, "%s/%s.tmp", dir, name) != -1) {
		char *argv[] = { "/usr/bin/tcprules", cdb, tmp, NULL };

		ho.stdin_path = txt;
		st = harness_run(dir, argv, NULL, &ho, HARNESS_TIMEOUT_MS,
		    NULL, NULL);
	}
	free(tname);
	free(txt);
	free(tmp);
	if (st != 0) {
		free(cdb);
		return NULL;
	}
	return cdb;
}

char *
it_log_line(const char *log, const char *needle)
{
	const char *hit, *start, *end;

	if (log == NULL || (hit = strstr(log, needle)) == NULL)
		return NULL;
	for (start = hit; start > log && start[-1] != '\n'; start--)
		;
	end = strchr(hit, '\n');
	return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* The log lines that hold one of the needles, or all of it (NULL). */
static char *
log_pick(const char *log, const char *const *needles)
{
	char *out = NULL, *line;
	size_t outlen = 0;
	FILE *mf;

	if (needles == NULL)
		return strdup(log);
	if ((mf = open_memstream(&out, &outlen)) == NULL)
		return NULL;
	for (; *needles != NULL; needles++) {
		line = it_log_line(log, *needles);
		if (line != NULL)
			fprintf(mf, "%s\n", line);
		free(line);
	}
	fclose(mf);
	return out;
}

char *
it_env_run(enum it_flavour f, const char *dir, const char *const *opts,
    const char *const *env, const char *src, const char *const *lines)
{
	static const char *const prog[] = { "/usr/bin/env", NULL };
	const char *o[24] = { "-v" };
	struct it_server s;
	char *reply, *envout, *log, *picked, *norm, *out = NULL;
	size_t n = 1;
	int cport;

	for (; opts != NULL && *opts != NULL && n < 23; opts++)
		o[n++] = *opts;
	o[n] = NULL;
	if (it_server_start(&s, f, dir, o, "127.0.0.1", prog, env) == -1) {
		it_server_free(&s);
		return NULL;
	}
	reply = it_fetch(&s, 4, src, NULL, &cport);
	envout = it_env_normalise(reply ? reply : "(no EOF)\n", s.port,
	    cport);
	/* the first status line, then one for the accept, one for the end */
	harness_wait_stderr(&s.proc, ": status: ", 3, HARNESS_TIMEOUT_MS);
	log = harness_stderr(&s.proc);
	picked = log_pick(log, lines);
	norm = it_log_normalise(picked, f);
	if (asprintf(&out, "reply:\n%slog:\n%s", envout, norm) == -1)
		out = NULL;
	free(reply);
	free(envout);
	free(log);
	free(picked);
	free(norm);
	it_server_free(&s);
	return out;
}

char *
it_last_status(const char *log)
{
	const char *p = log, *last = NULL;

	while ((p = strstr(p, ": status: ")) != NULL)
		last = p++;
	if (last == NULL)
		return NULL;
	return strndup(last + 10, strcspn(last + 10, "\n"));
}

char *
it_settle(const struct it_server *s, const char *want, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	char *log;

	for (;;) {
		char *st;
		int done;

		log = harness_stderr(&s->proc);
		st = it_last_status(log);
		done = st != NULL && strcmp(st, want) == 0 &&
		    harness_count(log, ": end ") == harness_count(log, ": pid ");
		free(st);
		if (done || harness_now_ms() >= deadline)
			return log;
		free(log);
		harness_sleep_ms(50);
	}
}
