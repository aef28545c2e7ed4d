# tests/web.mk: tests of mailctld (web/): the dispatcher without sockets,
# and the real program over HTTP, both against a fake listener socket.
WEB_TEST_FAKE = tests/web_fake.o
WEB_API_UTIL = tests/web_api_util.o
WEB_API_OBJS = tests/web_api_test.o tests/web_rules_test.o tests/web_status_test.o
WEB_HTTP_UTIL = tests/web_http_util.o tests/web_durable.o
WEB_HTTP_OBJS = tests/web_http_test.o
WEB_LIFE_OBJS = tests/web_life_test.o
CHECK_PROGRAMS += tests/test_web_api tests/test_web_http tests/test_web_life
OBJS += $(WEB_TEST_FAKE) $(WEB_API_UTIL) $(WEB_API_OBJS) $(WEB_HTTP_OBJS) $(WEB_HTTP_UTIL) \
	$(WEB_LIFE_OBJS)

$(WEB_TEST_FAKE) $(WEB_API_UTIL) $(WEB_API_OBJS) $(WEB_HTTP_OBJS) $(WEB_HTTP_UTIL) \
	$(WEB_LIFE_OBJS): ALL_CFLAGS += $(TEST_CFLAGS) $(WEB_CFLAGS) $(CURL_CFLAGS)

tests/test_web_api: $(WEB_API_OBJS) $(WEB_API_UTIL) $(WEB_TEST_FAKE) $(LIBWEB) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(WEB_API_OBJS) $(WEB_API_UTIL) $(WEB_TEST_FAKE) $(WEB_LIBS) $(TEST_LIBS)

tests/test_web_http: $(WEB_HTTP_OBJS) $(WEB_HTTP_UTIL) $(WEB_TEST_FAKE) $(HARNESS_OBJS) $(LIBWEB) \
	web/mailctld/mailctld
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(WEB_HTTP_OBJS) $(WEB_HTTP_UTIL) $(WEB_TEST_FAKE) $(HARNESS_OBJS) \
		$(WEB_LIBS) $(CURL_LIBS) $(TEST_LIBS)

tests/test_web_life: $(WEB_LIFE_OBJS) $(WEB_HTTP_UTIL) $(WEB_TEST_FAKE) $(HARNESS_OBJS) $(LIBWEB) \
	web/mailctld/mailctld
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(WEB_LIFE_OBJS) $(WEB_HTTP_UTIL) $(WEB_TEST_FAKE) $(HARNESS_OBJS) \
		$(WEB_LIBS) $(CURL_LIBS) $(TEST_LIBS)
