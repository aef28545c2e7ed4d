#!/usr/bin/env bash
# report.sh: bench/REPORT.md from the latest results of every benchmark.
#
# Reads the newest bench/results/{tcpserver,tcpserver-lines,control,rules,
# web}-*/tables.md (written by make bench-tcpserver, which writes the first
# two, bench-control, bench-rules, bench-web), puts a summary of the
# headline numbers first (ours against ucspi-tcp tcpserver and tcpsvd on
# the bare line and on each command line, the ss pipeline, tcprules), then
# every table as the
# benchmark wrote it, each with the command that reproduces it, and the
# machine, date and commit. Measures nothing itself.
#
# usage: bench/report.sh            (or: make bench-report, the last step of make bench)
# Knobs: RESULTS [bench/results], REPORT [bench/REPORT.md]
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
RESULTS=${RESULTS:-$TOP/bench/results}
REPORT=${REPORT:-$TOP/bench/REPORT.md}

latest() {	# KIND -> the newest RESULTS/KIND-<date>-<time> holding tables.md
	local d
	d=$(ls -d "$RESULTS/$1"-2[0-9]*/ 2>/dev/null | sort | while read -r x; do
		[ -s "$x/tables.md" ] && echo "${x%/}"
	done | tail -1)
	echo "$d"
}

# cell TABLES COLUMN KEY...: a field of the first markdown row whose leading
# fields are the KEYs (fields count from 1 after the leading '|')
cell() {
	local file=$1 col=$2 IFS=$'\034'
	shift 2
	awk -F'|' -v col="$col" -v keys="$*" '
	BEGIN { nk = split(keys, k, "\034") }
	/^\|/ {
		for (i = 1; i <= nk; i++) {
			f = $(i + 1); gsub(/^ +| +$/, "", f)
			if (f != k[i]) next
		}
		f = $(col + 1); gsub(/^ +| +$/, "", f); print f; exit
	}' "$file"
}

# Markdown headings of an included file go one level down (### -> ####),
# except inside code blocks, where '#' starts a comment.
demote() {
	awk '/^```/ { code = !code } !code && /^#/ { $0 = "#" $0 } { print }' "$1"
}

ratio() {	# A B -> A/B with 2 decimals, or -
	awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'
}

TS=$(latest tcpserver)
TL=$(latest tcpserver-lines)
CT=$(latest control)
RU=$(latest rules)
WB=$(latest web)
[ -n "$TS$TL$CT$RU$WB" ] || { echo "report.sh: no results in $RESULTS (run make bench)" >&2; exit 2; }

# ---- headline numbers --------------------------------------------------------
summary() {
	local t c o s v p
	echo "| measure | ours | ucspi-tcp tcpserver | tcpsvd | ours/tcpserver | ours/tcpsvd | target |"
	echo "|---|---:|---:|---:|---:|---:|---|"
	if [ -n "$TS" ]; then
		t=$TS/tables.md
		o=$(cell "$t" 2 64); s=$(cell "$t" 4 64); v=$(cell "$t" 4 main 0 64)
		p=$(cell "$t" 7 64)
		echo "| new connections/s at c=64 (medians; paired ratio) | $o | $s | ${v:--} | $(ratio "$o" "$s") (${p%% *}) | $(ratio "$o" "$v") | >= 0.97x tcpserver |"
		o=$(cell "$t" 8 64); s=$(cell "$t" 9 64); v=$(cell "$t" 5 main 0 64)
		p=$(cell "$t" 11 64)
		echo "| p99 connect-to-close ms at c=64 | $o | $s | ${v:--} | $(ratio "$o" "$s") (${p%% *}) | $(ratio "$o" "$v") | <= 0.70x tcpserver |"
		c=$(awk -F'|' '/^\| [0-9]+ \| [0-9]+ \|/ { h = $2 } END { gsub(/ /, "", h); print h }' "$t")
		if [ -n "$c" ] && [ "$c" != 0 ]; then
			o=$(cell "$t" 3 "$c" 64); s=$(cell "$t" 5 "$c" 64); v=$(cell "$t" 4 hold "$c" 64)
			p=$(cell "$t" 8 "$c" 64)
			echo "| new connections/s with $c held, c=64 | $o | $s | ${v:--} | $(ratio "$o" "$s") (${p%% *}) | $(ratio "$o" "$v") | >= 0.95x tcpserver |"
			o=$(cell "$t" 9 "$c" 64); s=$(cell "$t" 10 "$c" 64); v=$(cell "$t" 5 hold "$c" 64)
			echo "| p99 ms with $c held | $o | $s | ${v:--} | $(ratio "$o" "$s") | $(ratio "$o" "$v") | - |"
			o=$(cell "$t" 14 "$c" 64); s=$(cell "$t" 15 "$c" 64); v=$(cell "$t" 12 hold "$c" 64)
			echo "| held connections kept (ok / died) | $o | $s | ${v:--} | - | - | all $c kept |"
		fi
	fi
	# the command lines: their tables.md's own summary rows, in this format
	if [ -n "$TL" ]; then
		awk '/^### Summary/ { s = 1; next }
		    s && /^\|/ { if (++n > 2) print; next }
		    s && n { exit }' "$TL/tables.md"
	fi
	echo
	echo "| measure | ours | reference | reference/ours | target |"
	echo "|---|---:|---:|---:|---|"
	if [ -n "$CT" ]; then
		t=$CT/tables.md
		o=$(cell "$t" 2 socket); s=$(cell "$t" 2 ss)
		echo "| per-IP report, 10,000 connections from 1,000 addresses, ms (median): control socket vs \`ss \| awk \| sort \| uniq -c\` | $o | $s | $(cell "$t" 8 socket) (paired $(cell "$t" 9 socket)), exact: $(cell "$t" 7 socket) | >= 20x, exact |"
		o=$(cell "$t" 2 http)
		echo "| the same through mailctld's HTTP API, ms | $o | $s | $(cell "$t" 8 http) | - |"
		o=$(cell "$t" 2 'PATCH answered → queued client greeted')
		echo "| limit raise: PATCH answered → queued client greeted, ms (median; max $(cell "$t" 4 'PATCH answered → queued client greeted')) | $o | - | - | < 50 ms |"
		o=$(cell "$t" 2 'PATCH sent → queued client greeted')
		echo "| limit raise: PATCH sent → queued client greeted, ms (median) | $o | - | - | - |"
	fi
	if [ -n "$RU" ]; then
		t=$RU/tables.md
		o=$(cell "$t" 2 mailstack-tcprules); s=$(cell "$t" 2 'tcprules 0.88')
		v=$(sed -n 's/^## rules compile: \([0-9]*\) rules.*/\1/p' "$t")
		echo "| rules compile, ${v:-?} rules, ms (median) vs tcprules 0.88 | $o | $s | $(ratio "$s" "$o"), $(grep -o 'cdb bytes: [a-zA-Z]*' "$t") | <= 1.0x tcprules |"
		o=$(awk -F'|' '/^\| parent: rules_db_lookup_ip/ { gsub(/ /, "", $3); print $3; exit }' "$t")
		echo "| rules lookup in the listener, ns per connection | $o | - | - | <= 2000 ns |"
	fi
	if [ -n "$WB" ]; then
		t=$WB/tables.md
		o=$(awk -F'|' '/^\| PATCH limits/ { gsub(/ /, "", $4); print $4; exit }' "$t")
		echo "| mailctld alone: PATCH limits answered, ms (median; fake listener) | $o | - | - | - |"
	fi
}

section() {	# TITLE DIR REPRODUCE
	echo
	echo "## $1"
	echo
	if [ -z "$2" ]; then
		echo "No results (run \`$3\`)."
		return
	fi
	echo "Reproduce: \`$3\` (results folder \`bench/results/$(basename "$2")\`; every run writes a new one)."
	echo
	demote "$2/tables.md"
}

host() {
	echo "nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
	    "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)," \
	    "$(uname -srm), $(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-?}")"
}

{
	echo "# mailstack benchmark report"
	echo
	echo "Written by \`make bench\` (all benchmarks, then \`bench/report.sh\`; \`make bench-report\` is the same," \
	    "\`bash bench/report.sh\` alone rebuilds this file from the latest results)."
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- commit: $(git -C "$TOP" log -1 --format='%h (%cd) %s' --date=iso 2>/dev/null | cut -c1-160 || echo '?')"
	echo "- machine: $(host); 2 cores shared with the team's builds and tests, so each table says how busy it was"
	echo "- load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- network: every benchmark runs inside \`unshare -n\` (only \`lo\`), loopback addresses only" \
	    "(the command lines inside \`unshare -n -m\`, for a private /etc/resolv.conf)"
	echo "- results: $(for d in "$TS" "$TL" "$CT" "$RU" "$WB"; do [ -n "$d" ] && printf '`%s` ' "$(basename "$d")"; done)"
	echo "- peers: ucspi-tcp $(dpkg-query -W -f='${Version}' ucspi-tcp 2>/dev/null || echo '?') tcpserver," \
	    "ipsvd $(dpkg-query -W -f='${Version}' ipsvd 2>/dev/null || echo 'not installed') tcpsvd," \
	    "iproute2 $(dpkg-query -W -f='${Version}' iproute2 2>/dev/null || echo '?') ss"
	echo
	echo "## Summary"
	echo
	echo "Medians over the rounds of each benchmark; \"paired\" is the median of the per-round ratios" \
	    "(both peers measured back to back, so the shared machine's drift mostly cancels). Details and" \
	    "spreads in the sections below."
	echo
	summary
	section "Listener: mailstack-tcpserver vs ucspi-tcp tcpserver and tcpsvd (rate, p99, held connections)" "$TS" \
	    "./configure && make && make bench-tcpserver"
	section "Listener: the command lines people run (bare, IMAP, SMTP, our service line, deny flood, DNS), ours vs tcpserver and tcpsvd" "$TL" \
	    "./configure && make && make bench-tcpserver (or make bench-tcpserver-lines for these alone)"
	section "Control plane: per-IP report vs the ss pipeline, limit-raise latency" "$CT" \
	    "./configure && make && make bench-control"
	section "Rules: compile and lookup" "$RU" "./configure && make && make bench-rules"
	section "mailctld alone (fake listener socket)" "$WB" "./configure && make && make bench-web"
} | sed "s#$TOP/##g" >"$REPORT.tmp" && mv "$REPORT.tmp" "$REPORT" || { echo "report.sh: cannot write $REPORT" >&2; exit 111; }
# The tables name files as the run saw them; the report names them by
# their path in the repository (the sed above), as the rest of it does.
echo "report.sh: wrote $REPORT" >&2
