/* selfpipe.h: signals as readable bytes on a pipe, so the event loop,
 * not a handler, does the work. The handler writes one byte (the signal
 * number) and keeps errno. */
#ifndef MAILSTACK_SELFPIPE_H
#define MAILSTACK_SELFPIPE_H

/* Creates the pipe (non-blocking, close-on-exec). Returns its read end
 * (poll it for POLLIN), or -1 with errno. */
int selfpipe_init(void);
/* Routes sig to the pipe (sigaction without SA_RESTART). 0 or -1 with errno. */
int selfpipe_trap(int sig);
/* The next pending signal number, 0 when none is pending, -1 on error. */
int selfpipe_read(void);
/* In a child before exec: close the pipe, restore default dispositions for
 * every trapped signal and SIGPIPE, empty the signal mask. */
void selfpipe_child_reset(void);

#endif
