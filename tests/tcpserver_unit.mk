# tests/tcpserver_unit.mk: unit tests of mailstack-tcpserver's parent side
# (options, connection table, limits, refusals, PATH search) and its event
# loop under descriptor exhaustion; the rest of its end-to-end behaviour is
# in tests/tcpserver_it*.
TCPSERVER_UNIT_TESTS = tests/tcpserver_unit_options tests/tcpserver_unit_table \
	tests/tcpserver_unit_exec
TCPSERVER_UNIT_PARTS = daemons/tcpserver/options.o daemons/tcpserver/listen.o \
	daemons/tcpserver/conn_table.o daemons/tcpserver/limits.o \
	daemons/tcpserver/refuse.o daemons/tcpserver/pathexec.o
CHECK_PROGRAMS += $(TCPSERVER_UNIT_TESTS)
OBJS += $(TCPSERVER_UNIT_TESTS:=.o) $(TCPSERVER_UNIT_PARTS)
$(TCPSERVER_UNIT_TESTS:=.o): ALL_CFLAGS += $(TEST_CFLAGS)

$(TCPSERVER_UNIT_TESTS): %: %.o $(TCPSERVER_UNIT_PARTS) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(TCPSERVER_UNIT_PARTS) $(LIBMAILSTACK) $(TEST_LIBS)

# The loop test runs the real program through the shared test harness.
CHECK_PROGRAMS += tests/tcpserver_unit_loop
OBJS += tests/tcpserver_unit_loop.o
tests/tcpserver_unit_loop.o: ALL_CFLAGS += $(TEST_CFLAGS)
tests/tcpserver_unit_loop: tests/tcpserver_unit_loop.o $(HARNESS_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(HARNESS_OBJS) $(TEST_LIBS)
