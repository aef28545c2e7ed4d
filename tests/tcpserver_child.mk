# tests/tcpserver_child.mk: unit tests of mailstack-tcpserver's child side
# (environment, log fields, ident parsing and client, PATH search, names).
TCPSERVER_CHILD_UNIT_OBJS = daemons/tcpserver/child_env.o \
	daemons/tcpserver/child_conn.o daemons/tcpserver/pathexec.o \
	daemons/tcpserver/logfmt.o daemons/tcpserver/ident.o \
	daemons/tcpserver/resolve.o
CHECK_PROGRAMS += tests/test_tcpserver_child
tests/test_tcpserver_child: tests/tcpserver_child_test.o tests/tcpserver_child_util.o $(TCPSERVER_CHILD_UNIT_OBJS) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ tests/tcpserver_child_test.o tests/tcpserver_child_util.o \
		$(TCPSERVER_CHILD_UNIT_OBJS) $(LIBMAILSTACK) $(TEST_LIBS)
tests/tcpserver_child_test.o: ALL_CFLAGS += $(TEST_CFLAGS)
OBJS += tests/tcpserver_child_test.o tests/tcpserver_child_util.o $(TCPSERVER_CHILD_UNIT_OBJS)

# child_run itself on loopback connections (no listener parent involved).
TCPSERVER_CHILD_RUN_OBJS = daemons/tcpserver/child.o $(TCPSERVER_CHILD_UNIT_OBJS)
CHECK_PROGRAMS += tests/test_tcpserver_child_run
tests/test_tcpserver_child_run: tests/tcpserver_child_run_test.o tests/tcpserver_child_util.o tests/tcpserver_child_dns.o $(TCPSERVER_CHILD_RUN_OBJS) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ tests/tcpserver_child_run_test.o tests/tcpserver_child_util.o tests/tcpserver_child_dns.o \
		$(TCPSERVER_CHILD_RUN_OBJS) $(RULES_LIBS) $(LIBMAILSTACK) $(TEST_LIBS)
tests/tcpserver_child_run_test.o: ALL_CFLAGS += $(TEST_CFLAGS)
OBJS += tests/tcpserver_child_run_test.o tests/tcpserver_child_dns.o daemons/tcpserver/child.o
