/* cmd_admin.c: mailctl reload SERVICE, restart [--supervisor] SERVICE and
 * mailctl audit [--limit N]. */
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
	fprintf(x->out, "%s: reloaded\n", x->cli->service);
	return 0;
}

/* A POST without a body. */
int
cmd_reload(const struct ctl *x)
{
	struct ctl_call call = { "POST", NULL, NULL, NULL, 0, NULL, NULL };
	char path[128];

	call.path = ctl_service_path(x, path, sizeof(path), "/reload");
	return ctl_run(x, &call, reload_done);
}

/* The re-exec's answer is the new image's service object: the same pid
 * (the process stayed, only its program was loaded again), one more
 * reexec, and how the new image got its table. */
static int
restart_done(const struct ctl *x, json_t *root, const struct http_resp *r)
{
	char pid[32], reexecs[32], version[64], restored[32], live[32];
	const char *svc = x->cli->service;

	if (x->cli->set & CLI_HAS_SUPERVISOR) {
		fprintf(x->out, "%s: restarted through s6 (s6-svc -t): a new listener process;"
		    " the sessions go on and it adopts them\n", svc);
		return 0;
	}
	ctl_cell(pid, sizeof(pid), json_object_get(root, "pid"));
	ctl_cell(reexecs, sizeof(reexecs), json_object_get(root, "reexecs"));
	ctl_cell(version, sizeof(version), json_object_get(root, "version"));
	ctl_cell(restored, sizeof(restored), json_object_get(root, "restored"));
	ctl_cell(live, sizeof(live), json_object_get(root, "live"));
	fprintf(x->out, "%s: re-executed in place: pid %s (unchanged), reexecs %s, version %s,"
	    " table restored from %s, live %s\n", svc, pid, reexecs, version, restored, live);
	/* the state was unreadable: the sessions were found by a scan, which
	 * misses those it may not inspect (mailstack-tcpserver(8)) */
	if (json_is_string(json_object_get(root, "restored")) && strcmp(restored, "state") != 0)
		ctl_complain(x, "warning: the new image did not take the table over from the"
		    " re-exec state (restored %s); see unadopted in mailctl status %s",
		    restored, svc);
	return 0;
}

/* Re-exec by default (nobody disconnected, the table kept); --supervisor
 * is s6-svc -t, for a listener that cannot re-exec. */
int
cmd_restart(const struct ctl *x)
{
	struct ctl_call call = { "POST", NULL, NULL, NULL, 0, NULL, NULL };
	char path[160];

	call.path = ctl_service_path(x, path, sizeof(path),
	    (x->cli->set & CLI_HAS_SUPERVISOR) ? "/restart?mode=supervisor" : "/restart");
	return ctl_run(x, &call, restart_done);
}
