/* reply.c: response bodies, problem details and strict JSON input. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web/reply.h"

static const char *
status_title(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static void
set_body(struct api_response *resp, int status, const char *ctype, char *body, size_t len)
{
	free(resp->body);
	resp->status = status;
	resp->content_type = ctype;
	resp->body = body;
	resp->len = len;
}

void
reply_json(struct api_response *resp, int status, json_t *obj)
{
	char *s = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;
	char *body;
	size_t n;

	json_decref(obj);
	if (s == NULL) {
		set_body(resp, 500, "text/plain", NULL, 0);
		return;
	}
	/* A final newline keeps curl output and logs readable. */
	n = strlen(s);
	if ((body = realloc(s, n + 2)) == NULL) {
		free(s);
		set_body(resp, 500, "text/plain", NULL, 0);
		return;
	}
	body[n] = '\n';
	body[n + 1] = '\0';
	set_body(resp, status, "application/json", body, n + 1);
}

void
reply_text(struct api_response *resp, int status, const char *ctype,
    const char *p, size_t len)
{
	char *b = malloc(len + 1);

	if (b == NULL) {
		set_body(resp, 500, "text/plain", NULL, 0);
		return;
	}
	memcpy(b, p, len);
	b[len] = '\0';
	set_body(resp, status, ctype, b, len);
}

void
reply_problem_extra(struct api_response *resp, int status, const char *name,
    json_t *extra, const char *detail)
{
	char type[128];
	json_t *o;

	snprintf(type, sizeof(type), PROBLEM_BASE "%s", name);
	o = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", status_title(status),
	    "status", status, "detail", detail);
	if (o != NULL && extra != NULL)
		json_object_update(o, extra);
	json_decref(extra);
	reply_json(resp, status, o);
	if (resp->status == status)
		resp->content_type = "application/problem+json";
}

static void
problemv(struct api_response *resp, int status, const char *name, json_t *extra,
    const char *fmt, va_list ap)
{
	char detail[1024];

	vsnprintf(detail, sizeof(detail), fmt, ap);
	reply_problem_extra(resp, status, name, extra, detail);
}

void
reply_problem(struct api_response *resp, int status, const char *name,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problemv(resp, status, name, NULL, fmt, ap);
	va_end(ap);
}

void
reply_problem_field(struct api_response *resp, const char *field,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problemv(resp, 400, "invalid-field", json_pack("{s:s}", "field", field), fmt, ap);
	va_end(ap);
}

void
reply_header(struct api_response *resp, const char *name, const char *value)
{
	struct api_header *h;

	if (resp->nheaders == API_MAX_HEADERS)
		return;
	h = &resp->headers[resp->nheaders];
	h->name = strdup(name);
	h->value = strdup(value);
	if (h->name == NULL || h->value == NULL) {
		free(h->name), free(h->value);
		return;
	}
	resp->nheaders++;
}

int
reply_ctype_is(const char *ctype, const char *type)
{
	size_t n = strlen(type);

	if (ctype == NULL)
		return 0;
	while (*ctype == ' ')
		ctype++;
	if (strncasecmp(ctype, type, n) != 0)
		return 0;
	ctype += n;
	while (*ctype == ' ')
		ctype++;
	return *ctype == '\0' || *ctype == ';';
}

json_t *
reply_read_json(const struct api_request *req, struct api_response *resp)
{
	json_error_t e;
	json_t *o;

	if (!reply_ctype_is(req->content_type, "application/json")) {
		reply_problem(resp, 415, "unsupported-media-type",
		    "the body must be application/json");
		return NULL;
	}
	o = json_loadb(req->body != NULL ? req->body : "", req->body_len,
	    JSON_REJECT_DUPLICATES, &e);
	if (o == NULL) {
		reply_problem(resp, 400, "malformed-json", "malformed JSON at line %d column %d: %s",
		    e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		reply_problem(resp, 400, "malformed-json", "the body must be a JSON object");
		return NULL;
	}
	return o;
}

int
reply_known_fields(json_t *obj, const char *const *allowed, struct api_response *resp)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			reply_problem_field(resp, key, "unknown field %s", key);
			return -1;
		}
	}
	return 0;
}

int
reply_get_int(json_t *obj, const char *key, long min, long max, long *out,
    struct api_response *resp)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	if (v == NULL)
		return 0;
	if (!json_is_integer(v)) {
		reply_problem_field(resp, key, "%s must be an integer", key);
		return -1;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		reply_problem_field(resp, key, "%s must be between %ld and %ld", key, min, max);
		return -1;
	}
	*out = (long)n;
	return 1;
}
