# tests/faults.mk: fault injection on the real stack: EMFILE at
# accept, children and the listener killed with SIGKILL (under s6), ENOSPC
# while mailctld and mailstack-tcprules write; one Criterion program from
# every tests/faults_*.c. FAULTS_STACK_* serve tests/security.mk too.
FAULTS_TEST_SRCS = $(sort $(wildcard tests/faults_*.c))
FAULTS_TEST_OBJS = $(FAULTS_TEST_SRCS:.c=.o)
FAULTS_STACK_OBJS = tests/stack_util.o tests/ctl_util.o $(HARNESS_OBJS)
FAULTS_STACK_PROGS = daemons/tcpserver/mailstack-tcpserver web/mailctld/mailctld \
	ctl/mailctl/mailctl rules/tcprules/mailstack-tcprules
CHECK_PROGRAMS += tests/test_faults
OBJS += $(FAULTS_TEST_OBJS)

$(FAULTS_TEST_OBJS): ALL_CFLAGS += $(TEST_CFLAGS) $(JANSSON_CFLAGS)

tests/test_faults: $(FAULTS_TEST_OBJS) $(FAULTS_STACK_OBJS) $(FAULTS_STACK_PROGS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(FAULTS_TEST_OBJS) $(FAULTS_STACK_OBJS) \
		$(JANSSON_LIBS) $(TEST_LIBS)
