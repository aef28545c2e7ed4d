# tests/fuzz.mk: the fuzz targets (tests/fuzz/fuzz_NAME.c, seeds in
# tests/fuzz/NAME/). make check replays every corpus file through each
# harness (tests/test_fuzz_NAME, the ordinary compiler); make fuzz builds
# them with clang for libFuzzer + ASan + UBSan under tests/fuzz/build/ and
# runs each for FUZZ_SECONDS; make fuzz-smoke runs each briefly (CI);
# make fuzz-plain builds them around a main() reading files instead, for
# AFL++ (FUZZ_CC=afl-clang-fast FUZZ_BUILD=tests/fuzz/afl: binaries in
# tests/fuzz/afl-plain/bin/, run as afl-fuzz -i tests/fuzz/NAME -o OUT -- BIN @@)
# or gdb; FUZZ_CC=gcc works too.
FUZZ_TARGETS = rules ctlreq limitsfile mailctld mailctl
FUZZ_SECONDS = 60
FUZZ_SMOKE_SECONDS = 10
FUZZ_CC = clang-14
FUZZ_BUILD = tests/fuzz/build
# Extra libFuzzer options, e.g. FUZZ_ARGS=-jobs=2 or -max_len=8192.
FUZZ_ARGS =
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_ENGINE_CFLAGS = -fsanitize=fuzzer-no-link
FUZZ_ENGINE_LDFLAGS = -fsanitize=fuzzer
# The main() of a build without libFuzzer; empty for libFuzzer.
FUZZ_DRIVER =
FUZZ_ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -g -O1 -fno-omit-frame-pointer \
	$(FUZZ_SAN) $(FUZZ_ENGINE_CFLAGS) -I. -Ilib -MMD -MP \
	$(WEB_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)

# What each target is built from: its harness, the code under test and
# lib/ (source lists from the owners' build.mk files).
FUZZ_BASE_SRCS = tests/fuzz/fuzz_util.c $(FUZZ_DRIVER) $(LIB_SRCS)
FUZZ_SRCS_rules = tests/fuzz/fuzz_rules.c $(RULES_SRCS)
FUZZ_LIBS_rules = $(CDB_LIBS)
FUZZ_TCPSERVER_SRCS = $(filter-out daemons/tcpserver/main.c,$(TCPSERVER_SRCS)) $(RULES_SRCS)
FUZZ_SRCS_ctlreq = tests/fuzz/fuzz_ctlreq.c $(FUZZ_TCPSERVER_SRCS)
FUZZ_LIBS_ctlreq = $(CDB_LIBS)
FUZZ_SRCS_limitsfile = tests/fuzz/fuzz_limitsfile.c $(FUZZ_TCPSERVER_SRCS)
FUZZ_LIBS_limitsfile = $(CDB_LIBS)
FUZZ_SRCS_mailctld = tests/fuzz/fuzz_mailctld.c tests/web_fake.c $(WEB_LIB_SRCS) $(RULES_SRCS)
FUZZ_LIBS_mailctld = $(CDB_LIBS) $(MHD_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) -lpthread
FUZZ_SRCS_mailctl = tests/fuzz/fuzz_mailctl.c $(CTL_SRCS) $(RULES_SRCS)
# mailctl's harness answers in place of the HTTP exchange.
FUZZ_LIBS_mailctl = -Wl,--wrap=http_do $(CDB_LIBS) $(CURL_LIBS) $(JANSSON_LIBS)

FUZZ_OBJ = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_BASE_SRCS) $(FUZZ_SRCS_$(1)))
FUZZ_BINS = $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/bin/fuzz_%)

$(FUZZ_BUILD)/obj/%.o: %.c lib/config.h
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/bin/fuzz_rules: $(call FUZZ_OBJ,rules)
$(FUZZ_BUILD)/bin/fuzz_ctlreq: $(call FUZZ_OBJ,ctlreq)
$(FUZZ_BUILD)/bin/fuzz_limitsfile: $(call FUZZ_OBJ,limitsfile)
$(FUZZ_BUILD)/bin/fuzz_mailctld: $(call FUZZ_OBJ,mailctld)
$(FUZZ_BUILD)/bin/fuzz_mailctl: $(call FUZZ_OBJ,mailctl)
$(FUZZ_BINS):
	@mkdir -p $(dir $@)
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) $(FUZZ_ENGINE_LDFLAGS) -o $@ $^ \
		$(FUZZ_LIBS_$(patsubst fuzz_%,%,$(notdir $@)))

-include $(wildcard $(FUZZ_BUILD)/obj/*/*.d $(FUZZ_BUILD)/obj/*/*/*.d \
	$(FUZZ_BUILD)/obj/*/*/*/*.d)

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-plain
fuzz-build: $(FUZZ_BINS)

# Each run starts from the committed seeds plus what earlier runs found
# (FUZZ_BUILD/corpus/NAME, not committed); a crash leaves its input as
# FUZZ_BUILD/crash-NAME-* and fails the run. FUZZ_BUILD/ledger.txt keeps
# the executions of every run, summed per target at the end.
fuzz: fuzz-build
	@fail=0; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
		echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
		MAILSTACK_TOP=$(CURDIR) ./$(FUZZ_BUILD)/bin/fuzz_$$t \
			-max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-timeout=20 -rss_limit_mb=2048 \
			-artifact_prefix=$(FUZZ_BUILD)/crash-$$t- $(FUZZ_ARGS) \
			$(FUZZ_BUILD)/corpus/$$t tests/fuzz/$$t \
			>$(FUZZ_BUILD)/log-$$t.txt 2>&1; rc=$$?; \
		n=$$(sed -n 's/^stat::number_of_executed_units: *//p' \
			$(FUZZ_BUILD)/log-$$t.txt | awk '{s += $$1} END {print s + 0}'); \
		echo "$$(date -u +%FT%TZ) $$t $(FUZZ_SECONDS)s $$n rc=$$rc" >>$(FUZZ_BUILD)/ledger.txt; \
		echo "   $$n executions, exit $$rc"; \
		if [ $$rc -ne 0 ]; then fail=1; tail -n 40 $(FUZZ_BUILD)/log-$$t.txt; fi; \
	done; \
	echo "== executions so far (all runs in $(FUZZ_BUILD)/ledger.txt)"; \
	awk '{n[$$2] += $$4; if ($$5 != "rc=0") bad[$$2]++} \
		END {for (t in n) printf "   %-12s %12d  failed runs %d\n", t, n[t], bad[t]}' \
		$(FUZZ_BUILD)/ledger.txt; \
	if [ $$fail -ne 0 ]; then echo "make fuzz: a target failed (inputs in $(FUZZ_BUILD)/crash-*)"; exit 1; fi

fuzz-smoke:
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz-plain:
	$(Q)$(MAKE) --no-print-directory fuzz-build FUZZ_BUILD=$(FUZZ_BUILD)-plain \
		FUZZ_ENGINE_CFLAGS= FUZZ_ENGINE_LDFLAGS= FUZZ_DRIVER=tests/fuzz/driver.c

# The corpus replay in make check: the same harnesses, ordinary build.
FUZZ_REPLAY_OBJS = tests/fuzz/replay_test.o tests/fuzz/fuzz_util.o
FUZZ_HARNESS_OBJS = $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%.o)
CHECK_PROGRAMS += $(FUZZ_TARGETS:%=tests/test_fuzz_%)
OBJS += $(FUZZ_REPLAY_OBJS) $(FUZZ_HARNESS_OBJS)
$(FUZZ_REPLAY_OBJS) $(FUZZ_HARNESS_OBJS): ALL_CFLAGS += $(TEST_CFLAGS) $(WEB_CFLAGS) \
	$(CURL_CFLAGS) $(JANSSON_CFLAGS)

tests/test_fuzz_rules: tests/fuzz/fuzz_rules.o $(FUZZ_REPLAY_OBJS) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(FUZZ_REPLAY_OBJS) $(RULES_LIBS) $(LIBMAILSTACK) $(TEST_LIBS)

tests/test_fuzz_ctlreq: tests/fuzz/fuzz_ctlreq.o $(FUZZ_REPLAY_OBJS) $(TCPSERVER_PARTS) \
		$(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(FUZZ_REPLAY_OBJS) $(TCPSERVER_PARTS) \
		$(RULES_LIBS) $(LIBMAILSTACK) $(TEST_LIBS)

tests/test_fuzz_limitsfile: tests/fuzz/fuzz_limitsfile.o \
		$(FUZZ_REPLAY_OBJS) $(TCPSERVER_PARTS) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(FUZZ_REPLAY_OBJS) \
		$(TCPSERVER_PARTS) $(RULES_LIBS) $(LIBMAILSTACK) $(TEST_LIBS)

tests/test_fuzz_mailctld: tests/fuzz/fuzz_mailctld.o tests/web_fake.o $(FUZZ_REPLAY_OBJS) \
		$(LIBWEB) $(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< tests/web_fake.o $(FUZZ_REPLAY_OBJS) $(WEB_LIBS) $(TEST_LIBS)

tests/test_fuzz_mailctl: tests/fuzz/fuzz_mailctl.o $(FUZZ_REPLAY_OBJS) $(LIBMAILCTL) \
		$(LIBRULES) $(LIBMAILSTACK)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -Wl,--wrap=http_do -o $@ $< $(FUZZ_REPLAY_OBJS) $(CTL_LIBS) $(TEST_LIBS)
