/* ctl.h: what every mailctl command shares: the parsed command line, the
 * resolved URL and token, the output streams and one way to call the API. */
#ifndef MAILSTACK_CTL_CTL_H
#define MAILSTACK_CTL_CTL_H

#include <jansson.h>
#include <stdio.h>

#include "ctl/mailctl/cli.h"
#include "ctl/mailctl/conf.h"
#include "ctl/mailctl/httpclient.h"

struct ctl {
	const struct cli *cli;
	const struct conf *conf;
	FILE *out;		/* tables, --json replies */
	FILE *err;		/* "mailctl: SERVICE: DETAIL" */
	long long now;		/* for ages; a parameter so tests can fix it */
};

/* An API call: the request body may be NULL. */
struct ctl_call {
	const char *method;
	const char *path;	/* "/v1/..." with the query, already escaped */
	const char *ctype;
	const char *body;
	size_t bodylen;
	const char *accept;	/* NULL = application/json */
	const char *file;	/* names rules errors "FILE:LINE:COL" (NULL = "rules") */
};

/* "/v1/services/SERVICE" + tail in buf, for the command's service; buf. */
const char *ctl_service_path(const struct ctl *x, char *buf, size_t len, const char *tail);

/* HTTP status to exit code (CTL_EX_*): 2xx 0, 401/403/429 auth, 404 not
 * found, other 4xx invalid, the rest server. */
int reply_exit_code(long status);
/* The message for a failed reply: the problem's detail (or title), led by
 * "FILE:LINE:COL: " when the problem names a line; a generic text when the
 * body is not a problem. Control bytes shown as '?'. malloc'd or NULL. */
char *reply_message(const struct http_resp *r, const char *file);

/* Prints "mailctl: [SERVICE: ]TEXT" on x->err. */
void ctl_complain(const struct ctl *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends the call. Returns 0 with *r filled for a 2xx reply; otherwise
 * prints the error (and, with --json, the reply body on x->out) and
 * returns the exit code. r is to be freed with http_resp_free either way. */
int ctl_send(const struct ctl *x, const struct ctl_call *call, struct http_resp *r);
/* Parses a 2xx reply as a JSON object. 0, or CTL_EX_SERVER after a complaint. */
int ctl_parse(const struct ctl *x, const struct http_resp *r, json_t **root);
/* --json output: the reply body as is, plus a final newline if it has none. */
void ctl_passthrough(const struct ctl *x, const struct http_resp *r);

/* What a command shows for a successful reply, parsed (r for its
 * headers); 0 or -1 (ENOMEM). */
typedef int ctl_view_fn(const struct ctl *x, json_t *root, const struct http_resp *r);
/* The common shape of a command: send the call, then print the reply as
 * is (--json) or through view. Returns the exit code. */
int ctl_run(const struct ctl *x, const struct ctl_call *call, ctl_view_fn *view);

/* ctl_run with a JSON request body from the caller, freed here; a NULL
 * body (the builder ran out of memory) is reported as such. */
int ctl_run_json(const struct ctl *x, struct ctl_call *call, const char *method,
    char *body, ctl_view_fn *view);

/* Cell text of a JSON number/string/bool; "-" for null or absent. */
void ctl_cell(char *buf, size_t len, json_t *v);

/* Request bodies, built from the command line; malloc'd, NULL on ENOMEM. */
char *limits_patch_body(const struct cli *c);	/* only the limits given */
char *rules_add_body(const struct cli *c);	/* the POST of rules add */

/* Reads a whole file ("-" = stdin) into sb. 0, or -1 with errno (EFBIG
 * past HTTP_MAX_REPLY bytes). */
int ctl_read_file(const char *path, struct strbuf *sb);

/* The commands; each returns the exit code. */
int cmd_status(const struct ctl *x);
int cmd_who(const struct ctl *x);
int cmd_limits(const struct ctl *x);
int cmd_rules(const struct ctl *x);
int cmd_reload(const struct ctl *x);
int cmd_restart(const struct ctl *x);
int cmd_audit(const struct ctl *x);
int cmd_history(const struct ctl *x);
int cmd_rollback(const struct ctl *x);
int cmd_rules_check(const struct ctl *x);

#endif
