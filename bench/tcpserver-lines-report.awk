# tcpserver-lines-report.awk: markdown tables from run-tcpserver-lines.sh's
# lines.txt and raw.txt (mawk and gawk; run after bench/stats.awk).
#
# Input, one or more runs, each as its lines.txt then its raw.txt (the
# rounds of all runs are pooled):
#   lines.txt  tab-separated: "line NAME KIND TITLE", "cmd NAME PEER COMMAND",
#              "note NAME TEXT", "load NAME start|end LOADAVG"
#   raw.txt    "round=R test=NAME others_pct=P cpu_j=J log_j=J hz=HZ conns=C
#              CONNBENCH label=PEER ...", one connbench measurement each
# Prints a summary (rows in bench/report.sh's summary format), then per
# line: the commands, the notes, a row per peer (median rate and p99 over
# the rounds, ours against it paired per round, failures, CPU time per
# connection), its targets and the load average before and after. KIND
# rate: ours >= 1.05x tcpserver's rate and <= 0.70x its p99; deny: >= 3x
# its refusals per second; dns: no target. The targets are judged on the
# paired ratios of the clean rounds (other programs took at most CLEAN% of
# the CPU in every measurement of the round) when there are at least 3,
# else on all rounds.

BEGIN {
	if (CLEAN == "")
		CLEAN = 10
	np = split("ours tcpserver tcpsvd", PEER, " ")
}

FILENAME ~ /lines\.txt$/ {
	if (FILENAME != lastinfo) {
		lastinfo = FILENAME
		nrun++
	}
	split($0, t, "\t")
	if (t[1] == "line" && !(t[2] in kind)) {
		kind[t[2]] = t[3]
		title[t[2]] = t[4]
		order[++nl] = t[2]
	} else if (t[1] == "cmd" && !((t[2] SUBSEP t[3]) in cmd)) {
		cmd[t[2] SUBSEP t[3]] = t[4]
	} else if (t[1] == "note" && !((t[2] SUBSEP t[3]) in seennote)) {
		seennote[t[2] SUBSEP t[3]] = 1
		notes[t[2]] = notes[t[2]] t[3] "\n"
	} else if (t[1] == "load") {
		load[t[2] SUBSEP nrun SUBSEP t[3]] = t[4]
	}
	next
}

{
	kv()
	l = F["test"]
	k = l SUBSEP F["label"]
	conc[l] = F["conc"]
	add(cps, k, F["cps"])
	add(p99, k, F["tot_p99_us"] / 1000)
	fail[k] += F["fail"] + F["warm_fail"]
	if (F["conns"] > 0 && F["hz"] > 0) {
		add(cpu, k, F["cpu_j"] * 1000000 / F["hz"] / F["conns"])
		add(lcpu, k, F["log_j"] * 1000000 / F["hz"] / F["conns"])
	}
	n[k]++
	rk = record_round(l, nrun "." F["round"], F["label"])
	dirty[rk] += (F["others_pct"] + 0 > CLEAN)
}

# The per-round ratios ours/b of line l: PRR, PPR (all rounds, "median
# (min-max)"), RR, PR (the lists) and RRC, PRC, NC (clean rounds only).
function paired_of(l, b,   nr, rv, j, x, y, rk, rr, pr, rrc, prc) {
	NC = 0
	nr = split(rounds[l], rv, " ")
	for (j = 1; j <= nr; j++) {
		rk = l SUBSEP rv[j]
		x = rk SUBSEP "ours"
		y = rk SUBSEP b
		if (!(x in rc) || !(y in rc) || rc[y] <= 0 || rp[y] <= 0)
			continue
		add(rr, 1, rc[x] / rc[y])
		add(pr, 1, rp[x] / rp[y])
		if (!dirty[rk]) {
			add(rrc, 1, rc[x] / rc[y])
			add(prc, 1, rp[x] / rp[y])
			NC++
		}
	}
	RR = rr[1]; PR = pr[1]; RRC = rrc[1]; PRC = prc[1]
	PRR = paired(RR)
	PPR = paired(PR)
}

function med(arr, k) {
	return (k in arr) ? median(arr[k]) : 0
}

# a/b with 2 decimals, as bench/report.sh writes its own summary's ratios
function ratio2(a, b) {
	return a > 0 && b > 0 ? sprintf("%.2f", a / b) : "-"
}

function num(x, fmt) {
	return x > 0 ? sprintf(fmt, x) : "-"
}

# "met, on clean rounds" etc. for the paired ratios all / clean
function judge(all, clean, lim, ge) {
	judged(NC, all, clean)
	if (JX == "")
		return "no data"
	return verdict(JX, lim, ge) " (" sprintf("%.3f", JX) ", " \
	    (JBASIS == "clean" ? "clean rounds" : JBASIS) ")"
}

function target_text(l, what,   kd) {
	kd = kind[l]
	paired_of(l, "tcpserver")
	if (what == "rate" && kd == "rate")
		return ">= 1.05x tcpserver: " judge(RR, RRC, 1.05, 1)
	if (what == "rate" && kd == "deny")
		return ">= 3x tcpserver: " judge(RR, RRC, 3, 1)
	if (what == "p99" && kd == "rate")
		return "<= 0.70x tcpserver: " judge(PR, PRC, 0.70, 0)
	return "-"
}

# one summary row: what ("rate", "p99", "cpu") of line l for each peer
function summary_row(l, what, label,   o, s, v, arr, fmt, ps, pv) {
	fmt = what == "p99" ? "%.1f" : "%.0f"
	if (what == "rate") {
		o = med(cps, l SUBSEP "ours"); s = med(cps, l SUBSEP "tcpserver"); v = med(cps, l SUBSEP "tcpsvd")
	} else if (what == "p99") {
		o = med(p99, l SUBSEP "ours"); s = med(p99, l SUBSEP "tcpserver"); v = med(p99, l SUBSEP "tcpsvd")
	} else {
		o = med(cpu, l SUBSEP "ours"); s = med(cpu, l SUBSEP "tcpserver"); v = med(cpu, l SUBSEP "tcpsvd")
	}
	ps = pv = ""
	if (what != "cpu") {
		paired_of(l, "tcpserver")
		ps = " (" substr(what == "rate" ? PRR : PPR, 1, 5) ")"
		paired_of(l, "tcpsvd")
		pv = " (" substr(what == "rate" ? PRR : PPR, 1, 5) ")"
	}
	printf "| %s: %s | %s | %s | %s | %s%s | %s%s | %s |\n", title[l], label, num(o, fmt), num(s, fmt),
	    num(v, fmt), ratio2(o, s), (s > 0 ? ps : ""), ratio2(o, v), (v > 0 ? pv : ""), target_text(l, what)
}

function print_summary(   i, l, unit) {
	printf "### Summary\n\n"
	printf "Medians over the rounds; in brackets the median of the per-round (paired) ratios.\n\n"
	printf "| measure | ours | ucspi-tcp tcpserver | tcpsvd | ours/tcpserver | ours/tcpsvd | target |\n"
	printf "|---|---:|---:|---:|---:|---:|---|\n"
	for (i = 1; i <= nl; i++) {
		l = order[i]
		if (!((l SUBSEP "ours") in n))
			continue
		unit = kind[l] == "deny" ? "refusals/s" : "conn/s"
		summary_row(l, "rate", unit " at c=" conc[l])
		summary_row(l, "p99", "p99 connect-to-close ms")
		summary_row(l, "cpu", "CPU us per connection (listener + children)")
	}
}

function print_line(l,   j, p, k, unit, nr, rv, r, st, en, loads) {
	unit = kind[l] == "deny" ? "refusals/s" : "conn/s"
	printf "\n### %s, c=%s, %d rounds\n\n", title[l], conc[l], n[l SUBSEP "ours"]
	for (j = 1; j <= np; j++)
		if ((l SUBSEP PEER[j]) in cmd)
			printf "- %s: `%s`\n", PEER[j], cmd[l SUBSEP PEER[j]]
	if (l in notes)
		printf "\n%s", notes[l]
	printf "\n| peer | %s | spread | p99 ms | rate ours/peer paired: median (range) | p99 ours/peer paired: median (range) | failures | CPU us/conn: listener + children | CPU us/conn: logger |\n", unit
	printf "|---|---:|---:|---:|---|---|---:|---:|---:|\n"
	for (j = 1; j <= np; j++) {
		p = PEER[j]
		k = l SUBSEP p
		if (!(k in n))
			continue
		if (p == "ours")
			PRR = PPR = "-"
		else
			paired_of(l, p)
		printf "| %s | %.0f | %.1f%% | %.1f | %s | %s | %d | %.0f | %s |\n", p, median(cps[k]),
		    spread(cps[k]), median(p99[k]), PRR, PPR, fail[k], med(cpu, k),
		    (med(lcpu, k) > 0 ? sprintf("%.0f", med(lcpu, k)) : "-")
	}
	if (kind[l] != "dns") {
		printf "\nTargets: rate %s", target_text(l, "rate")
		if (kind[l] == "rate")
			printf "; p99 %s", target_text(l, "p99")
		paired_of(l, "tcpserver")
		printf "; %d clean rounds of %d.\n", NC, split(rounds[l], rv, " ")
	}
	loads = ""
	for (r = 1; r <= nrun; r++) {
		st = load[l SUBSEP r SUBSEP "start"]
		en = load[l SUBSEP r SUBSEP "end"]
		if (st == "" && en == "")
			continue
		loads = loads (loads == "" ? "" : "; ") sprintf("%s at the start, %s at the end", st, en)
	}
	if (loads != "")
		printf "\nLoad average (1, 5, 15 min): %s.\n", loads
}

END {
	print_summary()
	for (i = 1; i <= nl; i++)
		if ((order[i] SUBSEP "ours") in n)
			print_line(order[i])
	printf "\nspread: (max - min) / median over the rounds. p99: median over the rounds of each round's 99th percentile of connect-to-close. paired: ours/peer within each round (the peers measured back to back, in alternating order). failures: refused, reset, timeout, eof... in measured and warm-up phases. CPU: utime+stime+cutime+cstime of the listener (its reaped children included) and of its logger, from /proc/PID/stat before and after each measurement, divided by the connections made meanwhile (warm-up included), in microseconds, median over the rounds.\n"
}
