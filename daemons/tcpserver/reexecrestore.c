/* reexecrestore.c: the new image's side of a re-exec (reexec.c): the
 * inherited sockets, the state read back into the table, and the answer
 * to the control client that asked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemons/tcpserver/state.h"
#include "log.h"
#include "server.h"


/* "LISTENER CONTROL STATE REPLY": four descriptors, -1 for none. */
static int
parse_fds(const char *v, int fds[4])
{
	char *end;
	long n;
	int i;

	for (i = 0; i < 4; i++) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || end == v || n < -1 || n > 1 << 20 ||
		    (*end != (i < 3 ? ' ' : '\0')))
			return -1;
		fds[i] = (int)n;
		v = end + (i < 3);
	}
	return 0;
}

static int
state_apply(struct server *s, const struct listener_state *st, char *err,
    size_t errlen)
{
	size_t i;

	if (st->pid != getpid()) {
		snprintf(err, errlen, "the state is for pid %ld, this is %ld",
		    (long)st->pid, (long)getpid());
		return -1;
	}
	if (server_limits_use(s, &st->lim) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->started = st->started;
	s->started_mono = st->started_mono;
	s->reexecs = st->reexecs + 1;
	s->accepted = st->accepted;
	memcpy(s->refused, st->refused, sizeof s->refused);
	s->fork_failures = st->fork_failures;
	s->denied = st->denied;
	s->ctl.denied = st->ctl_denied;
	s->ctl.busy = st->ctl_busy;
	s->ctl.timeouts = st->ctl_timeouts;
	s->lim_file_read = st->lim_file_read;
	s->unadopted = st->unadopted;
	for (i = 0; i < st->nconns; i++)
		/* An adopted session that ended during the exec: its pidfd
		 * went with the old image, and it is not our child. */
		if (server_table_restore(s, &st->conns[i]) < 0 &&
		    st->conns[i].adopted == CONN_ADOPTED)
			log_info("end %ld adopted", (long)st->conns[i].pid);
	s->restored = "state";
	return 0;
}

static void
read_state(struct server *s, int fd)
{
	struct listener_state st;
	char err[256];

	if (fd < 0 || state_read(fd, &st, err, sizeof err) < 0 ||
	    state_apply(s, &st, err, sizeof err) < 0) {
		if (fd < 0)
			snprintf(err, sizeof err, "no state descriptor");
		log_warn("unable to read the state of the re-exec: %s; "
		    "adopting the sessions instead", err);
		/* What the table took before the failure goes too: the
		 * scan finds every session, ours included. */
		conn_table_free(&s->table);
		if (conn_table_init(&s->table, s->lim.n[LIMIT_MAX_CONNECTIONS],
		    s->o->ip6_prefix, s->o->net4_prefix, s->o->net6_prefix) < 0)
			die_x(EX_TEMP, "out of memory");
		s->reexecs++;
		server_adopt_scan(s);
		if (strcmp(s->restored, "none") == 0)
			s->restored = "adoption";
	} else
		state_free(&st);
	if (fd >= 0)
		close(fd);
}

int
server_reexec_inherited(struct server *s)
{
	const char *v = getenv(SERVER_REEXEC_ENV);
	unsigned port = 0;
	int fds[4];

	if (v == NULL)
		return 0;
	if (parse_fds(v, fds) < 0 || fds[0] < 0)
		die_x(EX_TEMP, "unable to use %s=%s: want four descriptor "
		    "numbers", SERVER_REEXEC_ENV, v);
	/* No child may see it, nor a later re-exec find it stale. */
	unsetenv(SERVER_REEXEC_ENV);
	(void)listen_parse_port(s->o->port, &port);
	if (listen_inherit(&s->listener, fds[0], port) < 0)
		die_sys(EX_TEMP, "unable to use the inherited listening socket "
		    "%d", fds[0]);
	ctl_inherit(&s->ctl, s->o, fds[1]);
	read_state(s, fds[2]);
	s->reexec_reply = fds[3];
	log_line(2, "reexec done: %zu connections, %zu adopted",
	    conn_table_count(&s->table), conn_table_count_adopted(&s->table));
	return 1;
}

void
server_reexec_answer(struct server *s)
{
	struct ctl_client *cl;
	int fd = s->reexec_reply;

	s->reexec_reply = -1;
	if (fd < 0)
		return;
	cl = ctl_client_take(&s->ctl, fd);
	if (cl == NULL) {
		close(fd);
		return;
	}
	if (ctl_put_ok(&cl->out) < 0 || server_ctl_status(s, &cl->out) < 0 ||
	    ctl_put_end(&cl->out) < 0) {
		strbuf_reset(&cl->out);
		(void)ctl_put_error(&cl->out, "busy", "out of memory");
	}
}
