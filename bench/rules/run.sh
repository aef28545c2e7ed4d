#!/bin/sh
# run.sh: make bench-rules. Compiles a generated 100,000-rule file with
# mailstack-tcprules and with the real tcprules, alternating, ROUNDS times
# each; checks the bytes are the same; then measures the lookup cost.
# Knobs: N (rules, 100000), ROUNDS (7), OURS, THEIRS, TMPDIR (where the
# files go: both compilers fsync, so the disk counts; TMPDIR=/dev/shm
# measures the programs alone), OUT (bench/results/rules-<date>-<time>:
# tables.md, what is printed, for bench/report.sh).
# No network: nothing here opens a socket.
set -u
N=${N:-100000}
ROUNDS=${ROUNDS:-7}
OURS=${OURS:-rules/tcprules/mailstack-tcprules}
THEIRS=${THEIRS:-/usr/bin/tcprules}
OUT=${OUT:-bench/results/rules-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || exit 111
dir=$(mktemp -d "${TMPDIR:-/tmp}/bench-rules.XXXXXX") || exit 111
trap 'rm -rf "$dir"' EXIT
trap 'exit 111' INT TERM

ms() { date +%s%N; }
run() {	# run PROG OUT.cdb: prints microseconds
	t0=$(ms)
	"$1" "$2" "$2.tmp" <"$dir/rules"
	t1=$(ms)
	echo $(( (t1 - t0) / 1000 ))
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Prints the tables; returns 1 when the two cdbs differ.
bench() {
	set -e
	bench/rules/genrules.sh "$N" >"$dir/rules"
	: >"$dir/ours.us"
	: >"$dir/theirs.us"
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		if [ $((i % 2)) -eq 0 ]; then
			run "$OURS" "$dir/ours.cdb" >>"$dir/ours.us"
			run "$THEIRS" "$dir/theirs.cdb" >>"$dir/theirs.us"
		else
			run "$THEIRS" "$dir/theirs.cdb" >>"$dir/theirs.us"
			run "$OURS" "$dir/ours.cdb" >>"$dir/ours.us"
		fi
		i=$((i + 1))
	done
	mo=$(median "$dir/ours.us")
	mt=$(median "$dir/theirs.us")
	lines=$(wc -l <"$dir/rules")
	size=$(wc -c <"$dir/ours.cdb")
	echo "## rules compile: $N rules ($lines lines), $ROUNDS rounds, files in ${TMPDIR:-/tmp}"
	echo
	echo "| compiler | median ms | all runs (ms) |"
	echo "|---|---|---|"
	echo "| mailstack-tcprules | $(awk "BEGIN { printf \"%.1f\", $mo / 1000 }") | $(awk '{ printf "%.1f ", $1 / 1000 }' "$dir/ours.us")|"
	echo "| tcprules 0.88 | $(awk "BEGIN { printf \"%.1f\", $mt / 1000 }") | $(awk '{ printf "%.1f ", $1 / 1000 }' "$dir/theirs.us")|"
	echo
	ratio=$(awk "BEGIN { printf \"%.2f\", $mo / $mt }")
	echo "ratio ours/tcprules: ${ratio}x (target <= 1.0x: $(awk "BEGIN { print ($mo <= $mt) ? \"met\" : \"MISSED\" }"))"
	if cmp -s "$dir/ours.cdb" "$dir/theirs.cdb"; then
		echo "cdb bytes: identical ($size bytes)"
	else
		echo "cdb bytes: DIFFER"
		return 1
	fi
	echo
	echo "## rules lookup"
	echo
	bench/rules/lookupbench "$dir/ours.cdb" "$dir/rules"
	echo
	echo "machine: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -sr)," \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git log -1 --format=%h 2>/dev/null || echo '?')"
	echo
	echo "reproduce: \`./configure && make && N=$N ROUNDS=$ROUNDS TMPDIR=${TMPDIR:-/tmp} make bench-rules\`" \
	    "(compile: \`$OURS rules.cdb rules.tmp <rules\` against \`$THEIRS rules.cdb rules.tmp <rules\`," \
	    "rules from \`bench/rules/genrules.sh $N\`; lookup: \`bench/rules/lookupbench rules.cdb rules\`)"
}

# a subshell, so that set -e ends only the measuring and the tables are still shown
(bench) >"$OUT/tables.md"
st=$?
cat "$OUT/tables.md"
[ $st = 0 ] || echo "run.sh: failed (status $st); partial tables in $OUT/tables.md" >&2
exit $st
