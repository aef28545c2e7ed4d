/* api_int.h: what the handlers of mailctld share (not for other programs). */
#ifndef MAILSTACK_WEB_API_INT_H
#define MAILSTACK_WEB_API_INT_H

#include <jansson.h>

#include "web/api.h"
#include "lib/limitsfile.h"
#include "web/ctlclient.h"
#include "web/reply.h"

struct api_call {
	struct api_ctx *ctx;
	const struct mailctld_conf *conf;	/* the call's snapshot of the configuration */
	const struct api_request *req;
	struct api_response *resp;
	struct conf_service *svc;	/* NULL outside /v1/services/{name} */
	char id[32];			/* the {id} segment, "" when none */
	char token[TOKEN_NAME_MAX + 1];	/* the caller's token name */
	long new_rule_id;		/* set by POST rules for its answer */
};

typedef void api_handler_fn(struct api_call *c);

/* api_service.c */
api_handler_fn api_get_health, api_get_services, api_get_service, api_get_connections,
    api_post_reload, api_post_restart, api_get_metrics, api_get_audit, api_get_openapi;
/* api_limits.c */
api_handler_fn api_get_limits, api_put_limits, api_patch_limits;
/* api_rules.c */
api_handler_fn api_get_rules, api_put_rules, api_post_rule, api_delete_rule;
/* api_history.c */
api_handler_fn api_get_history, api_post_rollback;

/* The service object of contract E (up:false and nulls when the control
 * socket does not answer). */
json_t *api_service_json(struct api_call *c, const struct conf_service *svc);
/* The same from a status block already read (r NULL: the listener is
 * down), e.g. the new image's answer to reexec. */
json_t *api_service_json_from(struct api_call *c, const struct conf_service *svc,
    const struct ctl_reply *r);
/* Sends a request without arguments (status, reload, reexec) to svc's
 * control socket. 0 with r filled, -1 with errno. */
int api_ctl(struct api_call *c, const struct conf_service *svc, enum ctl_cmd cmd,
    struct ctl_reply *r);
/* The same for any request, with its own timeout (reexec: the new image
 * answers). */
int api_ctl_request(struct api_call *c, const struct conf_service *svc,
    const struct ctl_request *req, int timeout_ms, struct ctl_reply *r);
/* Appends an audit entry for this call (before/after references taken).
 * Returns 0 or -1; a failure is logged by the caller's answer. */
int api_audit(struct api_call *c, const char *what, json_t *before, json_t *after);
/* Path of file name in svc's config folder (malloc'd). */
char *api_conf_path(const struct conf_service *svc, const char *name);
/* Reads a config file of svc; a missing file reads as empty (*exists 0).
 * 0, or -1 with errno. */
int api_read_conf(const struct conf_service *svc, const char *name, char **buf,
    size_t *len, int *exists);
/* Records content as a new history version; before the first version of
 * what, the old content (if any) is kept as version "initial". 0 or -1. */
int api_history_add(struct api_call *c, const char *what, const char *old,
    size_t oldlen, int old_exists, const char *content, size_t len);
/* Answers 412 and returns -1 when If-Match does not accept etag. */
int api_check_if_match(struct api_call *c, const char *etag);

/* Limits (api_limits.c), shared with rollback: writes text as the limits
 * file, records history and audit, asks for a reload; answers. */
void api_limits_install(struct api_call *c, const char *text, size_t len,
    const char *old, size_t oldlen, int old_exists);
/* Rules (api_rules.c), shared with rollback: checks, compiles and installs
 * text, records history and audit; answers. */
void api_rules_install(struct api_call *c, const char *text, size_t len,
    const char *old, size_t oldlen, int old_exists, int status);
/* Runs edit on the current rules text under the write lock after the
 * If-Match check, then installs the result; edit returns the new text
 * (malloc'd) or NULL after answering. */
typedef char *api_rules_edit_fn(struct api_call *c, const char *old, size_t oldlen,
    size_t *newlen, void *arg);
void api_rules_edit(struct api_call *c, api_rules_edit_fn *edit, void *arg, int status);

#endif
