/* version.c: the version the status reports, in a file of its own so
 * that a second build with another version is one object away (the
 * re-exec tests' make-believe upgrade, tests/tcpserver_ctl.mk). */
#include "lib/config.h"
#include "server.h"

const char server_version[] = MAILSTACK_VERSION;
