/* api_limits.c: GET/PUT/PATCH of a service's limits: the limits file
 * written atomically, then a reload over the control socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/atomicfile.h"
#include "web/api_int.h"
#include "web/util.h"

static const char *const limit_fields[] = {
	"max_connections", "max_per_ip", "max_per_network", NULL
};

/* The values in force: the listener's when it answers (*live = 1),
 * else the file's (-1 for keys it lacks). */
static void
current_limits(struct api_call *c, const char *text, size_t len, struct limits_values *lv,
    int *live)
{
	struct ctl_reply r;
	char err[128];
	long long v;
	size_t line, i;

	*live = 0;
	if (limitsfile_parse(text, len, lv, &line, err, sizeof(err)) == -1)
		for (i = 0; i < LIMITS_NKEYS; i++)
			lv->v[i] = -1;
	if (api_ctl(c, c->svc, "status", &r) == 0 && r.ok) {
		*live = 1;
		for (i = 0; i < LIMITS_NKEYS; i++)
			if (ctl_reply_num(&r, limits_keys[i], &v))
				lv->v[i] = (long)v;
	}
	ctl_reply_free(&r);
}

static json_t *
limits_json(const struct limits_values *lv)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; o != NULL && i < LIMITS_NKEYS; i++)
		json_object_set_new(o, limits_keys[i],
		    lv->v[i] >= 0 ? json_integer(lv->v[i]) : json_null());
	return o;
}

static json_t *
file_limits_json(const char *text, size_t len, int exists)
{
	struct limits_values lv;
	char err[128];
	size_t line;

	if (!exists || limitsfile_parse(text, len, &lv, &line, err, sizeof(err)) == -1)
		return json_null();
	return limits_json(&lv);
}

void
api_get_limits(struct api_call *c)
{
	struct limits_values lv;
	char *text, etag[80];
	size_t len;
	int exists, live;

	if (api_read_conf(c->svc, "limits", &text, &len, &exists) == -1) {
		reply_problem(c->resp, 500, "io", "unable to read the limits file: %s",
		    strerror(errno));
		return;
	}
	current_limits(c, text, len, &lv, &live);
	util_etag(text, len, etag);
	free(text);
	reply_json(c->resp, 200, limits_json(&lv));
	reply_header(c->resp, "ETag", etag);
}

/* Reads the body into lv over base; all keys required when put. 0, or
 * -1 after answering 400. */
static int
body_limits(struct api_call *c, int put, struct limits_values *lv)
{
	json_t *o = reply_read_json(c->req, c->resp);
	size_t i;
	long v;
	int r = 0;

	if (o == NULL)
		return -1;
	if (reply_known_fields(o, limit_fields, c->resp) == -1) {
		json_decref(o);
		return -1;
	}
	for (i = 0; r == 0 && i < LIMITS_NKEYS; i++) {
		r = reply_get_int(o, limits_keys[i], i == LIMITS_TOTAL ? 1 : 0, LIMITS_MAX,
		    &v, c->resp);
		if (r == 1)
			lv->v[i] = v, r = 0;
		else if (r == 0 && put) {
			reply_problem_field(c->resp, limits_keys[i], "%s is required",
			    limits_keys[i]);
			r = -1;
		}
	}
	json_decref(o);
	return r;
}

void
api_limits_install(struct api_call *c, const char *text, size_t len,
    const char *old, size_t oldlen, int old_exists)
{
	struct limits_values lv;
	struct ctl_reply r;
	char *path, etag[80], err[128];
	size_t line;
	int applied = 0, w;
	json_t *o;

	if (limitsfile_parse(text, len, &lv, &line, err, sizeof(err)) == -1) {
		reply_problem(c->resp, 409, "bad-limits-file", "line %zu: %s", line, err);
		return;
	}
	if ((path = api_conf_path(c->svc, "limits")) == NULL)
		return;
	w = atomicfile_replace(path, text, len, 0644);
	free(path);
	if (w == -1 || api_history_add(c, "limits", old, oldlen, old_exists, text, len) == -1) {
		reply_problem(c->resp, 500, "io", "unable to write the limits of %s: %s",
		    c->svc->name, strerror(errno));
		return;
	}
	api_audit(c, "limits", file_limits_json(old, oldlen, old_exists),
	    file_limits_json(text, len, 1));
	if (api_ctl(c, c->svc, "reload", &r) == 0 && r.ok)
		applied = 1;
	ctl_reply_free(&r);
	util_etag(text, len, etag);
	o = limits_json(&lv);
	if (o != NULL)
		json_object_set_new(o, "applied", json_boolean(applied));
	reply_json(c->resp, 200, o);
	reply_header(c->resp, "ETag", etag);
}

static void
write_limits(struct api_call *c, int put)
{
	struct limits_values lv, body;
	char *old, *text, etag[80];
	size_t oldlen, len, i;
	int exists, live;

	for (i = 0; i < LIMITS_NKEYS; i++)
		body.v[i] = -1;
	if (body_limits(c, put, &body) == -1)
		return;
	pthread_mutex_lock(&c->ctx->write_lock);
	if (api_read_conf(c->svc, "limits", &old, &oldlen, &exists) == -1) {
		reply_problem(c->resp, 500, "io", "unable to read the limits file: %s",
		    strerror(errno));
		goto out;
	}
	util_etag(old, oldlen, etag);
	if (api_check_if_match(c, etag) == 0) {
		current_limits(c, old, oldlen, &lv, &live);
		for (i = 0; i < LIMITS_NKEYS; i++)
			if (body.v[i] >= 0)
				lv.v[i] = body.v[i];
		if (limitsfile_render(&lv, c->svc->name, &text, &len) == 0) {
			api_limits_install(c, text, len, old, oldlen, exists);
			free(text);
		}
	}
	free(old);
out:
	pthread_mutex_unlock(&c->ctx->write_lock);
}

void
api_put_limits(struct api_call *c)
{
	write_limits(c, 1);
}

void
api_patch_limits(struct api_call *c)
{
	write_limits(c, 0);
}
