# tests/tcpserver_ctl.mk: mailstack-tcpserver's control socket and limits
# file: the protocol and the file parser in-process (test_tcpserver_ctl_unit),
# the grouping of "connections", the real listener on loopback
# (test_tcpserver_ctl_it).
TCPSERVER_CTL_UNIT_PARTS = daemons/tcpserver/limits.o \
	daemons/tcpserver/conn_table.o daemons/tcpserver/ctlgroups.o
TCPSERVER_CTL_IT_OBJS = tests/tcpserver_ctl_it.o tests/tcpserver_ctl_it_access.o \
	tests/tcpserver_ctl_it_idle.o tests/tcpserver_ctl_it_reexec.o \
	tests/tcpserver_ctl_it_adopt.o tests/tcpserver_ctl_it_life.o \
	tests/tcpserver_ctl_it_deny.o tests/tcpserver_ctl_it_log.o \
	tests/tcpserver_ctl_util.o
CHECK_PROGRAMS += tests/test_tcpserver_ctl_unit tests/test_tcpserver_ctl_it
OBJS += tests/tcpserver_ctl_unit.o $(TCPSERVER_CTL_IT_OBJS)
tests/tcpserver_ctl_unit.o $(TCPSERVER_CTL_IT_OBJS): ALL_CFLAGS += $(TEST_CFLAGS)

tests/test_tcpserver_ctl_unit: tests/tcpserver_ctl_unit.o $(TCPSERVER_CTL_UNIT_PARTS) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ tests/tcpserver_ctl_unit.o \
		$(TCPSERVER_CTL_UNIT_PARTS) $(LIBMAILSTACK) $(TEST_LIBS)

# tests/bin/mailstack-tcpserver-next: a second build of the listener, with
# another version string, for the re-exec into an upgraded binary.
TCPSERVER_NEXT = tests/bin/mailstack-tcpserver-next
TCPSERVER_NEXT_OBJS = $(filter-out daemons/tcpserver/version.o,$(TCPSERVER_OBJS)) \
	tests/tcpserver_next_version.o
OBJS += tests/tcpserver_next_version.o
CLEANFILES += $(TCPSERVER_NEXT)

$(TCPSERVER_NEXT): $(TCPSERVER_NEXT_OBJS) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(TCPSERVER_NEXT_OBJS) $(RULES_LIBS) $(LIBMAILSTACK)

# tests/bin/nopidfd: a kernel without pidfd_open, for the polling watch.
CLEANFILES += tests/bin/nopidfd
OBJS += tests/nopidfd.o
tests/bin/nopidfd: tests/nopidfd.o
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ tests/nopidfd.o

tests/test_tcpserver_ctl_it: $(TCPSERVER_CTL_IT_OBJS) $(HARNESS_OBJS) $(TCPSERVER_NEXT) tests/bin/nopidfd
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(TCPSERVER_CTL_IT_OBJS) $(HARNESS_OBJS) $(TEST_LIBS) -lpthread
