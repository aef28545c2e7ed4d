/* serveradopt.c: the sessions of an earlier listener of the port taken
 * into the table at start (adopt.h), and their ends (pidwatch.h). */
#include <errno.h>
#include <unistd.h>

#include "daemons/tcpserver/adopt.h"
#include "log.h"
#include "server.h"

/* Adopted sessions may be more than -c allows (it was lowered, or the
 * earlier listener had another -c): the table grows to hold them, and
 * the loop accepts again once they are below the limit. */
static int
room_for_one(struct server *s)
{
	size_t cap = s->table.capacity;

	if (conn_table_count(&s->table) < cap)
		return 0;
	return conn_table_grow(&s->table, cap < 16 ? 16 : 2 * cap);
}

int
server_table_restore(struct server *s, const struct conn_info *ci)
{
	if (ci->adopted == CONN_ADOPTED &&
	    pid_watch_add(&s->watch, ci->pid, ci->ticks) < 0) {
		if (errno != ESRCH)
			log_warn_sys("unable to watch adopted pid %ld",
			    (long)ci->pid);
		return -1;
	}
	if (room_for_one(s) < 0 || conn_table_add(&s->table, ci) < 0) {
		log_warn_sys("unable to record adopted pid %ld", (long)ci->pid);
		if (ci->adopted == CONN_ADOPTED)
			pid_watch_forget(&s->watch);
		return -1;
	}
	return 0;
}

int
server_adopt_add(struct server *s, const struct conn_info *ci)
{
	char ip[IP_FMT_MAX];

	if (server_table_restore(s, ci) < 0)
		return -1;
	ip_format(&ci->remote, ip);
	log_line(2, "adopted pid %ld from %s", (long)ci->pid, ip);
	return 0;
}

static void
conn_from_session(const struct adopt_session *a, struct conn_info *ci)
{
	ci->pid = a->pid;
	ci->remote = a->remote;
	ci->remote_port = a->remote_port;
	ci->local_port = a->local_port;
	ci->start = a->start;
	ci->ticks = a->ticks;
	/* A child of ours (a re-exec whose state was lost) is reaped as
	 * any other; a foreign process is watched. */
	ci->adopted = a->ppid == getpid() ? CONN_ADOPTED_CHILD : CONN_ADOPTED;
}

void
server_adopt_scan(struct server *s)
{
	struct adopt_found f;
	struct conn_info ci = { 0 };
	size_t i, n = 0;

	if (adopt_scan(&s->listener.addr, s->listener.port, getpid(), &f) < 0) {
		log_warn_sys("unable to look for the sessions of an earlier "
		    "listener");
		return;
	}
	for (i = 0; i < f.n; i++) {
		if (conn_table_find(&s->table, f.s[i].pid) != NULL)
			continue;
		conn_from_session(&f.s[i], &ci);
		if (server_adopt_add(s, &ci) == 0)
			n++;
	}
	s->unadopted = f.unattributed;
	if (n > 0 || f.unattributed > 0)
		s->restored = "adoption";
	if (n > 0)
		log_info("adopted %zu sessions of an earlier listener", n);
	if (f.unattributed > 0)
		log_warn("unable to adopt %lu sessions on port %u: not "
		    "allowed to see their processes; they are not counted",
		    f.unattributed, s->listener.port);
	adopt_found_free(&f);
}

static void
adopted_end(struct server *s, pid_t pid)
{
	const struct conn_info *ci = conn_table_find(&s->table, pid);

	if (ci == NULL || ci->adopted != CONN_ADOPTED)
		return;
	(void)conn_table_remove(&s->table, pid, NULL);
	log_info("end %ld adopted", (long)pid);
	server_log_status(s, conn_table_count(&s->table));
}

/* Without pidfd: every adopted process's start looked at again. */
static void
poll_adopted(struct server *s)
{
	const struct conn_info *ci;
	pid_t gone[64];
	size_t pos = 0, n, i;

	do {
		n = 0;
		while (n < 64 && conn_table_next(&s->table, &pos, &ci))
			if (ci->adopted == CONN_ADOPTED &&
			    pid_watch_gone(ci->pid, ci->ticks))
				gone[n++] = ci->pid;
		/* Removed after the walk, which a removal would disturb. */
		for (i = 0; i < n; i++) {
			adopted_end(s, gone[i]);
			pid_watch_forget(&s->watch);
		}
	} while (n == 64);
	pid_watch_polled(&s->watch);
}

void
server_watch_events(struct server *s)
{
	pid_t ended[64];
	size_t n, i;

	while ((n = pid_watch_ended(&s->watch, ended, 64)) > 0)
		for (i = 0; i < n; i++)
			adopted_end(s, ended[i]);
	if (pid_watch_timeout(&s->watch) == 0)
		poll_adopted(s);
}
