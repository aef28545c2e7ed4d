# bench/soak.mk: make soak, the soak on the real stack
# (bench/soak/run-soak.sh): 10,000 held connections plus churn for 60 s,
# limits changed every 100 ms and rules every second through mailctld;
# minutes long, never part of make check or CI. Knobs (N, ADDRS, SECONDS_,
# CHURN, RSS_BOUND_KB, NETNS, MAX_SECONDS) pass through the environment.
.PHONY: soak

soak: bench/connbench/connbench bench/connbench/greet $(BENCH_CONTROL_TOOLS) \
		daemons/tcpserver/mailstack-tcpserver web/mailctld/mailctld \
		rules/tcprules/mailstack-tcprules
	bash bench/soak/run-soak.sh
