# tests/lib.mk: unit tests of lib/.
CHECK_PROGRAMS += tests/test_lib
tests/test_lib: tests/lib_test.o $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ tests/lib_test.o $(LIBMAILSTACK) $(TEST_LIBS)
tests/lib_test.o: ALL_CFLAGS += $(TEST_CFLAGS)
OBJS += tests/lib_test.o
