/* serverlimits.c: the limits in force and their changes: the command
 * line, the limits file over it (at start, SIGHUP, "reload"), and the
 * control socket's "set". */
#include <errno.h>
#include <stdio.h>

#include "errstr.h"
#include "limitsfile.h"
#include "log.h"
#include "server.h"

int
server_limits_use(struct server *s, const struct limits_now *l)
{
	if (conn_table_grow(&s->table, l->n[LIMIT_MAX_CONNECTIONS]) < 0)
		return -1;
	s->lim = *l;
	log_line(2, "limits max_connections %lu max_per_ip %lu "
	    "max_per_network %lu", l->n[LIMIT_MAX_CONNECTIONS],
	    l->n[LIMIT_MAX_PER_IP], l->n[LIMIT_MAX_PER_NETWORK]);
	return 0;
}

/* The file over the command line into l; -1 after the warning, with the
 * reply's text in err. */
static int
read_file(struct server *s, struct limits_now *l, int *found, char *err,
    size_t errlen)
{
	const char *path = s->o->limits_path;
	struct limits_file lf;
	struct limitsfile_error e;
	int r;

	*found = 0;
	*l = s->cmdline;
	if (path == NULL)
		return 0;
	r = limitsfile_read(path, &lf, &e);
	if (r < 0 && e.line == 0) {
		log_warn("unable to read limits %s: %s", path, errstr(e.err));
		snprintf(err, errlen, "%s: %s", path, errstr(e.err));
		return -1;
	}
	if (r < 0) {
		log_warn("unable to read limits %s: %lu: %s", path, e.line,
		    e.reason);
		snprintf(err, errlen, "%s:%lu: %s", path, e.line, e.reason);
		return -1;
	}
	*found = r;
	limits_apply_file(&s->cmdline, &lf, l);
	return 0;
}

void
server_limits_start(struct server *s)
{
	struct limits_now l;
	char err[512];
	int found;

	limits_from_options(&s->cmdline, s->o);
	s->lim = s->cmdline;
	if (read_file(s, &l, &found, err, sizeof err) < 0)
		return;
	s->lim = l;
	s->lim_file_read = found;
}

int
server_limits_reload(struct server *s, char *err, size_t errlen)
{
	struct limits_now l;
	int found;

	if (read_file(s, &l, &found, err, errlen) < 0)
		return -1;
	if (server_limits_use(s, &l) < 0) {
		log_warn("unable to apply limits: out of memory");
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->lim_file_read = found;
	return 0;
}
