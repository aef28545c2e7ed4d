/* tcpserver_it.h: shared pieces of the end-to-end tests that run
 * mailstack-tcpserver side by side with the real ucspi-tcp tcpserver. */
#ifndef MAILSTACK_TESTS_TCPSERVER_IT_H
#define MAILSTACK_TESTS_TCPSERVER_IT_H

#include "harness.h"

enum it_flavour {
	IT_REAL,	/* /usr/bin/tcpserver, the reference */
	IT_OURS		/* $MAILSTACK_TOP/daemons/tcpserver/mailstack-tcpserver */
};

struct it_server {
	struct harness_proc proc;
	enum it_flavour flavour;
	long port;		/* from the -1 line, -1 if it never came */
};

/* Paths of the programs under test and of the test children. The
 * environment variable MAILSTACK_IT_OURS replaces ours (pointed at
 * /usr/bin/tcpserver, it checks the suite itself). */
const char *it_bin(enum it_flavour f);
const char *it_prog_name(enum it_flavour f);
/* $MAILSTACK_TOP/tests/bin/NAME, malloc'd and never freed (tests are
 * short-lived forked processes). */
const char *it_child(const char *name);

/* Starts "BIN -1 -H -R -l it OPTS HOST 0 PROG..." in dir with the environment
 * PATH=/usr/bin:/bin plus ENV (both lists NULL-terminated, ENV may be NULL)
 * and waits for the port line. Returns 0, or -1 (s->proc still needs
 * it_server_free). */
int it_server_start(struct it_server *s, enum it_flavour f, const char *dir,
    const char *const *opts, const char *host, const char *const *prog,
    const char *const *env);
/* As it_server_start with extra harness options (fd passing, setup). */
int it_server_start_with(struct it_server *s, enum it_flavour f,
    const char *dir, const char *const *opts, const char *host,
    const char *const *prog, const char *const *env,
    const struct harness_opts *ho);
/* SIGTERM, wait (bounded); returns the exit status or -1. */
int it_server_stop(struct it_server *s);
void it_server_free(struct it_server *s);

/* One client: connect to the server (family 4 or 6, optional source
 * address), send data (may be NULL), read to EOF. Returns the malloc'd
 * reply or NULL; *cport gets the client's port when not NULL. */
char *it_fetch(const struct it_server *s, int family, const char *src,
    const char *data, int *cport);

/* The server's log with "PROG: " prefixes turned into "tcpserver: ", pids
 * and ports replaced by PID and PORT, lines sorted (children's lines
 * interleave with the parent's at random). malloc'd. */
char *it_log_normalise(const char *log, enum it_flavour f);
/* Env dump (NAME=VALUE lines) sorted, with the port variables checked
 * against the real ports and replaced by LPORT/RPORT when they match. */
char *it_env_normalise(const char *env, long lport, int rport);

/* Runs one scenario against flavour f; returns its malloc'd outcome as
 * text (normalised so that the two servers can be compared) or NULL. */
typedef char *it_run_fn(enum it_flavour f, const void *arg);
/* Runs the scenario on the real server, asserts that its outcome holds
 * every needle (a check of the scenario itself), then expects ours to
 * give the same text. */
void it_compare(it_run_fn *run, const void *arg, const char *const *needles);
/* Copies opts into o (cap entries) and, when rules is not NULL, appends
 * "-x CDB" compiled from it in dir (asserting that tcprules worked). */
const char **it_opts_rules(const char *dir, const char *const *opts,
    const char *rules, const char **o, size_t cap);

/* One client (from src, NULL = 127.0.0.1) of "-v OPTS 127.0.0.1 0
 * /usr/bin/env" of flavour f run in dir with env added to the server's
 * environment (may be NULL): "reply:\n", the normalised env,
 * "log:\n", then the normalised log lines holding one of the lines
 * needles (NULL: the whole log). malloc'd, or NULL if it did not start. */
char *it_env_run(enum it_flavour f, const char *dir, const char *const *opts,
    const char *const *env, const char *src, const char *const *lines);

/* Compiles rules text with the real /usr/bin/tcprules into dir/NAME.cdb;
 * returns the malloc'd cdb path or NULL. */
char *it_rules_compile(const char *dir, const char *name, const char *text);

/* The line of log that contains needle, malloc'd, or NULL. */
char *it_log_line(const char *log, const char *needle);

/* The text after the last ": status: " of log (malloc'd), or NULL. */
char *it_last_status(const char *log);
/* Waits (at most timeout_ms) until the last status is want and every
 * child that logged "pid" has logged "end"; returns the log (malloc'd). */
char *it_settle(const struct it_server *s, const char *want, int timeout_ms);

#endif
