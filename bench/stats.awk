# stats.awk: the functions the listener benchmarks' reports share (mawk and
# gawk): key=value fields, lists of numbers, medians, spreads, paired
# ratios and verdicts. Only functions; give it first:
# awk -f bench/stats.awk -f bench/tcpserver-report.awk FILE...

function kv(   i, a) {
	delete F
	for (i = 1; i <= NF; i++)
		if (split($i, a, "=") == 2)
			F[a[1]] = a[2]
}

function add(arr, k, v) {
	arr[k] = (k in arr) ? arr[k] " " v : v
}

# Sorts the space-separated list into v[1..n] (insertion sort: a few dozen
# values at most) and returns n.
function sorted(list, v,   n, i, j, t) {
	n = split(list, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n
}

function median(list,   v, n) {
	n = sorted(list, v)
	if (n == 0)
		return 0
	return n % 2 ? v[(n + 1) / 2] + 0 : (v[n / 2] + v[n / 2 + 1]) / 2
}

# (max - min) / median, in percent
function spread(list,   v, n, m) {
	n = sorted(list, v)
	m = median(list)
	return m > 0 ? 100 * (v[n] - v[1]) / m : 0
}

# "median (min-max)" of a list of ratios, or "-"
function paired(list,   v, n) {
	if (list == "")
		return "-"
	n = sorted(list, v)
	return sprintf("%.3f (%.3f-%.3f)", median(list), v[1], v[n])
}

function ratio(a, b) {
	return b > 0 ? sprintf("%.3f", a / b) : "-"
}

function verdict(x, lim, ge) {
	if (x == "")
		return "no data"
	return (ge ? x + 0 >= lim : x + 0 <= lim) ? "met" : "**not met**"
}

# Counts the current line (fields in F, from kv) as peer PEER's measurement
# in round ROUND of cell C: remembers the round once in rounds[C] (seenr),
# and the rate and p99 in rc and rp, keyed by C SUBSEP ROUND SUBSEP PEER.
# Returns the key of the round, C SUBSEP ROUND.
function record_round(c, round, peer,   rk) {
	rk = c SUBSEP round
	if (!(rk in seenr)) {
		seenr[rk] = 1
		add(rounds, c, round)
	}
	rc[rk SUBSEP peer] = F["cps"]
	rp[rk SUBSEP peer] = F["tot_p99_us"]
	return rk
}

# What a target is judged on: the median of the paired ratios of the clean
# rounds when there are at least 3 of them, else of all rounds. Sets JX
# ("" without data) and JBASIS ("clean" or "all rounds").
function judged(nclean, all, clean) {
	JX = JBASIS = ""
	if (nclean >= 3) {
		JX = median(clean)
		JBASIS = "clean"
	} else if (all != "") {
		JX = median(all)
		JBASIS = "all rounds"
	}
}
