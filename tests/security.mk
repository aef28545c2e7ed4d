# tests/security.mk: the security checks that no other test
# makes (tests/security_test.c). The rest are covered where they live:
#   uid/gid drop: tcpserver_it_faults.c (it_faults::numeric_uid_gid, ...);
#   control socket mode and peers: tcpserver_ctl_it_access.c;
#   401/403/429 in the dispatcher: web_api_test.c; 10 MiB and chunked
#   bodies, TLS with a self-signed certificate: web_http_test.c.
SECURITY_TEST_OBJS = tests/security_test.o
CHECK_PROGRAMS += tests/test_security
OBJS += $(SECURITY_TEST_OBJS)

$(SECURITY_TEST_OBJS): ALL_CFLAGS += $(TEST_CFLAGS) $(JANSSON_CFLAGS)

# the full-stack parts, as tests/faults.mk names them
tests/test_security: $(SECURITY_TEST_OBJS) $(FAULTS_STACK_OBJS) $(FAULTS_STACK_PROGS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(SECURITY_TEST_OBJS) $(FAULTS_STACK_OBJS) \
		$(JANSSON_LIBS) $(TEST_LIBS)
