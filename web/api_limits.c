/* api_limits.c: GET/PUT/PATCH of a service's limits: the limits file
 * written atomically, then a reload over the control socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/atomicfile.h"
#include "web/api_int.h"
#include "web/util.h"

/* The values in force: the listener's when it answers (*live = 1),
 * else the file's (unset for keys it lacks). */
static void
current_limits(struct api_call *c, const char *text, size_t len, struct limits_file *lf,
    int *live)
{
	struct limitsfile_error e;
	struct ctl_reply r;
	long long v;
	int k;

	*live = 0;
	if (limitsfile_parse(text, len, lf, &e) == -1)
		memset(lf, 0, sizeof(*lf));
	if (api_ctl(c, c->svc, CTL_STATUS, &r) == 0 && r.ok) {
		*live = 1;
		for (k = 0; k < LIMIT_KEYS; k++)
			if (ctl_reply_num(&r, limits_key_name(k), &v)) {
				lf->set[k] = 1;
				lf->n[k] = (unsigned long)v;
			}
	}
	ctl_reply_free(&r);
}

static json_t *
limits_json(const struct limits_file *lf)
{
	json_t *o = json_object();
	int k;

	for (k = 0; o != NULL && k < LIMIT_KEYS; k++)
		json_object_set_new(o, limits_key_name(k),
		    lf->set[k] ? json_integer((json_int_t)lf->n[k]) : json_null());
	return o;
}

static json_t *
file_limits_json(const char *text, size_t len, int exists)
{
	struct limitsfile_error e;
	struct limits_file lf;

	if (!exists || limitsfile_parse(text, len, &lf, &e) == -1)
		return json_null();
	return limits_json(&lf);
}

void
api_get_limits(struct api_call *c)
{
	struct limits_file lf;
	char *text, etag[80];
	size_t len;
	int exists, live;

	if (api_read_conf(c->svc, "limits", &text, &len, &exists) == -1) {
		reply_problem(c->resp, 500, "io", "unable to read the limits file: %s",
		    strerror(errno));
		return;
	}
	current_limits(c, text, len, &lf, &live);
	util_etag(text, len, etag);
	free(text);
	reply_json(c->resp, 200, limits_json(&lf));
	reply_header(c->resp, "ETag", etag);
}

/* One field of the body: 1 set, 0 absent, -1 after answering 400 in the
 * limits table's words (lib/limitsfile.c), as the file and the control
 * socket refuse the same value. */
static int
body_limit(struct api_call *c, json_t *o, enum limit_key k, unsigned long *out)
{
	const char *name = limits_key_name(k);
	json_t *v = json_object_get(o, name);
	json_int_t n;
	char why[96];

	if (v == NULL)
		return 0;
	if (!json_is_integer(v)) {
		reply_problem_field(c->resp, name, "%s must be a whole number", name);
		return -1;
	}
	n = json_integer_value(v);
	*out = n < 0 || (unsigned long long)n > LIMITS_VALUE_MAX ? (unsigned long)-1 :
	    (unsigned long)n;
	if (limits_value_check(k, *out, why, sizeof(why)) == -1) {
		reply_problem_field(c->resp, name, "%s", why);
		return -1;
	}
	return 1;
}

/* Reads the body into lf; all keys required when put. 0, or -1 after
 * answering 400. */
static int
body_limits(struct api_call *c, int put, struct limits_file *lf)
{
	const char *fields[LIMIT_KEYS + 1];
	json_t *o = reply_read_json(c->req, c->resp);
	int k, r = 0;

	if (o == NULL)
		return -1;
	for (k = 0; k < LIMIT_KEYS; k++)
		fields[k] = limits_key_name(k);
	fields[LIMIT_KEYS] = NULL;
	if (reply_known_fields(o, fields, c->resp) == -1) {
		json_decref(o);
		return -1;
	}
	for (k = 0; r == 0 && k < LIMIT_KEYS; k++) {
		r = body_limit(c, o, k, &lf->n[k]);
		if (r == 1)
			lf->set[k] = 1, r = 0;
		else if (r == 0 && put) {
			reply_problem_field(c->resp, fields[k], "%s is required", fields[k]);
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
	struct limitsfile_error e;
	struct limits_file lf;
	struct ctl_reply r;
	char *path, etag[80];
	int applied = 0, w;
	json_t *o;

	if (limitsfile_parse(text, len, &lf, &e) == -1) {
		reply_problem(c->resp, 409, "bad-limits-file", "line %lu: %s", e.line, e.reason);
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
	if (api_ctl(c, c->svc, CTL_RELOAD, &r) == 0 && r.ok)
		applied = 1;
	ctl_reply_free(&r);
	util_etag(text, len, etag);
	o = limits_json(&lf);
	if (o != NULL)
		json_object_set_new(o, "applied", json_boolean(applied));
	reply_json(c->resp, 200, o);
	reply_header(c->resp, "ETag", etag);
}

static void
write_limits(struct api_call *c, int put)
{
	struct strbuf text = STRBUF_ZERO;
	struct limits_file lf, body;
	char *old, etag[80];
	size_t oldlen;
	int exists, live, k;

	memset(&body, 0, sizeof(body));
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
		current_limits(c, old, oldlen, &lf, &live);
		for (k = 0; k < LIMIT_KEYS; k++)
			if (body.set[k]) {
				lf.set[k] = 1;
				lf.n[k] = body.n[k];
			}
		if (limitsfile_render(&lf, c->svc->name, &text) == 0)
			api_limits_install(c, text.s, text.len, old, oldlen, exists);
		else
			reply_problem(c->resp, 500, "internal", "out of memory");
		strbuf_free(&text);
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
