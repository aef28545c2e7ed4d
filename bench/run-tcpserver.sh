#!/usr/bin/env bash
# run-tcpserver.sh: mailstack-tcpserver against ucspi-tcp tcpserver (and ipsvd's tcpsvd when installed), side by side in one run.
#
# Both listeners run the same child (bench/connbench/greet) with the same
# settings (-H -R -l 0, a high -c, backlog 1024); ours also has its per-IP
# table on (-C equal to -c, so it never refuses: every client is 127.0.0.1).
# tcpsvd, a third peer when TCPSVD exists, gets -l 0 -c -b only: it has no
# -H/-R (it never does ident, nor DNS for the client without -h) and its -C
# would write a message and close, so it runs without its per-IP table.
# connbench measures new connections at each concurrency in rounds whose
# peer order alternates, then the same with HOLD idle connections held open
# on a freshly started listener. Prints markdown tables (medians over rounds,
# ratios ours/theirs, the targets) and the exact commands.
# Loopback only, inside a private network namespace when possible; every
# loop is bounded in count and time; listeners are stopped by PID after
# their children are gone; a watchdog ends the run after MAX_SECONDS.
#
# usage: bench/run-tcpserver.sh            (or: make bench)
#        bench/run-tcpserver.sh --report DIR...   tables again from DIR/raw.txt,
#                     the rounds of several runs pooled
#
# Environment knobs (defaults in brackets):
#   OURS [daemons/tcpserver/mailstack-tcpserver]  our listener; OURS=/usr/bin/
#                     tcpserver tries the harness with the real one on both sides
#   THEIRS [tcpserver on PATH]   the ucspi-tcp 0.88 tcpserver
#   TCPSVD [/usr/bin/tcpsvd]     ipsvd 1.0.0's tcpsvd (Debian package ipsvd)
#   PEERS ["ours tcpserver", plus tcpsvd when TCPSVD is executable]
#                     add floor-fork / -spawn / -pidfd / -lean
#                     (forkfloor -m MODE) for the fork+exec floor as references
#   N [25000]         measured connections per peer and concurrency, split
#                     evenly over ROUNDS
#   ROUNDS [5]        rounds; odd, so the median is a measured round
#   CONCS ["1 8 64"]  concurrencies
#   WARMUP [200]      unmeasured connections before each measurement
#   LIMIT [1000]      -c of the listeners in the main matrix
#   BACKLOG [1024]    -b of every listener
#   PERIP [auto]      ours gets -C PERIP; auto: the listener's -c (none when
#                     OURS is the real tcpserver, which has no -C); 0: no -C
#   OURS_OPTS [""]    further options for ours only (word-split)
#   HOLD [5000]       idle connections held in the hold test (0: skip it)
#   HOLD_LIMIT [HOLD+1000]  -c (and auto -C) of the hold listeners
#   HOLD_N [4000]     measured connections per hold cell
#   HOLD_CONC [64]    concurrency of the new connections in the hold test
#   HOLD_ROUNDS [5]   rounds of the hold test; held 0 and held HOLD cells,
#                     each with a freshly started listener
#   BASE_PORT [17400] first of the loopback ports used (BASE_PORT..+16)
#   NETNS [auto]      1: re-run inside unshare -n (needs root); 0: plain
#                     loopback; auto: 1 when possible
#   OUT [bench/results/tcpserver-<date>-<time>]  raw.txt, meta.txt, tables.md
#   MAX_SECONDS [270 per peer] watchdog for the whole run (tables of what was measured
#                     until then are still written)
#   STOP_WAIT [60]    seconds a listener's children get to finish before it
#                     is stopped anyway
#   CLEAN_PCT [10]    a measurement is clean when other programs (not the
#                     listener, its children, connbench or kernel threads)
#                     took at most this share of all CPU meanwhile
#   RETRY_DIRTY [1]   how often a cell (both peers of one round) is measured
#                     again when one of its measurements was not clean
#   RETRY_SECONDS [120 per peer]  no more measuring again after this many seconds of
#                     the run, so that a busy machine does not make it longer
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
. "$TOP/bench/tcpserver-lib.sh"
ME=run-tcpserver
CBDIR=$TOP/bench/connbench
CB=$CBDIR/connbench
GREET=$CBDIR/greet
FLOOR=$CBDIR/forkfloor

# ---- report: markdown tables from raw.txt ---------------------------------
# report DIR...: the rounds of several runs are pooled.
report() {
	local dir raws=()
	for dir in "$@"; do
		[ -s "$dir/raw.txt" ] || { echo "run-tcpserver: no $dir/raw.txt" >&2; return 2; }
		raws+=("$dir/raw.txt")
	done
	awk -v CLEAN="${CLEAN_PCT:-10}" -f "$TOP/bench/stats.awk" -f "$TOP/bench/tcpserver-report.awk" "${raws[@]}" || return 2
	printf '\nspread: (max - min) / median of conn/s over the rounds. p99: median over the rounds of each round'"'"'s 99th percentile of connect-to-close time. paired: ours/ts within each round (both measured back to back). failures: refused, reset, timeout, eof... in measured, warm-up and hold phases.\n'
	report_meta "$@"
}

if [ "${1:-}" = --report ]; then
	shift
	[ $# -gt 0 ] || { echo "usage: run-tcpserver.sh --report DIR..." >&2; exit 2; }
	report "$@"
	exit
fi

OURS=${OURS:-$TOP/daemons/tcpserver/mailstack-tcpserver}
THEIRS=${THEIRS:-$(command -v tcpserver)}
TCPSVD=${TCPSVD:-/usr/bin/tcpsvd}
if [ -z "${PEERS:-}" ]; then
	PEERS="ours tcpserver"
	[ -x "$TCPSVD" ] && PEERS="$PEERS tcpsvd"
fi
npeers=$(echo $PEERS | wc -w)
N=${N:-25000}
ROUNDS=${ROUNDS:-5}
CONCS=${CONCS:-"1 8 64"}
WARMUP=${WARMUP:-200}
LIMIT=${LIMIT:-1000}
BACKLOG=${BACKLOG:-1024}
PERIP=${PERIP:-auto}
OURS_OPTS=${OURS_OPTS:-}
HOLD=${HOLD:-5000}
HOLD_LIMIT=${HOLD_LIMIT:-$((HOLD + 1000))}
HOLD_N=${HOLD_N:-4000}
HOLD_CONC=${HOLD_CONC:-64}
HOLD_ROUNDS=${HOLD_ROUNDS:-5}
BASE_PORT=${BASE_PORT:-17400}
NETNS=${NETNS:-auto}
MAX_SECONDS=${MAX_SECONDS:-$((270 * npeers))}
STOP_WAIT=${STOP_WAIT:-60}
CLEAN_PCT=${CLEAN_PCT:-10}
RETRY_DIRTY=${RETRY_DIRTY:-1}
RETRY_SECONDS=${RETRY_SECONDS:-$((120 * npeers))}

# A run that stops half-way still reports what it measured.
die() {
	echo "run-tcpserver: $*" >&2
	if [ -s "${RAW:-}" ]; then
		echo "run-tcpserver: partial results (stopped: $*)" >>"$OUT/meta.txt"
		report "$OUT" >"$OUT/tables.md" && echo "run-tcpserver: partial tables in $OUT/tables.md" >&2
	fi
	exit 2
}

# ---- a private network namespace: only lo exists, nothing can leave --------
bench_netns MAILSTACK_BENCH_IN_NETNS "$@" || die "NETNS=1 but unshare -n is not possible here"

# ---- programs ------------------------------------------------------------
if [ ! -x "$CB" ] || [ ! -x "$GREET" ] || [ ! -x "$FLOOR" ]; then
	make -s -C "$TOP" bench-tools >&2 || die "cannot build the connbench tools (run ./configure && make bench)"
fi
[ -x "$OURS" ] || die "no listener at OURS=$OURS (build it, or try the harness with OURS=/usr/bin/tcpserver)"
[ -n "$THEIRS" ] && [ -x "$THEIRS" ] || die "no ucspi-tcp tcpserver (THEIRS)"
for p in $PEERS; do
	case $p in
	ours | tcpserver | floor-fork | floor-spawn | floor-pidfd | floor-lean) ;;
	tcpsvd) [ -x "$TCPSVD" ] || die "PEERS has tcpsvd but TCPSVD=$TCPSVD is missing (apt-get install ipsvd)" ;;
	*) die "unknown peer $p in PEERS" ;;
	esac
done
case " $PEERS " in *" ours "*) ;; *) die "PEERS must contain ours" ;; esac
case " $PEERS " in *" tcpserver "*) ;; *) die "PEERS must contain tcpserver" ;; esac
if [ "$PERIP" = auto ] && [ "$(readlink -f "$OURS")" = "$(readlink -f "$THEIRS")" ]; then
	PERIP=0
fi
[ $((ROUNDS % 2)) = 1 ] || echo "run-tcpserver: ROUNDS=$ROUNDS is even: medians average two rounds" >&2

# ---- limits: descriptors, processes, accept queue ---------------------------
# A held connection is one live child and one descriptor in connbench; the
# listeners keep none per connection but get the same limit, as a daemon
# configured for this load would.
need_fd=$((HOLD_LIMIT + LIMIT + 256))
# forkfloor -m lean keeps its pidfds at 4096 and up
case " $PEERS " in *" floor-lean "*) need_fd=$((need_fd + 4096)) ;; esac
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need_fd" ]; then
	ulimit -n "$need_fd" 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"
fi
need_proc=$((HOLD_LIMIT + LIMIT + 512))
SOMAXCONN=$(kv_of /proc/sys/net/core/somaxconn)
PID_MAX=$(kv_of /proc/sys/kernel/pid_max)
THREADS_MAX=$(kv_of /proc/sys/kernel/threads-max)
limit_problems=""
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$need_fd" ] ||
	limit_problems="$limit_problems ulimit-n=$(ulimit -n)<$need_fd"
[ "$(ulimit -u)" = unlimited ] || [ "$(ulimit -u)" -ge "$need_proc" ] ||
	limit_problems="$limit_problems ulimit-u=$(ulimit -u)<$need_proc"
[ "$PID_MAX" = '?' ] || [ "$PID_MAX" -ge "$need_proc" ] ||
	limit_problems="$limit_problems pid_max=$PID_MAX<$need_proc"
[ "$THREADS_MAX" = '?' ] || [ "$THREADS_MAX" -ge "$need_proc" ] ||
	limit_problems="$limit_problems threads-max=$THREADS_MAX<$need_proc"
[ -z "$limit_problems" ] || die "limits too low for HOLD=$HOLD:$limit_problems"
if [ "$SOMAXCONN" != '?' ] && [ "$SOMAXCONN" -lt "$BACKLOG" ]; then
	echo "run-tcpserver: somaxconn $SOMAXCONN caps backlog $BACKLOG" >&2
fi

OUT=${OUT:-$TOP/bench/results/tcpserver-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || die "cannot create $OUT"
WORK=$(mktemp -d /tmp/run-tcpserver.XXXXXX) || die "cannot create a work folder"
CMDS=$OUT/commands.txt
: >"$CMDS"

# The team rebuilds OURS in place while we measure: run a private copy.
OURS_SRC=$OURS
OURS=$WORK/$(basename "$OURS_SRC")
cp "$OURS_SRC" "$OURS" || die "cannot copy $OURS_SRC"
HZ=$(getconf CLK_TCK)

# ---- cleanup and watchdog ---------------------------------------------------
WATCHDOG=
cleanup() {
	local p
	[ -n "$CBPID" ] && stop_pid "$CBPID"
	for p in "${!PIDS[@]}"; do stop_peer "$p" 5; done
	[ -n "$WATCHDOG" ] && kill -TERM "$WATCHDOG" 2>/dev/null && wait "$WATCHDOG" 2>/dev/null
	rm -rf "$WORK"
}
bench_watchdog run-tcpserver cleanup

# ---- listeners --------------------------------------------------------------
portof() {	# PEER VARIANT -> port
	local i=0 p
	for p in ours tcpserver floor-fork floor-spawn floor-pidfd floor-lean tcpsvd; do
		[ "$p" = "$1" ] && break
		i=$((i + 1))
	done
	[ "$2" = hold ] && i=$((i + 10))
	echo $((BASE_PORT + i))
}

# listener_cmd PEER VARIANT: fills CMD; "main" runs greet with -c LIMIT,
# "hold" runs greet -w (waits for the client to close) with -c HOLD_LIMIT
listener_cmd() {
	local peer=$1 variant=$2 port lim child=("$GREET") perip=() extra=()
	port=$(portof "$peer" "$variant")
	if [ "$variant" = hold ]; then
		lim=$HOLD_LIMIT
		child=("$GREET" -w -t 300)
	else
		lim=$LIMIT
	fi
	case $PERIP in
	auto) perip=(-C "$lim") ;;
	0 | '') ;;
	*) perip=(-C "$PERIP") ;;
	esac
	read -r -a extra <<<"$OURS_OPTS"
	case $peer in
	ours)
		CMD=("$OURS" -H -R -l 0 -c "$lim" -b "$BACKLOG" "${perip[@]}" "${extra[@]}"
		    127.0.0.1 "$port" "${child[@]}") ;;
	tcpserver)
		CMD=("$THEIRS" -H -R -l 0 -c "$lim" -b "$BACKLOG" 127.0.0.1 "$port" "${child[@]}") ;;
	tcpsvd)
		CMD=("$TCPSVD" -l 0 -c "$lim" -b "$BACKLOG" 127.0.0.1 "$port" "${child[@]}") ;;
	floor-fork | floor-spawn | floor-pidfd | floor-lean)
		CMD=("$FLOOR" -m "${peer#floor-}" -c "$lim" -b "$BACKLOG" -T "$MAX_SECONDS"
		    127.0.0.1 "$port" "${child[@]}") ;;
	esac
}

# run_cell main|hold ROUND CONC [HELD]: every peer once, in the round's order
# (hold: each on a fresh listener); the whole cell again, RETRY_DIRTY times at
# most, while another program took more than CLEAN_PCT% of the CPU during
# one of its measurements. The last try goes to raw.txt, earlier ones to
# raw-dirty.txt.
run_cell() {
	local kind=$1 r=$2 c=$3 h=${4:-0} try k i
	for try in $(seq 0 "$RETRY_DIRTY"); do
		: >"$WORK/cell.txt"
		for k in $(seq 0 $((np - 1))); do
			if [ $((r % 2)) = 1 ]; then i=$k; else i=$((np - 1 - k)); fi
			if [ "$kind" = main ]; then
				measure main "$r" "${PA[$i]}" main "$c" "$per"
				continue
			fi
			start_peer "${PA[$i]}" hold
			measure hold "$r" "${PA[$i]}" hold "$c" "$HOLD_N" -H "$h" --hold-conc 64
			stop_peer "$LAST_PID"
		done
		cell_clean && break
		[ "$try" -lt "$RETRY_DIRTY" ] || break
		[ $(($(date +%s) - T0)) -lt "$RETRY_SECONDS" ] || break
		echo "  (others took more than $CLEAN_PCT% of the CPU: measuring the cell again)" >&2
		cat "$WORK/cell.txt" >>"$OUT/raw-dirty.txt"
	done
	cat "$WORK/cell.txt" >>"$RAW"
}

# ---- metadata -----------------------------------------------------------------
{
	meta_machine
	echo "private netns: ${MAILSTACK_BENCH_IN_NETNS:-0}"
	echo "limits: ulimit -n $(ulimit -n), ulimit -u $(ulimit -u), somaxconn $SOMAXCONN," \
	    "pid_max $PID_MAX, threads-max $THREADS_MAX, fs.file-max $(kv_of /proc/sys/fs/file-max)," \
	    "ip_local_port_range $(kv_of /proc/sys/net/ipv4/ip_local_port_range | tr '\t' ' ')"
	echo "PEERS=$PEERS N=$N ROUNDS=$ROUNDS CONCS=\"$CONCS\" WARMUP=$WARMUP LIMIT=$LIMIT BACKLOG=$BACKLOG PERIP=$PERIP OURS_OPTS=\"$OURS_OPTS\""
	echo "HOLD=$HOLD HOLD_LIMIT=$HOLD_LIMIT HOLD_N=$HOLD_N HOLD_CONC=$HOLD_CONC HOLD_ROUNDS=$HOLD_ROUNDS CLEAN_PCT=$CLEAN_PCT RETRY_DIRTY=$RETRY_DIRTY RETRY_SECONDS=$RETRY_SECONDS"
	echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/meta.txt"
RAW=$OUT/raw.txt
: >"$RAW"
sed 's/^/# /' "$OUT/meta.txt" >&2

T0=$(date +%s)
read -r _ u0 n0 s0 i0 w0 q0 sq0 st0 _ </proc/stat

# ---- main matrix: rounds x concurrency x peers, order alternating -------------
for p in $PEERS; do start_peer "$p" main; done
read -r -a PA <<<"$PEERS"
np=${#PA[@]}
per=$((N / ROUNDS))
for r in $(seq 1 "$ROUNDS"); do
	for c in $CONCS; do
		run_cell main "$r" "$c"
	done
done
for p in "${!PIDS[@]}"; do stop_peer "$p"; done

# ---- hold test: new connections while HOLD idle ones are held -----------------
# Every cell gets a fresh listener, so one that once had HOLD children cannot
# carry that into the next cell; held 0 cells give the unloaded reference.
if [ "$HOLD" -gt 0 ]; then
	for r in $(seq 1 "$HOLD_ROUNDS"); do
		for h in 0 "$HOLD"; do
			run_cell hold "$r" "$HOLD_CONC" "$h"
		done
	done
fi

read -r _ u1 n1 s1 i1 w1 q1 sq1 st1 _ </proc/stat
tot=$(((u1 + n1 + s1 + i1 + w1 + q1 + sq1 + st1) - (u0 + n0 + s0 + i0 + w0 + q0 + sq0 + st0)))
[ "$tot" -gt 0 ] || tot=1
{
	echo "elapsed: $(($(date +%s) - T0)) s of measurement"
	echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "cpu during measurement: busy $((100 * (tot - (i1 - i0) - (w1 - w0)) / tot))%, steal $((100 * (st1 - st0) / tot))% (all CPUs; the machine is shared)"
} >>"$OUT/meta.txt"
{
	echo "# reproduce this run (with the default knobs it is just: make bench)"
	echo "cd $TOP && ./configure && make && OURS='$OURS_SRC' PEERS='$PEERS' N=$N ROUNDS=$ROUNDS CONCS='$CONCS'" \
	    "WARMUP=$WARMUP LIMIT=$LIMIT PERIP=$PERIP HOLD=$HOLD HOLD_N=$HOLD_N HOLD_CONC=$HOLD_CONC" \
	    "HOLD_ROUNDS=$HOLD_ROUNDS CLEAN_PCT=$CLEAN_PCT RETRY_DIRTY=$RETRY_DIRTY make bench-tcpserver"
} >>"$CMDS"

report "$OUT" | tee "$OUT/tables.md"
