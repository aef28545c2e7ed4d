#!/usr/bin/env bash
# run-soak.sh: the soak on the real stack (make soak; minutes,
# never part of make check or CI).
#
# mailstack-tcpserver (control socket, limits file, rules cdb) runs greet -w
# per connection; mailctld names it as service imap. controlhold holds N
# connections from ADDRS source addresses (127.0.1.1 ...); connbench keeps
# CHURN connections at a time coming and going from 127.0.0.1 for SECONDS;
# meanwhile the limits change every 100 ms (PATCH /v1/services/imap/limits)
# and the rules are replaced and recompiled every second (PUT .../rules),
# both through mailctld. Checked: every PATCH and PUT answered 200; the
# per-IP counts of the held addresses exact at the end; after everything
# closed live 0 and no address listed; no descriptor growth of the listener
# or mailctld (/proc/PID/fd at start vs. end); memory (VmRSS) of both once
# loaded vs. at the end of the soak within RSS_BOUND_KB. Prints a table;
# exit 0 when every check passed, 1 when one failed, 2 on a setup error.
#
# Loopback only, inside a private network namespace (unshare -n) when root;
# a watchdog stops the run after MAX_SECONDS; everything started is
# stopped by pid.
#
# Environment knobs [defaults]: N [10000] held connections, ADDRS [100]
# their source addresses, SECONDS_ [60] the soak, CHURN [8] churning
# connections at a time, PORT [17800] (PORT+1 mailctld), RSS_BOUND_KB
# [8192] growth allowed during the soak (the high-water mark of concurrent
# requests), LEAK_BOUND_KB [256] growth allowed over PROBE_REQUESTS [200]
# PATCHes made one at a time afterwards (twice: the first round warms up),
# NETNS [auto] (1 required, 0 host loopback), MAX_SECONDS [900],
# OUT [bench/results/soak-DATE].
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/bench/lib.sh"
N=${N:-10000}
ADDRS=${ADDRS:-100}
SOAK=${SECONDS_:-60}
CHURN=${CHURN:-8}
PORT=${PORT:-17800}
API_PORT=$((PORT + 1))
RSS_BOUND_KB=${RSS_BOUND_KB:-8192}
LEAK_BOUND_KB=${LEAK_BOUND_KB:-256}
PROBE_REQUESTS=${PROBE_REQUESTS:-200}
NETNS=${NETNS:-auto}
MAX_SECONDS=${MAX_SECONDS:-900}

die() {
	echo "run-soak: $*" >&2
	exit 2
}

# ---- a private network namespace: only lo exists, nothing can leave --------
bench_netns MAILSTACK_SOAK_IN_NETNS "$@" || die "NETNS=1 but unshare -n is not possible here"
[ $((N % ADDRS)) = 0 ] || die "N ($N) must be a multiple of ADDRS ($ADDRS)"
PER_IP=$((N / ADDRS))

# ---- private copies of the programs (the team rebuilds in place) ------------
WORK=$(mktemp -d /tmp/run-soak.XXXXXX) || die "cannot create a work folder"
for f in daemons/tcpserver/mailstack-tcpserver web/mailctld/mailctld \
    rules/tcprules/mailstack-tcprules bench/connbench/greet bench/connbench/connbench \
    bench/control/controlhold bench/control/controlprobe; do
	[ -x "$TOP/$f" ] || die "no $f (run: make soak)"
	cp "$TOP/$f" "$WORK/" || die "cannot copy $f"
done

need_fd=$((N + 1024))
[ "$(ulimit -n)" -ge "$need_fd" ] || ulimit -n "$need_fd" 2>/dev/null ||
	die "ulimit -n $(ulimit -n) < $need_fd"
[ "$(ulimit -u)" = unlimited ] || [ "$(ulimit -u)" -ge $((N + 2000)) ] ||
	die "ulimit -u $(ulimit -u) < $((N + 2000))"

OUT=${OUT:-$TOP/bench/results/soak-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || die "cannot create $OUT"

# ---- cleanup and watchdog ----------------------------------------------------
PIDS=()
bench_watchdog run-soak bench_cleanup

# ---- measuring --------------------------------------------------------------
ask() {	# REQUEST: the listener's answer block
	"$WORK/controlprobe" ask "$WORK/imap.sock" "$1" 2>/dev/null
}
status_of() {	# KEY
	ask status | awk -v k="$1" '$1 == k { print $2 }'
}
fds_of() {	# PID
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}
cpu_of() {	# PID: user + system CPU seconds of the process itself (no children)
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}
rss_of() {	# PID: VmRSS in kB
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"
}
wait_live() {	# COUNT SECS
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ "$(status_of live)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- the service tree, a token, the listener and mailctld ------------------------
mkdir -p "$WORK/etc/imap" "$WORK/var"
MAXC=$((N + CHURN + 1000))
printf 'max_connections=%s\nmax_per_ip=0\nmax_per_network=0\n' "$MAXC" >"$WORK/etc/imap/limits"
printf '127.0.9.9:deny\n:allow\n' >"$WORK/etc/imap/rules"
"$WORK/mailstack-tcprules" "$WORK/etc/imap/rules.cdb" "$WORK/etc/imap/rules.tmp" \
    <"$WORK/etc/imap/rules" || die "cannot compile the first rules"
"$WORK/mailctld" -k "$WORK/tokens" -t soak admin >"$WORK/token" || die "cannot make a token"
cat >"$WORK/mailctld.conf" <<CONF
listen 127.0.0.1:$API_PORT
tokens $WORK/tokens
state $WORK/var
audit $WORK/var/audit.log
service imap control=$WORK/imap.sock config=$WORK/etc/imap
CONF
# never a name lookup: -H -R -l and numeric addresses
LCMD=("$WORK/mailstack-tcpserver" -H -R -l 0 -c $((N + CHURN + 500)) -b 1024 -s "$WORK/imap.sock"
    -f "$WORK/etc/imap/limits" -x "$WORK/etc/imap/rules.cdb" 127.0.0.1 "$PORT"
    "$WORK/greet" -w -t "$MAX_SECONDS")
"${LCMD[@]}" </dev/null >/dev/null 2>"$WORK/listener.log" &
LPID=$!
PIDS+=("$LPID")
"$WORK/mailctld" -f "$WORK/mailctld.conf" </dev/null >/dev/null 2>"$WORK/mailctld.log" &
APID=$!
PIDS+=("$APID")
URL=http://127.0.0.1:$API_PORT
AUTH="Authorization: Bearer $(cat "$WORK/token")"
for i in $(seq 1 50); do
	ask status >/dev/null && curl -sf -o /dev/null -H "$AUTH" "$URL/v1/services/imap" && break
	sleep 0.1
done
[ "$(status_of max_connections)" = "$MAXC" ] || die "the listener did not start: $(cat "$WORK/listener.log")"
sleep 0.5
L_FD0=$(fds_of "$LPID") A_FD0=$(fds_of "$APID")
L_RSS0=$(rss_of "$LPID") A_RSS0=$(rss_of "$APID")

# ---- hold N, then soak ---------------------------------------------------------
echo "run-soak: holding $N connections from $ADDRS addresses" >&2
mkfifo "$WORK/hold.in"
"$WORK/controlhold" -n "$N" -a "$ADDRS" -T "$MAX_SECONDS" "$PORT" <"$WORK/hold.in" \
    >"$WORK/hold.out" 2>"$WORK/hold.err" &
HPID=$!
PIDS+=("$HPID")
exec 7>"$WORK/hold.in"
until grep -q '^held ' "$WORK/hold.out"; do
	kill -0 "$HPID" 2>/dev/null || die "controlhold failed: $(cat "$WORK/hold.err")"
	sleep 0.2
done
[ "$(status_of live)" = "$N" ] || die "live $(status_of live) after holding $N"

# paced PERIOD_US FUNC: runs FUNC K in the background at K * PERIOD_US on
# the clock for SOAK seconds, without waiting for the one before (mailctld
# serializes writers; each fsyncs the limits or rules, the history and the
# audit log, which may take longer than a period on a busy disk).
paced() {
	local k=0 t0=${EPOCHREALTIME/./} now left
	while :; do
		now=${EPOCHREALTIME/./}
		[ "$now" -ge $((t0 + SOAK * 1000000)) ] && break
		left=$((t0 + k * $1 - now))
		[ "$left" -gt 0 ] && sleep "$(printf '%d.%06d' $((left / 1000000)) $((left % 1000000)))"
		k=$((k + 1))
		"$2" "$k" &
	done
	wait
}
# One "STATUS SECONDS" line per request, appended (short appends do not
# interleave). The bound is generous: a slow answer is measured, not lost.
patch_one() {	# K: limits that never fall below what the soak holds
	local body
	body=$(printf '{"max_connections":%d,"max_per_ip":%d,"max_per_network":%d}' \
	    $((MAXC + ($1 % 2) * 200)) $(($1 % 3 == 0 ? 0 : PER_IP + CHURN + 200 + $1 % 50)) \
	    $(($1 % 4 == 0 ? 0 : N + CHURN + 1000)))
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 120 -X PATCH -H "$AUTH" \
	    -H 'Content-Type: application/json' --data "$body" \
	    "$URL/v1/services/imap/limits" >>"$WORK/patch.codes"
}
rules_one() {	# K: a changed text each time (comment and denied address)
	printf '# soak version %d\n127.0.9.%d:deny\n:allow\n' "$1" $(($1 % 200 + 1)) |
	    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 120 -X PUT -H "$AUTH" \
	    -H 'Content-Type: text/plain' --data-binary @- \
	    "$URL/v1/services/imap/rules" >>"$WORK/rules.codes"
}

# Where a write's time goes with N held and nothing else running: the
# listener's reload alone, then a whole PATCH (files, history, audit, reload).
ms_of() {	# COMMAND...: wall time in ms
	local t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>&1
	echo $(((${EPOCHREALTIME/./} - t0) / 1000))
}
RELOAD_MS=() QUIET_PATCH_MS=()
for k in 1 2 3 4 5; do
	RELOAD_MS+=("$(ms_of "$WORK/controlprobe" ask "$WORK/imap.sock" reload)")
	QUIET_PATCH_MS+=("$(ms_of patch_one 0)")
done
echo "run-soak: warm-up 5 s of churn" >&2
"$WORK/connbench" -q -c "$CHURN" -d 5 -T 10 127.0.0.1 "$PORT" >/dev/null 2>&1
L_RSS1=$(rss_of "$LPID") A_RSS1=$(rss_of "$APID")
declare -A REFUSED0 REFUSED1
for k in refused_ip refused_net refused_rule_ip refused_rule_net dropped_fork; do
	REFUSED0[$k]=$(status_of "$k")
done
: >"$WORK/patch.codes"
: >"$WORK/rules.codes"
echo "run-soak: soak of $SOAK s: churn $CHURN at a time, PATCH every 100 ms, PUT rules every 1 s" >&2
L_CPU1=$(cpu_of "$LPID") A_CPU1=$(cpu_of "$APID") T1=${EPOCHREALTIME/./}
paced 100000 patch_one &
PL=$!
PIDS+=("$PL")
paced 1000000 rules_one &
RL=$!
PIDS+=("$RL")
"$WORK/connbench" -q -c "$CHURN" -d "$SOAK" -n 100000000 -T 10 -M $((SOAK + 30)) \
    127.0.0.1 "$PORT" >"$WORK/churn.out" 2>"$WORK/churn.err"
wait "$PL" "$RL"
L_RSS2=$(rss_of "$LPID") A_RSS2=$(rss_of "$APID")
L_CPU2=$(cpu_of "$LPID") A_CPU2=$(cpu_of "$APID") T2=${EPOCHREALTIME/./}

# ---- checks ------------------------------------------------------------------------
FAILED=0
RESULTS=()
check() {	# NAME VALUE OK(0/1)
	RESULTS+=("$1|$2|$([ "$3" = 1 ] && echo ok || echo FAILED)")
	[ "$3" = 1 ] || FAILED=1
}
count_codes() {	# FILE CODE
	awk -v c="$2" '$1 == c { n++ } END { print n + 0 }' "$1"
}
latency() {	# FILE: "p50 p99 max" in ms
	awk '{ print $2 * 1000 }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
		printf "%.0f / %.0f / %.0f ms", v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.999)], v[NR] }'
}
np=$(wc -l <"$WORK/patch.codes") np_ok=$(count_codes "$WORK/patch.codes" 200)
RESULTS+=("with $N held, quiet: listener reload / whole PATCH, 5 each|${RELOAD_MS[*]} ms / ${QUIET_PATCH_MS[*]} ms|measured")
RESULTS+=("CPU seconds during the soak: listener / mailctld (wall)|$(awk -v a="$L_CPU1" -v b="$L_CPU2" -v c="$A_CPU1" -v d="$A_CPU2" -v w=$(((T2 - T1) / 1000)) 'BEGIN { printf "%.2f / %.2f (%.1f s)", b - a, d - c, w / 1000 }'); load average $(cut -d' ' -f1-3 /proc/loadavg)|measured")
check "PATCH limits (one started every 100 ms)" "$np_ok of $np answered 200; p50/p99/max $(latency "$WORK/patch.codes")" \
    $([ "$np" -ge $((SOAK * 9)) ] && [ "$np_ok" = "$np" ] && echo 1 || echo 0)
nr=$(wc -l <"$WORK/rules.codes") nr_ok=$(count_codes "$WORK/rules.codes" 200)
check "PUT rules, recompiled (one started every 1 s)" "$nr_ok of $nr answered 200; p50/p99/max $(latency "$WORK/rules.codes")" \
    $([ "$nr" -ge $((SOAK * 9 / 10)) ] && [ "$nr_ok" = "$nr" ] && echo 1 || echo 0)
churn_of() {	# KEY of connbench's line
	grep -o " $1=[0-9.]*" "$WORK/churn.out" | cut -d= -f2
}
refused=0
for k in refused_ip refused_net refused_rule_ip refused_rule_net dropped_fork; do
	REFUSED1[$k]=$(status_of "$k")
	refused=$((refused + REFUSED1[$k] - REFUSED0[$k]))
done
check "churn connections greeted" "$(churn_of ok) ($(churn_of cps)/s; not greeted $(churn_of fail), refusals counted by the listener $refused)" \
    $([ "$(churn_of ok)" -gt 0 ] && [ "$(churn_of fail)" = "$refused" ] && echo 1 || echo 0)
# the last write won everywhere: the API, the limits file and the listener agree
api_limits=$(curl -s -H "$AUTH" "$URL/v1/services/imap/limits" |
    jq -r '"\(.max_connections) \(.max_per_ip) \(.max_per_network)"')
file_limits=$(awk -F= '{ v[$1] = $2 } END { print v["max_connections"], v["max_per_ip"], v["max_per_network"] }' \
    "$WORK/etc/imap/limits")
listener_limits="$(status_of max_connections) $(status_of max_per_ip) $(status_of max_per_network)"
check "limits after the soak: API = file = listener" "$api_limits; $file_limits; $listener_limits" \
    $([ "$api_limits" = "$file_limits" ] && [ "$file_limits" = "$listener_limits" ] && echo 1 || echo 0)
# the held addresses: exactly PER_IP each, ADDRS of them
ask connections >"$WORK/conns.end"
held_ok=$(awk -v p="$PER_IP" '$1 == "ip" && $2 ~ /^127\.0\.[1-9][0-9]*\./ && $4 == p { n++ } END { print n + 0 }' "$WORK/conns.end")
held_all=$(awk '$1 == "ip" && $2 ~ /^127\.0\.[1-9][0-9]*\./ { n++ } END { print n + 0 }' "$WORK/conns.end")
check "held addresses with exactly $PER_IP" "$held_ok of $held_all (want $ADDRS)" $([ "$held_ok" = "$ADDRS" ] && [ "$held_all" = "$ADDRS" ] && echo 1 || echo 0)
live_end=$(status_of live)
check "live at the end of the soak" "$live_end (held $N + churn ≤ $CHURN)" $([ "$live_end" -ge "$N" ] && [ "$live_end" -le $((N + CHURN)) ] && echo 1 || echo 0)

exec 7>&-
wait "$HPID" 2>/dev/null
wait_live 0 120
live0=$(status_of live) lines0=$(ask connections | grep -c '^ip ') ips0=$(status_of distinct_ips)
check "after all closed: live, addresses listed, distinct_ips" "$live0, $lines0, $ips0" $([ "$live0" = 0 ] && [ "$lines0" = 0 ] && [ "$ips0" = 0 ] && echo 1 || echo 0)
sleep 0.5
L_FD3=$(fds_of "$LPID") A_FD3=$(fds_of "$APID") L_RSS3=$(rss_of "$LPID") A_RSS3=$(rss_of "$APID")
check "listener descriptors start → end" "$L_FD0 → $L_FD3" $([ "$L_FD3" -le "$L_FD0" ] && echo 1 || echo 0)
check "mailctld descriptors start → end" "$A_FD0 → $A_FD3" $([ "$A_FD3" -le "$A_FD0" ] && echo 1 || echo 0)
check "listener VmRSS kB loaded → end of soak (bound +$RSS_BOUND_KB)" "$L_RSS1 → $L_RSS2 (idle at start $L_RSS0, after close $L_RSS3)" \
    $([ $((L_RSS2 - L_RSS1)) -le "$RSS_BOUND_KB" ] && echo 1 || echo 0)
check "mailctld VmRSS kB loaded → end of soak (bound +$RSS_BOUND_KB)" "$A_RSS1 → $A_RSS2 (idle at start $A_RSS0, after close $A_RSS3)" \
    $([ $((A_RSS2 - A_RSS1)) -le "$RSS_BOUND_KB" ] && echo 1 || echo 0)
# The soak's concurrent requests leave libmicrohttpd's connection pools and
# the threads' malloc arenas at their high-water mark; a leak shows as
# growth over the same requests made one at a time afterwards.
: >"$WORK/patch.codes"
for k in $(seq 1 "$PROBE_REQUESTS"); do patch_one "$k"; done
A_RSS4=$(rss_of "$APID")
for k in $(seq 1 "$PROBE_REQUESTS"); do patch_one "$k"; done
A_RSS5=$(rss_of "$APID")
check "mailctld VmRSS kB over $PROBE_REQUESTS more PATCHes, one at a time (bound +$LEAK_BOUND_KB)" \
    "$A_RSS4 → $A_RSS5 ($(count_codes "$WORK/patch.codes" 200) of $((2 * PROBE_REQUESTS)) answered 200)" \
    $([ $((A_RSS5 - A_RSS4)) -le "$LEAK_BOUND_KB" ] && [ "$(count_codes "$WORK/patch.codes" 200)" = $((2 * PROBE_REQUESTS)) ] && echo 1 || echo 0)
kill -0 "$LPID" 2>/dev/null && kill -0 "$APID" 2>/dev/null
check "listener and mailctld still running" "$([ $? = 0 ] && echo yes || echo no)" $(kill -0 "$LPID" 2>/dev/null && kill -0 "$APID" 2>/dev/null && echo 1 || echo 0)
warnings=$(grep -c 'warning\|fatal' "$WORK/listener.log" "$WORK/mailctld.log" | awk -F: '{ s += $2 } END { print s + 0 }')
check "warnings or fatal lines in the two logs" "$warnings" $([ "$warnings" = 0 ] && echo 1 || echo 0)

{
	printf '## Soak: %s held connections from %s addresses, churn %s at a time, %s s\n\n' "$N" "$ADDRS" "$CHURN" "$SOAK"
	printf '| check | measured | result |\n|---|---|---|\n'
	for r in "${RESULTS[@]}"; do
		IFS='|' read -r a b c <<<"$r"
		printf '| %s | %s | %s |\n' "$a" "$b" "$c"
	done
	printf '\n```\ndate: %s\nmachine: nproc %s, %s\nnetwork: %s\nlistener: %s\ncommand: %s\n```\n' \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$(uname -r)" \
	    "$([ -n "${MAILSTACK_SOAK_IN_NETNS:-}" ] && echo 'private namespace (unshare -n)' || echo 'host loopback')" \
	    "$(git -C "$TOP" log -1 --format=%h 2>/dev/null)" \
	    "N=$N ADDRS=$ADDRS SECONDS_=$SOAK CHURN=$CHURN make soak"
} >"$OUT/summary.md"
cp "$WORK/listener.log" "$WORK/mailctld.log" "$WORK/churn.out" "$WORK/churn.err" "$OUT/" 2>/dev/null
cat "$OUT/summary.md"
echo "run-soak: results in $OUT" >&2
exit "$FAILED"
