/* reply.h: building responses: JSON bodies, RFC 9457 problems, headers,
 * and strict reading of JSON request bodies. */
#ifndef MAILSTACK_WEB_REPLY_H
#define MAILSTACK_WEB_REPLY_H

#include <jansson.h>

#include "web/api.h"

#define PROBLEM_BASE "https://mailstack.invalid/problems/"

/* Serialises obj (the reference is taken) as the body. */
void reply_json(struct api_response *resp, int status, json_t *obj);
void reply_text(struct api_response *resp, int status, const char *ctype,
    const char *p, size_t len);
/* A problem+json body: type PROBLEM_BASE + name, the status's title,
 * detail from fmt. */
void reply_problem(struct api_response *resp, int status, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with "field" (JSON validation errors). */
void reply_problem_field(struct api_response *resp, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same with extra members taken from extra (its reference is taken). */
void reply_problem_extra(struct api_response *resp, int status, const char *name,
    json_t *extra, const char *detail);
/* Adds a header (copies both). */
void reply_header(struct api_response *resp, const char *name, const char *value);

/* Reads the request body as a JSON object, strictly (no duplicate keys,
 * an object at the top). Returns the object (a new reference), or NULL
 * after answering 415 or 400. */
json_t *reply_read_json(const struct api_request *req, struct api_response *resp);
/* Answers 400 naming the first member of obj not in allowed (NULL-ended)
 * and returns -1; 0 when all are known. */
int reply_known_fields(json_t *obj, const char *const *allowed, struct api_response *resp);
/* Member key as an integer in [min, max]. Returns 1 present (in *out), 0
 * absent, -1 after answering 400 (wrong type or out of range). */
int reply_get_int(json_t *obj, const char *key, long min, long max, long *out,
    struct api_response *resp);
/* 1 when the media type of ctype (parameters ignored) is type. */
int reply_ctype_is(const char *ctype, const char *type);

#endif
