/* tcpserver_ctl_it_life.h: helpers for the tests of the listener's own
 * life (re-exec, adoption): ask for a re-exec, wait for a count, look at
 * a process's descriptors and memory, copy a binary. */
#ifndef MAILSTACK_TESTS_TCPSERVER_CTL_IT_LIFE_H
#define MAILSTACK_TESTS_TCPSERVER_CTL_IT_LIFE_H

#include <sys/types.h>

#include "tcpserver_ctl_util.h"

/* Asks t's listener to re-exec; asserts the new image's answer ("ok"
 * and the status) and returns it (malloc'd). */
char *life_reexec(const struct ctl_it *t);
/* Waits until status says live N. 0, or -1 on timeout. */
int life_wait_live(const struct ctl_it *t, long long n, int wait_ms);
/* Entries of /proc/PID/fd; VmRSS of /proc/PID/status in kB. */
long life_fd_count(pid_t pid);
long life_rss_kb(pid_t pid);
/* life_fd_count once it is want, or what it is after a second. */
long life_fd_count_settled(pid_t pid, long want);
/* Copies a file, mode 0755. 0 or -1. */
int life_copy_file(const char *from, const char *to);
/* The connections block without its "adopted N" words, to compare a
 * listing made by a listener that adopted with one that started them. */
char *life_strip_adopted(const char *block);

#endif
