/* api_rules_edit.c: adding one rule (POST) and deleting one (DELETE),
 * both as edits of the parsed file that keep every other line as it was. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scan.h"
#include "rules/rules_file.h"
#include "web/api_int.h"

#define RULE_MAX_VARS 64

struct new_rule {
	const char *address;
	int deny;
	const char *names[RULE_MAX_VARS];
	const char *values[RULE_MAX_VARS];
	size_t nvars;
	long position;		/* 1-based among rules; -1 = at the end */
	const char *comment;	/* NULL = none */
	json_t *body;		/* owns the strings above */
};

static int
read_vars(struct api_call *c, json_t *vars, struct new_rule *nr)
{
	const char *key;
	json_t *v;

	if (vars == NULL)
		return 0;
	if (!json_is_object(vars)) {
		reply_problem_field(c->resp, "variables", "variables must be an object of strings");
		return -1;
	}
	json_object_foreach(vars, key, v) {
		if (!json_is_string(v) || nr->nvars == RULE_MAX_VARS || key[0] == '\0') {
			reply_problem_field(c->resp, "variables",
			    "variables must be at most %d non-empty names with string values",
			    RULE_MAX_VARS);
			return -1;
		}
		nr->names[nr->nvars] = key;
		nr->values[nr->nvars++] = json_string_value(v);
	}
	return 0;
}

static int
read_new_rule(struct api_call *c, struct new_rule *nr)
{
	static const char *const fields[] = { "address", "action", "variables", "position",
	    "comment", NULL };
	json_t *o = reply_read_json(c->req, c->resp), *a, *cm;
	const char *act;

	memset(nr, 0, sizeof(*nr));
	nr->position = -1;
	if ((nr->body = o) == NULL || reply_known_fields(o, fields, c->resp) == -1)
		return -1;
	if (!json_is_string(a = json_object_get(o, "address"))) {
		reply_problem_field(c->resp, "address", "address is required (a string)");
		return -1;
	}
	nr->address = json_string_value(a);
	act = json_string_value(json_object_get(o, "action"));
	if (act == NULL || (strcmp(act, "allow") != 0 && strcmp(act, "deny") != 0)) {
		reply_problem_field(c->resp, "action", "action is required: allow or deny");
		return -1;
	}
	nr->deny = act[0] == 'd';
	if (reply_get_int(o, "position", 1, 10000000, &nr->position, c->resp) == -1 ||
	    read_vars(c, json_object_get(o, "variables"), nr) == -1)
		return -1;
	cm = json_object_get(o, "comment");
	if (cm != NULL && !json_is_null(cm) && !json_is_string(cm)) {
		reply_problem_field(c->resp, "comment", "comment must be a string");
		return -1;
	}
	nr->comment = json_string_value(cm);
	if (nr->comment != NULL && nr->comment[0] == '\0')
		nr->comment = NULL;
	return 0;
}

/* The line index to insert at: before the position-th rule and its
 * comment block, or at the end. -1 after answering 400. */
static long
insert_index(struct api_call *c, const struct rules_file *rf, long position)
{
	size_t i, seen = 0;

	if (position < 0)
		return (long)rf->nlines;
	for (i = 0; i < rf->nlines; i++) {
		if (rf->lines[i].kind != RULES_LINE_RULE || ++seen != (size_t)position)
			continue;
		while (i > 0 && rf->lines[i - 1].kind == RULES_LINE_COMMENT)
			i--;
		return (long)i;
	}
	if ((size_t)position == seen + 1)
		return (long)rf->nlines;
	reply_problem_field(c->resp, "position", "position must be from 1 to %zu", seen + 1);
	return -1;
}

/* Inserts "# " + each line of comment at *at, advancing it. */
static int
insert_comment(struct api_call *c, struct rules_file *rf, const char *comment, size_t *at)
{
	char line[1024];

	while (comment != NULL) {
		const char *nl = strchr(comment, '\n');
		size_t n = nl != NULL ? (size_t)(nl - comment) : strlen(comment);

		if (n > sizeof(line) - 3) {
			reply_problem_field(c->resp, "comment", "comment lines are limited to 1000 bytes");
			return -1;
		}
		snprintf(line, sizeof(line), "#%s%.*s", n > 0 ? " " : "", (int)n, comment);
		if (rules_file_insert_line(rf, (*at)++, line, strlen(line)) == -1) {
			reply_problem_field(c->resp, "comment", "comment must be printable text");
			return -1;
		}
		comment = nl != NULL ? nl + 1 : NULL;
	}
	return 0;
}

static char *
render(struct api_call *c, struct rules_file *rf, size_t *newlen)
{
	char *text = NULL;

	if (rules_file_render(rf, &text, newlen) == -1)
		reply_problem(c->resp, 500, "internal", "out of memory");
	return text;
}

static char *
edit_add(struct api_call *c, const char *old, size_t oldlen, size_t *newlen, void *arg)
{
	struct new_rule *nr = arg;
	struct rules_file rf;
	char *line = NULL, *text = NULL;
	size_t linelen, at;
	long idx;

	if (rules_file_parse(&rf, old, oldlen, NULL) == -1)
		return NULL;
	if ((idx = insert_index(c, &rf, nr->position)) < 0)
		goto out;
	at = (size_t)idx;
	if (rules_rule_format(nr->address, nr->deny, nr->names, nr->values, nr->nvars,
	    &line, &linelen) == -1 || insert_comment(c, &rf, nr->comment, &at) == -1 ||
	    rules_file_insert_line(&rf, at, line, linelen) == -1 ||
	    rf.lines[at].kind != RULES_LINE_RULE) {
		if (c->resp->status == 0)
			reply_problem_field(c->resp, "address",
			    "the rule does not parse: check address and variables");
		goto out;
	}
	c->new_rule_id = (long)at + 1;
	text = render(c, &rf, newlen);
out:
	free(line);
	rules_file_free(&rf);
	return text;
}

void
api_post_rule(struct api_call *c)
{
	struct new_rule nr;

	if (read_new_rule(c, &nr) == 0)
		api_rules_edit(c, edit_add, &nr, 201);
	json_decref(nr.body);
}

static char *
edit_delete(struct api_call *c, const char *old, size_t oldlen, size_t *newlen, void *arg)
{
	unsigned long id = *(unsigned long *)arg;
	struct rules_file rf;
	char *text = NULL;
	size_t idx;

	if (rules_file_parse(&rf, old, oldlen, NULL) == -1)
		return NULL;
	if (id == 0 || id > rf.nlines || rf.lines[id - 1].kind != RULES_LINE_RULE) {
		reply_problem(c->resp, 404, "unknown-rule", "no rule with id %lu in this version",
		    id);
		goto out;
	}
	/* The comment block above belongs to the rule (it is its "comment"). */
	for (idx = id - 1; ; idx--) {
		if (rules_file_delete_line(&rf, idx) == -1 || idx == 0 ||
		    rf.lines[idx - 1].kind != RULES_LINE_COMMENT)
			break;
	}
	text = render(c, &rf, newlen);
out:
	rules_file_free(&rf);
	return text;
}

void
api_delete_rule(struct api_call *c)
{
	unsigned long id;

	if (scan_ulong(c->id, 100000000, &id) == -1) {
		reply_problem(c->resp, 404, "unknown-rule", "rule ids are line numbers");
		return;
	}
	api_rules_edit(c, edit_delete, &id, 200);
}
