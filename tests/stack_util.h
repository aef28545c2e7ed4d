/* stack_util.h: the whole stack for end-to-end tests: a real
 * mailstack-tcpserver (control socket, limits file, rules) in front of the
 * demo greeter, a real mailctld naming it as service "imap", and the real
 * mailctl, all on loopback with ephemeral ports in a private folder. */
#ifndef MAILSTACK_TESTS_STACK_UTIL_H
#define MAILSTACK_TESTS_STACK_UTIL_H

#include <jansson.h>
#include <stddef.h>

#include "harness.h"
#include "ctl_util.h"

struct stack {
	const char *dir;	/* harness_tmpdir: removed by harness_cleanup */
	char sock[108];		/* the listener's control socket (sun_path) */
	char conf[256];		/* CONF: etc/imap with limits, rules, rules.cdb */
	char limits[256];
	char rules[256];
	char cdb[256];
	char admin[80];		/* token texts made by mailctld -t */
	char reader[80];
	char url[64];		/* mailctld's http://127.0.0.1:PORT */
	unsigned port;		/* the listener's TCP port */
	struct harness_proc listener;
	struct harness_proc api;
};

/* The tree (limits file only when limits != NULL; rules text compiled with
 * mailstack-tcprules), the tokens and mailctld's configuration. Asserts. */
void stack_init(struct stack *s, const char *rules, const char *limits);
/* Starts the listener with args (NULL-terminated, e.g. "-c", "2") before
 * the common options, and waits until its control socket answers. */
void stack_listener_start(struct stack *s, const char *const *args);
/* Kills the listener's process group (the listener and its sessions). */
void stack_listener_kill(struct stack *s);
/* Starts mailctld on 127.0.0.1, an ephemeral port. */
void stack_api_start(struct stack *s);

/* One request on a fresh control connection; the block up to the final
 * ".", malloc'd. Asserts that it came within the bound. */
char *stack_control(const struct stack *s, const char *request);
/* The number after "\nkey " in a block, -1 when absent. */
long stack_block_value(const char *block, const char *key);

/* mailctl with the admin (or read) token; asserts the exit code. */
struct ctl_run stack_mailctl(const struct stack *s, int admin, int want_code,
    const char *const *args);
/* The same when only the exit code matters. */
void stack_mailctl_expect(const struct stack *s, int admin, int want_code,
    const char *const *args);
/* mailctl --json ... with the admin token, exit 0, parsed. */
json_t *stack_mailctl_json(const struct stack *s, const char *const *args);

/* Reads up to and with a '\n' (bounded); the bytes read, NUL-terminated. */
size_t stack_read_line(int fd, char *buf, size_t cap, int timeout_ms);
/* Connects from src (NULL = 127.0.0.1). Returns the socket; *greeted is
 * 1 when the greeting came within timeout_ms, 0 when nothing came, -1 when
 * the listener closed it (a refusal; its text, if any, in buf). */
int stack_connect(const struct stack *s, const char *src, int timeout_ms,
    int *greeted, char *buf, size_t cap);
/* Connects and asserts the greeting within the usual bound. */
int stack_session(const struct stack *s, const char *src);
/* Asserts that an established session still answers a command. */
void stack_assert_alive(int fd);
/* Waits (bounded) until the listener's "live" count is n. */
void stack_wait_live(const struct stack *s, long n);

#endif
