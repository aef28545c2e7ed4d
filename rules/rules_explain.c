/* rules_explain.c: why tcprules would refuse a line, in words, with a hint
 * where the cause is known (typographic quotes, CRLF, blanks, keywords). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rules/rules_line.h"

struct explain {
	char *msg, *hint;
	size_t msgsize, hintsize;
	size_t off;
};

static void
say(struct explain *x, size_t off, const char *msg, const char *hint)
{
	x->off = off;
	snprintf(x->msg, x->msgsize, "%s", msg);
	snprintf(x->hint, x->hintsize, "%s", hint ? hint : "");
}

static int
starts(const char *t, size_t len, size_t pos, const char *word)
{
	size_t n = strlen(word);

	return pos <= len && len - pos >= n && memcmp(t + pos, word, n) == 0;
}

/* The offset of the first “ ” ‘ or ’ (E2 80 9C/9D/98/99) at or after from. */
static size_t
find_typographic(const char *t, size_t len, size_t from)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t i;

	for (i = from; i + 2 < len; i++)
		if (u[i] == 0xe2 && u[i + 1] == 0x80 &&
		    (u[i + 2] == 0x9c || u[i + 2] == 0x9d || u[i + 2] == 0x98 || u[i + 2] == 0x99))
			return i;
	return len;
}

static size_t
keyword_len(const char *t, size_t len, size_t pos)
{
	if (starts(t, len, pos, "allow"))
		return 5;
	if (starts(t, len, pos, "deny"))
		return 4;
	return 0;
}

static void
explain_keyword(struct explain *x, const char *t, size_t len, size_t kw)
{
	size_t n = keyword_len(t, len, kw), i;
	char msg[128];

	for (i = 0; i < len && (t[i] == ' ' || t[i] == '\t'); i++)
		;
	if (i > 0 && i < len && t[i] == '#')
		say(x, i, "a comment must start in column 1",
		    "tcprules reads an indented # line that has a colon as a rule");
	else if (n > 0) {
		for (i = kw + n; i < len && (t[i] == ' ' || t[i] == '\t'); i++)
			;
		snprintf(msg, sizeof(msg), "unexpected text after %s", n == 5 ? "allow" : "deny");
		say(x, kw + n, msg, i < len && t[i] == '#' ?
		    "comments must be on a line of their own, with # in column 1" :
		    "the instruction is allow or deny exactly, then optional ,NAME=\"value\" items");
	} else if (kw == len)
		say(x, kw, "nothing after the colon",
		    "write allow or deny after the colon, e.g. 1.2.3.4:allow");
	else if (t[kw] == ' ' || t[kw] == '\t')
		say(x, kw, "a blank after the colon",
		    "tcprules wants allow or deny right after the colon: remove the blank");
	else if ((len - kw >= 5 && strncasecmp(t + kw, "allow", 5) == 0) ||
	    (len - kw >= 4 && strncasecmp(t + kw, "deny", 4) == 0))
		say(x, kw, "allow and deny must be written in lower case", NULL);
	else if (memchr(t + kw, ':', len - kw) != NULL)
		say(x, kw, "expected allow or deny after the first colon",
		    "the address ends at the first colon; IPv6 rules are written as "
		    "tcpserver prints the address, e.g. 2001:db8::1:allow");
	else
		say(x, kw, "expected allow or deny after the colon",
		    "a rule is ADDRESS:allow or ADDRESS:deny, optionally followed by ,NAME=\"value\"");
}

static void
explain_var(struct explain *x, const char *t, size_t len, const struct rules_fail *f)
{
	char msg[192], hint[256];
	int nl = f->name_len > 40 ? 40 : (int)f->name_len;
	const char *name = t + f->name_off;

	switch (f->kind) {
	case RULES_FAIL_NO_EQUALS:
		snprintf(msg, sizeof(msg), "variable %.*s has no =", nl, name);
		say(x, f->off, msg, "write ,NAME=\"value\" (an empty value is NAME=\"\")");
		break;
	case RULES_FAIL_NO_VALUE:
		snprintf(msg, sizeof(msg), "no value after %.*s=", nl, name);
		say(x, f->off, msg, "write NAME=\"\" for an empty value");
		break;
	case RULES_FAIL_UNTERMINATED:
		snprintf(msg, sizeof(msg), "the value of %.*s is not terminated", nl, name);
		snprintf(hint, sizeof(hint), "tcprules takes the character after = (%c) as the "
		    "quote and the value runs to the next %c; there is no escape",
		    f->quote, f->quote);
		say(x, f->off, msg, hint);
		break;
	default:
		snprintf(msg, sizeof(msg), "unexpected text after the value of %.*s", nl, name);
		say(x, f->off, msg, "items are separated by commas: ,A=\"1\",B=\"2\"; a comment "
		    "must be on a line of its own");
		break;
	}
	(void)len;
}

void
rules_explain(const char *t, size_t len, const struct rules_fail *f,
    char *msg, size_t msgsize, char *hint, size_t hintsize, size_t *off)
{
	struct explain x = { msg, hint, msgsize, hintsize, 0 };
	size_t q, kwn;

	if (f->kind == RULES_FAIL_KEYWORD)
		explain_keyword(&x, t, len, f->name_off);
	else
		explain_var(&x, t, len, f);
	q = find_typographic(t, len, f->kind == RULES_FAIL_KEYWORD ? len : f->name_off);
	kwn = f->kind == RULES_FAIL_KEYWORD ? keyword_len(t, len, f->name_off) : 0;
	if (q < len)
		say(&x, q, "a typographic quote where tcprules needs a plain one",
		    "tcprules takes the byte after = as the quote and has no other quoting; "
		    "word processors and web pages turn \" into \xe2\x80\x9c \xe2\x80\x9d: "
		    "type plain ASCII quotes \"");
	else if (len > 0 && t[len - 1] == '\r' &&
	    (f->off + 1 >= len || (kwn > 0 && f->name_off + kwn + 1 == len)))
		say(&x, len - 1, "the line ends in a carriage return (CR)",
		    "the file has DOS line ends (CRLF); convert it with dos2unix or "
		    "sed -i 's/\\r$//' FILE");
	*off = x.off;
}
