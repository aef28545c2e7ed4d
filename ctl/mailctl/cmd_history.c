/* cmd_history.c: mailctl history SERVICE and rollback SERVICE VERSION. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/mailctl/ctl.h"
#include "ctl/mailctl/view.h"

static const char *const history_heads[] = {
	"VERSION", "TIME", "TOKEN", "WHAT", "ETAG"
};

int
view_history(json_t *versions, FILE *out)
{
	struct table t;
	char when[64];
	size_t i;

	if (table_init(&t, sizeof(history_heads) / sizeof(history_heads[0]),
	    history_heads, "rllll") == -1)
		return -1;
	for (i = 0; i < json_array_size(versions); i++) {
		json_t *v = json_array_get(versions, i), *time = json_object_get(v, "time");

		view_add(&t, json_object_get(v, "version"));
		if (json_is_integer(time))
			fmt_time(when, sizeof(when), json_integer_value(time));
		else
			snprintf(when, sizeof(when), "-");
		table_add(&t, when);
		view_add(&t, json_object_get(v, "token"));
		view_add(&t, json_object_get(v, "what"));
		view_add(&t, json_object_get(v, "etag"));
	}
	return view_finish(&t, out);
}

static int
history_show(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	return view_history(json_object_get(root, "versions"), x->out);
}

int
cmd_history(const struct ctl *x)
{
	struct ctl_call call = { "GET", NULL, NULL, NULL, 0, NULL, NULL };
	char path[128];

	call.path = ctl_service_path(x, path, sizeof(path), "/history");
	return ctl_run(x, &call, history_show);
}

/* The reply is the limits or the rules as they are now, with the new
 * version in the ETag. */
static int
rollback_done(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	const char *etag = json_string_value(json_object_get(root, "etag"));
	char *safe = text_safe(r->etag[0] != '\0' || etag == NULL ? r->etag : etag);

	fprintf(x->out, "%s: back to version %lu", x->cli->service, x->cli->version);
	if (safe != NULL && *safe != '\0')
		fprintf(x->out, ", now version %s", safe);
	putc('\n', x->out);
	free(safe);
	return 0;
}

int
cmd_rollback(const struct ctl *x)
{
	struct ctl_call call = { "POST", NULL, NULL, NULL, 0, NULL, NULL };
	char path[128], *body = NULL;

	call.path = ctl_service_path(x, path, sizeof(path), "/rollback");
	if (asprintf(&body, "{\"version\":%lu}", x->cli->version) < 0)
		body = NULL;
	return ctl_run_json(x, &call, "POST", body, rollback_done);
}
