# bench/rules.mk: make bench-rules, the 100,000-rule compile side by side
# with tcprules and the lookup cost per connection (bench/rules/run.sh;
# tables also in bench/results/rules-<date>/tables.md).
BENCH_RULES_TOOLS = bench/rules/lookupbench
CLEANFILES += $(BENCH_RULES_TOOLS)

.PHONY: bench-rules


bench-rules: $(BENCH_RULES_TOOLS) rules/tcprules/mailstack-tcprules
	sh bench/rules/run.sh

bench/rules/lookupbench: bench/rules/lookupbench.c $(LIBRULES)
	@echo "  CCLD    $@"
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE -O2 $(WARN) -I. -Ilib -o $@ $< $(RULES_LIBS)
