# tests/tcpserver_unit.mk: unit tests of mailstack-tcpserver's parent side
# (options, connection table, limits, refusals, PATH search, the re-exec
# state's format), its event
# loop under descriptor exhaustion and its command line against the real
# tcpserver's; the rest of its end-to-end behaviour is in tests/tcpserver_it*.
TCPSERVER_UNIT_TESTS = tests/tcpserver_unit_options tests/tcpserver_unit_table \
	tests/tcpserver_unit_exec tests/tcpserver_unit_state
TCPSERVER_UNIT_PARTS = daemons/tcpserver/options.o daemons/tcpserver/listen.o \
	daemons/tcpserver/conn_table.o daemons/tcpserver/limits.o \
	daemons/tcpserver/refuse.o daemons/tcpserver/pathexec.o \
	daemons/tcpserver/state.o
CHECK_PROGRAMS += $(TCPSERVER_UNIT_TESTS)
OBJS += $(TCPSERVER_UNIT_TESTS:=.o) $(TCPSERVER_UNIT_PARTS)
$(TCPSERVER_UNIT_TESTS:=.o): ALL_CFLAGS += $(TEST_CFLAGS)

$(TCPSERVER_UNIT_TESTS): %: %.o $(TCPSERVER_UNIT_PARTS) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(TCPSERVER_UNIT_PARTS) $(LIBMAILSTACK) $(TEST_LIBS)

# These run the real program through the shared test harness: the loop
# without descriptors, and random command lines against the real tcpserver.
TCPSERVER_UNIT_RUNS = tests/tcpserver_unit_loop tests/tcpserver_unit_cli_diff
CHECK_PROGRAMS += $(TCPSERVER_UNIT_RUNS)
OBJS += $(TCPSERVER_UNIT_RUNS:=.o)
$(TCPSERVER_UNIT_RUNS:=.o): ALL_CFLAGS += $(TEST_CFLAGS)
$(TCPSERVER_UNIT_RUNS): %: %.o $(HARNESS_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(HARNESS_OBJS) $(TEST_LIBS)
