/* privs.h: giving up root after bind, as tcpserver -g/-u do, checked. */
#ifndef MAILSTACK_TCPSERVER_PRIVS_H
#define MAILSTACK_TCPSERVER_PRIVS_H

#include <sys/types.h>

/* gid != 0: setgroups({gid}) then setgid(gid); uid != 0: setuid(uid),
 * then makes sure root cannot be had back. 0 means "keep" for each, as in
 * 0.88. Dies (111) with "unable to set gid/uid: REASON". */
void privs_drop(uid_t uid, gid_t gid);

/* After a re-exec, where privileges were dropped by the old image: the
 * ids must be uid and gid (0 = not asked) and root not be had back.
 * Dies (111) with "unable to set uid/gid: ..." otherwise. */
void privs_check(uid_t uid, gid_t gid);

#endif
