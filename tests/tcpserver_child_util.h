/* tcpserver_child_util.h: helpers shared by the tcpserver child tests. */
#ifndef MAILSTACK_TESTS_TCPSERVER_CHILD_UTIL_H
#define MAILSTACK_TESTS_TCPSERVER_CHILD_UTIL_H

#include <stddef.h>

/* The first name /etc/hosts gives 127.0.0.1 (what getnameinfo answers
 * without DNS), "" when there is none. */
void util_hosts_name(char *out, size_t size);

/* A fresh private folder under /tmp (malloc'd path), and its removal
 * (the path is freed). Both return NULL / -1 on failure. */
char *util_scratch_dir(void);
int util_scratch_remove(char *dir);

/* Moves this process into a private network namespace with loopback up,
 * so nothing it does can leave the machine. 0, or -1 when not permitted. */
int util_private_net(void);

#endif
