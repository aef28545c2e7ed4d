/* api_rules.c: a service's rules as JSON or text; whole-file replace, one
 * rule added or deleted; each write checked, compiled to rules.cdb and
 * renamed into place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/atomicfile.h"
#include "lib/scan.h"
#include "rules/rules_compile.h"
#include "rules/rules_file.h"
#include "web/api_int.h"
#include "web/util.h"

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), 0 when
 * it is not one (RFC 3629: no overlong forms, surrogates or past
 * U+10FFFF, as jansson checks). */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned long c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

/* A JSON string of n bytes of a rules file, which tcprules takes as
 * bytes: JSON takes UTF-8 only, so a byte that is not part of a valid
 * sequence shows as U+FFFD. Without this the rule (or the variable)
 * was left out of the list without a word. A NUL shows so too: as
 * \u0000 it is JSON, but jansson's reader (mailctl's) refuses it by
 * default, and the whole list with it. NULL on ENOMEM. */
static json_t *
text_json(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	json_t *o = memchr(s, '\0', n) == NULL ? json_stringn(s, n) : NULL;
	size_t i, k, len = 0;
	char *buf;

	if (o != NULL)
		return o;
	if ((buf = malloc(n * 3 + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i += k) {
		if (u[i] == '\0' || (k = utf8_seq(u + i, n - i)) == 0) {
			memcpy(buf + len, "\xef\xbf\xbd", 3);
			len += 3;
			k = 1;
		} else {
			memcpy(buf + len, s + i, k);
			len += k;
		}
	}
	o = json_stringn(buf, len);
	free(buf);
	return o;
}

/* The comment block right above line idx ("# " cut), or NULL. */
static json_t *
comment_above(const struct rules_file *rf, size_t idx)
{
	char *buf = NULL;
	size_t first = idx, i, buflen = 0;
	json_t *o;
	FILE *f;

	while (first > 0 && rf->lines[first - 1].kind == RULES_LINE_COMMENT)
		first--;
	if (first == idx || (f = open_memstream(&buf, &buflen)) == NULL)
		return json_null();
	for (i = first; i < idx; i++) {
		const struct rules_line *ln = &rf->lines[i];
		size_t skip = ln->len > 1 && ln->text[1] == ' ' ? 2 : 1;

		fprintf(f, "%s%.*s", i > first ? "\n" : "", (int)(ln->len - skip), ln->text + skip);
	}
	fclose(f);
	o = text_json(buf, buflen);
	free(buf);
	return o != NULL ? o : json_null();
}

static json_t *
rule_json(const struct rules_file *rf, size_t idx)
{
	const struct rules_line *ln = &rf->lines[idx];
	json_t *vars = json_object(), *name;
	size_t i;

	for (i = 0; vars != NULL && i < ln->nvars; i++) {
		const struct rules_var *v = &rf->vars[ln->var_first + i];

		/* A key is text up to its first NUL for jansson. */
		name = text_json(ln->text + v->name_off, v->name_len);
		if (name != NULL)
			json_object_set_new(vars, json_string_value(name),
			    text_json(ln->text + v->value_off, v->value_len));
		json_decref(name);
	}
	return json_pack("{s:I, s:I, s:o, s:s, s:o, s:o}", "id", (json_int_t)(idx + 1),
	    "line", (json_int_t)(idx + 1), "address", text_json(ln->text, ln->addr_len),
	    "action", ln->deny ? "deny" : "allow", "variables", vars,
	    "comment", comment_above(rf, idx));
}

static json_t *
rules_json(const struct rules_file *rf, const char *etag)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < rf->nlines; i++)
		if (rf->lines[i].kind == RULES_LINE_RULE)
			json_array_append_new(arr, rule_json(rf, i));
	return json_pack("{s:s, s:o}", "etag", etag, "rules", arr);
}

/* Parses text; 0, or -1 after answering 400 with the first error. */
static int
parse_checked(struct api_call *c, const char *text, size_t len, struct rules_file *rf)
{
	size_t i;

	if (rules_file_parse(rf, text, len, NULL) == -1) {
		reply_problem(c->resp, 500, "internal", "unable to parse: %s", strerror(errno));
		return -1;
	}
	if (rf->nerrors == 0)
		return 0;
	for (i = 0; i < rf->ndiags && rf->diags[i].severity != RULES_ERROR; i++)
		;
	reply_problem_extra(c->resp, 400, "invalid-rules", json_pack("{s:I, s:I, s:I}",
	    "line", (json_int_t)rf->diags[i].line, "column", (json_int_t)rf->diags[i].col,
	    "errors", (json_int_t)rf->nerrors), rf->diags[i].msg);
	rules_file_free(rf);
	return -1;
}

/* rules.cdb first (what the listener reads), then the text. */
static int
write_files(const struct conf_service *svc, const struct rules_file *rf,
    const char *text, size_t len)
{
	struct atomicfile af;
	char *cdb = api_conf_path(svc, "rules.cdb"), *path = api_conf_path(svc, "rules");
	int r = -1;

	if (cdb == NULL || path == NULL || atomicfile_open(&af, cdb, NULL, 0644) == -1)
		goto out;
	if (rules_compile_fd(rf, af.fd) == -1) {
		atomicfile_abort(&af);
		goto out;
	}
	if (atomicfile_commit(&af) == -1)
		goto out;
	r = atomicfile_replace(path, text, len, 0644);
out:
	free(cdb), free(path);
	return r;
}

static json_t *
rules_audit_json(const char *text, size_t len)
{
	char etag[80];

	util_etag(text, len, etag);
	/* The etag names the exact bytes; the text may show some as U+FFFD. */
	return json_pack("{s:s, s:o}", "etag", etag, "text", text_json(text, len));
}

void
api_rules_install(struct api_call *c, const char *text, size_t len,
    const char *old, size_t oldlen, int old_exists, int status)
{
	struct rules_file rf;
	char etag[80];
	json_t *o;

	if (parse_checked(c, text, len, &rf) == -1)
		return;
	if (write_files(c->svc, &rf, text, len) == -1 ||
	    api_history_add(c, "rules", old, oldlen, old_exists, text, len) == -1) {
		reply_problem(c->resp, 500, "io", "unable to write the rules of %s: %s",
		    c->svc->name, strerror(errno));
		rules_file_free(&rf);
		return;
	}
	api_audit(c, "rules", old_exists ? rules_audit_json(old, oldlen) : NULL,
	    rules_audit_json(text, len));
	util_etag(text, len, etag);
	o = rules_json(&rf, etag);
	if (o != NULL && c->new_rule_id > 0)
		json_object_set_new(o, "id", json_integer(c->new_rule_id));
	reply_json(c->resp, status, o);
	reply_header(c->resp, "ETag", etag);
	rules_file_free(&rf);
}

/* 1 when the client asked for text/plain rather than JSON. */
static int
wants_text(const char *accept)
{
	return accept != NULL && strstr(accept, "text/plain") != NULL &&
	    strstr(accept, "application/json") == NULL;
}

void
api_get_rules(struct api_call *c)
{
	struct rules_file rf;
	char *text, etag[80];
	size_t len;
	int exists;

	if (api_read_conf(c->svc, "rules", &text, &len, &exists) == -1) {
		reply_problem(c->resp, 500, "io", "unable to read the rules: %s", strerror(errno));
		return;
	}
	util_etag(text, len, etag);
	if (wants_text(c->req->accept)) {
		reply_text(c->resp, 200, "text/plain; charset=utf-8", text, len);
	} else if (rules_file_parse(&rf, text, len, NULL) == 0) {
		reply_json(c->resp, 200, rules_json(&rf, etag));
		rules_file_free(&rf);
	} else
		reply_problem(c->resp, 500, "internal", "unable to parse the rules");
	free(text);
	reply_header(c->resp, "ETag", etag);
}

void
api_rules_edit(struct api_call *c, api_rules_edit_fn *edit, void *arg, int status)
{
	char *old, *text, etag[80];
	size_t oldlen, len;
	int exists;

	pthread_mutex_lock(&c->ctx->write_lock);
	if (api_read_conf(c->svc, "rules", &old, &oldlen, &exists) == -1) {
		reply_problem(c->resp, 500, "io", "unable to read the rules: %s", strerror(errno));
		goto out;
	}
	util_etag(old, oldlen, etag);
	if (api_check_if_match(c, etag) == 0 && (text = edit(c, old, oldlen, &len, arg)) != NULL) {
		api_rules_install(c, text, len, old, oldlen, exists, status);
		free(text);
	}
	free(old);
out:
	pthread_mutex_unlock(&c->ctx->write_lock);
}

static char *
edit_replace(struct api_call *c, const char *old, size_t oldlen, size_t *newlen, void *arg)
{
	json_t *o;
	char *text;

	if (reply_ctype_is(c->req->content_type, "text/plain")) {
		*newlen = c->req->body_len;
		text = malloc(*newlen + 1);
		if (text != NULL && *newlen > 0)
			memcpy(text, c->req->body, *newlen);
		return text;
	}
	if ((o = reply_read_json(c->req, c->resp)) == NULL)
		return NULL;
	if (reply_known_fields(o, (const char *const[]){ "text", NULL }, c->resp) == -1) {
		json_decref(o);
		return NULL;
	}
	if (!json_is_string(json_object_get(o, "text"))) {
		reply_problem_field(c->resp, "text", "text must be a string (the whole file)");
		json_decref(o);
		return NULL;
	}
	*newlen = json_string_length(json_object_get(o, "text"));
	if ((text = malloc(*newlen + 1)) != NULL)
		memcpy(text, json_string_value(json_object_get(o, "text")), *newlen);
	json_decref(o);
	return text;
}

void
api_put_rules(struct api_call *c)
{
	api_rules_edit(c, edit_replace, NULL, 200);
}
