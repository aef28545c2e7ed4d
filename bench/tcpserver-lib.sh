# shellcheck shell=bash
# bench/tcpserver-lib.sh: the listener benchmarks' shared machinery
# (bench/run-tcpserver.sh, bench/run-tcpserver-lines.sh), sourced after
# bench/lib.sh: starting a listener (optionally logging to a real logger
# process), stopping it once its children are gone, and one connbench
# measurement with the CPU that went to the listener, its logger and
# everything else meanwhile. Only definitions: sourcing it runs nothing.
#
# The caller provides:
#   ME                the script's name, for messages
#   CB WORK CMDS HZ WARMUP STOP_WAIT CLEAN_PCT OURS OURS_SRC
#   die MESSAGE       stops the run
#   portof PEER VARIANT -> the port of that listener
#   listener_cmd PEER VARIANT: fills the array CMD; it may also set
#                     CMD_PROBE (eof: the listener closes without a greeting,
#                     as for a deny), CMD_LOG (1: stdout and stderr go to a
#                     logger: the command in the array LOGGER, run with the
#                     folder WORK/log/PEER-VARIANT as its last argument)
#                     and CMD_FD3 (a file the listener's descriptor 3
#                     is opened on, for -w 3)
# and these arrays, declared here:
declare -A PIDS=()	# listener pid -> peer-variant, while it runs
declare -A LPID=()	# peer-variant -> its latest listener pid
declare -A LOGOF=()	# listener pid -> its logger's pid
declare -A LOGGED=()	# commands.txt keys already written
CBPID=
LAST_PID=
TEST_PIDS=	# helpers (a resolver...) whose CPU is the test's own, not others'

CMD=()
LOGGER=()

stop_pid() {	# PID: TERM, at most 5 s, then KILL; reap it
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 50); do
		ps -o stat= -p "$pid" 2>/dev/null | grep -qv '^Z' || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

probe() {	# PORT [eof]: does a listener answer (with a greeting, or by closing)?
	local expect=()
	[ "${2:-}" = eof ] && expect=(-e '')
	"$CB" -q -n 1 -T 1 -M 2 "${expect[@]}" 127.0.0.1 "$1" 2>/dev/null | grep -q ' ok=1 '
}

log_cmd() {	# KEY WORDS...: the first command of each kind goes to commands.txt
	local key=$1
	shift
	[ -n "${LOGGED[$key]:-}" ] && return 0
	LOGGED[$key]=1
	printf '# %s\n%s\n' "$key" "$*" >>"$CMDS"
}

start_peer() {	# PEER VARIANT; sets LAST_PID
	local peer=$1 variant=$2 port log fifo logdir fd3=/dev/null i
	port=$(portof "$peer" "$variant")
	CMD_PROBE='' CMD_LOG='' CMD_FD3=''
	listener_cmd "$peer" "$variant"
	probe "$port" "$CMD_PROBE" && die "port $port already answers; set BASE_PORT"
	log_cmd "$peer ($variant)" "${CMD[@]/#$OURS/$OURS_SRC}"
	log=$WORK/$peer-$variant.log
	[ -n "$CMD_FD3" ] && fd3=$CMD_FD3
	if [ "$CMD_LOG" = 1 ]; then
		# as under s6: the listener's stdout and stderr are a pipe that
		# a logger process reads
		fifo=$WORK/$peer-$variant.fifo
		logdir=$WORK/log/$peer-$variant
		rm -f "$fifo"
		mkfifo "$fifo" || die "cannot make $fifo"
		mkdir -p "$logdir" || die "cannot make $logdir"
		log_cmd "logger of $peer" "${LOGGER[*]} $logdir <PIPE"
		"${LOGGER[@]}" "$logdir" <"$fifo" >>"$log" 2>&1 &
		i=$!
		"${CMD[@]}" </dev/null >"$fifo" 2>&1 3>"$fd3" &
		LAST_PID=$!
		LOGOF[$LAST_PID]=$i
	else
		"${CMD[@]}" </dev/null >>"$log" 2>&1 3>"$fd3" &
		LAST_PID=$!
	fi
	PIDS[$LAST_PID]="$peer-$variant"
	LPID[$peer-$variant]=$LAST_PID
	for i in $(seq 1 50); do
		probe "$port" "$CMD_PROBE" && return 0
		sleep 0.1
	done
	cat "$log" >&2
	die "$peer ($variant) did not come up on port $port"
}

live_children() {	# PID -> number of its children that are not zombies
	ps -o stat= --ppid "$1" 2>/dev/null | grep -vc '^Z'
}

stop_peer() {	# PID [SECS]: let its children finish (STOP_WAIT s at most), stop it and its logger
	local pid=$1 i left='?' lg=${LOGOF[$1]:-}
	for i in $(seq 1 $((${2:-$STOP_WAIT} * 10))); do
		left=$(live_children "$pid")
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	[ "$left" = 0 ] || echo "$ME: ${PIDS[$pid]} still has $left children; stopping it anyway" >&2
	stop_pid "$pid"
	unset "PIDS[$pid]"
	[ -n "$lg" ] || return 0
	# the pipe is closed now: the logger writes what it has and exits
	for i in $(seq 1 50); do
		kill -0 "$lg" 2>/dev/null || break
		sleep 0.1
	done
	stop_pid "$lg"
	unset "LOGOF[$pid]"
}

# The machine is shared with the team, so each measurement records how much
# CPU went to other programs: all busy time (/proc/stat) minus the listener
# with its reaped children, its logger, connbench and kernel threads
# (kdamond alone takes 5-10% when 5000 children map libc: a cost of the
# test, not interference).
cpu_all() {	# -> "busy total kthreads" jiffies over all CPUs
	local _cpu u n sy id io irq sirq st k
	read -r _cpu u n sy id io irq sirq st _ </proc/stat
	k=$(cat /proc/[0-9]*/stat 2>/dev/null |
	    awk '{ sub(/^.*\) /, ""); if ($2 == 2) k += $12 + $13 } END { print k + 0 }')
	echo "$((u + n + sy + irq + sirq + st)) $((u + n + sy + id + io + irq + sirq + st)) $k"
}
cpu_tree() {	# PID... -> their utime+stime+cutime+cstime in jiffies, summed
	local p
	for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done |
	    awk '{ sub(/^.*\) /, ""); t += $12 + $13 + $14 + $15 } END { print t + 0 }'
}

reaped() {	# PID: wait (2 s at most) until it has no child left, zombies included
	local i
	for i in $(seq 1 20); do
		[ -z "$(ps -o pid= --ppid "$1" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
}

# measure TEST ROUND PEER VARIANT CONC COUNT [connbench args...]
# Appends one line to WORK/cell.txt: round, test, others_pct (what the
# listener, its logger, TEST_PIDS, connbench and kernel threads did not
# use, in percent of all CPU meanwhile), the CPU of
# the listener with its reaped children (cpu_j) and of its logger (log_j)
# in jiffies of 1/HZ s over conns connections (warm-up included), then
# connbench's line. connbench runs in the background so the watchdog's TERM
# is handled at once.
measure() {
	local test=$1 r=$2 p=$3 v=$4 c=$5 n=$6 cmd line a0 a1 t0 t1 g0 g1 h0 h1 lpid lg others
	shift 6
	lpid=${LPID[$p-$v]}
	lg=${LOGOF[$lpid]:-}
	cmd=("$CB" -q -n "$n" -w "$WARMUP" -c "$c" -T 10 -M 120 -l "$p" "$@"
	    127.0.0.1 "$(portof "$p" "$v")")
	log_cmd "connbench, $test, c=$c${*:+, $*}, against $p" "${cmd[@]}"
	# shellcheck disable=SC2086 # $lg and $TEST_PIDS: none, one or more pids
	a0=$(cpu_all)
	t0=$(cpu_tree "$lpid")
	g0=$(cpu_tree $lg)
	h0=$(cpu_tree $TEST_PIDS)
	"${cmd[@]}" >"$WORK/cb.out" 2>"$WORK/cb.err" &
	CBPID=$!
	wait "$CBPID"
	CBPID=
	reaped "$lpid"
	# shellcheck disable=SC2086 # as above
	a1=$(cpu_all)
	t1=$(cpu_tree "$lpid")
	g1=$(cpu_tree $lg)
	h1=$(cpu_tree $TEST_PIDS)
	line=$(grep '^CONNBENCH ' "$WORK/cb.out")
	[ -n "$line" ] || { cat "$WORK/cb.err" >&2; die "connbench gave no result ($test $p c=$c)"; }
	others=$(echo "$a0 $a1 $((t1 - t0 + g1 - g0 + h1 - h0)) $line" | awk -v hz="$HZ" '{
		for (i = 8; i <= NF; i++) if ($i ~ /^client_cpu_s=/) cb = substr($i, 14) * hz
		o = ($4 - $1) - ($6 - $3) - $7 - cb; if (o < 0) o = 0
		t = $5 - $2
		printf "%.1f", (t > 0 ? 100 * o / t : 0) }')
	echo "round=$r test=$test others_pct=$others cpu_j=$((t1 - t0)) log_j=$((g1 - g0))" \
	    "hz=$HZ conns=$((n + WARMUP)) $line" >>"$WORK/cell.txt"
	printf '  %-7s round %s  c=%-3s %-10s %s\n' "$test" "$r" "$c" "$p" \
	    "$(echo "$line" | tr ' ' '\n' | grep -E '^(hold|held|held_dead|cps|fail|tot_p99_us)=' | tr '\n' ' ')" >&2
}

cell_clean() {	# did other programs stay at or below CLEAN_PCT% in every line?
	awk -v lim="$CLEAN_PCT" '{
		for (i = 1; i <= NF; i++)
			if ($i ~ /^others_pct=/ && substr($i, 12) + 0 > lim) bad = 1
	} END { exit bad }' "$WORK/cell.txt"
}

kv_of() { cat "$1" 2>/dev/null || echo '?'; }

report_meta() {	# DIR...: each run's meta.txt, then the first one's commands.txt
	local dir
	for dir in "$@"; do
		[ -s "$dir/meta.txt" ] || continue
		printf '\n### Machine and run (%s)\n\n```\n' "$(basename "$dir")"
		cat "$dir/meta.txt"
		printf '```\n'
	done
	if [ -s "$1/commands.txt" ]; then
		printf '\n### Exact commands\n\n```\n'
		cat "$1/commands.txt"
		printf '```\n'
	fi
}

meta_machine() {	# the machine, the system and the peers, for meta.txt
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
	    "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel: $(uname -srm)"
	echo "os: $(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-?}")"
	echo "ours: $OURS_SRC, sha256 $(sha256sum "$OURS" | cut -c1-12), run as a copy ($(git -C "$TOP" log -1 --format='commit %h %cd' --date=iso 2>/dev/null || echo '?'))"
	echo "theirs: $THEIRS (ucspi-tcp $(dpkg-query -W -f='${Version}' ucspi-tcp 2>/dev/null || echo '?'))"
	case " $PEERS " in *" tcpsvd "*)
		echo "tcpsvd: $TCPSVD (ipsvd $(dpkg-query -W -f='${Version}' ipsvd 2>/dev/null || echo '?'))" ;;
	esac
}
