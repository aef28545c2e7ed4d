#!/usr/bin/env bash
# run-tcpserver-lines.sh: the command lines people run, mailstack-tcpserver
# side by side with ucspi-tcp 0.88 tcpserver and ipsvd's tcpsvd in one run.
#
# Each line runs on all three peers at once (each on its own port, child
# bench/connbench/greet), measured by connbench at concurrency CONC in
# ROUNDS rounds whose peer order alternates:
#   bare     -H -R -l 0
#   imap     -v -R -H -l mail.example.com (stdout and stderr to a logger)
#   smtp     the imap line plus -x tcp.smtp.cdb -u UID -g GID: qmail's
#            classic 127.:allow,RELAYCLIENT="" and :allow, compiled by the
#            real tcprules; nobody/nogroup
#   service  the exact line of packaging/s6/listener/run (the smtp service),
#            read from the template; tcpserver runs it without our own
#            options (-m, -w, -s, -f: -c LIMIT stands for the limits file)
#   deny     -H -R -l 0 -x deny.cdb (127.0.0.1:deny): refusals per second,
#            connect to close
#   dns      -v -R -h -l mail.example.com against bench/dns/fakedns on
#            127.0.0.1:53, /etc/resolv.conf and an empty /etc/hosts
#            bind-mounted in a private mount namespace
# Every line also gets -c LIMIT -b BACKLOG on every peer (the harness's
# settings, as in bench/run-tcpserver.sh: the defaults, 40 and 20, would
# make c=64 measure the accept queue's overflow instead). tcpsvd gets the
# closest equivalent, written next to each line's table. Records the CPU
# time of each listener with its reaped children (and of its logger) per
# connection, and the load average before and after each line. Prints
# markdown tables; loopback only, inside unshare -n -m; every loop is
# bounded; a watchdog ends the run after MAX_SECONDS.
#
# usage: bench/run-tcpserver-lines.sh     (or: make bench-tcpserver, after
#                     bench/run-tcpserver.sh; make bench-tcpserver-lines alone)
#        bench/run-tcpserver-lines.sh --report DIR...   tables again, the
#                     rounds of several runs pooled
#
# Environment knobs (defaults in brackets):
#   OURS, THEIRS, TCPSVD  as for bench/run-tcpserver.sh
#   LINES ["bare imap smtp service deny dns"]   which lines, in this order
#   LINE_N [N, else 15000]  measured connections per peer and line, split
#                     evenly over ROUNDS
#   ROUNDS [5]        rounds per line
#   CONC [64]         concurrency of connbench
#   WARMUP [200]      unmeasured connections before each measurement
#   LIMIT [1000]      -c of every peer (ours on the service line: the
#                     limits file's max_connections and max_per_ip)
#   BACKLOG [1024]    -b of every peer
#   LOCALNAME [mail.example.com]  the -l name
#   RUN_AS [nobody:nogroup]  user and group of the smtp and service lines
#   LOG_WITH [s6-log when installed, else cat]  what reads the listeners' log
#   LINE_BASE_PORT [17440]  first loopback port (3 per line)
#   NETNS [auto]      1: inside unshare -n -m (needs root); 0: plain
#                     loopback, and the dns line is left out
#   LINES_OUT [bench/results/tcpserver-lines-<date>-<time>]  raw.txt,
#                     lines.txt, meta.txt, tables.md (not OUT: that is
#                     bench/run-tcpserver.sh's, run by the same make target)
#   MAX_SECONDS [600] watchdog for the whole run
#   STOP_WAIT [60]    seconds a listener's children get before it is stopped
#   CLEAN_PCT [10]    a measurement is clean when other programs took at most
#                     this share of all CPU meanwhile
#   RETRY_DIRTY [1]   how often a round of a line is measured again when one
#                     of its measurements was not clean
#   RETRY_SECONDS [300]  no more measuring again after this many seconds
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
. "$TOP/bench/tcpserver-lib.sh"
ME=run-tcpserver-lines
CBDIR=$TOP/bench/connbench
CB=$CBDIR/connbench
FAKEDNS=$TOP/bench/dns/fakedns
TEMPLATE=$TOP/packaging/s6/listener/run
SMTP_RULES=$TOP/packaging/dist/etc/smtp/rules

# ---- report: markdown tables from raw.txt and lines.txt ----------------------
report() {
	local dir files=()
	for dir in "$@"; do
		[ -s "$dir/raw.txt" ] || { echo "$ME: no $dir/raw.txt" >&2; return 2; }
		files+=("$dir/lines.txt" "$dir/raw.txt")
	done
	awk -v CLEAN="${CLEAN_PCT:-10}" -f "$TOP/bench/stats.awk" \
	    -f "$TOP/bench/tcpserver-lines-report.awk" "${files[@]}" || return 2
	report_meta "$@"
}

if [ "${1:-}" = --report ]; then
	shift
	[ $# -gt 0 ] || { echo "usage: $ME --report DIR..." >&2; exit 2; }
	report "$@"
	exit
fi

OURS=${OURS:-$TOP/daemons/tcpserver/mailstack-tcpserver}
THEIRS=${THEIRS:-$(command -v tcpserver)}
TCPSVD=${TCPSVD:-/usr/bin/tcpsvd}
PEERS="ours tcpserver tcpsvd"
LINES=${LINES:-bare imap smtp service deny dns}
LINE_N=${LINE_N:-${N:-15000}}
ROUNDS=${ROUNDS:-5}
CONC=${CONC:-64}
WARMUP=${WARMUP:-200}
LIMIT=${LIMIT:-1000}
BACKLOG=${BACKLOG:-1024}
LOCALNAME=${LOCALNAME:-mail.example.com}
RUN_AS=${RUN_AS:-nobody:nogroup}
LINE_BASE_PORT=${LINE_BASE_PORT:-17440}
NETNS=${NETNS:-auto}
MAX_SECONDS=${MAX_SECONDS:-600}
STOP_WAIT=${STOP_WAIT:-60}
CLEAN_PCT=${CLEAN_PCT:-10}
RETRY_DIRTY=${RETRY_DIRTY:-1}
RETRY_SECONDS=${RETRY_SECONDS:-300}
CLIENT_NAME=client.example.com	# what the resolver calls 127.0.0.1

die() {
	echo "$ME: $*" >&2
	if [ -s "${RAW:-}" ]; then
		echo "$ME: partial results (stopped: $*)" >>"$OUT/meta.txt"
		report "$OUT" >"$OUT/tables.md" && echo "$ME: partial tables in $OUT/tables.md" >&2
	fi
	exit 2
}

# ---- a private network and mount namespace: only lo, a private resolv.conf ---
NETNS_FLAGS="-n -m"
bench_netns MAILSTACK_BENCH_IN_NETNS "$@" || die "NETNS=1 but unshare -n -m is not possible here"

# ---- programs ------------------------------------------------------------
if [ ! -x "$CB" ] || [ ! -x "$CBDIR/greet" ] || [ ! -x "$FAKEDNS" ]; then
	make -s -C "$TOP" bench-tools bench/dns/fakedns >&2 || die "cannot build the bench tools (run ./configure && make bench)"
fi
[ -x "$OURS" ] || die "no listener at OURS=$OURS"
[ -n "$THEIRS" ] && [ -x "$THEIRS" ] || die "no ucspi-tcp tcpserver (THEIRS)"
[ -x "$TCPSVD" ] || die "no tcpsvd at TCPSVD=$TCPSVD (apt-get install ipsvd)"
command -v tcprules >/dev/null || die "no tcprules (ucspi-tcp) for the rules"
command -v ipsvd-cdb >/dev/null || die "no ipsvd-cdb (ipsvd) for tcpsvd's instructions"
[ -r "$TEMPLATE" ] && [ -r "$SMTP_RULES" ] || die "no $TEMPLATE or $SMTP_RULES"
for l in $LINES; do
	case $l in
	bare | imap | smtp | service | deny | dns) ;;
	*) die "unknown line $l in LINES" ;;
	esac
done
if [ -z "${MAILSTACK_BENCH_IN_NETNS:-}" ] && [[ " $LINES " == *" dns "* ]]; then
	echo "$ME: no private namespace: the dns line is left out" >&2
	LINES=$(echo " $LINES " | sed 's/ dns / /')
fi
if [ -z "${LOG_WITH:-}" ]; then
	LOG_WITH='cat'
	command -v s6-log >/dev/null && LOG_WITH=s6-log
fi
# the logger gets its folder as the last argument (see bench/tcpserver-lib.sh);
# shellcheck disable=SC2016 # for cat, $0 is that folder, for the inner sh
case $LOG_WITH in
s6-log) LOGGER=(s6-log -b -- n3 s1000000 T) ;;	# as packaging/s6/log/run
cat) LOGGER=(sh -c 'exec cat >"$0/current"') ;;
*) die "LOG_WITH must be s6-log or cat" ;;
esac
RUN_USER=${RUN_AS%%:*}
RUN_GROUP=${RUN_AS#*:}
RUN_UID=$(id -u "$RUN_USER" 2>/dev/null) || die "no user $RUN_USER (RUN_AS)"
RUN_GID=$(getent group "$RUN_GROUP" | cut -d: -f3)
[ -n "$RUN_GID" ] || die "no group $RUN_GROUP (RUN_AS)"
[ "$(id -u)" = 0 ] || die "must run as root (-u/-g, unshare)"
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((LIMIT * 2 + 256)) ] ||
	ulimit -n $((LIMIT * 2 + 256)) 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"

OUT=${LINES_OUT:-$TOP/bench/results/tcpserver-lines-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || die "cannot create $OUT"
WORK=$(mktemp -d /tmp/run-tcpserver-lines.XXXXXX) || die "cannot create a work folder"
# the smtp and service children run as RUN_AS: they must reach greet and the rules
chmod 0755 "$WORK"
CMDS=$OUT/commands.txt
RAW=$OUT/raw.txt
LINEINFO=$OUT/lines.txt
: >"$CMDS"
: >"$LINEINFO"

# The team rebuilds OURS in place while we measure: run private copies.
OURS_SRC=$OURS
OURS=$WORK/$(basename "$OURS_SRC")
GREET=$WORK/greet
cp "$OURS_SRC" "$OURS" && cp "$CBDIR/greet" "$GREET" || die "cannot copy the programs"
HZ=$(getconf CLK_TCK)

# ---- cleanup and watchdog ---------------------------------------------------
WATCHDOG=
DNSPID=
MOUNTED=	# what start_resolver bind-mounted, for stop_resolver
cleanup() {
	local p
	[ -n "$CBPID" ] && stop_pid "$CBPID"
	for p in "${!PIDS[@]}"; do stop_peer "$p" 5; done
	[ -n "$DNSPID" ] && stop_resolver
	[ -n "$WATCHDOG" ] && kill -TERM "$WATCHDOG" 2>/dev/null && wait "$WATCHDOG" 2>/dev/null
	rm -rf "$WORK"
}
bench_watchdog "$ME" cleanup

# ---- rules: tcprules for ours and tcpserver, ipsvd-cdb for tcpsvd ------------
# tcpsvd's instructions (ipsvd-instruct(5)) are a folder of files named by
# address prefix ("127", "0" for everyone): a readable file allows, with
# +VAR=value lines for the environment; a file with no permission denies.
instruct() {	# NAME FILE MODE TEXT [FILE MODE TEXT...]: WORK/NAME.cdb from a folder
	local name=$1 d=$WORK/$1.d
	shift
	mkdir -p "$d"
	while [ $# -ge 3 ]; do
		printf '%s' "$3" >"$d/$1"
		chmod "$2" "$d/$1"
		shift 3
	done
	ipsvd-cdb "$WORK/$name.cdb" "$WORK/$name.tmp" "$d" || die "ipsvd-cdb failed for $name"
	chmod 0644 "$WORK/$name.cdb"
}
tcprules "$WORK/tcp.smtp.cdb" "$WORK/tcp.smtp.tmp" <"$SMTP_RULES" || die "tcprules failed on $SMTP_RULES"
echo '127.0.0.1:deny' | tcprules "$WORK/deny.cdb" "$WORK/deny.tmp" || die "tcprules failed (deny)"
chmod 0644 "$WORK/tcp.smtp.cdb" "$WORK/deny.cdb"
instruct smtp.ipsvd 127 0644 $'+RELAYCLIENT=\n' 0 0644 ''
instruct deny.ipsvd 127.0.0.1 0000 ''

# The service line: the template's exec line with its placeholders filled in
# as mailstack-mkservices does for the smtp service; CONFDIR and RUNDIR are
# in WORK. The limits file lets CONC clients from one address in.
CONFDIR=$WORK/conf
RUNDIR=$WORK/run
mkdir -p "$CONFDIR/smtp" "$RUNDIR"
cp "$WORK/tcp.smtp.cdb" "$CONFDIR/smtp/rules.cdb"
printf '# the benchmark'"'"'s limits: %s clients from 127.0.0.1 at once\nmax_connections=%s\nmax_per_ip=%s\nmax_per_network=0\n' \
    "$CONC" "$LIMIT" "$LIMIT" >"$CONFDIR/smtp/limits"
chmod -R a+rX "$CONFDIR"
# exec @TCPSERVER@ ... "$server", joined over its backslash-newlines
SERVICE_LINE=$(sed -n '/^exec @TCPSERVER@/,/[^\\]$/p' "$TEMPLATE" | sed 's/\\$//' | tr '\n\t' '  ')
[ -n "$SERVICE_LINE" ] || die "no 'exec @TCPSERVER@' line in $TEMPLATE"
service_words() {	# PORT -> the filled-in line's words in SVC, without exec
	local line=$SERVICE_LINE
	line=${line//@TCPSERVER@/$OURS}
	line=${line//@LOCALNAME@/$LOCALNAME}
	line=${line//@PRESET@/smtp}
	line=${line//@BACKLOG@/$BACKLOG}
	line=${line//@SETUID@/-u $RUN_UID -g $RUN_GID}
	line=${line//@RUNDIR@/$RUNDIR}
	line=${line//@CONFDIR@/$CONFDIR}
	line=${line//@NAME@/smtp}
	line=${line//@ADDR@/127.0.0.1}
	line=${line//@PORT@/$1}
	line=${line//\"\$server\"/$GREET}
	[[ $line == *@* ]] && die "placeholders left in the service line: $line"
	read -r -a SVC <<<"$line"
	[ "${SVC[0]}" = exec ] && SVC=("${SVC[@]:1}")
}
# tcpserver's service line: ours without -m, -w, -s, -f (and their
# arguments), -c LIMIT for the limits file
service_theirs() {	# PORT -> SVC
	local w skip='' out=()
	service_words "$1"
	for w in "${SVC[@]:1}"; do
		if [ -n "$skip" ]; then skip=''; continue; fi
		case $w in
		-m | -w | -s | -f) skip=1; continue ;;
		esac
		out+=("$w")
	done
	SVC=("$THEIRS" -c "$LIMIT" "${out[@]}")
}

# ---- the lines -----------------------------------------------------------------
portof() {	# PEER LINE -> port
	local i=0 j=0 l p
	for l in bare imap smtp service deny dns; do
		[ "$l" = "$2" ] && break
		i=$((i + 1))
	done
	for p in $PEERS; do
		[ "$p" = "$1" ] && break
		j=$((j + 1))
	done
	echo $((LINE_BASE_PORT + 3 * i + j))
}

# listener_cmd PEER LINE: fills CMD (and CMD_PROBE, CMD_LOG, CMD_FD3)
listener_cmd() {
	local peer=$1 line=$2 port ucspi=() svd=() bin
	port=$(portof "$peer" "$line")
	case $line in
	bare)	ucspi=(-H -R -l 0); svd=(-l 0) ;;
	imap)	ucspi=(-v -R -H -l "$LOCALNAME"); svd=(-v -l "$LOCALNAME"); CMD_LOG=1 ;;
	smtp)	ucspi=(-v -R -H -l "$LOCALNAME" -x "$WORK/tcp.smtp.cdb" -u "$RUN_UID" -g "$RUN_GID")
		svd=(-v -l "$LOCALNAME" -x "$WORK/smtp.ipsvd.cdb" -u ":$RUN_UID:$RUN_GID")
		CMD_LOG=1 ;;
	deny)	ucspi=(-H -R -l 0 -x "$WORK/deny.cdb"); svd=(-l 0 -x "$WORK/deny.ipsvd.cdb")
		CMD_PROBE=eof ;;
	dns)	ucspi=(-v -R -h -l "$LOCALNAME"); svd=(-v -h -l "$LOCALNAME"); CMD_LOG=1 ;;
	service)
		CMD_LOG=1
		case $peer in
		ours) service_words "$port"; CMD_FD3=$WORK/ours-service.ready ;;
		tcpserver) service_theirs "$port" ;;
		tcpsvd) SVC=("$TCPSVD" -v -l "$LOCALNAME" -b "$BACKLOG" -u ":$RUN_UID:$RUN_GID"
			    -x "$WORK/smtp.ipsvd.cdb" -c "$LIMIT" 127.0.0.1 "$port" "$GREET") ;;
		esac
		CMD=("${SVC[@]}")
		return ;;
	esac
	case $peer in
	ours) bin=$OURS ;;
	tcpserver) bin=$THEIRS ;;
	tcpsvd) bin=$TCPSVD; ucspi=("${svd[@]}") ;;
	esac
	CMD=("$bin" "${ucspi[@]}" -c "$LIMIT" -b "$BACKLOG" 127.0.0.1 "$port" "$GREET")
}

# What each line is, for the tables: "line NAME KIND TITLE", "cmd NAME PEER
# COMMAND" and "note NAME TEXT" rows of lines.txt (tab-separated); KIND is
# rate (targets: rate and p99), deny (target: refusals/s) or dns (none).
info() { local IFS=$'\t'; echo "$*" >>"$LINEINFO"; }
# shellcheck disable=SC2016 # backquotes are markdown code spans here
describe() {	# LINE
	local l=$1 p
	case $l in
	bare) info line bare rate 'bare `-H -R -l 0`'
		info note bare 'tcpsvd: `-l 0` (it has no `-H`/`-R`: no ident, and DNS only with `-h`).' ;;
	imap) info line imap rate "IMAP \`-v -R -H -l $LOCALNAME\`"
		info note imap "tcpsvd: \`-v -l $LOCALNAME\`. Every listener's stdout and stderr are a pipe read by \`${LOGGER[*]} DIR\` (as under s6), not /dev/null; its CPU is the logger column." ;;
	smtp) info line smtp rate "SMTP \`-v -R -H -l $LOCALNAME -x tcp.smtp.cdb -u $RUN_UID -g $RUN_GID\`"
		info note smtp "tcp.smtp is qmail's classic \`127.:allow,RELAYCLIENT=\"\"\` and \`:allow\` (packaging/dist/etc/smtp/rules) compiled by /usr/bin/tcprules; -u/-g: $RUN_AS. tcpsvd: \`-v -l $LOCALNAME -x smtp.ipsvd.cdb -u :$RUN_UID:$RUN_GID\`, the same rules as ipsvd instructions (file \`127\`: \`+RELAYCLIENT=\`, file \`0\`: empty, allow) compiled by ipsvd-cdb; it drops privileges in the child, tcpserver in the listener." ;;
	service) info line service rate 'our s6 smtp service line (packaging/s6/listener/run)'
		info note service "ours: the template's exec line, filled in as mailstack-mkservices does (PRESET smtp, BACKLOG $BACKLOG, -u/-g $RUN_AS, the tcp.smtp rules as rules.cdb, a limits file with max_connections=$LIMIT and max_per_ip=$LIMIT so that $CONC clients from 127.0.0.1 get in; -w 3 goes to a file). tcpserver: the same line **without our own options -m, -w, -s, -f**, and \`-c $LIMIT\` for the limits file. tcpsvd: \`-v -l $LOCALNAME -b $BACKLOG -u :$RUN_UID:$RUN_GID -x smtp.ipsvd.cdb -c $LIMIT\` (no equivalent of -m, -w, -s, -f)." ;;
	deny) info line deny deny 'deny flood `-H -R -l 0 -x deny.cdb` (`127.0.0.1:deny`)'
		info note deny 'Refusals per second, connect to close (connbench reads to EOF). tcpsvd: `-l 0 -x deny.ipsvd.cdb`, an instructions file `127.0.0.1` with no permission (ipsvd-cdb): it closes the connection. Before measuring, each peer is checked to send nothing on a connection.' ;;
	dns) info line dns dns "DNS \`-v -R -h -l $LOCALNAME\` (local resolver)"
		info note dns "bench/dns/fakedns on 127.0.0.1:53 inside the private namespace answers PTR for 127.0.0.1 ($CLIENT_NAME) and A for that name; /etc/resolv.conf (\`nameserver 127.0.0.1\`) and an empty /etc/hosts are bind-mounted in the private mount namespace, so every peer asks DNS for each connection (ours through the system resolver, the others through djb's DNS code). tcpsvd: \`-v -h -l $LOCALNAME\`. No target: a report of the cost." ;;
	esac
	for p in $PEERS; do
		CMD_PROBE='' CMD_LOG='' CMD_FD3=''
		listener_cmd "$p" "$l"
		info cmd "$l" "$p" "$(echo "${CMD[*]}" | sed "s#$WORK/##g")"
	done
}

# a deny line's peer must send nothing and close
denies() {	# PORT
	local got
	got=$(timeout 5 bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$0" && head -c 64 <&5' "$1" 2>/dev/null)
	[ -z "$got" ]
}

# the private resolver of the dns line
start_resolver() {
	printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:2\n' >"$WORK/resolv.conf"
	: >"$WORK/hosts"
	chmod 0644 "$WORK/resolv.conf" "$WORK/hosts"
	# only in this script's own mount namespace, and never propagated
	[ -n "${MAILSTACK_BENCH_IN_NETNS:-}" ] || die "the dns line needs the private namespace"
	mount --make-rprivate / || die "cannot make the mounts private"
	MOUNTED=
	mount --bind "$WORK/resolv.conf" /etc/resolv.conf || die "cannot bind-mount resolv.conf"
	MOUNTED=/etc/resolv.conf
	mount --bind "$WORK/hosts" /etc/hosts || die "cannot bind-mount hosts"
	MOUNTED="$MOUNTED /etc/hosts"
	log_cmd "resolver" "$FAKEDNS -T $MAX_SECONDS $CLIENT_NAME"
	"$FAKEDNS" -T "$MAX_SECONDS" "$CLIENT_NAME" >"$WORK/fakedns.out" 2>&1 &
	DNSPID=$!
	TEST_PIDS=$DNSPID
	for i in $(seq 1 50); do
		grep -q ready "$WORK/fakedns.out" && getent hosts 127.0.0.1 | grep -q "$CLIENT_NAME" && return 0
		sleep 0.1
	done
	cat "$WORK/fakedns.out" >&2
	die "the resolver did not answer"
}
stop_resolver() {
	local m
	stop_pid "$DNSPID"
	DNSPID='' TEST_PIDS=''
	for m in $MOUNTED; do umount "$m"; done
	MOUNTED=
}

# run_line LINE: its three listeners, ROUNDS rounds in alternating order
# (a round again, RETRY_DIRTY times at most, while another program took more
# than CLEAN_PCT% of the CPU during one of its measurements), the load
# average before and after
run_line() {
	local l=$1 p r k i try expect=() pa np per
	read -r -a pa <<<"$PEERS"
	np=${#pa[@]}
	per=$((LINE_N / ROUNDS))
	[ "$per" -gt 0 ] || per=1
	echo "# line $l" >&2
	info load "$l" start "$(cut -d' ' -f1-3 /proc/loadavg)"
	[ "$l" = dns ] && start_resolver
	[ "$l" = deny ] && expect=(-e '')
	for p in $PEERS; do
		start_peer "$p" "$l"
		if [ "$l" = deny ]; then
			denies "$(portof "$p" "$l")" || die "$p ($l) sent something: the rule does not deny"
		fi
	done
	for r in $(seq 1 "$ROUNDS"); do
		for try in $(seq 0 "$RETRY_DIRTY"); do
			: >"$WORK/cell.txt"
			for k in $(seq 0 $((np - 1))); do
				if [ $((r % 2)) = 1 ]; then i=$k; else i=$((np - 1 - k)); fi
				measure "$l" "$r" "${pa[$i]}" "$l" "$CONC" "$per" "${expect[@]}"
			done
			cell_clean && break
			[ "$try" -lt "$RETRY_DIRTY" ] || break
			[ $(($(date +%s) - T0)) -lt "$RETRY_SECONDS" ] || break
			echo "  (others took more than $CLEAN_PCT% of the CPU: measuring the round again)" >&2
			cat "$WORK/cell.txt" >>"$OUT/raw-dirty.txt"
		done
		cat "$WORK/cell.txt" >>"$RAW"
	done
	for p in "${!PIDS[@]}"; do stop_peer "$p"; done
	if [ "$l" = dns ]; then
		# the names must have been looked up: each peer logs them with -v
		for p in $PEERS; do
			grep -rqs "$CLIENT_NAME" "$WORK/log/$p-dns" ||
			    info note dns "**warning: $p never logged the name $CLIENT_NAME: it may not have asked DNS.**"
		done
		stop_resolver
	fi
	info load "$l" end "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# ---- metadata -----------------------------------------------------------------
{
	meta_machine
	echo "private netns and mount namespace: ${MAILSTACK_BENCH_IN_NETNS:-0}"
	echo "logger: ${LOGGER[*]} DIR ($(command -v "$LOG_WITH"))"
	echo "LINES=\"$LINES\" LINE_N=$LINE_N ROUNDS=$ROUNDS CONC=$CONC WARMUP=$WARMUP LIMIT=$LIMIT BACKLOG=$BACKLOG RUN_AS=$RUN_AS CLEAN_PCT=$CLEAN_PCT RETRY_DIRTY=$RETRY_DIRTY RETRY_SECONDS=$RETRY_SECONDS"
	echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/meta.txt"
: >"$RAW"
sed 's/^/# /' "$OUT/meta.txt" >&2

T0=$(date +%s)
for l in $LINES; do describe "$l"; done
for l in $LINES; do run_line "$l"; done
{
	echo "elapsed: $(($(date +%s) - T0)) s of measurement"
	echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$OUT/meta.txt"
{
	echo "# reproduce this run (with the default knobs it is part of: make bench-tcpserver)"
	echo "cd $TOP && ./configure && make && OURS='$OURS_SRC' LINES='$LINES' LINE_N=$LINE_N ROUNDS=$ROUNDS" \
	    "CONC=$CONC WARMUP=$WARMUP LIMIT=$LIMIT CLEAN_PCT=$CLEAN_PCT RETRY_DIRTY=$RETRY_DIRTY make bench-tcpserver-lines"
} >>"$CMDS"

report "$OUT" | tee "$OUT/tables.md"
