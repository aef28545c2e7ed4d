/* state.h: what one image of the listener hands the next when it re-execs
 * itself (reexec.h): its counters, the limits in force and every live
 * connection, as versioned text on an inherited descriptor.
 *
 * The format, one item a line, words separated by one space:
 *
 *   mailstack-tcpserver-state 2
 *   pid PID                      the process the state is for
 *   started EPOCH                the process's start (wall clock)
 *   started_mono SEC NSEC        and on CLOCK_MONOTONIC, for uptime
 *   reexecs N
 *   accepted N
 *   refused ip|net|rule-ip|rule-net N
 *   dropped_fork N
 *   denied N                     (from version 2 on)
 *   control denied|busy|timeouts N
 *   limit NAME N cmdline|file|set    each of limits_key_name's names
 *   limits_file_read 0|1
 *   unadopted N
 *   conn PID IP PORT LOCALPORT START ADOPTED TICKS
 *   end CONNS                    the number of conn lines: the last line
 *
 * An image reads the version it writes and the earlier ones it can fill
 * in (version 1 lacks "denied": 0), so that an upgrade by re-exec keeps
 * everything; a state it cannot read in full (another version, a line it
 * does not know or one its version does not have, a truncated state) is
 * refused as a whole, and the listener falls back to adopting the
 * sessions it finds (adopt.h), never to an empty table. */
#ifndef MAILSTACK_TCPSERVER_STATE_H
#define MAILSTACK_TCPSERVER_STATE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "conn_table.h"
#include "limits.h"

#define STATE_VERSION 2
/* The oldest version this image reads. */
#define STATE_VERSION_MIN 1
/* A state is at most this long (10 million connections' lines are far
 * less); a longer one is refused, not read into memory. */
#define STATE_MAX (1UL << 30)

struct listener_state {
	pid_t pid;
	time_t started;
	struct timespec started_mono;
	unsigned long reexecs;
	unsigned long long accepted;
	unsigned long refused[LIMIT_REASONS];	/* [LIMIT_OK] unused */
	unsigned long fork_failures;
	unsigned long denied;
	unsigned long ctl_denied, ctl_busy, ctl_timeouts;
	struct limits_now lim;
	int lim_file_read;
	unsigned long unadopted;
	struct conn_info *conns;	/* owned */
	size_t nconns;
};

/* Writes st to fd (from its current offset). 0, or -1 with errno. */
int state_write(int fd, const struct listener_state *st);
/* Reads a whole state from fd into st (st->conns malloc'd). 0, or -1 with
 * err saying where and why ("line 7: unknown item \"foo\"", "truncated:
 * no end line"), errno EINVAL (or the read's, or ENOMEM). */
int state_read(int fd, struct listener_state *st, char *err, size_t errlen);
void state_free(struct listener_state *st);

#endif
