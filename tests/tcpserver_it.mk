# tests/tcpserver_it.mk: end-to-end tests of mailstack-tcpserver side by side
# with the real ucspi-tcp tcpserver, one Criterion program built from every
# tests/tcpserver_it_*.c. $(HARNESS_OBJS) is for any test program.
# tests/tcpserver_it_fork runs it again with every child of ours forked
# (MAILSTACK_TCPSERVER_SPAWN=fork), so that the fast path (the parent
# does the child's work) and the full child both meet the real one.
TCPSERVER_IT_SRCS = $(sort $(wildcard tests/tcpserver_it_*.c))
TCPSERVER_IT_OBJS = $(TCPSERVER_IT_SRCS:.c=.o)
OBJS += $(HARNESS_OBJS) $(TCPSERVER_IT_OBJS)
CHECK_PROGRAMS += tests/tcpserver_it tests/tcpserver_it_fork

$(HARNESS_OBJS) $(TCPSERVER_IT_OBJS): ALL_CFLAGS += $(TEST_CFLAGS)

tests/tcpserver_it: $(TCPSERVER_IT_OBJS) $(HARNESS_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(TCPSERVER_IT_OBJS) $(HARNESS_OBJS) $(TEST_LIBS)

tests/tcpserver_it_fork: tests/tcpserver_it
	@echo "  GEN     $@"
	$(Q)printf '%s\n' '#!/bin/sh' \
	    'MAILSTACK_TCPSERVER_SPAWN=fork exec "$${0%_fork}" "$$@"' >$@.tmp
	$(Q)chmod +x $@.tmp && mv -f $@.tmp $@
