# tests/packages.mk: make deb and make rpm, built once per run (the
# ReportHook in packages_util.c), what the packages hold, lintian and
# rpmlint, the .deb installed, upgraded and purged in a throwaway root,
# and installed with dpkg -i and run in private namespaces. One Criterion
# program from every tests/packages_*.c.
PACKAGES_TEST_SRCS = $(sort $(wildcard tests/packages_*.c))
PACKAGES_TEST_OBJS = $(PACKAGES_TEST_SRCS:.c=.o)
CHECK_PROGRAMS += tests/test_packages
OBJS += $(PACKAGES_TEST_OBJS)

$(PACKAGES_TEST_OBJS): ALL_CFLAGS += $(TEST_CFLAGS)

tests/test_packages: $(PACKAGES_TEST_OBJS) $(HARNESS_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(PACKAGES_TEST_OBJS) $(HARNESS_OBJS) $(TEST_LIBS)
