/* rules_compile.h: a parsed rules file to the cdb tcpserver reads, byte for
 * byte what tcprules 0.88 writes for the same records. */
#ifndef MAILSTACK_RULES_COMPILE_H
#define MAILSTACK_RULES_COMPILE_H

#include "rules/rules_file.h"

/* Writes the cdb of rf's records to fd, which must be empty and
 * seekable. Returns 0, or -1 with errno (write errors, ENOMEM; EINVAL
 * when rf has errors). */
int rules_compile_fd(const struct rules_file *rf, int fd);

/* Compiling while reading, for big files: each line is parsed as it
 * arrives and only the cdb's own index is kept. All diagnostics are
 * collected in rf (lines are not kept: rf.nlines stays at most 1). Once an
 * error is seen, records are no longer written. */
struct rules_stream {
	struct rules_file rf;
	void *cm;		/* the cdb being made; NULL when only checking */
	size_t lineno;
	char *carry;		/* a line not finished by the last feed */
	size_t carrylen, carrycap;
};

/* fd: an empty seekable file for the cdb, or -1 to check only. Returns 0,
 * or -1 with errno. */
int rules_stream_start(struct rules_stream *s, const struct rules_opts *opts, int fd);
int rules_stream_feed(struct rules_stream *s, const char *buf, size_t len);
/* Ends the input (a last line without '\n' counts) and, when there were no
 * errors and fd was given, writes the index and header. Returns 0 (look
 * at s->rf.nerrors), or -1 with errno. */
int rules_stream_finish(struct rules_stream *s);
void rules_stream_free(struct rules_stream *s);

#endif
