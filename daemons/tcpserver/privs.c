/* privs.c: setgroups, setgid, setuid in that order, then a check. */
#include <errno.h>
#include <grp.h>
#include <unistd.h>

#include "log.h"
#include "privs.h"

static void no_way_back(gid_t gid);

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
	no_way_back(gid);
}

/* setuid() from root drops all three ids; a kernel or capability setup
 * where it did not would leave a way back to root. */
static void
no_way_back(gid_t gid)
{
	if (setuid(0) == 0 || geteuid() == 0 ||
	    (gid != 0 && (setgid(0) == 0 || getegid() == 0))) {
		errno = EPERM;
		die_x(EX_TEMP, "unable to set uid: root could be regained");
	}
}

void
privs_check(uid_t uid, gid_t gid)
{
	uid_t r, e, sv;
	gid_t gr, ge, gs;

	if (gid != 0 && (getresgid(&gr, &ge, &gs) < 0 || gr != gid ||
	    ge != gid || gs != gid))
		die_x(EX_TEMP, "unable to set gid: the re-executed image runs "
		    "as gid %ld, not %ld", (long)getegid(), (long)gid);
	if (uid == 0)
		return;
	if (getresuid(&r, &e, &sv) < 0 || r != uid || e != uid || sv != uid)
		die_x(EX_TEMP, "unable to set uid: the re-executed image runs "
		    "as uid %ld, not %ld", (long)geteuid(), (long)uid);
	no_way_back(gid);
}
