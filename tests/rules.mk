# tests/rules.mk: tests of rules/ (library, mailstack-tcprules, mailstack-tcprulescheck).
RULES_TEST_UTIL = tests/rules_util.o
RULES_TESTS = tests/test_rules_vectors tests/test_rules_lib tests/test_rules_random
CHECK_PROGRAMS += $(RULES_TESTS)
OBJS += $(RULES_TEST_UTIL) $(RULES_TESTS:tests/test_%=tests/%_test.o)

tests/rules_util.o tests/rules_vectors_test.o tests/rules_lib_test.o \
tests/rules_random_test.o: ALL_CFLAGS += $(TEST_CFLAGS)

tests/test_rules_%: tests/rules_%_test.o $(RULES_TEST_UTIL) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(RULES_TEST_UTIL) $(RULES_LIBS) $(LIBMAILSTACK) $(TEST_LIBS)
