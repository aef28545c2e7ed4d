# bench/: benchmarks, side by side with the peer; never part of make check.
include $(sort $(wildcard bench/*.mk))
