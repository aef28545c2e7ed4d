# tests/appliance.mk: the appliance end to end: the real demo's
# s6 tree (packaging/s6 templates), real courier imapd, imapfront-auth and
# exim behind mailstack-tcpserver, mailctld and mailctl, driven with curl,
# python's imaplib, swaks and s6-svc on loopback with ephemeral ports.
APPLIANCE_TEST_SRCS = $(sort $(wildcard tests/appliance_*.c))
APPLIANCE_TEST_OBJS = $(APPLIANCE_TEST_SRCS:.c=.o)
CHECK_PROGRAMS += tests/test_appliance
OBJS += $(APPLIANCE_TEST_OBJS)

$(APPLIANCE_TEST_OBJS): ALL_CFLAGS += $(TEST_CFLAGS) $(JANSSON_CFLAGS)

tests/test_appliance: $(APPLIANCE_TEST_OBJS) tests/stack_util.o tests/ctl_util.o \
		$(HARNESS_OBJS) daemons/tcpserver/mailstack-tcpserver web/mailctld/mailctld \
		ctl/mailctl/mailctl rules/tcprules/mailstack-tcprules
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(APPLIANCE_TEST_OBJS) tests/stack_util.o \
		tests/ctl_util.o $(HARNESS_OBJS) $(JANSSON_LIBS) $(TEST_LIBS)
