/* cmd_limits.c: mailctl limits SERVICE [--max N] [--per-ip N] ... (the
 * limits table's options, lib/limitsfile.c): show, or PATCH. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/mailctl/ctl.h"
#include "ctl/mailctl/view.h"

void
view_add_limits(struct table *t, json_t *limits, int named)
{
	int k;

	/* A limit that cannot be 0 has no "none" to show. */
	for (k = 0; k < LIMIT_KEYS; k++) {
		if (named)
			table_add(t, limits_key_name(k));
		if (limits_def(k)->min > 0)
			view_add(t, json_object_get(limits, limits_key_name(k)));
		else
			view_add_limit(t, json_object_get(limits, limits_key_name(k)));
	}
}

int
view_limits(json_t *limits, const char *etag, FILE *out)
{
	struct table t;

	if (view_kv_init(&t) == -1)
		return -1;
	view_add_limits(&t, limits, 1);
	if (etag != NULL && *etag != '\0') {
		table_add(&t, "version");
		table_add(&t, etag);
	}
	return view_finish(&t, out);
}

char *
limits_patch_body(const struct cli *c)
{
	json_t *o = json_object();
	char *s = NULL;
	int r = 0, k;

	if (o == NULL)
		return NULL;
	for (k = 0; k < LIMIT_KEYS; k++)
		if (c->limits.set[k])
			r |= json_object_set_new(o, limits_key_name(k),
			    json_integer((json_int_t)c->limits.n[k]));
	if (r == 0)
		s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* A PATCH reply says whether the listener took the new file at once; when
 * it did not, the limits still apply from its next start or reload. */
static int
limits_show(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	if (json_is_false(json_object_get(root, "applied")))
		ctl_complain(x, "warning: limits saved, but the listener did not "
		    "reload them now (they apply from its next start or reload)");
	return view_limits(root, r->etag, x->out);
}

int
cmd_limits(const struct ctl *x)
{
	struct ctl_call call = { "GET", NULL, NULL, NULL, 0, NULL, NULL };
	char path[128];

	call.path = ctl_service_path(x, path, sizeof(path), "/limits");
	if (x->cli->set & CLI_HAS_LIMITS)
		return ctl_run_json(x, &call, "PATCH", limits_patch_body(x->cli), limits_show);
	return ctl_run(x, &call, limits_show);
}
