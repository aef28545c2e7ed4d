/* rules_diag_format.c: a diagnostic as text: location, message, the line, a caret, the hint. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_file.h"

struct out {
	char *s;
	size_t len, cap;
	int failed;
};

static void
out_add(struct out *o, const char *p, size_t n)
{
	char *ns;
	size_t cap;

	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap) {
		cap = (o->len + n + 1) * 2;
		ns = realloc(o->s, cap);
		if (ns == NULL) {
			o->failed = 1;
			return;
		}
		o->s = ns;
		o->cap = cap;
	}
	memcpy(o->s + o->len, p, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void
out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

/* Control bytes are shown escaped, so a CR or an ESC cannot garble the
 * terminal; the width of each shown byte lines the caret up. */
static size_t
show_byte(unsigned char c, char buf[8])
{
	if (c == '\r')
		return (size_t)snprintf(buf, 8, "\\r");
	if ((c < 0x20 && c != '\t') || c == 0x7f)
		return (size_t)snprintf(buf, 8, "\\x%02x", c);
	buf[0] = (char)c;
	buf[1] = '\0';
	return 1;
}

static void
out_line_and_caret(struct out *o, const char *t, size_t len, size_t byte)
{
	char buf[8];
	size_t i, w;

	out_str(o, "    ");
	for (i = 0; i < len; i++) {
		w = show_byte((unsigned char)t[i], buf);
		out_add(o, buf, w);
	}
	out_str(o, "\n    ");
	for (i = 0; i < byte && i < len; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c == '\t')
			out_str(o, "\t");
		else if ((c & 0xc0) == 0x80)
			continue;
		else {
			w = show_byte(c, buf);
			while (w-- > 0)
				out_str(o, " ");
		}
	}
	out_str(o, "^\n");
}

int
rules_diag_format(const struct rules_file *rf, const struct rules_diag *d,
    const char *name, char **outp, size_t *outlen)
{
	struct out o = { NULL, 0, 0, 0 };
	char loc[64];

	(void)rf;
	out_str(&o, name);
	snprintf(loc, sizeof(loc), ":%zu:%zu: ", d->line, d->col);
	out_str(&o, loc);
	if (d->severity == RULES_WARNING)
		out_str(&o, "warning: ");
	out_str(&o, d->msg);
	out_str(&o, "\n");
	out_line_and_caret(&o, d->text, d->textlen, d->byte);
	if (d->hint != NULL) {
		out_str(&o, "    hint: ");
		out_str(&o, d->hint);
		out_str(&o, "\n");
	}
	if (o.failed) {
		free(o.s);
		errno = ENOMEM;
		return -1;
	}
	*outp = o.s;
	*outlen = o.len;
	return 0;
}
