/* rules_line.c: one line of a rules file, parsed exactly as tcprules 0.88
 * does, then the extensions for lines 0.88 would refuse. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_addr.h"
#include "rules/rules_diag.h"
#include "rules/rules_line.h"

static int
starts(const char *t, size_t len, size_t pos, const char *word)
{
	size_t n = strlen(word);

	return len - pos >= n && memcmp(t + pos, word, n) == 0;
}

static int
var_push(struct rules_file *rf, const struct rules_var *v)
{
	if (rules_grow((void **)&rf->vars, rf->nvars, &rf->varcap, sizeof(*v), 64) == -1)
		return -1;
	rf->vars[rf->nvars++] = *v;
	return 0;
}

static int
fail(struct rules_fail *f, enum rules_fail_kind kind, size_t off)
{
	f->kind = kind;
	f->off = off;
	return 1;
}

/* The instructions from pos (just after the colon): 0 parsed, 1 refused
 * (f filled), -1 out of memory. Variables go to rf->vars from ln->var_first. */
static int
parse_instr(struct rules_file *rf, struct rules_line *ln, size_t len, size_t pos,
    struct rules_fail *f)
{
	const char *t = ln->text, *eq, *close;
	struct rules_var v;

	ln->var_first = rf->nvars;
	ln->nvars = 0;
	f->name_off = pos;	/* for a keyword failure: where it should be */
	f->name_len = 0;
	f->quote = 0;
	if (starts(t, len, pos, "deny")) {
		ln->deny = 1;
		pos += 4;
	} else if (starts(t, len, pos, "allow")) {
		ln->deny = 0;
		pos += 5;
	} else
		return fail(f, RULES_FAIL_KEYWORD, pos);
	while (pos < len) {
		if (t[pos] != ',')
			return fail(f, ln->nvars ? RULES_FAIL_JUNK : RULES_FAIL_KEYWORD, pos);
		eq = memchr(t + pos + 1, '=', len - pos - 1);
		f->name_off = pos + 1;
		if (eq == NULL) {
			f->name_len = len - pos - 1;
			return fail(f, RULES_FAIL_NO_EQUALS, pos + 1);
		}
		v.name_off = pos + 1;
		v.name_len = (size_t)(eq - t) - pos - 1;
		f->name_len = v.name_len;
		pos = (size_t)(eq - t) + 1;
		if (pos == len)
			return fail(f, RULES_FAIL_NO_VALUE, pos - 1);
		f->quote = t[pos];
		close = memchr(t + pos + 1, t[pos], len - pos - 1);
		if (close == NULL)
			return fail(f, RULES_FAIL_UNTERMINATED, pos);
		v.value_off = pos + 1;
		v.value_len = (size_t)(close - t) - pos - 1;
		if (ln->nvars == UINT16_MAX) {
			errno = EFBIG;
			return -1;
		}
		if (var_push(rf, &v) == -1)
			return -1;
		ln->nvars++;
		pos = (size_t)(close - t) + 1;
	}
	return 0;
}

static int
line_error(struct rules_file *rf, size_t lineno, struct rules_line *ln, size_t len,
    const struct rules_fail *f)
{
	char msg[256], hint[512];
	size_t off;

	rules_explain(ln->text, len, f, msg, sizeof(msg), hint, sizeof(hint), &off);
	ln->kind = RULES_LINE_BAD;
	ln->nvars = 0;
	return rules_diag_add(rf, lineno, ln, off, RULES_ERROR, msg, hint);
}

static int
addr_error(struct rules_file *rf, size_t lineno, struct rules_line *ln,
    const struct rules_addr_err *e)
{
	ln->kind = RULES_LINE_BAD;
	ln->nvars = 0;
	return rules_diag_add(rf, lineno, ln, e->off, RULES_ERROR, e->msg, e->hint);
}

/* MAXCONNIP and MAXCONNC are read by the listener as counts. */
static int
check_limits(struct rules_file *rf, size_t lineno, const struct rules_line *ln)
{
	static const char *const names[] = { "MAXCONNIP", "MAXCONNC" };
	const struct rules_var *v;
	char msg[160];
	size_t i, k, j;

	for (i = 0; i < ln->nvars; i++) {
		v = &rf->vars[ln->var_first + i];
		if (v->name_len != 9 && v->name_len != 8)
			continue;
		for (k = 0; k < 2; k++) {
			if (v->name_len != strlen(names[k]) ||
			    memcmp(ln->text + v->name_off, names[k], v->name_len) != 0)
				continue;
			for (j = 0; j < v->value_len; j++)
				if (ln->text[v->value_off + j] < '0' || ln->text[v->value_off + j] > '9')
					break;
			if (v->value_len > 0 && v->value_len <= 9 && j == v->value_len)
				continue;
			snprintf(msg, sizeof(msg), "%s must be a whole number of connections (0 or more)",
			    names[k]);
			if (rules_diag_add(rf, lineno, ln, v->value_off, RULES_WARNING, msg,
			    "write it as digits only, e.g. MAXCONNIP=\"5\"; tcprules 0.88 stores any text") == -1)
				return -1;
		}
	}
	return 0;
}

/* The IPv6 build's colon: the first one followed by allow or deny. */
static size_t
ipv6_colon(const char *t, size_t len, size_t from)
{
	size_t i;

	for (i = from; i < len; i++)
		if (t[i] == ':' && (starts(t, len, i + 1, "allow") || starts(t, len, i + 1, "deny")))
			return i;
	return len;
}

/* A line 0.88 refuses: accepted when it is an IPv6 rule, else explained. */
static int
parse_extended(struct rules_file *rf, size_t lineno, struct rules_line *ln, size_t len,
    size_t colon, const struct rules_fail *f4)
{
	struct rules_addr_err e;
	struct rules_fail f;
	size_t c6;
	int r;

	c6 = ipv6_colon(ln->text, len, colon + 1);
	if (c6 == len || !rules_addr_looks_ipv6(ln->text, c6))
		return line_error(rf, lineno, ln, len, f4);
	rf->nvars = ln->var_first;
	r = parse_instr(rf, ln, len, c6 + 1, &f);
	if (r == -1)
		return -1;
	if (r == 1)
		return line_error(rf, lineno, ln, len, &f);
	if (rules_addr_keys(ln->text, c6, 1, &rf->opts, NULL, NULL, &e) != 0)
		return addr_error(rf, lineno, ln, &e);
	ln->kind = RULES_LINE_RULE;
	ln->ext = RULES_EXT_IPV6;
	ln->addr_len = c6;
	return check_limits(rf, lineno, ln);
}

static int
parse_rule(struct rules_file *rf, size_t lineno, struct rules_line *ln, size_t len,
    size_t colon)
{
	struct rules_addr_err e;
	struct rules_fail f;
	int r;

	ln->addr_len = colon;
	r = parse_instr(rf, ln, len, colon + 1, &f);
	if (r == -1)
		return -1;
	if (r == 1)
		return parse_extended(rf, lineno, ln, len, colon, &f);
	if (rules_addr_keys(ln->text, colon, 0, &rf->opts, NULL, NULL, &e) != 0)
		return addr_error(rf, lineno, ln, &e);
	ln->kind = RULES_LINE_RULE;
	if (rules_addr_warning(ln->text, colon, &rf->opts, &e) &&
	    rules_diag_add(rf, lineno, ln, e.off, RULES_WARNING, e.msg, e.hint) == -1)
		return -1;
	if (rf->opts.cidr4 && memchr(ln->text, '/', colon) != NULL)
		ln->ext = RULES_EXT_CIDR4;
	return check_limits(rf, lineno, ln);
}

int
rules_line_parse(struct rules_file *rf, size_t lineno, struct rules_line *ln)
{
	const char *t = ln->text, *colon;
	size_t len = ln->len, i;

	ln->deny = 0;
	ln->ext = RULES_EXT_NONE;
	ln->addr_len = 0;
	ln->var_first = rf->nvars;
	ln->nvars = 0;
	if (len == 0) {
		ln->kind = RULES_LINE_BLANK;
		return 0;
	}
	if (t[0] == '#') {
		ln->kind = RULES_LINE_COMMENT;
		return 0;
	}
	while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t'))
		len--;
	colon = memchr(t, ':', len);
	if (colon != NULL)
		return parse_rule(rf, lineno, ln, len, (size_t)(colon - t));
	ln->kind = len == 0 ? RULES_LINE_BLANK : RULES_LINE_IGNORED;
	for (i = 0; i < len && (t[i] == ' ' || t[i] == '\t'); i++)
		;
	if (i == len || t[i] == '#')
		return 0;
	return rules_diag_add(rf, lineno, ln, i, RULES_WARNING,
	    "no colon: tcprules skips this line",
	    "a rule is ADDRESS:allow or ADDRESS:deny, a comment starts with # in column 1");
}
