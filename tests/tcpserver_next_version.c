/* tcpserver_next_version.c: the version of tests/bin/mailstack-tcpserver-next,
 * the listener's second build for the re-exec into an upgraded binary. */
#include "lib/config.h"
#include "daemons/tcpserver/server.h"

const char server_version[] = MAILSTACK_VERSION "+next";
