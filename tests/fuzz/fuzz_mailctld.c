/* fuzz_mailctld.c: fuzz target of mailctld's request handling: api_handle
 * (routing, paths, query, headers, tokens, JSON and text bodies) over a
 * service tree in a private folder, with the test suite's fake listener
 * behind the imap service. Input, HTTP-like:
 *   METHOD PATH[?QUERY]\n
 *   Name: value\n ...      (Authorization, Accept, Content-Type,
 *                           If-Match, X-Peer; X-Listener: the fake's
 *                           connection lines, '|' ending each)
 *   \n
 *   body                   (absent when nothing follows the blank line)
 * and up to three more requests, each after a line "%%". */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rules_file.h"
#include "tests/fuzz/fuzz.h"
#include "tests/web_fake.h"
#include "web/api.h"
#include "web/conf.h"
#include "web/util.h"

const char fuzz_corpus[] = "mailctld";

/* Each value is cut to this; an HTTP server would have refused longer. */
#define FIELD_MAX 8192
#define REQUESTS_MAX 4
/* Bodies are cut only past what mailctld itself refuses. */
#define BODY_MAX (API_MAX_BODY + 1)

static char *fz_dir;
static struct mailctld_conf fz_conf;
static struct api_ctx fz_ctx;
static struct web_fake fz_fake;
static char fz_listener[FIELD_MAX];

static void
mailctld_fuzz_cleanup(void)
{
	web_fake_stop(&fz_fake);
	api_ctx_free(&fz_ctx);
	conf_free(&fz_conf);
	web_fake_rmtree(fz_dir);
	free(fz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256], *cpath, *sock, *lim;
	struct stat st;

	(void)argc;
	(void)argv;
	/* Every change is fsync'd: in memory, the fuzzer keeps its pace. */
	if (getenv("TMPDIR") == NULL && stat("/dev/shm", &st) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	fz_dir = web_fake_tree();
	fuzz_check(fz_dir != NULL, "service tree");
	cpath = web_fake_path(fz_dir, "conf");
	fuzz_check(conf_load(&fz_conf, cpath, err, sizeof(err)) == 0, err);
	fuzz_check(api_ctx_init(&fz_ctx, &fz_conf) == 0, "api context");
	/* The fake answers at once; a block it leaves open (a NUL in
	 * X-Listener) costs this much, not the second mailctld waits. */
	fz_ctx.ctl_timeout_ms = 100;
	sock = web_fake_path(fz_dir, "imap.sock");
	lim = web_fake_path(fz_dir, "etc/imap/limits");
	fuzz_check(web_fake_start(&fz_fake, sock, lim) == 0, "fake listener");
	fz_fake.connections = fz_listener;
	free(cpath);
	free(sock);
	free(lim);
	atexit(mailctld_fuzz_cleanup);
	return 0;
}

/* Each input starts from the same tree: no config, history or audit
 * left by the inputs before, so that a finding replays alone. */
static void
mailctld_fuzz_reset(void)
{
	static const char *const parts[] = { "etc/imap", "etc/smtp", "var" };
	char *p;
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		p = web_fake_path(fz_dir, parts[i]);
		fuzz_check(p != NULL, "memory");
		web_fake_rmtree(p);
		fuzz_check(util_mkdirs(p) == 0, "mkdir");
		free(p);
	}
	ratelimit_free(&fz_ctx.rl);
	ratelimit_init(&fz_ctx.rl);
}

/* A copy of n bytes of s, cut to BODY_MAX, NUL-terminated. */
static char *
mailctld_fuzz_dup(const char *s, size_t n)
{
	char *d;

	if (n > BODY_MAX)
		n = BODY_MAX;
	d = malloc(n + 1);
	fuzz_check(d != NULL, "memory");
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

struct fz_fields {
	char *method, *path, *query, *hdr[6], *body;
};

static const char *const fz_names[6] = {
	"Authorization", "Accept", "Content-Type", "If-Match", "X-Peer", "X-Listener"
};

/* NAME=VALUE&... into req->args, as the HTTP layer does (no decoding:
 * libmicrohttpd hands over decoded text, which is any text). */
static void
mailctld_fuzz_query(char *q, struct api_request *req)
{
	char *item, *save = NULL, *eq;

	for (item = strtok_r(q, "&", &save); item != NULL; item = strtok_r(NULL, "&", &save)) {
		if (req->nargs == API_MAX_ARGS) {
			req->too_many_args = 1;
			break;
		}
		eq = strchr(item, '=');
		if (eq != NULL)
			*eq++ = '\0';
		req->args[req->nargs].name = item;
		req->args[req->nargs].value = eq != NULL ? eq : "";
		req->nargs++;
	}
}

static void
mailctld_fuzz_header(struct fz_fields *f, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len), *v;
	size_t i, nlen;

	if (colon == NULL)
		return;
	nlen = (size_t)(colon - line);
	for (v = colon + 1; v < line + len && *v == ' '; v++)
		;
	for (i = 0; i < 6; i++)
		if (strlen(fz_names[i]) == nlen && strncasecmp(line, fz_names[i], nlen) == 0) {
			free(f->hdr[i]);
			f->hdr[i] = mailctld_fuzz_dup(v, (size_t)(line + len - v));
		}
}

/* Splits the input; returns where the body starts (NULL: no body). */
static const char *
mailctld_fuzz_split(const char *p, const char *end, struct fz_fields *f)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *line_end = nl != NULL ? nl : end, *sp, *q;

	sp = memchr(p, ' ', (size_t)(line_end - p));
	f->method = mailctld_fuzz_dup(p, (size_t)((sp != NULL ? sp : line_end) - p));
	sp = sp != NULL ? sp + 1 : line_end;
	q = memchr(sp, '?', (size_t)(line_end - sp));
	f->path = mailctld_fuzz_dup(sp, (size_t)((q != NULL ? q : line_end) - sp));
	f->query = q != NULL ? mailctld_fuzz_dup(q + 1, (size_t)(line_end - q - 1)) : NULL;
	for (p = nl != NULL ? nl + 1 : end; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl == p)
			return nl + 1 < end ? nl + 1 : NULL;
		mailctld_fuzz_header(f, p, (size_t)(nl - p));
	}
	return NULL;
}

/* What any answer must be: a real status, a type for a body, JSON when
 * it says JSON, a problem's status its own. */
static void
mailctld_fuzz_check(const struct api_response *r)
{
	json_t *o;

	fuzz_check(r->status >= 200 && r->status <= 599, "HTTP status");
	fuzz_check(r->nheaders <= API_MAX_HEADERS, "header count");
	if (r->len == 0 || r->content_type == NULL)
		return;
	if (strcmp(r->content_type, "application/json") == 0 ||
	    strcmp(r->content_type, "application/problem+json") == 0) {
		o = json_loadb(r->body, r->len, 0, NULL);
		fuzz_check(o != NULL, "a JSON answer parses");
		if (strcmp(r->content_type, "application/problem+json") == 0)
			fuzz_check(json_integer_value(json_object_get(o, "status")) ==
			    r->status, "the problem's status is the answer's");
		json_decref(o);
	}
}

/* A rules list shows every rule of the file, each once. */
static void
mailctld_fuzz_rules_listed(const struct api_response *r)
{
	struct rules_file rf;
	json_t *o, *rules;
	char *path, *text;
	size_t len, i, n = 0;

	if (r->status != 200 || r->content_type == NULL ||
	    strcmp(r->content_type, "application/json") != 0)
		return;
	o = json_loadb(r->body, r->len, 0, NULL);
	rules = json_object_get(o, "rules");
	path = web_fake_path(fz_dir, "etc/imap/rules");
	if (json_is_array(rules) && util_read_file(path, &text, &len) == 0) {
		fuzz_check(rules_file_parse_owned(&rf, text, len, NULL) == 0, "parse");
		for (i = 0; i < rf.nlines; i++)
			n += rf.lines[i].kind == RULES_LINE_RULE;
		fuzz_check(json_array_size(rules) == n, "every rule of the file is listed");
		rules_file_free(&rf);
	}
	free(path);
	json_decref(o);
}

/* A rollback refused as unknown names a version that is not stored. */
static void
mailctld_fuzz_rollback(const struct api_request *req, const struct api_response *r)
{
	json_t *o;
	char name[64], *path;
	long v;

	if (r->status != 404 || req->body == NULL || r->body == NULL ||
	    strstr(r->body, "unknown-version") == NULL)
		return;
	o = json_loadb(req->body, req->body_len, 0, NULL);
	v = json_is_integer(json_object_get(o, "version")) ?
	    (long)json_integer_value(json_object_get(o, "version")) : -1;
	json_decref(o);
	if (v < 1 || v > 99999999)
		return;
	snprintf(name, sizeof(name), "var/history/imap/%08ld.json", v);
	path = web_fake_path(fz_dir, name);
	fuzz_check(access(path, F_OK) != 0, "a stored version can be rolled back to");
	free(path);
}

/* One request of the input: bytes [p, end). */
static void
mailctld_fuzz_request(const char *p, const char *end)
{
	struct fz_fields f;
	struct api_request req;
	struct api_response resp;
	const char *body;
	size_t i;
	char *c;

	memset(&f, 0, sizeof(f));
	memset(&req, 0, sizeof(req));
	body = mailctld_fuzz_split(p, end, &f);
	req.method = f.method;
	req.path = f.path;
	if (f.query != NULL)
		mailctld_fuzz_query(f.query, &req);
	req.authorization = f.hdr[0];
	req.accept = f.hdr[1];
	req.content_type = f.hdr[2];
	req.if_match = f.hdr[3];
	req.peer = f.hdr[4] != NULL ? f.hdr[4] : "127.0.0.1";
	/* As the HTTP layer hands it over: NUL-terminated, length apart. */
	if (body != NULL) {
		req.body_len = (size_t)(end - body);
		f.body = mailctld_fuzz_dup(body, req.body_len);
		req.body = f.body;
	}
	/* The fake listener's "connections" lines, '|' ending each. */
	snprintf(fz_listener, sizeof(fz_listener), "%s", f.hdr[5] != NULL ? f.hdr[5] : "");
	for (c = fz_listener; (c = strchr(c, '|')) != NULL; c++)
		*c = '\n';
	api_handle(&fz_ctx, &req, &resp);
	/* FUZZ_VERBOSE=1: each answer on stderr, to read a replay. */
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "%s %s -> %d %s\n%.*s\n", req.method, req.path, resp.status,
		    resp.content_type != NULL ? resp.content_type : "-", (int)resp.len,
		    resp.body != NULL ? resp.body : "");
	mailctld_fuzz_check(&resp);
	if (strcmp(req.path, "/v1/services/imap/rules") == 0)
		mailctld_fuzz_rules_listed(&resp);
	if (strcmp(req.path, "/v1/services/imap/rollback") == 0)
		mailctld_fuzz_rollback(&req, &resp);
	api_response_free(&resp);
	free(f.method);
	free(f.path);
	free(f.query);
	free(f.body);
	for (i = 0; i < 6; i++)
		free(f.hdr[i]);
}

/* Requests are separated by a line "%%" (a PUT and then the GET that
 * reads what it wrote), at most REQUESTS_MAX of them. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *sep;
	size_t n = 0;

	if (size == 0)
		return 0;
	mailctld_fuzz_reset();
	while (p < end && n++ < REQUESTS_MAX) {
		sep = memmem(p, (size_t)(end - p), "\n%%\n", 4);
		mailctld_fuzz_request(p, sep != NULL ? sep + 1 : end);
		p = sep != NULL ? sep + 4 : end;
	}
	return 0;
}
