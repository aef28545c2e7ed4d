/* log.c: program messages, one write(2) per line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errstr.h"
#include "log.h"

int log_verbosity = 1;
static const char *prog = "mailstack";

void
log_set_prog(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	prog = slash ? slash + 1 : argv0;
}

const char *
log_prog(void)
{
	return prog;
}

/* Formats "PROG: TAG" + message [+ ": errstr"] + "\n" into a stack buffer
 * and writes it at once; an over-long line is cut, never split. */
void
log_vline(int level, const char *tag, const char *fmt, va_list ap, int with_errno)
{
	char buf[2048];
	int saved = errno;
	size_t n;
	int r;

	if (log_verbosity < level) {
		errno = saved;
		return;
	}
	r = snprintf(buf, sizeof buf, "%s: %s", prog, tag);
	n = r < 0 ? 0 : (size_t)r;
	if (n < sizeof buf) {
		r = vsnprintf(buf + n, sizeof buf - n, fmt, ap);
		n += r < 0 ? 0 : (size_t)r;
	}
	if (with_errno && n < sizeof buf) {
		r = snprintf(buf + n, sizeof buf - n, ": %s", errstr(saved));
		n += r < 0 ? 0 : (size_t)r;
	}
	if (n > sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	if (log_batch_append(buf, n) == 0) {
		errno = saved;
		return;
	}
	while (write(2, buf, n) < 0 && errno == EINTR)
		;
	errno = saved;
}

void
log_line(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(level, "", fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(2, "", fmt, ap, 0);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(1, "warning: ", fmt, ap, 0);
	va_end(ap);
}

void
log_warn_sys(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(1, "warning: ", fmt, ap, 1);
	va_end(ap);
}

void
die_x(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(1, "fatal: ", fmt, ap, 0);
	va_end(ap);
	(void)log_batch_drain(1000);
	_exit(code);
}

void
die_sys(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(1, "fatal: ", fmt, ap, 1);
	va_end(ap);
	(void)log_batch_drain(1000);
	_exit(code);
}

static void
usage_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(1, "usage: ", fmt, ap, 0);
	va_end(ap);
}

void
die_usage(const char *usage)
{
	usage_line("%s", usage);
	_exit(EX_PERM);
}
