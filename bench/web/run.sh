#!/usr/bin/env bash
# run.sh: make bench-web. mailctld's own share of the control-plane latencies
# (bench/web/webbench against a fake listener socket), inside a private
# network namespace when possible (mailctld listens on 127.0.0.1 only);
# the tables go to stdout and OUT/tables.md, for bench/report.sh.
# Knobs: NETNS (auto; 1: insist on unshare -n; 0: plain loopback),
# OUT [bench/results/web-<date>-<time>], MAX_SECONDS [120].
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/bench/lib.sh"
NETNS=${NETNS:-auto}
MAX_SECONDS=${MAX_SECONDS:-120}

bench_netns MAILSTACK_BENCH_IN_NETNS "$@" || {
	echo "run.sh: NETNS=1 but unshare -n is not possible here" >&2
	exit 2
}

OUT=${OUT:-$TOP/bench/results/web-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || exit 111
# mailctld logs every request to the stderr it inherits: kept in OUT/webbench.err
(
	timeout -k 5 "$MAX_SECONDS" "$TOP/bench/web/webbench" "$TOP/web/mailctld/mailctld" 2>"$OUT/webbench.err"
	st=$?
	echo
	echo "machine: nproc $(nproc), $(uname -sr), private netns ${MAILSTACK_BENCH_IN_NETNS:-0}," \
	    "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%M:%SZ)," \
	    "commit $(git -C "$TOP" log -1 --format=%h 2>/dev/null || echo '?')"
	echo
	echo "reproduce: \`./configure && make && make bench-web\`" \
	    "(runs \`bench/web/webbench web/mailctld/mailctld\` inside \`unshare -n\`)"
	exit $st
) >"$OUT/tables.md"
st=$?
cat "$OUT/tables.md"
[ $st = 0 ] || { tail -5 "$OUT/webbench.err" >&2; echo "run.sh: webbench failed (status $st)" >&2; }
exit $st
