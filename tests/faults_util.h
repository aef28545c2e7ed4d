/* faults_util.h: small helpers the fault-injection tests share on top of
 * the full-stack harness (stack_util.h). */
#ifndef MAILSTACK_TESTS_FAULTS_UTIL_H
#define MAILSTACK_TESTS_FAULTS_UTIL_H

#include <sys/types.h>

#include "stack_util.h"

/* A connection to the listener's control socket whose "status" has been
 * answered (so the listener holds its descriptor). Asserts. */
int faults_control_open(const struct stack *s);
/* The block answering request on a fresh control connection, malloc'd;
 * NULL when the socket does not answer (a listener not (yet) there). */
char *faults_control_try(const struct stack *s, const char *request);
/* The number of open descriptors of pid and the highest one (-1 if none);
 * -1 when /proc cannot be read. */
int faults_fd_count(pid_t pid, int *highest);
/* The first pid listed for ip in "connections ip ADDR"; asserts. */
pid_t faults_child_of(const struct stack *s, const char *ip);
/* A TCP port that was free a moment ago on 127.0.0.1 (for a listener that
 * must come back on the same port after a restart). */
unsigned faults_free_port(void);

#endif
