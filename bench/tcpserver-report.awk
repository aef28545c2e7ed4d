# tcpserver-report.awk: markdown tables from run-tcpserver.sh's raw.txt (mawk and gawk;
# run after bench/stats.awk, which holds the medians and ratios).
#
# Every input line is "round=R test=main|hold others_pct=P CONNBENCH key=value ...",
# from one or more runs' raw.txt (the rounds of all of them are pooled);
# one connbench measurement. A cell is (test, concurrency, held); in each
# round both peers are measured back to back, so the per-round ("paired")
# ratio ours/tcpserver cancels most of the drift of a shared machine; the
# targets are judged on the median of those paired ratios, over the "clean"
# rounds only (other processes took at most CLEAN% of the CPU during both
# measurements) when there are at least 3 of them.

BEGIN {
	if (CLEAN == "")
		CLEAN = 10
}

{
	kv()
	cell = F["test"] SUBSEP F["conc"] SUBSEP F["hold"]
	if (!(cell in seen)) {
		seen[cell] = 1
		cells[++nc] = cell
	}
	if (!(F["label"] in seenp)) {
		seenp[F["label"]] = 1
		peers[++np] = F["label"]
	}
	k = cell SUBSEP F["label"]
	add(cps, k, F["cps"])
	add(p99, k, F["tot_p99_us"] / 1000)
	fail[k] += F["fail"] + F["hold_fail"] + F["warm_fail"]
	held[k] += F["held"]
	dead[k] += F["held_dead"]
	n[k]++
	if ("others_pct" in F)
		add(others, "all", F["others_pct"])
	# rounds of several runs (several raw.txt files) pool as distinct rounds
	if (FILENAME != lastfile) {
		lastfile = FILENAME
		nfile++
	}
	rk = record_round(cell, nfile "." F["round"], F["label"])
	ro[rk SUBSEP F["label"]] = ("others_pct" in F) ? F["others_pct"] : 0
}

# "median (min-max)" of the per-round ratios a/b of rate and of p99 over
# the rounds of cell c where both peers were measured: sets PRR, PPR
function paired_of(c, a, b,   nr, rv, j, x, y, rr, pr) {
	nr = split(rounds[c], rv, " ")
	for (j = 1; j <= nr; j++) {
		x = c SUBSEP rv[j] SUBSEP a
		y = c SUBSEP rv[j] SUBSEP b
		if (!(x in rc) || !(y in rc) || rc[y] <= 0 || rp[y] <= 0)
			continue
		add(rr, 1, rc[x] / rc[y])
		add(pr, 1, rp[x] / rp[y])
	}
	PRR = paired(rr[1])
	PPR = paired(pr[1])
}

function summarise(c,   o, t, nr, rv, j, rk, a, b, x, y) {
	o = c SUBSEP "ours"
	t = c SUBSEP "tcpserver"
	MO[c] = median(cps[o]); MT[c] = median(cps[t])
	PO[c] = median(p99[o]); PT[c] = median(p99[t])
	nr = split(rounds[c], rv, " ")
	for (j = 1; j <= nr; j++) {
		a = c SUBSEP rv[j] SUBSEP "ours"
		b = c SUBSEP rv[j] SUBSEP "tcpserver"
		if (!(a in rc) || !(b in rc) || rc[b] <= 0 || rp[b] <= 0)
			continue
		x = rc[a] / rc[b]
		y = rp[a] / rp[b]
		add(RR, c, x)
		add(PR, c, y)
		if (ro[a] + 0 <= CLEAN && ro[b] + 0 <= CLEAN) {
			add(RRC, c, x)
			add(PRC, c, y)
			NCLEAN[c]++
		}
	}
	return sprintf("%.0f | %.1f%% | %.0f | %.1f%% | %s | %s | %.1f | %.1f | %s | %s | %d / %d |",
	    MO[c], spread(cps[o]), MT[c], spread(cps[t]), ratio(MO[c], MT[c]), paired(RR[c]),
	    PO[c], PT[c], ratio(PO[c], PT[c]), paired(PR[c]), fail[o], fail[t])
}

# The header of the main (held 0) or the hold table; c is its first cell.
function print_header(test, c,   cols, align) {
	cols = " ours conn/s | spread | ts conn/s | spread | rate ours/ts | rate paired: median (range) |" \
	    " ours p99 ms | ts p99 ms | p99 ours/ts | p99 paired: median (range) | failures ours / ts |"
	align = "---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|"
	if (test == "main") {
		printf "### New connections: ours (mailstack-tcpserver) vs tcpserver, medians over %d rounds\n\n", n[c SUBSEP "ours"]
		printf "| c |%s\n|---:|%s\n", cols, align
	} else {
		printf "\n### New connections while idle connections are held (fresh listener per cell), medians over %d rounds\n\n", n[c SUBSEP "ours"]
		printf "| held | c |%s held ok / died: ours | ts |\n|---:|---:|%s---:|---:|\n", cols, align
	}
}

function print_cells(test,   i, c, f, o, t, head) {
	head = 0
	for (i = 1; i <= nc; i++) {
		c = cells[i]
		split(c, f, SUBSEP)
		if (f[1] != test)
			continue
		if (!head++)
			print_header(test, c)
		if (test == "main") {
			printf "| %s | %s\n", f[2], summarise(c)
			continue
		}
		o = c SUBSEP "ours"
		t = c SUBSEP "tcpserver"
		printf "| %s | %s | %s %.0f / %d | %.0f / %d |\n", f[3], f[2], summarise(c),
		    (o in n) ? held[o] / n[o] : 0, dead[o], (t in n) ? held[t] / n[t] : 0, dead[t]
		if (f[3] > 0)
			HC = c
	}
}

# tcpsvd: ours against it, as against tcpserver (its own rate and p99
# against tcpserver's too); the forkfloor references against tcpserver
function print_others(   i, j, p, c, k, o, t, f, head, mp, mo) {
	for (j = 1; j <= np; j++) {
		p = peers[j]
		if (p == "ours" || p == "tcpserver")
			continue
		head = 0
		for (i = 1; i <= nc; i++) {
			c = cells[i]
			k = c SUBSEP p
			o = c SUBSEP "ours"
			t = c SUBSEP "tcpserver"
			if (!(k in n))
				continue
			if (!head++) {
				printf "\n### %s: %s, medians\n\n", p,
				    p == "tcpsvd" ? "ipsvd's tcpsvd (-l 0 -c -b; no per-IP table)" : "fork+exec floor reference"
				printf "| test | held | c | %s conn/s | %s p99 ms | rate %s/ts | rate ours/%s | rate ours/%s paired: median (range) | p99 ours/%s | p99 ours/%s paired: median (range) | failures %s | held ok / died |\n", p, p, p, p, p, p, p, p
				printf "|---|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|\n"
			}
			split(c, f, SUBSEP)
			mp = median(cps[k])
			mo = median(cps[o])
			paired_of(c, "ours", p)
			printf "| %s | %s | %s | %.0f | %.1f | %s | %s | %s | %s | %s | %d | %s |\n", f[1], f[3], f[2],
			    mp, median(p99[k]), (t in n) ? ratio(mp, median(cps[t])) : "-",
			    (o in n) ? ratio(mo, mp) : "-", PRR,
			    (o in n) ? ratio(median(p99[o]), median(p99[k])) : "-", PPR, fail[k],
			    f[1] == "hold" ? sprintf("%.0f / %d", held[k] / n[k], dead[k]) : "-"
		}
	}
}

# One target row: the ratio of medians, the paired ratios over all rounds
# and over the clean ones, and the verdict on the clean ones when there
# are at least 3 of them.
function target_row(what, c, med_o, med_t, all, clean, lim, ge,   x, basis) {
	judged(NCLEAN[c], all, clean)
	x = JX
	basis = JBASIS
	printf "| %s | %s | %s | %s (%d) | %s%s |\n", what, (med_t > 0 ? ratio(med_o, med_t) : "-"),
	    paired(all), paired(clean), NCLEAN[c], verdict(x, lim, ge), (x == "" ? "" : ", on " basis)
}

function print_targets(   c64, f, what) {
	c64 = "main" SUBSEP 64 SUBSEP 0
	printf "\n### Targets\n\n"
	printf "| target | ratio of medians | paired, all rounds: median (range) | paired, clean rounds (n) | verdict |\n|---|---:|---|---|---|\n"
	target_row("rate at c=64, per-IP table and -C on: ours >= 0.97 x tcpserver", c64,
	    MO[c64], MT[c64], RR[c64], RRC[c64], 0.97, 1)
	target_row("p99 connect-to-close at c=64: ours <= 0.70 x tcpserver", c64,
	    PO[c64], PT[c64], PR[c64], PRC[c64], 0.70, 0)
	what = "rate with HOLD held: ours >= 0.95 x tcpserver"
	if (HC != "") {
		split(HC, f, SUBSEP)
		sub(/HOLD/, f[3], what)
	}
	target_row(what, HC, MO[HC], MT[HC], RR[HC], RRC[HC], 0.95, 1)
}

# CPU that went to other processes while a measurement ran (the team's
# builds and tests share the machine)
function print_others_cpu(   v, nl, i, big) {
	if (!("all" in others))
		return
	nl = sorted(others["all"], v)
	for (i = 1; i <= nl; i++)
		if (v[i] + 0 > CLEAN)
			big++
	printf "\nCPU used by other programs during the measurements (share of all CPUs): median %.1f%%, max %.1f%%; %d of %d measurements above %s%% (not clean)\n",
	    median(others["all"]), v[nl], big, nl, CLEAN
}

END {
	print_cells("main")
	print_cells("hold")
	print_others()
	print_targets()
	print_others_cpu()
}
