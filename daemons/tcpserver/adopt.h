/* adopt.h: finding the sessions an earlier listener of the same port left
 * running (after a crash, kill -9, s6-svc -t, or a re-exec whose state
 * was lost), so that a new listener counts them.
 *
 * A session is a process whose descriptor 0 or 1 is an established TCP
 * socket on our port: the kernel's socket table (/proc/net/tcp, tcp6)
 * gives each such socket's inode and addresses, /proc/PID/fd/{0,1} tell
 * which process holds it. Of the processes that share one socket (a
 * server that forked), the one whose parent does not hold it counts, as
 * tcpserver counted the child it started. Reading another user's
 * /proc/PID/fd needs the right to ptrace it: without it the socket is
 * seen but no process, and it is counted as unattributed. */
#ifndef MAILSTACK_TCPSERVER_ADOPT_H
#define MAILSTACK_TCPSERVER_ADOPT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "ip.h"

struct adopt_session {
	pid_t pid;
	pid_t ppid;
	unsigned long long ticks;	/* start, clock ticks since boot */
	time_t start;			/* the same on the wall clock */
	struct ip_addr remote;		/* unmapped */
	unsigned remote_port;
	unsigned local_port;
};

struct adopt_found {
	struct adopt_session *s;	/* owned */
	size_t n;
	/* Established sockets on the port whose process could not be seen
	 * (another user's, without the right to inspect it). */
	unsigned long unattributed;
};

/* Looks for sessions on local address laddr (any address when it is
 * 0.0.0.0 or ::) and port, leaving out process self. 0, or -1 with errno
 * (the socket table unreadable, ENOMEM). */
int adopt_scan(const struct ip_addr *laddr, unsigned port, pid_t self,
    struct adopt_found *out);
void adopt_found_free(struct adopt_found *f);

/* The state letter (R, S, Z ...), parent and start ticks of pid from
 * /proc/PID/stat. 0, or -1 with errno (ESRCH when it is gone). */
int adopt_proc_stat(pid_t pid, char *state, pid_t *ppid,
    unsigned long long *ticks);
/* Clock ticks since boot as a wall-clock time (boot time from /proc/stat);
 * now when that cannot be read. */
time_t adopt_ticks_epoch(unsigned long long ticks);

#endif
