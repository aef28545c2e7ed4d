/* log.h: the one way programs report: "PROG: fatal: ...", "PROG: warning: ...".
 * Library code never calls these; only programs do. */
#ifndef MAILSTACK_LOG_H
#define MAILSTACK_LOG_H

#include <stdarg.h>

/* ucspi exit codes */
#define EX_PERM 100	/* usage, config or data error */
#define EX_TEMP 111	/* system or temporary failure */
#define EX_BUG 101	/* internal inconsistency */

/* Verbosity as tcpserver: 0 = nothing, 1 = fatal and warnings, 2 = info too. */
extern int log_verbosity;

/* Sets the prefix from argv[0] (its basename). */
void log_set_prog(const char *argv0);
const char *log_prog(void);

/* Each writes one whole line with a single write(2) (or, batching, into
 * the batch), so lines from a parent and its children do not interleave
 * mid-line. The _sys forms append
 * ": " and errstr(errno). */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die_x(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void die_sys(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* "PROG: usage: USAGE" then exit 100. */
void die_usage(const char *usage) __attribute__((noreturn));

/* Batched output for an event loop (lib/logbatch.c): after
 * log_batch_start every line goes into a buffer of cap bytes (a line that
 * does not fit is counted and dropped) and is written by log_batch_flush
 * without ever blocking: the loop calls it once per round and, while
 * log_batch_fd is not -1, polls that descriptor for POLLOUT. The count of
 * dropped lines is logged when the buffer has drained. 0, or -1 (ENOMEM:
 * lines are then written at once as before). */
#define LOG_BATCH_MAX 65536
#define LOG_BATCH_DRAIN_MS 200
/* "FD DROPPED": the log descriptor a re-exec hands the next image. */
#define LOG_BATCH_ENV "MAILSTACK_LOGFD"
int log_batch_start(size_t cap);
/* 0 with the line kept (or counted as dropped), -1 when not batching. */
int log_batch_append(const char *line, size_t n);
/* Writes what the log takes now. 1 when lines are left, else 0. */
int log_batch_flush(void);
/* The descriptor to poll for room, -1 when nothing is pending. */
int log_batch_fd(void);
/* Flushes, waiting up to timeout_ms for room; -1 when lines are left. */
int log_batch_drain(int timeout_ms);
/* Before an exec: drains (LOG_BATCH_DRAIN_MS at most) and writes into
 * var "LOG_BATCH_ENV=FD DROPPED" for the next image, returning FD (its
 * close-on-exec is the caller's to clear), or -1 (var empty) when there
 * is no descriptor of our own to hand over. */
int log_batch_handover(char *var, size_t varlen);
/* In a forked child: no batching, pending lines are the parent's. */
void log_batch_stop(void);

/* Writes "PROG: " + fmt + "\n" at verbosity >= level, no tag. */
void log_line(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vline(int level, const char *tag, const char *fmt, va_list ap, int with_errno);

#endif
