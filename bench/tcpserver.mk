# bench/tcpserver.mk: make bench-tcpserver, mailstack-tcpserver against
# ucspi-tcp tcpserver and tcpsvd: the bare line's matrix and hold test
# (bench/run-tcpserver.sh), then the command lines people run
# (bench/run-tcpserver-lines.sh, alone: make bench-tcpserver-lines); never
# part of make check.

# The load generator and its child are the team's shared tools (copied from
# ../shared/bench/connbench). They define _GNU_SOURCE themselves and are
# always optimised, so they get their own flags rather than ALL_CFLAGS;
# greet.c asks for no feature macro, so it gets POSIX for getopt().
BENCH_CFLAGS = -std=c11 -O2 -g $(WARN)
BENCH_TOOLS = bench/connbench/connbench bench/connbench/greet \
	bench/connbench/forkfloor

# Our listener is a prerequisite only once its folder declares it, so the
# harness can be built and tried against the real tcpserver before then.
BENCH_OURS = $(filter daemons/tcpserver/mailstack-tcpserver, \
	$(SBIN_PROGRAMS) $(BIN_PROGRAMS))

CLEANFILES += $(BENCH_TOOLS)

.PHONY: bench-tools bench-tcpserver bench-tcpserver-lines


bench-tools: $(BENCH_TOOLS)

bench/connbench/connbench: bench/connbench/connbench.c
	@echo "  CCLD    $@"
	$(Q)$(CC) $(BENCH_CFLAGS) -o $@ $< -lpthread

bench/connbench/greet: bench/connbench/greet.c
	@echo "  CCLD    $@"
	$(Q)$(CC) $(BENCH_CFLAGS) -D_POSIX_C_SOURCE=200809L -o $@ $<

bench/connbench/forkfloor: bench/connbench/forkfloor.c
	@echo "  CCLD    $@"
	$(Q)$(CC) $(BENCH_CFLAGS) -o $@ $<

# The local resolver of the -h line (bench/run-tcpserver-lines.sh): the
# tests' fake DNS server behind a small main.
BENCH_DNS = bench/dns/fakedns
CLEANFILES += $(BENCH_DNS)

bench/dns/fakedns: bench/dns/fakedns.c tests/tcpserver_child_dns.c tests/tcpserver_child_dns.h
	@echo "  CCLD    $@"
	$(Q)$(CC) $(BENCH_CFLAGS) -D_GNU_SOURCE -I. -o $@ bench/dns/fakedns.c tests/tcpserver_child_dns.c

# Knobs (OURS, THEIRS, N, ROUNDS, HOLD, LINES, LINE_N, MAX_SECONDS, ...)
# pass through the environment; see the headers of the two scripts.
bench-tcpserver: $(BENCH_TOOLS) $(BENCH_DNS) $(BENCH_OURS)
	bash bench/run-tcpserver.sh
	bash bench/run-tcpserver-lines.sh

bench-tcpserver-lines: $(BENCH_TOOLS) $(BENCH_DNS) $(BENCH_OURS)
	bash bench/run-tcpserver-lines.sh
