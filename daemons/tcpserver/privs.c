/* privs.c: setgroups, setgid, setuid in that order, then a check. */
#include <errno.h>
#include <grp.h>
#include <unistd.h>

#include "log.h"
#include "privs.h"

void
privs_drop(uid_t uid, gid_t gid)
{
	if (gid != 0) {
		if (setgroups(1, &gid) < 0 || setgid(gid) < 0)
			die_sys(EX_TEMP, "unable to set gid");
	}
	if (uid == 0)
		return;
	if (setuid(uid) < 0)
		die_sys(EX_TEMP, "unable to set uid");
	/* setuid() from root drops all three ids; a kernel or capability
	 * setup where it did not would leave a way back to root. */
	if (setuid(0) == 0 || geteuid() == 0 ||
	    (gid != 0 && (setgid(0) == 0 || getegid() == 0))) {
		errno = EPERM;
		die_x(EX_TEMP, "unable to set uid: root could be regained");
	}
}
