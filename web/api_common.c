/* api_common.c: helpers the handlers share: control socket, config files,
 * history, audit, If-Match. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "web/api_int.h"
#include "web/audit.h"
#include "web/history.h"
#include "web/util.h"

/* A listener serves at most 8 control clients at once and answers the
 * ninth "error busy": worth a short wait, not a failure. */
int
api_ctl_request(struct api_call *c, const struct conf_service *svc,
    const struct ctl_request *req, int timeout_ms, struct ctl_reply *r)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	int tries, ret = -1;

	for (tries = 0; ; tries++) {
		ret = ctlclient_send(svc->control, req, timeout_ms, r);
		if (ret == -1 || r->ok || strcmp(r->code, "busy") != 0 || tries == 3)
			break;
		ctl_reply_free(r);
		nanosleep(&pause, NULL);
	}
	return ret;
}

int
api_ctl(struct api_call *c, const struct conf_service *svc, enum ctl_cmd cmd,
    struct ctl_reply *r)
{
	struct ctl_request req;

	memset(&req, 0, sizeof(req));
	req.cmd = cmd;
	return api_ctl_request(c, svc, &req, c->ctx->ctl_timeout_ms, r);
}

char *
api_conf_path(const struct conf_service *svc, const char *name)
{
	return util_path(svc->config, name);
}

int
api_read_conf(const struct conf_service *svc, const char *name, char **buf,
    size_t *len, int *exists)
{
	char *path = api_conf_path(svc, name);
	int r;

	if (path == NULL)
		return -1;
	r = util_read_file(path, buf, len);
	free(path);
	*exists = r == 0;
	if (r == -1 && errno == ENOENT) {
		if ((*buf = strdup("")) == NULL)
			return -1;
		*len = 0;
		return 0;
	}
	return r;
}

int
api_audit(struct api_call *c, const char *what, json_t *before, json_t *after)
{
	json_t *e;
	int r;

	e = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:o?, s:o?}",
	    "time", (json_int_t)time(NULL), "token", c->token, "peer", c->req->peer,
	    "method", c->req->method, "path", c->req->path, "what", what,
	    "service", c->svc != NULL ? c->svc->name : NULL,
	    "before", before != NULL ? before : json_null(),
	    "after", after != NULL ? after : json_null());
	if (e == NULL) {
		errno = ENOMEM;
		return -1;
	}
	r = audit_append(c->conf->audit, e);
	json_decref(e);
	/* The change stands (and is answered); the admin learns from the log
	 * that its record is missing. */
	if (r == -1)
		log_warn_sys("unable to append a %s entry to the audit log %s", what,
		    c->conf->audit);
	return r;
}

int
api_history_add(struct api_call *c, const char *what, const char *old,
    size_t oldlen, int old_exists, const char *content, size_t len)
{
	const char *state = c->conf->state, *name = c->svc->name;

	if (old_exists && history_has(state, name, what) == 0 &&
	    history_record(state, name, what, "(initial)", old, oldlen, API_HISTORY_KEEP) == -1)
		return -1;
	return history_record(state, name, what, c->token, content, len, API_HISTORY_KEEP);
}

int
api_check_if_match(struct api_call *c, const char *etag)
{
	if (util_if_match(c->req->if_match, etag))
		return 0;
	reply_problem(c->resp, 412, "precondition-failed",
	    "If-Match %s does not match the current version %s", c->req->if_match, etag);
	return -1;
}
