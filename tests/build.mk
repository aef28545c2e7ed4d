# tests/: Criterion programs. Each owner adds tests/NAME.mk, which appends
# to CHECK_PROGRAMS; make check runs them all from the top folder.
TEST_CFLAGS = $(CRITERION_CFLAGS)
TEST_LIBS = $(CRITERION_LIBS)
CRITERION_ARGS = --jobs 2

include $(sort $(filter-out tests/build.mk,$(wildcard tests/*.mk)))

check: programs $(CHECK_PROGRAMS)
	@fail=0; for t in $(CHECK_PROGRAMS); do \
		echo "== $$t"; \
		MAILSTACK_TOP=$(CURDIR) ./$$t $(CRITERION_ARGS) || fail=1; \
	done; \
	if [ $$fail -ne 0 ]; then echo "make check: FAILED"; exit 1; fi
