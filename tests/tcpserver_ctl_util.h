/* tcpserver_ctl_util.h: the real mailstack-tcpserver with a control
 * socket, for end-to-end tests: start it, ask it, hold client
 * connections whose program greets with its pid. Loopback only, every
 * wait bounded by HARNESS_TIMEOUT_MS. */
#ifndef MAILSTACK_TESTS_TCPSERVER_CTL_UTIL_H
#define MAILSTACK_TESTS_TCPSERVER_CTL_UTIL_H

#include <sys/types.h>

#include "harness.h"

struct ctl_it {
	struct harness_proc p;
	const char *dir;	/* the test's folder: sock, limits, log */
	char sock[256];		/* DIR/ctl.sock */
	char limits[256];	/* DIR/limits (not created) */
	const char *host;	/* bound; "127.0.0.1" unless changed */
	long port;
	/* Set before ctl_it_start, else the defaults: */
	const char *binary;	/* ctl_it_binary() */
	const char *port_arg;	/* "0": any free port */
	struct harness_opts *opts;	/* NULL: none */
};

/* The listener's path, under $MAILSTACK_TOP. */
const char *ctl_it_binary(void);
/* Prepares t->dir and the paths (no process yet). */
void ctl_it_init(struct ctl_it *t);
/* Starts the listener: -1 -v -H -R -l 0 -s SOCK -f LIMITS, then extra
 * (NULL-terminated, may be NULL), on t->host port 0, running a program
 * that writes its pid and then echoes. env: NULL-terminated extra
 * environment or NULL. Waits for the port and the socket. */
void ctl_it_start(struct ctl_it *t, const char *const *extra,
    const char *const *env);
/* Writes the limits file (not atomically: tests only). */
void ctl_it_write_limits(const struct ctl_it *t, const char *text);

/* A connected control client, -1 on failure. */
int ctl_it_connect(const char *sock);
/* Sends req and "\n", returns the reply block (malloc'd), NULL on
 * timeout or EOF before the end of the block. */
char *ctl_it_ask(int fd, const char *req);
/* Reads one block without sending anything. */
char *ctl_it_read_block(int fd);
/* Connect, ask, close. */
char *ctl_it_request(const struct ctl_it *t, const char *req);
/* The number after "\nKEY " in a block, -1 when absent. */
long long ctl_it_num(const char *block, const char *key);

/* A TCP client from src (NULL: 127.0.0.1, or ::1 when t->host is IPv6) that got its greeting; *pid
 * is the serving process. Returns the socket, -1 when no greeting came
 * within wait_ms (the socket is closed then, *pid 0). */
int ctl_it_hold(const struct ctl_it *t, const char *src, pid_t *pid,
    int wait_ms);
/* Reads the greeting of a connection made earlier: 1 and *pid, or 0
 * when it did not come within wait_ms. */
int ctl_it_greeting(int fd, pid_t *pid, int wait_ms);
/* 1 when fd still echoes a line (the connection is alive). */
int ctl_it_alive(int fd);
/* Asserts that a new client is served (greeted, echoed), then closes it. */
void ctl_it_still_serves(const struct ctl_it *t);

#endif
