/* harness.h: a small library for end-to-end tests: spawn programs with
 * captured output, wait for their port line, talk to them over loopback
 * with timeouts, and kill and reap everything they started. */
#ifndef MAILSTACK_TESTS_HARNESS_H
#define MAILSTACK_TESTS_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

/* Every wait in a test is bounded; this is the usual bound. */
#define HARNESS_TIMEOUT_MS 5000

struct harness_proc {
	pid_t pid;		/* also the process group of everything it starts */
	int out_fd;		/* read end of the child's stdout, -1 when closed */
	char *err_path;		/* the child's stderr goes to this file (owned) */
	int status;		/* wait status, valid once reaped */
	int reaped;
};

/* Runs in the forked child just before exec (after the fds are set up);
 * returns 0, or -1 to make the child exit 127. */
typedef int harness_setup_fn(void *arg);

struct harness_opts {
	const char *cwd;		/* NULL = the test's */
	const char *stdin_path;		/* NULL = /dev/null */
	int pass_fd;			/* -1 = none; else dup2(pass_fd, pass_fd_as) */
	int pass_fd_as;
	harness_setup_fn *setup;	/* NULL = none */
	void *setup_arg;
};

#define HARNESS_OPTS_ZERO { NULL, NULL, -1, -1, NULL, NULL }

/* Kills and reaps every process group still running from harness_spawn
 * and removes every harness_tmpdir: the .fini of each test, so that a
 * failed assertion leaves nothing behind. */
void harness_cleanup(void);

/* A fresh private directory under $TMPDIR or /tmp; the path belongs to
 * the harness, harness_cleanup removes the tree and frees it. */
const char *harness_tmpdir(void);
void harness_rmtree(const char *path);
/* Writes n bytes to dir/name; returns the malloc'd path, NULL on error. */
char *harness_write_file(const char *dir, const char *name, const void *p,
    size_t n);
/* Reads a whole file into a malloc'd NUL-terminated string, NULL on error. */
char *harness_read_file(const char *path, size_t *len);

/* Starts argv[0] (a path) with exactly envp (NULL = empty environment) in a
 * new process group, stdout on a pipe, stderr in a file in dir, signals
 * at their defaults and no other descriptor of the test (but o->pass_fd).
 * Returns 0 or -1 with errno. */
int harness_spawn(struct harness_proc *p, const char *dir, char *const argv[],
    char *const envp[], const struct harness_opts *o);
/* fork() for a helper written in C (a fake identd): the child gets its
 * own process group and dies with the test; the parent tracks it so that
 * harness_cleanup kills it. Returns as fork() does. */
pid_t harness_fork(void);
/* Moves the calling test process into a new network namespace with only
 * the loopback interface, up. 0 or -1. */
int harness_private_net(void);

/* Moves the calling test process into a private mount namespace (once)
 * and bind-mounts the file src over target there, e.g. a resolv.conf that
 * names a fake DNS server in a harness_private_net. 0 or -1. */
int harness_private_file(const char *src, const char *target);

/* Reads one decimal line (the -1 port line) from stdout. Returns the
 * number, or -1 on timeout, EOF or garbage. */
long harness_read_port(struct harness_proc *p, int timeout_ms);
/* Reads stdout until EOF; malloc'd string or NULL on timeout. */
char *harness_read_stdout(struct harness_proc *p, int timeout_ms);
/* The stderr file so far (malloc'd, never NULL unless out of memory). */
char *harness_stderr(const struct harness_proc *p);
/* Waits until needle occurs at least count times in stderr. Returns 0, or
 * -1 on timeout. */
int harness_wait_stderr(const struct harness_proc *p, const char *needle,
    int count, int timeout_ms);
int harness_count(const char *hay, const char *needle);
/* 1 when text (may be NULL) has line as a whole line. */
int harness_has_line(const char *text, const char *line);
/* Waits for the process to exit. Returns 0 once reaped, -1 on timeout. */
int harness_wait_exit(struct harness_proc *p, int timeout_ms);
/* SIGKILLs the whole process group, reaps the leader, frees p's memory.
 * Safe to call twice and on a proc that never started. */
void harness_kill(struct harness_proc *p);
/* Runs a program to completion (bounded): *out and *err get malloc'd
 * outputs (either may be NULL to discard). Returns the wait status, or -1. */
int harness_run(const char *dir, char *const argv[], char *const envp[],
    const struct harness_opts *o, int timeout_ms, char **out, char **err);
/* Exit code of a wait status, or 128 + signal; -1 for other states. */
int harness_exit_code(int status);

/* Loopback client side. family is 4 (127.0.0.1) or 6 (::1); src may name
 * another loopback source address ("127.0.0.2") or be NULL. Returns a
 * blocking connected socket, or -1. */
int harness_connect(int family, const char *src, unsigned port,
    int timeout_ms);
/* A socket of type (SOCK_STREAM, listening, or SOCK_DGRAM) bound to
 * 127.0.0.1:port, for fake peers in a harness_private_net. -1 on error. */
int harness_bind_loopback(int type, unsigned port);
/* The local port of a socket, or -1. */
int harness_local_port(int fd);
/* A loopback TCP port nothing listens on (bound, then closed), or -1. */
int harness_free_port(void);
int harness_send(int fd, const char *s);
/* Reads until EOF. Returns a malloc'd string (length in *len if not NULL),
 * or NULL on timeout or a read error other than a reset. */
char *harness_read_all(int fd, int timeout_ms, size_t *len);
/* 1 when the peer closes fd within timeout_ms (what it sends first is
 * read and dropped), else 0. */
int harness_closed(int fd, int timeout_ms);
/* Reads what arrives until want bytes or EOF or the timeout. Returns the
 * number of bytes stored in buf (NUL-terminated, cap includes the NUL). */
size_t harness_read_upto(int fd, char *buf, size_t cap, size_t want,
    int timeout_ms);
/* 1 if bytes or EOF are readable within timeout_ms, else 0. */
int harness_readable(int fd, int timeout_ms);
/* Closes with SO_LINGER 0 so the peer sees a reset. */
void harness_reset(int fd);

/* timeout_ms as the harness waits it: MAILSTACK_SLOWDOWN times longer
 * when set (make check-valgrind runs the programs under valgrind). */
int harness_slow_ms(int timeout_ms);

/* Milliseconds on the monotonic clock. */
long long harness_now_ms(void);
void harness_sleep_ms(int ms);

#endif
