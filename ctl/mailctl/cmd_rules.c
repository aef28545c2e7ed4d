/* cmd_rules.c: mailctl rules SERVICE list|add|delete|replace (check is in rules_check.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errstr.h"
#include "ctl/mailctl/ctl.h"
#include "ctl/mailctl/view.h"

static const char *const rules_heads[] = {
	"ID", "LINE", "ADDRESS", "ACTION", "VARIABLES", "COMMENT"
};

static void
rules_vars_cell(struct table *t, json_t *vars)
{
	struct strbuf sb = STRBUF_ZERO;
	const char *name;
	json_t *v;
	int r = 0;

	json_object_foreach(vars, name, v)
		r |= strbuf_printf(&sb, "%s%s=\"%s\"", sb.len > 0 ? "," : "", name,
		    json_is_string(v) ? json_string_value(v) : "");
	table_add(t, r == 0 && sb.len > 0 ? sb.s : "-");
	strbuf_free(&sb);
}

/* The first line of the comment block; people read the rest in the file. */
static void
rules_comment_cell(struct table *t, json_t *comment)
{
	const char *s = json_string_value(comment);

	if (s == NULL || *s == '\0')
		table_add(t, "-");
	else
		table_addf(t, "%.*s%s", (int)strcspn(s, "\n"), s,
		    strchr(s, '\n') != NULL && s[strcspn(s, "\n") + 1] != '\0' ? " ..." : "");
}

int
view_rules(json_t *rules, FILE *out)
{
	struct table t;
	size_t i;

	if (table_init(&t, sizeof(rules_heads) / sizeof(rules_heads[0]), rules_heads,
	    "rrllll") == -1)
		return -1;
	for (i = 0; i < json_array_size(rules); i++) {
		json_t *r = json_array_get(rules, i);

		view_add(&t, json_object_get(r, "id"));
		view_add(&t, json_object_get(r, "line"));
		view_add(&t, json_object_get(r, "address"));
		view_add(&t, json_object_get(r, "action"));
		rules_vars_cell(&t, json_object_get(r, "variables"));
		rules_comment_cell(&t, json_object_get(r, "comment"));
	}
	return view_finish(&t, out);
}

char *
rules_add_body(const struct cli *c)
{
	json_t *o = json_object(), *vars = json_object();
	char *s = NULL;
	size_t i;
	int r = 0;

	if (o == NULL || vars == NULL) {
		json_decref(o);
		json_decref(vars);
		return NULL;
	}
	for (i = 0; i < c->nvars; i++) {
		const char *eq = strchr(c->vars[i], '=');
		char *name = strndup(c->vars[i], (size_t)(eq - c->vars[i]));

		r |= name == NULL ? -1 : json_object_set_new(vars, name, json_string(eq + 1));
		free(name);
	}
	r |= json_object_set_new(o, "address", json_string(c->address));
	r |= json_object_set_new(o, "action", json_string(c->deny ? "deny" : "allow"));
	r |= json_object_set_new(o, "variables", vars);
	if (c->set & CLI_HAS_POSITION)
		r |= json_object_set_new(o, "position", json_integer((json_int_t)c->position));
	if (c->set & CLI_HAS_COMMENT)
		r |= json_object_set_new(o, "comment", json_string(c->comment));
	if (r == 0)
		s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

int
ctl_read_file(const char *path, struct strbuf *sb)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t n;

	if (fd == -1)
		return -1;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (sb->len + (size_t)n > HTTP_MAX_REPLY) {
			errno = EFBIG;
			n = -1;
			break;
		}
		if (strbuf_append(sb, buf, (size_t)n) == -1)
			break;
	}
	if (fd != 0)
		close(fd);
	return n == 0 ? 0 : -1;
}

static int
rules_show(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	return view_rules(json_object_get(root, "rules"), x->out);
}

/* After a write: one line, with the new version's tag when the reply has one. */
static int
rules_done(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	const char *etag = json_string_value(json_object_get(root, "etag"));
	json_t *id = json_object_get(root, "id");
	const char *what = x->cli->rules_op == CLI_RULES_ADD ? "rule added" :
	    x->cli->rules_op == CLI_RULES_DELETE ? "rule deleted" : "rules replaced";
	char *safe;

	if (etag == NULL && r->etag[0] != '\0')
		etag = r->etag;
	safe = etag != NULL ? text_safe(etag) : NULL;

	fprintf(x->out, "%s: %s", x->cli->service, what);
	if (json_is_integer(id))
		fprintf(x->out, " (id %lld)", (long long)json_integer_value(id));
	if (safe != NULL)
		fprintf(x->out, ", version %s", safe);
	putc('\n', x->out);
	free(safe);
	return 0;
}

/* list --text: the file as the server keeps it, for an edit, check and replace. */
static int
rules_text(const struct ctl *x, struct ctl_call *call)
{
	struct http_resp r;
	int code;

	call->accept = "text/plain";
	code = ctl_send(x, call, &r);
	if (code == 0 && r.body.len > 0)
		fwrite(r.body.s, 1, r.body.len, x->out);
	http_resp_free(&r);
	return code;
}

static int
rules_replace(const struct ctl *x, struct ctl_call *call)
{
	struct strbuf text = STRBUF_ZERO;
	int code;

	if (ctl_read_file(x->cli->file, &text) == -1) {
		ctl_complain(x, "unable to read %s: %s", x->cli->file, errstr(errno));
		strbuf_free(&text);
		return CTL_EX_LOCAL;
	}
	call->method = "PUT";
	call->ctype = "text/plain";
	call->body = text.s != NULL ? text.s : "";
	call->bodylen = text.len;
	call->file = x->cli->file;
	code = ctl_run(x, call, rules_done);
	strbuf_free(&text);
	return code;
}

int
cmd_rules(const struct ctl *x)
{
	struct ctl_call call = { "GET", NULL, NULL, NULL, 0, NULL, NULL };
	char path[128];

	if (x->cli->rules_op == CLI_RULES_CHECK)
		return cmd_rules_check(x);
	call.path = ctl_service_path(x, path, sizeof(path), "/rules");
	switch (x->cli->rules_op) {
	case CLI_RULES_LIST:
		if (x->cli->set & CLI_HAS_TEXT)
			return rules_text(x, &call);
		return ctl_run(x, &call, rules_show);
	case CLI_RULES_REPLACE:
		return rules_replace(x, &call);
	case CLI_RULES_DELETE:
		snprintf(path, sizeof(path), "/v1/services/%s/rules/%lu",
		    x->cli->service, x->cli->rule_id);
		call.method = "DELETE";
		return ctl_run(x, &call, rules_done);
	default:
		break;
	}
	return ctl_run_json(x, &call, "POST", rules_add_body(x->cli), rules_done);
}
