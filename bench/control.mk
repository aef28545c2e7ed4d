# bench/control.mk: make bench-control, the control plane on the
# real stack (bench/run-control.sh): the per-IP report for 10,000 live
# connections against ss | awk | sort | uniq -c, and a limit raise through
# the API to the queued client's greeting. Never part of make check.
BENCH_CONTROL_TOOLS = bench/control/controlhold bench/control/controlprobe
CLEANFILES += $(BENCH_CONTROL_TOOLS)

.PHONY: bench-control


# Knobs (N, ADDRS, ROUNDS, RAISE_ROUNDS, RAISE_HELD, NETNS, MAX_SECONDS...)
# pass through the environment; see the header of bench/run-control.sh.
bench-control: $(BENCH_CONTROL_TOOLS) bench/connbench/greet \
		daemons/tcpserver/mailstack-tcpserver web/mailctld/mailctld ctl/mailctl/mailctl
	bash bench/run-control.sh

bench/control/controlhold: bench/control/controlhold.c
	@echo "  CCLD    $@"
	$(Q)$(CC) $(BENCH_CFLAGS) -o $@ $<

bench/control/controlprobe: bench/control/controlprobe.c
	@echo "  CCLD    $@"
	$(Q)$(CC) $(BENCH_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) -o $@ $< $(CURL_LIBS) $(JANSSON_LIBS)
