# tests/: Criterion programs. Each owner adds tests/NAME.mk, which appends
# to CHECK_PROGRAMS; make check runs them all from the top folder.
TEST_CFLAGS = $(CRITERION_CFLAGS)
TEST_LIBS = $(CRITERION_LIBS)
CRITERION_ARGS = --jobs 2
# The end-to-end harness any test program may link; defined before the
# parts are read because their prerequisite lists expand at once.
HARNESS_OBJS = tests/harness.o tests/harness_net.o

include $(sort $(filter-out tests/build.mk,$(wildcard tests/*.mk)))

# Every suite runs even after a failure; the last line names each one that
# failed, so a long run's verdict needs no scrolling back (check-asan runs
# this rule too and so shows the same line).
check: programs $(CHECK_PROGRAMS)
	@failed=""; for t in $(CHECK_PROGRAMS); do \
		echo "== $$t"; \
		MAILSTACK_TOP=$(CURDIR) ./$$t $(CRITERION_ARGS) || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "make check: FAILED:$$failed"; exit 1; fi
