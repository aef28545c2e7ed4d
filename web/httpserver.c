/* httpserver.c: libmicrohttpd glue: collects a request (body capped at 1 MiB),
 * hands it to api_handle and queues the answer. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/ip.h"
#include "lib/log.h"
#include "lib/scan.h"
#include "lib/strbuf.h"
#include "web/httpserver.h"
#include "web/linger.h"
#include "web/util.h"

#define HTTP_THREADS 4

struct http_req {
	struct strbuf body;
	int too_large;
	int answered;
	int early;	/* answered before its body was read */
};

int
http_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[IP_FMT_MAX + 2];
	const char *colon, *h = s;
	struct ip_addr ip;
	unsigned long port;
	size_t hlen;

	if (s[0] == '[') {
		colon = strstr(s, "]:");
		h = s + 1;
		hlen = colon != NULL ? (size_t)(colon - h) : 0;
		colon = colon != NULL ? colon + 1 : NULL;
	} else {
		colon = strrchr(s, ':');
		hlen = colon != NULL ? (size_t)(colon - s) : 0;
	}
	if (colon == NULL || hlen == 0 || hlen >= sizeof(host) ||
	    scan_ulong(colon + 1, 65535, &port) == -1) {
		errno = EINVAL;
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (ip_parse(host, &ip) == -1)
		return -1;
	*sl = ip_to_sockaddr(&ip, (unsigned)port, ss);
	return 0;
}

static int
listen_tcp(const char *addr, unsigned *port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct ip_addr ip;
	int fd, one = 1, e;

	if (http_parse_listen(addr, &ss, &sl) == -1)
		return -1;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1 || listen(fd, 128) == -1)
		goto fail;
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1 ||
	    ip_from_sockaddr((struct sockaddr *)&ss, &ip, port) == -1)
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* A stale socket file is replaced; anything else at path is an error. */
static int
listen_unix(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, e;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			errno = EEXIST;
			return -1;
		}
		unlink(path);
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 || chmod(path, 0660) == -1 ||
	    listen(fd, 128) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct api_request *req = cls;

	if (req->nargs == API_MAX_ARGS) {
		req->too_many_args = 1;
		return MHD_NO;
	}
	req->args[req->nargs].name = key;
	req->args[req->nargs++].value = value != NULL ? value : "";
	return MHD_YES;
}

static void
peer_text(struct MHD_Connection *conn, char out[IP_FMT_MAX])
{
	const union MHD_ConnectionInfo *ci;
	struct ip_addr ip;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL ||
	    ip_from_sockaddr(ci->client_addr, &ip, NULL) == -1) {
		strcpy(out, "unix");
		return;
	}
	ip_unmap(&ip);
	ip_format(&ip, out);
}

static enum MHD_Result
send_answer(struct MHD_Connection *conn, struct api_response *ar)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t i;

	r = MHD_create_response_from_buffer(ar->len, ar->body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		api_response_free(ar);
		return MHD_NO;
	}
	ar->body = NULL;	/* MHD frees it now */
	if (ar->content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ar->content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	for (i = 0; i < ar->nheaders; i++)
		MHD_add_response_header(r, ar->headers[i].name, ar->headers[i].value);
	ret = MHD_queue_response(conn, (unsigned)ar->status, r);
	MHD_destroy_response(r);
	api_response_free(ar);
	return ret;
}

/* Changes and refusals go to the log (never a token): who did what. A
 * server error also logs the problem's detail (e.g. a full disk), since
 * the admin reads the log, not the panel's answer. */
static void
log_request(const struct api_request *req, const struct api_response *ar)
{
	char path[256];
	const char *detail;
	json_t *body;
	size_t i;

	if (strcmp(req->method, "GET") == 0 && ar->status < 400)
		return;
	for (i = 0; req->path[i] != '\0' && i < sizeof(path) - 1; i++)
		path[i] = req->path[i] > 32 && req->path[i] < 127 ? req->path[i] : '?';
	path[i] = '\0';
	log_info("%s %.16s %s %d", req->peer, req->method, path, ar->status);
	if (ar->status < 500 || ar->body == NULL)
		return;
	body = json_loadb(ar->body, ar->len, 0, NULL);
	detail = json_string_value(json_object_get(body, "detail"));
	log_warn("%.16s %s failed: %s", req->method, path,
	    detail != NULL ? detail : "no detail");
	json_decref(body);
}

static enum MHD_Result
answer(struct api_ctx *ctx, struct MHD_Connection *conn, const char *url,
    const char *method, struct http_req *hr)
{
	struct api_request req;
	struct api_response ar;
	char peer[IP_FMT_MAX];

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &req);
	req.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	req.accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");
	req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	req.if_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Match");
	req.body = hr->body.s;
	req.body_len = hr->body.len;
	req.body_too_large = hr->too_large;
	peer_text(conn, peer);
	req.peer = peer;
	api_handle(ctx, &req, &ar);
	hr->answered = 1;
	log_request(&req, &ar);
	return send_answer(conn, &ar);
}

static int
declared_too_large(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	unsigned long n;

	return cl != NULL && (scan_ulong(cl, (unsigned long)-1, &n) == -1 || n > API_MAX_BODY);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct http_req *hr = *con_cls;

	if (hr == NULL) {
		if ((hr = calloc(1, sizeof(*hr))) == NULL)
			return MHD_NO;
		*con_cls = hr;
		/* Refused before a byte of the body is read. */
		if (declared_too_large(conn)) {
			hr->too_large = 1;
			hr->early = 1;
			return answer(cls, conn, url, method, hr);
		}
		return MHD_YES;
	}
	if (hr->answered) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* libmicrohttpd takes no answer in the middle of a body: the
		 * rest is read and dropped, and the 413 goes at its end. */
		if (hr->too_large || hr->body.len + *upload_size > API_MAX_BODY) {
			hr->too_large = 1;
			strbuf_free(&hr->body);
			*upload_size = 0;
			return MHD_YES;
		}
		if (strbuf_append(&hr->body, upload, *upload_size) == -1)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	return answer(cls, conn, url, method, hr);
}

/* After an early answer libmicrohttpd closes the socket with the body
 * still arriving: the kernel answers those bytes with a reset, which can
 * reach the client before it has read the 413 (a client that writes the
 * whole body first, as Python's urllib does, then sees "connection reset"
 * instead of the answer). A dup keeps the socket open past
 * libmicrohttpd's close (its shutdown still sends the FIN after the
 * answer), and linger_close reads and drops the rest. */
static void
linger_after_early_answer(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	int fd;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL || (fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return;
	linger_close(fd, LINGER_MAX_BYTES, LINGER_MAX_MS);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req *hr = *con_cls;

	if (hr != NULL && hr->early && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		linger_after_early_answer(conn);
	if (hr != NULL) {
		strbuf_free(&hr->body);
		free(hr);
		*con_cls = NULL;
	}
}

static struct MHD_Daemon *
start_daemon(struct api_ctx *ctx, int fd, unsigned flags, const struct http_server *hs)
{
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_LISTEN_SOCKET, fd, NULL },
		{ MHD_OPTION_THREAD_POOL_SIZE, HTTP_THREADS, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, 256, NULL },
		{ MHD_OPTION_END, 0, NULL },	/* the TLS pair goes here */
		{ MHD_OPTION_END, 0, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (hs != NULL && hs->tls_cert != NULL) {
		flags |= MHD_USE_TLS;
		opts[5] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, hs->tls_cert };
		opts[6] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, hs->tls_key };
	}
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, ctx,
	    MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
}

static int
load_tls(struct http_server *hs, const struct mailctld_conf *conf, char *err, size_t errlen)
{
	size_t n;

	if (conf->tls_cert == NULL)
		return 0;
	if (util_read_file(conf->tls_cert, &hs->tls_cert, &n) == -1) {
		snprintf(err, errlen, "read tls-cert %s", conf->tls_cert);
		return -1;
	}
	if (util_read_file(conf->tls_key, &hs->tls_key, &n) == -1) {
		snprintf(err, errlen, "read tls-key %s", conf->tls_key);
		return -1;
	}
	return 0;
}

int
http_start(struct http_server *hs, struct api_ctx *ctx, const struct mailctld_conf *conf,
    char *err, size_t errlen)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	int fd, ufd;

	memset(hs, 0, sizeof(*hs));
	if (load_tls(hs, conf, err, errlen) == -1)
		return -1;
	if ((fd = listen_tcp(conf->listen, &hs->port)) == -1) {
		snprintf(err, errlen, "bind to %s", conf->listen);
		return -1;
	}
	if ((hs->tcp = start_daemon(ctx, fd, flags, hs)) == NULL) {
		close(fd);
		snprintf(err, errlen, "start the HTTP server on %s", conf->listen);
		errno = EIO;
		return -1;
	}
	if (conf->unix_path == NULL)
		return 0;
	if ((ufd = listen_unix(conf->unix_path)) == -1) {
		snprintf(err, errlen, "bind to %s", conf->unix_path);
		return -1;
	}
	if ((hs->local = start_daemon(ctx, ufd, flags, NULL)) == NULL) {
		close(ufd);
		snprintf(err, errlen, "start the HTTP server on %s", conf->unix_path);
		errno = EIO;
		return -1;
	}
	return 0;
}

void
http_stop(struct http_server *hs)
{
	if (hs->tcp != NULL)
		MHD_stop_daemon(hs->tcp);
	if (hs->local != NULL)
		MHD_stop_daemon(hs->local);
	free(hs->tls_cert), free(hs->tls_key);
	memset(hs, 0, sizeof(*hs));
}
