# bench/: benchmarks, side by side with the peer; never part of make check.
include $(sort $(filter-out bench/build.mk,$(wildcard bench/*.mk)))
