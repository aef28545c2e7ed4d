/* rules_compile.h: a parsed rules file to the cdb tcpserver reads, byte for
 * byte what tcprules 0.88 writes for the same records. */
#ifndef MAILSTACK_RULES_COMPILE_H
#define MAILSTACK_RULES_COMPILE_H

#include "rules/rules_file.h"

/* Writes the cdb of rf's records to fd, which must be empty and
 * seekable. Returns 0, or -1 with errno (write errors, ENOMEM; EINVAL
 * when rf has errors). */
int rules_compile_fd(const struct rules_file *rf, int fd);

#endif
