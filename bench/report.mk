# bench/report.mk: make bench, every benchmark one after the other, then
# bench/REPORT.md from their results (bench/report.sh). Each benchmark also
# runs alone (make bench-tcpserver, bench-control, bench-rules, bench-web);
# bash bench/report.sh alone rebuilds the report from the latest results.
BENCH_RUNS = bench-tcpserver bench-control bench-rules bench-web

.PHONY: bench-report

bench: bench-report

# The benchmarks are run by a serial sub-make rather than listed as
# prerequisites: under make -j they would run at the same time and measure
# each other.
bench-report:
	$(MAKE) -j1 $(BENCH_RUNS)
	bash bench/report.sh
