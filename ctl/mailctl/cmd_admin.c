/* cmd_admin.c: mailctl reload|restart SERVICE and mailctl audit [--limit N]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/mailctl/ctl.h"
#include "ctl/mailctl/view.h"

static const char *const audit_heads[] = {
	"TIME", "TOKEN", "PEER", "METHOD", "PATH", "WHAT"
};

int
view_audit(json_t *entries, size_t last, FILE *out)
{
	size_t i = 0, n = json_array_size(entries);
	struct table t;
	char cell[512];

	if (table_init(&t, sizeof(audit_heads) / sizeof(audit_heads[0]), audit_heads,
	    "llllll") == -1)
		return -1;
	if (last > 0 && n > last)
		i = n - last;
	for (; i < n; i++) {
		json_t *e = json_array_get(entries, i), *when = json_object_get(e, "time");
		static const char *const keys[] = { "token", "peer", "method", "path", "what" };
		size_t k;

		if (json_is_integer(when))
			fmt_time(cell, sizeof(cell), json_integer_value(when));
		else
			snprintf(cell, sizeof(cell), "-");
		table_add(&t, cell);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			view_add(&t, json_object_get(e, keys[k]));
		}
	}
	return view_finish(&t, out);
}

static int
audit_show(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	return view_audit(json_object_get(root, "entries"),
	    (x->cli->set & CLI_HAS_LIMIT) ? x->cli->limit : 0, x->out);
}

int
cmd_audit(const struct ctl *x)
{
	struct ctl_call call = { "GET", "/v1/audit", NULL, NULL, 0, NULL, NULL };
	char path[64];

	/* The server may cut the list itself; the view keeps the last N anyway. */
	if (x->cli->set & CLI_HAS_LIMIT) {
		snprintf(path, sizeof(path), "/v1/audit?limit=%lu", x->cli->limit);
		call.path = path;
	}
	return ctl_run(x, &call, audit_show);
}

static int
reload_done(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	fprintf(x->out, "%s: %s\n", x->cli->service,
	    x->cli->cmd == CLI_RELOAD ? "reloaded" : "restart requested");
	return 0;
}

/* reload and restart: a POST without a body. */
int
cmd_reload(const struct ctl *x)
{
	struct ctl_call call = { "POST", NULL, NULL, NULL, 0, NULL, NULL };
	char path[128];

	call.path = ctl_service_path(x, path, sizeof(path),
	    x->cli->cmd == CLI_RELOAD ? "/reload" : "/restart");
	return ctl_run(x, &call, reload_done);
}
