/* httpclient.c: the libcurl side of mailctl: one easy handle per request, no redirects. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl/mailctl/httpclient.h"

struct http_sink {
	struct strbuf *body;
	int too_big;
	char *etag;		/* http_resp.etag */
	size_t etaglen;
};

int
http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static size_t
http_write(char *p, size_t size, size_t n, void *arg)
{
	struct http_sink *sink = arg;
	size_t len = size * n;

	if (sink->body->len + len > HTTP_MAX_REPLY) {
		sink->too_big = 1;
		return 0;
	}
	if (strbuf_append(sink->body, p, len) == -1)
		return 0;
	return len;
}

/* Keeps the ETag header (names are case-insensitive; the value is cut
 * at the line end). */
static size_t
http_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_sink *sink = arg;
	size_t len = size * n, vlen;

	if (len > 5 && strncasecmp(p, "ETag:", 5) == 0) {
		const char *v = p + 5;

		while (v < p + len && (*v == ' ' || *v == '\t'))
			v++;
		vlen = (size_t)(p + len - v);
		while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
		    v[vlen - 1] == ' '))
			vlen--;
		if (vlen < sink->etaglen) {
			memcpy(sink->etag, v, vlen);
			sink->etag[vlen] = '\0';
		}
	}
	return len;
}

/* The request headers; the Authorization line is wiped by the caller. */
static struct curl_slist *
http_headers(const struct http_req *req, struct strbuf *auth)
{
	struct curl_slist *h = NULL, *t;
	char line[256];

	snprintf(line, sizeof(line), "Accept: %s",
	    req->accept != NULL ? req->accept : "application/json");
	if ((t = curl_slist_append(h, line)) == NULL)
		goto fail;
	h = t;
	/* The API answers at once; waiting for 100-continue only adds a second. */
	if ((t = curl_slist_append(h, "Expect:")) == NULL)
		goto fail;
	h = t;
	if (req->ctype != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s", req->ctype);
		if ((t = curl_slist_append(h, line)) == NULL)
			goto fail;
		h = t;
	}
	if (req->if_match != NULL) {
		snprintf(line, sizeof(line), "If-Match: %s", req->if_match);
		if ((t = curl_slist_append(h, line)) == NULL)
			goto fail;
		h = t;
	}
	if (req->token != NULL) {
		if (strbuf_printf(auth, "Authorization: Bearer %s", req->token) == -1 ||
		    (t = curl_slist_append(h, auth->s)) == NULL)
			goto fail;
		h = t;
	}
	return h;
fail:
	curl_slist_free_all(h);
	return NULL;
}

static void
http_setup(CURL *c, const struct http_req *req, struct curl_slist *h,
    struct http_sink *sink, char *curlerr)
{
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, HTTP_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, HTTP_TOTAL_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mailctl");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curlerr);
	if (req->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, req->ca_file);
	if (req->body != NULL || strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(req->body != NULL ? req->bodylen : 0));
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "POST") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
}

int
http_do(const struct http_req *req, struct http_resp *resp, char *err,
    size_t errlen)
{
	struct strbuf auth = STRBUF_ZERO;
	struct http_sink sink = { &resp->body, 0, resp->etag, sizeof(resp->etag) };
	char curlerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *h;
	char *ct = NULL;
	CURLcode rc;
	CURL *c;

	resp->status = 0;
	resp->ctype[0] = '\0';
	resp->etag[0] = '\0';
	if ((c = curl_easy_init()) == NULL || (h = http_headers(req, &auth)) == NULL) {
		curl_easy_cleanup(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	http_setup(c, req, h, &sink, curlerr);
	rc = curl_easy_perform(c);
	if (auth.s != NULL)
		explicit_bzero(auth.s, auth.len);
	strbuf_free(&auth);
	curl_slist_free_all(h);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
		if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL)
			snprintf(resp->ctype, sizeof(resp->ctype), "%s", ct);
	} else if (sink.too_big)
		snprintf(err, errlen, "reply bigger than %lu bytes", HTTP_MAX_REPLY);
	else
		snprintf(err, errlen, "%s", curlerr[0] != '\0' ? curlerr :
		    curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

void
http_resp_free(struct http_resp *resp)
{
	strbuf_free(&resp->body);
}

char *
http_escape(const char *s)
{
	CURL *c = curl_easy_init();
	char *e, *copy;

	if (c == NULL)
		return NULL;
	e = curl_easy_escape(c, s, 0);
	copy = e != NULL ? strdup(e) : NULL;
	curl_free(e);
	curl_easy_cleanup(c);
	return copy;
}
