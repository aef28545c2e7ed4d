/* httpclient.h: one HTTP request to mailctld through libcurl, bounded in time and size. */
#ifndef MAILSTACK_CTL_HTTPCLIENT_H
#define MAILSTACK_CTL_HTTPCLIENT_H

#include <stddef.h>

#include "strbuf.h"

#define HTTP_CONNECT_TIMEOUT_MS 3000L
#define HTTP_TOTAL_TIMEOUT_MS 10000L
/* A reply bigger than this is refused rather than held in memory. */
#define HTTP_MAX_REPLY (64UL * 1024 * 1024)

struct http_req {
	const char *method;	/* GET, PUT, PATCH, POST, DELETE */
	const char *url;	/* the whole URL */
	const char *token;	/* NULL = no Authorization header */
	const char *ctype;	/* request Content-Type, NULL without a body */
	const char *body;
	size_t bodylen;
	const char *accept;	/* NULL = application/json */
	const char *if_match;	/* NULL = no If-Match header */
	const char *ca_file;	/* NULL = the system's trusted CAs */
};

struct http_resp {
	long status;
	struct strbuf body;
	char ctype[128];	/* reply Content-Type, "" when absent */
	char etag[128];		/* reply ETag, "" when absent */
};

/* Sets up libcurl once for the process; 0 or -1. */
int http_init(void);

/* Sends req and fills resp (any status). Returns 0, or -1 when no HTTP
 * reply came (refused, timeout, bad URL, reply too big) with the reason
 * in err. http_resp_free releases resp either way. */
int http_do(const struct http_req *req, struct http_resp *resp, char *err,
    size_t errlen);
void http_resp_free(struct http_resp *resp);

/* The URL-encoded form of s (RFC 3986 unreserved kept), malloc'd; NULL
 * on ENOMEM. */
char *http_escape(const char *s);

#endif
