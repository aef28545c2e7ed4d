/* reply.c: turning API replies into exit codes, messages and --json output. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/mailctl/ctl.h"
#include "ctl/mailctl/table.h"

const char *
ctl_service_path(const struct ctl *x, char *buf, size_t len, const char *tail)
{
	snprintf(buf, len, "/v1/services/%s%s", x->cli->service, tail);
	return buf;
}

int
reply_exit_code(long status)
{
	if (status >= 200 && status < 300)
		return CTL_EX_OK;
	if (status == 401 || status == 403 || status == 429)
		return CTL_EX_AUTH;
	if (status == 404)
		return CTL_EX_NOTFOUND;
	if (status >= 400 && status < 500)
		return CTL_EX_INVALID;
	return CTL_EX_SERVER;
}

static char *
reply_problem_text(json_t *p, const char *file)
{
	json_t *detail = json_object_get(p, "detail");
	json_t *line = json_object_get(p, "line"), *col = json_object_get(p, "column");
	char *s = NULL;

	if (!json_is_string(detail) || json_string_length(detail) == 0)
		detail = json_object_get(p, "title");
	if (!json_is_string(detail))
		return NULL;
	if (json_is_integer(line)) {
		if (asprintf(&s, "%s:%lld:%lld: %s", file != NULL ? file : "rules",
		    (long long)json_integer_value(line),
		    json_is_integer(col) ? (long long)json_integer_value(col) : 1LL,
		    json_string_value(detail)) < 0)
			s = NULL;
	} else
		s = strdup(json_string_value(detail));
	return s;
}

char *
reply_message(const struct http_resp *r, const char *file)
{
	json_t *p = NULL;
	char *s = NULL, *safe;

	if (r->body.len > 0)
		p = json_loadb(r->body.s, r->body.len, 0, NULL);
	if (json_is_object(p))
		s = reply_problem_text(p, file);
	json_decref(p);
	if (s == NULL && asprintf(&s, "server answered HTTP %ld without a problem detail",
	    r->status) < 0)
		return NULL;
	safe = text_safe(s);
	free(s);
	return safe;
}

void
ctl_complain(const struct ctl *x, const char *fmt, ...)
{
	va_list ap;

	if (x->cli->service != NULL)
		fprintf(x->err, "mailctl: %s: ", x->cli->service);
	else
		fprintf(x->err, "mailctl: ");
	va_start(ap, fmt);
	vfprintf(x->err, fmt, ap);
	va_end(ap);
	putc('\n', x->err);
	fflush(x->err);
}

void
ctl_passthrough(const struct ctl *x, const struct http_resp *r)
{
	if (r->body.len == 0)
		return;
	fwrite(r->body.s, 1, r->body.len, x->out);
	if (r->body.s[r->body.len - 1] != '\n')
		putc('\n', x->out);
}

int
ctl_send(const struct ctl *x, const struct ctl_call *call, struct http_resp *r)
{
	struct http_req req;
	char err[512], *url, *msg, tag[160];
	int code;

	memset(r, 0, sizeof(*r));
	if (asprintf(&url, "%s%s", x->conf->url, call->path) < 0) {
		ctl_complain(x, "out of memory");
		return CTL_EX_LOCAL;
	}
	req.method = call->method;
	req.url = url;
	req.token = x->conf->token;
	req.ctype = call->ctype;
	req.body = call->body;
	req.bodylen = call->bodylen;
	req.accept = call->accept;
	req.if_match = NULL;
	req.ca_file = x->conf->ca_file;
	/* ETags are quoted; people copy them with or without the quotes. */
	if (x->cli->if_match != NULL && strcmp(call->method, "GET") != 0) {
		snprintf(tag, sizeof(tag), x->cli->if_match[0] == '"' ||
		    strcmp(x->cli->if_match, "*") == 0 ? "%s" : "\"%s\"", x->cli->if_match);
		req.if_match = tag;
	}
	code = http_do(&req, r, err, sizeof(err));
	if (code == -1) {
		ctl_complain(x, "unable to reach %s: %s", x->conf->url, err);
		free(url);
		return CTL_EX_SERVER;
	}
	free(url);
	code = reply_exit_code(r->status);
	if (code == CTL_EX_OK)
		return 0;
	if (x->cli->json)
		ctl_passthrough(x, r);
	msg = reply_message(r, call->file);
	ctl_complain(x, "%s", msg != NULL ? msg : "out of memory");
	free(msg);
	return code;
}

int
ctl_parse(const struct ctl *x, const struct http_resp *r, json_t **root)
{
	json_error_t e;

	/* 204 and other empty successes read as an empty object. */
	if (r->body.len == 0) {
		*root = json_object();
		if (*root != NULL)
			return 0;
	}
	*root = json_loadb(r->body.s != NULL ? r->body.s : "", r->body.len, 0, &e);
	if (json_is_object(*root))
		return 0;
	json_decref(*root);
	*root = NULL;
	ctl_complain(x, "unable to read the server's reply: %s",
	    r->body.len == 0 ? "empty" : "not a JSON object");
	return CTL_EX_SERVER;
}

void
ctl_cell(char *buf, size_t len, json_t *v)
{
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_true(v))
		snprintf(buf, len, "yes");
	else if (json_is_false(v))
		snprintf(buf, len, "no");
	else if (json_is_real(v))
		snprintf(buf, len, "%g", json_real_value(v));
	else
		snprintf(buf, len, "-");
}

int
ctl_run(const struct ctl *x, const struct ctl_call *call, ctl_view_fn *view)
{
	struct http_resp r;
	json_t *root = NULL;
	int code = ctl_send(x, call, &r);

	if (code == 0 && x->cli->json)
		ctl_passthrough(x, &r);
	else if (code == 0 && (code = ctl_parse(x, &r, &root)) == 0 &&
	    view(x, root, &r) == -1) {
		ctl_complain(x, "out of memory");
		code = CTL_EX_LOCAL;
	}
	json_decref(root);
	http_resp_free(&r);
	return code;
}

int
ctl_run_json(const struct ctl *x, struct ctl_call *call, const char *method,
    char *body, ctl_view_fn *view)
{
	int code;

	if (body == NULL) {
		ctl_complain(x, "out of memory");
		return CTL_EX_LOCAL;
	}
	call->method = method;
	call->ctype = "application/json";
	call->body = body;
	call->bodylen = strlen(body);
	code = ctl_run(x, call, view);
	free(body);
	return code;
}
