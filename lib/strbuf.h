/* strbuf.h: a growable byte buffer, always NUL-terminated after len. */
#ifndef MAILSTACK_STRBUF_H
#define MAILSTACK_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *s;	/* owned; NULL until the first append */
	size_t len;
	size_t cap;
};

#define STRBUF_ZERO { NULL, 0, 0 }

/* Each returns 0, or -1 with errno ENOMEM (the buffer is unchanged then). */
int strbuf_append(struct strbuf *sb, const void *p, size_t n);
int strbuf_appends(struct strbuf *sb, const char *s);
int strbuf_appendc(struct strbuf *sb, char c);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
int strbuf_reserve(struct strbuf *sb, size_t extra);
void strbuf_reset(struct strbuf *sb);	/* len = 0, memory kept */
void strbuf_free(struct strbuf *sb);	/* back to STRBUF_ZERO */

#endif
