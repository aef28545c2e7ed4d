/* api.c: routing, authentication and the request life cycle of mailctld. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web/api_int.h"

enum { SEG_MAX = 6 };

struct route {
	const char *pattern;	/* '*' = any one segment; the first '*' after
				 * "services" is the service name */
	const char *method;
	enum token_scope scope;	/* TOKEN_NONE: no token needed */
	const char *args;	/* query arguments allowed, space-separated */
	api_handler_fn *fn;
};

static const struct route routes[] = {
	{ "/v1/health", "GET", TOKEN_NONE, "", api_get_health },
	{ "/v1/openapi.json", "GET", TOKEN_NONE, "", api_get_openapi },
	{ "/metrics", "GET", TOKEN_READ, "", api_get_metrics },
	{ "/v1/audit", "GET", TOKEN_READ, "limit", api_get_audit },
	{ "/v1/services", "GET", TOKEN_READ, "", api_get_services },
	{ "/v1/services/*", "GET", TOKEN_READ, "", api_get_service },
	{ "/v1/services/*/connections", "GET", TOKEN_READ, "top ip", api_get_connections },
	{ "/v1/services/*/limits", "GET", TOKEN_READ, "", api_get_limits },
	{ "/v1/services/*/limits", "PUT", TOKEN_ADMIN, "", api_put_limits },
	{ "/v1/services/*/limits", "PATCH", TOKEN_ADMIN, "", api_patch_limits },
	{ "/v1/services/*/rules", "GET", TOKEN_READ, "", api_get_rules },
	{ "/v1/services/*/rules", "PUT", TOKEN_ADMIN, "", api_put_rules },
	{ "/v1/services/*/rules", "POST", TOKEN_ADMIN, "", api_post_rule },
	{ "/v1/services/*/rules/*", "DELETE", TOKEN_ADMIN, "", api_delete_rule },
	{ "/v1/services/*/history", "GET", TOKEN_READ, "", api_get_history },
	{ "/v1/services/*/rollback", "POST", TOKEN_ADMIN, "", api_post_rollback },
	{ "/v1/services/*/reload", "POST", TOKEN_ADMIN, "", api_post_reload },
	{ "/v1/services/*/restart", "POST", TOKEN_ADMIN, "mode", api_post_restart },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static struct api_conf_snap *
snap_new(struct mailctld_conf *conf, int owned)
{
	struct api_conf_snap *s = malloc(sizeof(*s));

	if (s != NULL) {
		s->conf = conf;
		s->refs = 1;
		s->owned = owned;
	}
	return s;
}

int
api_ctx_init(struct api_ctx *ctx, struct mailctld_conf *conf)
{
	memset(ctx, 0, sizeof(*ctx));
	if ((ctx->snap = snap_new(conf, 0)) == NULL)
		return -1;
	if (token_store_init(&ctx->tokens, conf->tokens) == -1) {
		free(ctx->snap);
		return -1;
	}
	pthread_mutex_init(&ctx->conf_lock, NULL);
	ratelimit_init(&ctx->rl);
	pthread_mutex_init(&ctx->write_lock, NULL);
	ctx->started = time(NULL);
	ctx->ctl_timeout_ms = API_CTL_TIMEOUT_MS;
	return 0;
}

void
api_ctx_free(struct api_ctx *ctx)
{
	api_ctx_release(ctx, ctx->snap);
	token_store_free(&ctx->tokens);
	ratelimit_free(&ctx->rl);
	pthread_mutex_destroy(&ctx->write_lock);
	pthread_mutex_destroy(&ctx->conf_lock);
}

struct api_conf_snap *
api_ctx_acquire(struct api_ctx *ctx)
{
	struct api_conf_snap *s;

	pthread_mutex_lock(&ctx->conf_lock);
	s = ctx->snap;
	s->refs++;
	pthread_mutex_unlock(&ctx->conf_lock);
	return s;
}

void
api_ctx_release(struct api_ctx *ctx, struct api_conf_snap *s)
{
	unsigned left;

	pthread_mutex_lock(&ctx->conf_lock);
	left = --s->refs;
	pthread_mutex_unlock(&ctx->conf_lock);
	if (left > 0)
		return;
	if (s->owned) {
		conf_free(s->conf);
		free(s->conf);
	}
	free(s);
}

int
api_ctx_set_conf(struct api_ctx *ctx, struct mailctld_conf *conf)
{
	struct api_conf_snap *s = snap_new(conf, 1), *old;

	if (s == NULL || token_store_repoint(&ctx->tokens, conf->tokens) == -1) {
		free(s);
		conf_free(conf);
		free(conf);
		errno = ENOMEM;
		return -1;
	}
	pthread_mutex_lock(&ctx->conf_lock);
	old = ctx->snap;
	ctx->snap = s;
	pthread_mutex_unlock(&ctx->conf_lock);
	api_ctx_release(ctx, old);
	return 0;
}

int
api_route(size_t i, const char **pattern, const char **method)
{
	if (i >= NROUTES)
		return 0;
	*pattern = routes[i].pattern;
	*method = routes[i].method;
	return 1;
}

void
api_response_free(struct api_response *resp)
{
	size_t i;

	free(resp->body);
	for (i = 0; i < resp->nheaders; i++)
		free(resp->headers[i].name), free(resp->headers[i].value);
	memset(resp, 0, sizeof(*resp));
}

const char *
api_request_arg(const struct api_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nargs; i++)
		if (strcmp(req->args[i].name, name) == 0)
			return req->args[i].value;
	return NULL;
}

/* Splits path into segments (pointers into buf). -1 when malformed. */
static int
split_path(const char *path, char *buf, size_t buflen, char **seg, size_t *nseg)
{
	char *p, *save = NULL;

	*nseg = 0;
	if (path[0] != '/' || strlen(path) >= buflen)
		return -1;
	strcpy(buf, path);
	for (p = strtok_r(buf, "/", &save); p != NULL; p = strtok_r(NULL, "/", &save)) {
		if (*nseg == SEG_MAX)
			return -1;
		seg[(*nseg)++] = p;
	}
	return 0;
}

static int
pattern_match(const char *pattern, char **seg, size_t nseg)
{
	char pbuf[128], *pseg[SEG_MAX];
	size_t np, i;

	if (split_path(pattern, pbuf, sizeof(pbuf), pseg, &np) == -1 || np != nseg)
		return 0;
	for (i = 0; i < np; i++)
		if (strcmp(pseg[i], "*") != 0 && strcmp(pseg[i], seg[i]) != 0)
			return 0;
	return 1;
}

/* The route for req, or NULL after answering 404 or 405. */
static const struct route *
find_route(const struct api_request *req, char *buf, size_t buflen, char **seg,
    size_t *nseg, struct api_response *resp)
{
	char allow[128] = "";
	const struct route *hit = NULL;
	size_t i;

	if (split_path(req->path, buf, buflen, seg, nseg) == -1)
		goto notfound;
	for (i = 0; i < NROUTES; i++) {
		if (!pattern_match(routes[i].pattern, seg, *nseg))
			continue;
		if (strcmp(routes[i].method, req->method) == 0)
			return &routes[i];
		if (strcmp(routes[i].method, "GET") == 0 && strcmp(req->method, "HEAD") == 0)
			return &routes[i];
		hit = &routes[i];
		snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s",
		    allow[0] ? ", " : "", routes[i].method);
	}
	if (hit != NULL) {
		reply_problem(resp, 405, "method-not-allowed", "%s is not allowed on %s",
		    req->method, req->path);
		reply_header(resp, "Allow", allow);
		return NULL;
	}
notfound:
	reply_problem(resp, 404, "not-found", "no such resource");
	return NULL;
}

static int
check_args(const struct api_request *req, const char *allowed, struct api_response *resp)
{
	size_t i, n;
	const char *p;

	if (req->too_many_args) {
		reply_problem(resp, 400, "invalid-query", "too many query arguments");
		return -1;
	}
	for (i = 0; i < req->nargs; i++) {
		n = strlen(req->args[i].name);
		/* An empty name ("?=x") matches everywhere without moving p:
		 * the loop spun for ever. */
		p = NULL;
		if (n > 0)
			for (p = allowed; (p = strstr(p, req->args[i].name)) != NULL; p += n)
				if ((p == allowed || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
					break;
		if (n == 0 || p == NULL) {
			reply_problem_extra(resp, 400, "invalid-field", json_pack("{s:s}", "field",
			    req->args[i].name), "unknown query argument");
			return -1;
		}
	}
	return 0;
}

static void
unauthorized(struct api_call *c, const char *detail)
{
	reply_problem(c->resp, 401, "unauthorized", "%s", detail);
	reply_header(c->resp, "WWW-Authenticate", "Bearer realm=\"mailstack\"");
}

/* 0 when the caller may go on; -1 after answering 401, 403 or 429. */
static int
authenticate(struct api_call *c, enum token_scope need)
{
	const char *h = c->req->authorization, *peer = c->req->peer;
	enum token_scope have;
	char retry[16];
	unsigned wait;
	int r;

	if (need == TOKEN_NONE)
		return 0;
	if ((wait = ratelimit_check(&c->ctx->rl, peer, time(NULL))) > 0) {
		reply_problem(c->resp, 429, "too-many-requests",
		    "too many failed authentications from %s", peer);
		snprintf(retry, sizeof(retry), "%u", wait);
		reply_header(c->resp, "Retry-After", retry);
		return -1;
	}
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7 + strspn(h + 7, " ")] == '\0') {
		unauthorized(c, "a bearer token is required");
		return -1;
	}
	h += 7 + strspn(h + 7, " ");
	r = token_store_check(&c->ctx->tokens, h, strcspn(h, " "), &have, c->token);
	if (r <= 0 || h[strcspn(h, " ")] != '\0') {
		ratelimit_fail(&c->ctx->rl, peer, time(NULL));
		unauthorized(c, "the token is not valid");
		return -1;
	}
	if (have < need) {
		reply_problem(c->resp, 403, "forbidden", "the token %s has read scope only",
		    c->token);
		return -1;
	}
	return 0;
}

static int
bind_segments(struct api_call *c, const struct route *rt, char **seg, size_t nseg)
{
	if (nseg >= 3 && strcmp(seg[1], "services") == 0) {
		c->svc = conf_find_service(c->conf, seg[2], strlen(seg[2]));
		if (c->svc == NULL) {
			reply_problem(c->resp, 404, "unknown-service", "no service called %.64s",
			    seg[2]);
			return -1;
		}
	}
	if (nseg == 5 && strcmp(rt->pattern + strlen(rt->pattern) - 2, "/*") == 0)
		snprintf(c->id, sizeof(c->id), "%s", seg[4]);
	return 0;
}

void
api_handle(struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
	struct api_call c;
	struct api_conf_snap *snap;
	const struct route *rt;
	char buf[1024], *seg[SEG_MAX];
	size_t nseg;

	memset(resp, 0, sizeof(*resp));
	memset(&c, 0, sizeof(c));
	c.ctx = ctx, c.req = req, c.resp = resp;
	if ((rt = find_route(req, buf, sizeof(buf), seg, &nseg, resp)) == NULL)
		return;
	if (authenticate(&c, rt->scope) == -1)
		return;
	if (req->body_too_large) {
		reply_problem(resp, 413, "too-large", "request bodies are limited to %d bytes",
		    API_MAX_BODY);
		return;
	}
	if (check_args(req, rt->args, resp) == -1)
		return;
	/* One configuration for the whole call, even if SIGHUP swaps it. */
	snap = api_ctx_acquire(ctx);
	c.conf = snap->conf;
	if (bind_segments(&c, rt, seg, nseg) == 0)
		rt->fn(&c);
	api_ctx_release(ctx, snap);
	if (resp->status == 0)
		reply_problem(resp, 500, "internal", "the handler gave no answer");
}
