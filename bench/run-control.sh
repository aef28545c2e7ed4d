#!/usr/bin/env bash
# run-control.sh: the control plane on the real stack.
#
# (a) N live connections from ADDRS source addresses (127.0.1.1 ... bound
#     explicitly by bench/control/controlhold) to mailstack-tcpserver running
#     bench/connbench/greet -w; the per-IP report through the control socket
#     (`connections`), through mailctld's HTTP, through `mailctl --json who`,
#     side by side with the admin's pipelines of the original report
#     (ss | awk | sort | uniq -c, and netstat's). Every answer is compared
#     with the truth (which address holds how many) for exactness.
# (b) a listener held at its max_connections; a client queues; PATCH limits
#     through mailctld raises the limit by one; the time from the API's
#     answer to the queued client's greeting (bench/control/controlprobe).
# Medians over rounds; prints markdown tables with the exact commands.
# Loopback only, inside a private network namespace when possible; every
# wait is bounded; a watchdog ends the run after MAX_SECONDS; everything
# started is stopped by pid.
#
# usage: bench/run-control.sh        (or: make bench-control, part of make bench)
#
# Environment knobs (defaults in brackets):
#   N [10000]            live connections held in (a)
#   ADDRS [1000]         source addresses they come from
#   ROUNDS [21]          rounds; each has one request of every report method
#   NETSTAT_ROUNDS [3]   rounds of the netstat pipeline (slow)
#   RAISE_ROUNDS [21]    rounds of (b)
#   RAISE_HELD [20]      max_connections (and held clients) in (b)
#   PORT [17700]         listener of (a); PORT+1 mailctld; PORT+2 listener of (b)
#   NETNS [auto]         1: inside unshare -n (needs root); 0: plain loopback
#   OUT [bench/results/control-<date>-<time>]   raw.txt, tables.md
#   MAX_SECONDS [300]    watchdog for the whole run
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
N=${N:-10000}
ADDRS=${ADDRS:-1000}
ROUNDS=${ROUNDS:-21}
NETSTAT_ROUNDS=${NETSTAT_ROUNDS:-3}
RAISE_ROUNDS=${RAISE_ROUNDS:-21}
RAISE_HELD=${RAISE_HELD:-20}
PORT=${PORT:-17700}
API_PORT=$((PORT + 1))
RAISE_PORT=$((PORT + 2))
NETNS=${NETNS:-auto}
MAX_SECONDS=${MAX_SECONDS:-300}

die() {
	echo "run-control: $*" >&2
	exit 2
}

# ---- a private network namespace: only lo exists, nothing can leave --------
bench_netns MAILSTACK_BENCH_IN_NETNS "$@" || die "NETNS=1 but unshare -n is not possible here"

# ---- programs: private copies, since the team rebuilds in place -------------
WORK=$(mktemp -d /tmp/run-control.XXXXXX) || die "cannot create a work folder"
for f in daemons/tcpserver/mailstack-tcpserver web/mailctld/mailctld ctl/mailctl/mailctl \
    bench/connbench/greet bench/control/controlhold bench/control/controlprobe; do
	[ -x "$TOP/$f" ] || die "no $f (run: make bench-control)"
	cp "$TOP/$f" "$WORK/" || die "cannot copy $f"
done
OURS=$WORK/mailstack-tcpserver
MAILCTLD=$WORK/mailctld
MAILCTL=$WORK/mailctl
GREET=$WORK/greet
HOLD=$WORK/controlhold
PROBE=$WORK/controlprobe

# ---- limits: descriptors and processes -------------------------------------
# controlhold keeps one descriptor per connection; the listener none; each
# connection is one greet process.
need_fd=$((N + 256))
if [ "$(ulimit -n)" -lt "$need_fd" ]; then
	ulimit -n "$need_fd" 2>/dev/null || die "ulimit -n $(ulimit -n) < $need_fd (hard $(ulimit -Hn))"
fi
# (processes that end during the walk are not counted: no complaint)
procs=$(find /proc -maxdepth 1 -name '[0-9]*' 2>/dev/null | wc -l)
need_proc=$((N + procs + 1000))
for lim in "pid_max $(cat /proc/sys/kernel/pid_max)" "threads-max $(cat /proc/sys/kernel/threads-max)" \
    "ulimit-u $(ulimit -u)"; do
	set -- $lim
	[ "$2" = unlimited ] || [ "$2" -ge "$need_proc" ] ||
		die "$1 $2 < $need_proc ($N children + $procs processes running + 1000)"
done

OUT=${OUT:-$TOP/bench/results/control-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || die "cannot create $OUT"
RAW=$OUT/raw.txt
CMDS=$OUT/commands.txt
: >"$RAW"
: >"$CMDS"

# ---- cleanup and watchdog ----------------------------------------------------
PIDS=()
bench_watchdog run-control bench_cleanup

log_cmd() {	# TITLE WORDS...
	local t=$1
	shift
	printf '# %s\n%s\n' "$t" "$*" >>"$CMDS"
}

# The listener's children must be gone before it is stopped: greet -w ends
# on EOF, which controlhold's exit gives them.
wait_live() {	# SOCKET COUNT SECS
	local i
	for i in $(seq 1 $(($3 * 10))); do
		[ "$(live_of "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
live_of() {
	"$PROBE" ask "$1" status 2>/dev/null | awk '$1 == "live" { print $2 }'
}
wait_socket() {	# SOCKET PID
	local i
	for i in $(seq 1 50); do
		"$PROBE" ask "$1" status >/dev/null 2>&1 && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
# start_listener SERVICE LIMIT BACKLOG PORT TITLE: the listener of mailctld's
# service SERVICE (control socket, limits file), greet -w as the child; no
# per-IP limit. Sets LAST_PID.
start_listener() {
	local cmd=("$OURS" -H -R -l 0 -c "$2" -C 0 -b "$3" -s "$WORK/$1.sock"
	    -f "$WORK/etc/$1/limits" 127.0.0.1 "$4" "$GREET" -w -t "$MAX_SECONDS")
	"${cmd[@]}" </dev/null >/dev/null 2>"$WORK/$1.log" &
	LAST_PID=$!
	PIDS+=("$LAST_PID")
	log_cmd "$5" "${cmd[@]}"
	wait_socket "$WORK/$1.sock" "$LAST_PID" || die "the listener did not start: $(cat "$WORK/$1.log")"
}
ms_between() {	# EPOCHREALTIME EPOCHREALTIME
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}
stats() {	# FILE of numbers -> "median min max"
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}

# ---- the service tree, the token and mailctld -------------------------------
mkdir -p "$WORK/etc/imap" "$WORK/etc/raise" "$WORK/var"
"$MAILCTLD" -k "$WORK/tokens" -t bench admin >"$WORK/token" || die "cannot make a token"
: >"$WORK/mailctl.conf"
cat >"$WORK/mailctld.conf" <<CONF
listen 127.0.0.1:$API_PORT
tokens $WORK/tokens
state $WORK/var
audit $WORK/var/audit.log
service imap control=$WORK/imap.sock config=$WORK/etc/imap
service raise control=$WORK/raise.sock config=$WORK/etc/raise
CONF
"$MAILCTLD" -1 -f "$WORK/mailctld.conf" >"$WORK/mailctld.port" 2>"$WORK/mailctld.log" &
PIDS+=($!)
log_cmd "mailctld" "$MAILCTLD" -1 -f mailctld.conf "  # listen 127.0.0.1:$API_PORT, services imap, raise"
for i in $(seq 1 50); do [ -s "$WORK/mailctld.port" ] && break; sleep 0.1; done
[ -s "$WORK/mailctld.port" ] || die "mailctld did not start: $(cat "$WORK/mailctld.log")"
URL=http://127.0.0.1:$API_PORT

{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "machine: nproc $(nproc), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r)"
	echo "network: $([ -n "${MAILSTACK_BENCH_IN_NETNS:-}" ] && echo 'private namespace (unshare -n)' || echo 'host loopback')"
	echo "listener: $(sha256sum "$OURS" | cut -c1-12) ($(git -C "$TOP" log -1 --format=%h 2>/dev/null))"
	echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/meta.txt"

# ---- (a) the per-IP report for N connections from ADDRS addresses ------------
echo "run-control: (a) $N connections from $ADDRS addresses" >&2
start_listener imap $((N + 100)) 1024 "$PORT" "listener (a)"
LPID=$LAST_PID

mkfifo "$WORK/hold.in"
HCMD=("$HOLD" -n "$N" -a "$ADDRS" -T "$MAX_SECONDS" "$PORT")
"${HCMD[@]}" <"$WORK/hold.in" >"$WORK/hold.out" 2>"$WORK/hold.err" &
HPID=$!
PIDS+=($HPID)
exec 7>"$WORK/hold.in"
log_cmd "holder" "${HCMD[@]}"
t0=$EPOCHREALTIME
while ! grep -q '^held ' "$WORK/hold.out"; do
	kill -0 "$HPID" 2>/dev/null || die "controlhold failed: $(cat "$WORK/hold.err")"
	sleep 0.2
done
echo "run-control: held $N in $(ms_between "$t0" "$EPOCHREALTIME") ms" >&2
[ "$(live_of "$WORK/imap.sock")" = "$N" ] || die "the listener reports live $(live_of "$WORK/imap.sock"), want $N"

# The truth: connection i comes from address i mod ADDRS.
"$HOLD" -p -a "$ADDRS" | awk -v n="$N" -v a="$ADDRS" '{
	c = int(n / a) + ((NR - 1) < n % a ? 1 : 0); if (c > 0) print $1, c }' | sort >"$WORK/truth"

declare -A MED MIN MAX ENTRIES EXACT CMD ROUNDSOF
record() {	# KEY PAIRSFILE TIMESFILE ROUNDS COMMAND [partial]
	read -r MED[$1] MIN[$1] MAX[$1] <<<"$(stats "$3")"
	sort "$2" >"$2.sorted"
	ENTRIES[$1]=$(wc -l <"$2.sorted")
	if [ "${6:-}" = partial ]; then EXACT[$1]=-; elif cmp -s "$2.sorted" "$WORK/truth"; then EXACT[$1]=yes; else EXACT[$1]=NO; fi
	ROUNDSOF[$1]=$4
	CMD[$1]=$5
	echo "key=$1 median_ms=${MED[$1]} min_ms=${MIN[$1]} max_ms=${MAX[$1]} rounds=$4 entries=${ENTRIES[$1]} exact=${EXACT[$1]}" >>"$RAW"
	echo "  $1: median ${MED[$1]} ms, ${ENTRIES[$1]} addresses, exact ${EXACT[$1]}" >&2
}

# One request of each method per round, in turn, so that the machine's
# load (shared with the team) falls on all of them alike; the ratio to the
# ss pipeline is also taken within each round.
probe_once() {	# KEY COMMAND...: controlprobe times the request in-process
	local key=$1
	shift
	"$@" -r 1 -o "$WORK/$key.pairs" >/dev/null 2>"$WORK/$key.err" ||
		die "$key failed: $(tail -3 "$WORK/$key.err")"
	grep -o 'ms=[0-9.]*' "$WORK/$key.err" | cut -d= -f2 >>"$WORK/$key.times"
}
shell_once() {	# KEY COMMAND: timed from the shell, process starts included
	local t0 t1
	t0=$EPOCHREALTIME
	eval "$2" >"$WORK/$1.out" || die "$1 failed"
	t1=$EPOCHREALTIME
	ms_between "$t0" "$t1" >>"$WORK/$1.times"
}
MAILCTL_CMD="MAILCTL_URL=$URL MAILCTL_TOKEN=\$(<'$WORK/token') '$MAILCTL' --config '$WORK/mailctl.conf' --json who imap"
SS_CMD="ss -nt state established '( sport = :$PORT )' | awk 'NR > 1 { sub(/:[0-9]+\$/, \"\", \$4); print \$4 }' | sort | uniq -c"
# netstat shows both ends of a loopback connection: only lines whose
# local address has the listener's port count
NS_CMD="netstat -nt | grep ':$PORT ' | awk '\$4 ~ /:$PORT\$/ && \$6 == \"ESTABLISHED\" { sub(/:[0-9]+\$/, \"\", \$5); print \$5 }' | sort | uniq -c"
METHODS="socket http mailctl ss"
command -v netstat >/dev/null && METHODS="$METHODS netstat"
for k in $METHODS top10 status; do : >"$WORK/$k.times"; done
for r in $(seq 1 "$ROUNDS"); do
	probe_once socket "$PROBE" socket "$WORK/imap.sock" connections
	# where the listener's time goes: grouping all (top 10), nothing (status)
	probe_once top10 "$PROBE" socket "$WORK/imap.sock" "connections top 10"
	probe_once status "$PROBE" socket "$WORK/imap.sock" status
	probe_once http "$PROBE" -t "$WORK/token" http "$URL/v1/services/imap/connections"
	shell_once mailctl "$MAILCTL_CMD"
	shell_once ss "$SS_CMD"
	if [ "$r" -le "$NETSTAT_ROUNDS" ] && [ "${METHODS%netstat}" != "$METHODS" ]; then
		shell_once netstat "$NS_CMD"
	fi
	printf '  round %s: socket %s ms, ss %s ms\n' "$r" "$(tail -1 "$WORK/socket.times")" \
	    "$(tail -1 "$WORK/ss.times")" >&2
done
jq -r '.connections[] | "\(.ip) \(.count)"' "$WORK/mailctl.out" >"$WORK/mailctl.pairs"
awk '{ print $2, $1 }' "$WORK/ss.out" >"$WORK/ss.pairs"
record socket "$WORK/socket.pairs" "$WORK/socket.times" "$ROUNDS" \
    "printf 'connections\\n' | socat - UNIX-CONNECT:imap.sock  (timed in-process: controlprobe socket imap.sock connections)"
record top10 "$WORK/top10.pairs" "$WORK/top10.times" "$ROUNDS" \
    "controlprobe socket imap.sock 'connections top 10'" partial
record status "$WORK/status.pairs" "$WORK/status.times" "$ROUNDS" \
    "controlprobe socket imap.sock status" partial
record http "$WORK/http.pairs" "$WORK/http.times" "$ROUNDS" \
    "curl -H 'Authorization: Bearer ...' $URL/v1/services/imap/connections  (timed in-process: controlprobe http)"
record mailctl "$WORK/mailctl.pairs" "$WORK/mailctl.times" "$ROUNDS" \
    "MAILCTL_URL=$URL MAILCTL_TOKEN=... mailctl --json who imap"
record ss "$WORK/ss.pairs" "$WORK/ss.times" "$ROUNDS" "$SS_CMD"
if [ -s "$WORK/netstat.times" ]; then
	awk '{ print $2, $1 }' "$WORK/netstat.out" >"$WORK/netstat.pairs"
	record netstat "$WORK/netstat.pairs" "$WORK/netstat.times" "$NETSTAT_ROUNDS" "$NS_CMD"
fi
# ss / method within each round, then the median of those
declare -A PAIRED
for k in socket top10 status http mailctl ss; do
	paste "$WORK/ss.times" "$WORK/$k.times" | awk '{ print $1 / $2 }' >"$WORK/$k.paired"
	PAIRED[$k]=$(stats "$WORK/$k.paired" | cut -d' ' -f1)
	echo "key=$k paired_ss_ratio_median=${PAIRED[$k]}" >>"$RAW"
done

exec 7>&-
wait "$HPID" 2>/dev/null
wait_live "$WORK/imap.sock" 0 60 || echo "run-control: the listener still has children; stopping it anyway" >&2
bench_stop_pid "$LPID"

# ---- (b) a limit raise through the API to the queued client's greeting --------
echo "run-control: (b) limit raise, $RAISE_ROUNDS rounds" >&2
start_listener raise "$RAISE_HELD" 64 "$RAISE_PORT" "listener (b)"
RPID=$LAST_PID
PCMD=("$PROBE" -r "$RAISE_ROUNDS" -t "$WORK/token" raise "$URL" raise "$WORK/raise.sock" "$RAISE_PORT")
log_cmd "limit raise rounds" "${PCMD[@]}"
RLINE=$("${PCMD[@]}" 2>"$WORK/raise.err" | grep '^CONTROLPROBE') ||
	die "the raise rounds failed: $(tail -3 "$WORK/raise.err")"
cat "$WORK/raise.err" >>"$RAW"
echo "$RLINE" >>"$RAW"
for k in api_ms answer_to_greeting_ms request_to_greeting_ms; do
	grep -o "$k=[-0-9.]*" "$WORK/raise.err" | cut -d= -f2 >"$WORK/$k"
done
bench_stop_pid "$RPID"

echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other programs' load falls on every method alike, one request of each per round)" >>"$OUT/meta.txt"

# ---- tables ----------------------------------------------------------------------
{
	printf '## Per-IP report: %s live connections from %s addresses\n\n' "$N" "$ADDRS"
	printf '| method | median ms | min ms | max ms | rounds | addresses | exact | ss / this (medians) | ss / this (paired) | ss / this (minimums) |\n'
	printf '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|\n'
	for k in socket top10 status http mailctl ss netstat; do
		[ -n "${MED[$k]:-}" ] || continue
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$k" "${MED[$k]}" "${MIN[$k]}" \
		    "${MAX[$k]}" "${ROUNDSOF[$k]}" "${ENTRIES[$k]}" "${EXACT[$k]}" \
		    "$(awk -v a="${MED[ss]}" -v b="${MED[$k]}" 'BEGIN { printf "%.1f×", a / b }')" \
		    "$([ -n "${PAIRED[$k]:-}" ] && printf '%.1f×' "${PAIRED[$k]}" || echo -)" \
		    "$(awk -v a="${MIN[ss]}" -v b="${MIN[$k]}" 'BEGIN { printf "%.1f×", a / b }')"
	done
	printf '\nTarget: the listener'"'"'s answer at least 20× faster than the ss pipeline, and exact: '
	awk -v a="${MED[ss]}" -v b="${MED[socket]}" -v p="${PAIRED[socket]}" -v e="${EXACT[socket]}" \
	    -v m="$(awk -v a="${MIN[ss]}" -v b="${MIN[socket]}" 'BEGIN { print a / b }')" 'BEGIN {
		r = a / b; printf "%.1f× on medians, %.1f× paired, %.1f× on minimums (%s), exact %s.\n", r, p, m,
		    (r >= 20 && p >= 20 && m >= 20 ? "met" : "NOT met on all three"), e }'
	printf '"exact": the same (address, count) pairs as the %s connections the holder made. ' "$N"
	printf '"paired": the ss pipeline'"'"'s time over the method'"'"'s in the same round, median over the rounds; "minimums": the best round of each, the least disturbed by the shared machine. '
	printf 'top10 and status are the same listener asked for 10 addresses (one pass over the %s connections, a selection of 10 of the address groups, the pids of those 10 only) and for nothing per connection: where its time goes.\n\n' "$N"
	printf '| method | command |\n|---|---|\n'
	for k in socket top10 status http mailctl ss netstat; do
		[ -n "${CMD[$k]:-}" ] && printf '| %s | `%s` |\n' "$k" "${CMD[$k]//|/\\|}"
	done
	printf '\n## Limit raise through the API to the queued client'"'"'s greeting (%s held, %s rounds)\n\n' \
	    "$RAISE_HELD" "$RAISE_ROUNDS"
	printf '| interval | median ms | min ms | max ms |\n|---|---:|---:|---:|\n'
	printf '| PATCH answered → queued client greeted | %s | %s | %s |\n' $(stats "$WORK/answer_to_greeting_ms")
	printf '| PATCH sent → answered (mailctld: limits file, history, audit, reload) | %s | %s | %s |\n' $(stats "$WORK/api_ms")
	printf '| PATCH sent → queued client greeted | %s | %s | %s |\n' $(stats "$WORK/request_to_greeting_ms")
	printf '\nA time near 0 means the client was greeted before the answer reached the API client: mailctld answers after the listener'"'"'s reload.\n'
	printf '\nTarget: answered → greeted under 50 ms: '
	stats "$WORK/answer_to_greeting_ms" | awk '{ printf "%s ms median (%s).\n", $1, ($1 < 50 ? "met" : "NOT met") }'
	printf '\n### Machine and run\n\n```\n'
	cat "$OUT/meta.txt"
	printf '```\n\n### Exact commands\n\n```\n'
	sed "s|$WORK/||g" "$CMDS"
	printf '```\n'
} >"$OUT/tables.md"
cat "$OUT/tables.md"
echo "run-control: results in $OUT" >&2
