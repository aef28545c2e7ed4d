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

/* Each writes one whole line with a single write(2), so lines from a parent
 * and its children do not interleave mid-line. The _sys forms append
 * ": " and errstr(errno). */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die_x(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void die_sys(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* "PROG: usage: USAGE" then exit 100. */
void die_usage(const char *usage) __attribute__((noreturn));

/* Writes "PROG: " + fmt + "\n" at verbosity >= level, no tag. */
void log_line(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vline(int level, const char *tag, const char *fmt, va_list ap, int with_errno);

#endif
