/* rules_check.c: mailctl rules SERVICE check FILE: the rules library's own
 * diagnostics, locally, without the server (so a file can be checked
 * before an upload, or on a machine that has no token). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "rules/rules_file.h"
#include "ctl/mailctl/ctl.h"

static json_t *
check_diag_json(const struct rules_diag *d)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "line", json_integer((json_int_t)d->line));
	json_object_set_new(o, "column", json_integer((json_int_t)d->col));
	json_object_set_new(o, "severity",
	    json_string(d->severity == RULES_ERROR ? "error" : "warning"));
	json_object_set_new(o, "message", json_string(d->msg));
	json_object_set_new(o, "hint", d->hint != NULL ? json_string(d->hint) : json_null());
	return o;
}

/* --json: {"file":..., "errors":N, "warnings":N, "diagnostics":[...]}. */
static int
check_print_json(const struct ctl *x, const struct rules_file *rf)
{
	json_t *o = json_object(), *list = json_array();
	size_t i;
	int r = 0;

	if (o == NULL || list == NULL) {
		json_decref(o);
		json_decref(list);
		return -1;
	}
	for (i = 0; i < rf->ndiags; i++)
		r |= json_array_append_new(list, check_diag_json(&rf->diags[i]));
	r |= json_object_set_new(o, "file", json_string(x->cli->file));
	r |= json_object_set_new(o, "errors", json_integer((json_int_t)rf->nerrors));
	r |= json_object_set_new(o, "warnings", json_integer((json_int_t)rf->nwarnings));
	r |= json_object_set_new(o, "diagnostics", list);
	if (r == 0 && json_dumpf(o, x->out, JSON_COMPACT) == 0)
		putc('\n', x->out);
	else
		r = -1;
	json_decref(o);
	return r;
}

/* As mailstack-tcprules -n: "FILE:LINE:COL: ..." with the line and a caret, on stderr. */
static int
check_print_text(const struct ctl *x, const struct rules_file *rf)
{
	size_t i, len;
	char *text;

	for (i = 0; i < rf->ndiags; i++) {
		if (rules_diag_format(rf, &rf->diags[i], x->cli->file, &text, &len) == -1)
			return -1;
		fwrite(text, 1, len, x->err);
		free(text);
	}
	fflush(x->err);
	if (rf->nerrors == 0)
		fprintf(x->out, "%s: ok (%zu warning%s)\n", x->cli->file, rf->nwarnings,
		    rf->nwarnings == 1 ? "" : "s");
	return 0;
}

int
cmd_rules_check(const struct ctl *x)
{
	struct rules_opts opts = { 0, (x->cli->set & CLI_HAS_STRICT) != 0 };
	struct strbuf text = STRBUF_ZERO;
	struct rules_file rf;
	int r;

	if (ctl_read_file(x->cli->file, &text) == -1) {
		ctl_complain(x, "unable to read %s: %s", x->cli->file, errstr(errno));
		strbuf_free(&text);
		return CTL_EX_LOCAL;
	}
	r = rules_file_parse(&rf, text.s != NULL ? text.s : "", text.len, &opts);
	strbuf_free(&text);
	if (r == -1) {
		ctl_complain(x, "unable to parse %s: %s", x->cli->file, errstr(errno));
		return CTL_EX_LOCAL;
	}
	r = x->cli->json ? check_print_json(x, &rf) : check_print_text(x, &rf);
	if (r == -1) {
		rules_file_free(&rf);
		ctl_complain(x, "out of memory");
		return CTL_EX_LOCAL;
	}
	r = rf.nerrors > 0 ? CTL_EX_INVALID : 0;
	if (r != 0 && !x->cli->json)
		ctl_complain(x, "unable to parse %s: %zu error%s", x->cli->file,
		    rf.nerrors, rf.nerrors == 1 ? "" : "s");
	rules_file_free(&rf);
	return r;
}
