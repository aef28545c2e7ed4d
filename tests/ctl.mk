# tests/ctl.mk: tests of mailctl (ctl/): in-process units, and the real
# program against a fake HTTP server in the test.
CTL_TEST_HARNESS = tests/harness.o tests/harness_net.o
CTL_UNIT_OBJS = tests/ctl_unit_test.o tests/ctl_seen_test.o
CTL_HTTP_OBJS = tests/ctl_http_test.o tests/ctl_restart_test.o tests/ctl_fake.o tests/ctl_util.o
CHECK_PROGRAMS += tests/test_ctl_unit tests/test_ctl_http
OBJS += $(CTL_UNIT_OBJS) $(CTL_HTTP_OBJS)

$(CTL_UNIT_OBJS) $(CTL_HTTP_OBJS): ALL_CFLAGS += $(TEST_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)

tests/test_ctl_unit: $(CTL_UNIT_OBJS) $(CTL_TEST_HARNESS) $(LIBMAILCTL) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CTL_UNIT_OBJS) $(CTL_TEST_HARNESS) $(CTL_LIBS) $(TEST_LIBS)

tests/test_ctl_http: $(CTL_HTTP_OBJS) $(CTL_TEST_HARNESS) ctl/mailctl/mailctl
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CTL_HTTP_OBJS) $(CTL_TEST_HARNESS) $(JANSSON_LIBS) $(TEST_LIBS) -lpthread

# Against the real mailctld (web/), with a fake listener control socket.
CTL_E2E_OBJS = tests/ctl_e2e_test.o tests/ctl_util.o
CHECK_PROGRAMS += tests/test_ctl_e2e
OBJS += tests/ctl_e2e_test.o
tests/ctl_e2e_test.o: ALL_CFLAGS += $(TEST_CFLAGS)

tests/test_ctl_e2e: $(CTL_E2E_OBJS) $(CTL_TEST_HARNESS) ctl/mailctl/mailctl web/mailctld/mailctld
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CTL_E2E_OBJS) $(CTL_TEST_HARNESS) $(TEST_LIBS) -lpthread
