/* api.h: mailctld's request dispatcher, independent of the HTTP server so
 * that handler tests can call it with fake requests (no sockets). */
#ifndef MAILSTACK_WEB_API_H
#define MAILSTACK_WEB_API_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "web/conf.h"
#include "web/ratelimit.h"
#include "web/token.h"

/* Bodies larger than this are refused with 413. */
#define API_MAX_BODY (1024 * 1024)
#define API_MAX_ARGS 8
#define API_MAX_HEADERS 4
/* How long a control socket request may take. */
#define API_CTL_TIMEOUT_MS 2000
/* How long a reexec may take: the new image answers it (well under a
 * second; mailstack-tcpserver(8)). */
#define API_REEXEC_TIMEOUT_MS 10000
/* Versions kept per service in STATE/history/NAME/. */
#define API_HISTORY_KEEP 100

/* One configuration and the calls using it: a reload swaps in a new one,
 * and the old one is freed once its last call is done. */
struct api_conf_snap {
	struct mailctld_conf *conf;
	unsigned refs;			/* calls using it, +1 while current */
	int owned;			/* conf is freed with the snapshot */
};

struct api_ctx {
	pthread_mutex_t conf_lock;	/* guards snap and the refs */
	struct api_conf_snap *snap;	/* the configuration in force */
	struct token_store tokens;
	struct ratelimit rl;
	pthread_mutex_t write_lock;	/* every change runs under it */
	time_t started;
	int ctl_timeout_ms;
	const char *openapi;		/* the OpenAPI document (static) */
	size_t openapi_len;
};

struct api_arg {
	const char *name;
	const char *value;
};

/* Everything a handler may look at. The pointers are borrowed from the
 * caller for the duration of api_handle. */
struct api_request {
	const char *method;
	const char *path;
	struct api_arg args[API_MAX_ARGS];	/* the query string */
	size_t nargs;
	int too_many_args;
	const char *authorization;
	const char *accept;
	const char *content_type;
	const char *if_match;
	const char *body;			/* NULL when none */
	size_t body_len;
	int body_too_large;			/* the server cut it off */
	const char *peer;			/* "127.0.0.1", "unix" */
};

struct api_header {
	char *name;	/* owned */
	char *value;	/* owned */
};

struct api_response {
	int status;
	const char *content_type;	/* static */
	char *body;			/* owned */
	size_t len;
	struct api_header headers[API_MAX_HEADERS];
	size_t nheaders;
};

/* Sets up ctx over conf (kept borrowed). 0 or -1 with errno. */
int api_ctx_init(struct api_ctx *ctx, struct mailctld_conf *conf);
void api_ctx_free(struct api_ctx *ctx);
/* Puts conf (malloc'd, taken over) in force: calls that start from now on
 * see it, calls under way finish with the one they started with. The
 * tokens file named by conf is read again. 0, or -1 with errno (conf is
 * freed and the old one stays). */
int api_ctx_set_conf(struct api_ctx *ctx, struct mailctld_conf *conf);
/* The configuration in force, held until api_ctx_release. */
struct api_conf_snap *api_ctx_acquire(struct api_ctx *ctx);
void api_ctx_release(struct api_ctx *ctx, struct api_conf_snap *snap);

/* Answers req into resp (which the caller frees with api_response_free).
 * Never fails: out of memory becomes a 500 with an empty body. */
void api_handle(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp);
void api_response_free(struct api_response *resp);

/* The routes, for checking the OpenAPI document against them: sets the
 * pattern of route i (a star stands for one segment, as NAME and ID in
 * /v1/services/NAME/rules/ID) and its method, returns 1; 0 past the end. */
int api_route(size_t i, const char **pattern, const char **method);

/* The value of query argument name, or NULL. */
const char *api_request_arg(const struct api_request *req, const char *name);

#endif
