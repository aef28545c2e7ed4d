/* httpserver.h: mailctld's HTTP server: libmicrohttpd daemons on a TCP address
 * (optionally TLS) and an optional unix socket, feeding api_handle. */
#ifndef MAILSTACK_WEB_HTTPSERVER_H
#define MAILSTACK_WEB_HTTPSERVER_H

#include <sys/socket.h>

#include "web/api.h"

struct http_server {
	struct MHD_Daemon *tcp;
	struct MHD_Daemon *local;	/* on the unix socket, NULL when none */
	unsigned port;			/* the bound TCP port */
	char *tls_cert;			/* PEM text, owned */
	char *tls_key;
};

/* Binds the sockets conf names (listen is "ADDR:PORT" or "[ADDR]:PORT",
 * unix, TLS) and starts serving ctx. Returns 0, or -1 with errno and what
 * failed in err ("bind to ...", "read tls-cert ..."). */
int http_start(struct http_server *hs, struct api_ctx *ctx, const struct mailctld_conf *conf,
    char *err, size_t errlen);
void http_stop(struct http_server *hs);

/* Splits "ADDR:PORT" / "[ADDR]:PORT" into a socket address. 0 or -1
 * with errno EINVAL. */
int http_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl);

#endif
