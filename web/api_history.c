/* api_history.c: the versions of a service's limits and rules, and going
 * back to one of them (recorded as a new version). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "web/api_int.h"
#include "web/history.h"
#include "web/util.h"

void
api_get_history(struct api_call *c)
{
	json_t *o = history_list(c->conf->state, c->svc->name);

	if (o == NULL) {
		reply_problem(c->resp, 500, "io", "unable to read the history: %s", strerror(errno));
		return;
	}
	reply_json(c->resp, 200, o);
}

/* Installs content as the what file, under the write lock, after If-Match. */
static void
rollback_to(struct api_call *c, const char *what, const char *content, size_t len)
{
	char *old, etag[80];
	size_t oldlen;
	int exists;

	pthread_mutex_lock(&c->ctx->write_lock);
	if (api_read_conf(c->svc, what, &old, &oldlen, &exists) == -1) {
		reply_problem(c->resp, 500, "io", "unable to read %s: %s", what, strerror(errno));
		goto out;
	}
	util_etag(old, oldlen, etag);
	if (api_check_if_match(c, etag) == 0) {
		if (strcmp(what, "limits") == 0)
			api_limits_install(c, content, len, old, oldlen, exists);
		else
			api_rules_install(c, content, len, old, oldlen, exists, 200);
	}
	free(old);
out:
	pthread_mutex_unlock(&c->ctx->write_lock);
}

void
api_post_rollback(struct api_call *c)
{
	static const char *const fields[] = { "version", NULL };
	json_t *body = reply_read_json(c->req, c->resp), *v = NULL;
	char *content = NULL;
	const char *what;
	size_t len;
	long version;
	int r;

	if (body == NULL || reply_known_fields(body, fields, c->resp) == -1)
		goto out;
	if ((r = reply_get_int(body, "version", 1, 99999999, &version, c->resp)) != 1) {
		if (r == 0)
			reply_problem_field(c->resp, "version", "version is required");
		goto out;
	}
	v = history_get(c->conf->state, c->svc->name, (unsigned long)version,
	    &content, &len);
	what = json_string_value(json_object_get(v, "what"));
	if (v == NULL || what == NULL ||
	    (strcmp(what, "limits") != 0 && strcmp(what, "rules") != 0)) {
		reply_problem(c->resp, 404, "unknown-version", "no version %ld of %s", version,
		    c->svc->name);
		goto out;
	}
	rollback_to(c, what, content, len);
out:
	free(content);
	json_decref(v);
	json_decref(body);
}
