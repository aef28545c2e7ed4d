# tests/stack.mk: the whole stack end to end: the real
# mailstack-tcpserver with its control socket, the real mailctld and the
# real mailctl, on loopback with ephemeral ports; one Criterion program
# from every tests/stack_*.c.
STACK_TEST_SRCS = $(sort $(wildcard tests/stack_*.c))
STACK_TEST_OBJS = $(STACK_TEST_SRCS:.c=.o)
CHECK_PROGRAMS += tests/test_stack
OBJS += $(STACK_TEST_OBJS)

$(STACK_TEST_OBJS): ALL_CFLAGS += $(TEST_CFLAGS) $(JANSSON_CFLAGS)

tests/test_stack: $(STACK_TEST_OBJS) tests/ctl_util.o $(HARNESS_OBJS) \
		daemons/tcpserver/mailstack-tcpserver web/mailctld/mailctld \
		ctl/mailctl/mailctl rules/tcprules/mailstack-tcprules
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(STACK_TEST_OBJS) tests/ctl_util.o $(HARNESS_OBJS) \
		$(JANSSON_LIBS) $(TEST_LIBS)
