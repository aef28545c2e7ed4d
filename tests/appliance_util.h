/* appliance_util.h: the real demo (packaging/demo) as a test fixture: its
 * s6 tree, real mail daemons and mailctld started in a private folder on
 * ephemeral ports, the client tools (curl, swaks, python3, s6-svc) run
 * against it, and everything stopped and checked gone at the end. */
#ifndef MAILSTACK_TESTS_APPLIANCE_UTIL_H
#define MAILSTACK_TESTS_APPLIANCE_UTIL_H

#include "stack_util.h"

struct appliance {
	char dir[300];		/* the demo folder, in a harness_tmpdir */
	unsigned api_port;
	unsigned imap_port;
	unsigned smtp_port;
	char password[80];	/* user demo's, from dir/password */
	struct stack s;		/* mailctld's url and tokens; sock = imap's */
};

/* demo-start in a private folder (skips the test when the daemons are not
 * installed); asserts it is up and fills a. */
void appliance_start(struct appliance *a);
/* demo-stop; asserts it says so and that no process of the demo is left:
 * s6-svscan's session, the loggers, listeners, mailctld and every session
 * the listeners ran. */
void appliance_stop(struct appliance *a);
/* The suites' .fini: a failed assertion must not leave the demo running. */
void appliance_fini(void);

/* Runs argv (argv[0] a path) with a fixed PATH, bounded; the exit code,
 * *out (if not NULL) gets stdout and stderr together, malloc'd. */
int appliance_run(const char *const *argv, char **out);
/* "s6-svc ARGS... DIR/s6/service", asserting exit 0. */
void appliance_svc(const struct appliance *a, const char *service,
    const char *const *args);
/* A connection to service's port from src (NULL = 127.0.0.1); *line gets
 * the first line the server sent ("" when it closed without a word). */
int appliance_connect(const struct appliance *a, unsigned port, const char *src,
    char *line, size_t cap);
/* An IMAP session of user demo, logged in with a real LOGIN; asserts. */
int appliance_login(const struct appliance *a);
/* Sends "tag CMD" and reads up to the tagged answer; 1 if it was OK, 0
 * otherwise (NO, BAD, EOF, timeout). */
int appliance_imap(int fd, const char *tag, const char *cmd);
/* A value (key) of the status block of service's control socket. */
long appliance_status(const struct appliance *a, const char *service,
    const char *key);
/* Waits (bounded) until service's listener pid is not old; the new one. */
long appliance_wait_restarted(const struct appliance *a, const char *service,
    long old);

#endif
