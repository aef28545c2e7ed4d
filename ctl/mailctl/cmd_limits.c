/* cmd_limits.c: mailctl limits SERVICE [--max N] [--per-ip N] [--per-network N]: show, or PATCH. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/mailctl/ctl.h"
#include "ctl/mailctl/view.h"

int
view_limits(json_t *limits, const char *etag, FILE *out)
{
	static const char *const keys[] = {
		"max_connections", "max_per_ip", "max_per_network"
	};
	struct table t;
	size_t i;

	if (view_kv_init(&t) == -1)
		return -1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		table_add(&t, keys[i]);
		if (i == 0)
			view_add(&t, json_object_get(limits, keys[i]));
		else
			view_add_limit(&t, json_object_get(limits, keys[i]));
	}
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
	int r = 0;

	if (o == NULL)
		return NULL;
	if (c->set & CLI_HAS_MAX)
		r |= json_object_set_new(o, "max_connections", json_integer((json_int_t)c->max));
	if (c->set & CLI_HAS_PER_IP)
		r |= json_object_set_new(o, "max_per_ip", json_integer((json_int_t)c->per_ip));
	if (c->set & CLI_HAS_PER_NETWORK)
		r |= json_object_set_new(o, "max_per_network",
		    json_integer((json_int_t)c->per_network));
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
	if (x->cli->set & CLI_LIMITS_SET)
		return ctl_run_json(x, &call, "PATCH", limits_patch_body(x->cli), limits_show);
	return ctl_run(x, &call, limits_show);
}
