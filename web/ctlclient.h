/* ctlclient.h: mailctld's client of a listener's control socket: one
 * request, one reply block, within a deadline. The protocol itself (the
 * request words, the block, the escaping, the size caps) is lib/ctlproto.h. */
#ifndef MAILSTACK_WEB_CTLCLIENT_H
#define MAILSTACK_WEB_CTLCLIENT_H

#include "lib/ctlproto.h"

/* Connects to path, writes request + "\n", reads the block; the whole
 * exchange is bounded by timeout_ms. Returns 0 with r filled (ok or an
 * error block), or -1 with errno (ECONNREFUSED/ENOENT: nobody listening,
 * ETIMEDOUT, EPROTO: not a block). */
int ctlclient_request(const char *path, const char *request, int timeout_ms,
    struct ctl_reply *r);
/* The same for a request of the protocol's own form. */
int ctlclient_send(const char *path, const struct ctl_request *req, int timeout_ms,
    struct ctl_reply *r);

#endif
