#!/bin/sh
# burst-compare.sh: the 85-connection burst (tests/bin/burst.py) against
# ucspi-tcp's tcpserver and mailstack-tcpserver with the same flags, at
# tcpserver's default backlog (-b 20) and at the templates' (-b 1024), in
# front of the demo's greeter, three rounds each. Runs in a private
# network namespace (root: unshare -n), so nothing leaves loopback and
# TcpExtListenOverflows counts these listeners only.
#
# Usage (from the top folder, after make): tests/bin/burst-compare.sh [N [ROUNDS]]
set -e
prog=burst-compare
n=${1:-85}
rounds=${2:-3}
top=$(cd "$(dirname "$0")/../.." && pwd)
ours=$top/daemons/tcpserver/mailstack-tcpserver
theirs=/usr/bin/tcpserver
port=2143

if [ "$BURST_COMPARE_NS" != 1 ]; then
	[ -x "$ours" ] || { echo "$prog: fatal: unable to run $ours: build it first (make)" >&2; exit 111; }
	[ -x "$theirs" ] || { echo "$prog: fatal: unable to run $theirs: apt-get install ucspi-tcp" >&2; exit 111; }
	BURST_COMPARE_NS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up
echo "net.core.somaxconn $(cat /proc/sys/net/core/somaxconn), tcp_syncookies $(cat /proc/sys/net/ipv4/tcp_syncookies), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
for b in 20 1024; do
	for l in "$theirs" "$ours"; do
		echo "== $l -v -H -R -l localhost -c 100 -b $b 127.0.0.1 $port greeter imap"
		"$l" -v -H -R -l localhost -c 100 -b "$b" 127.0.0.1 "$port" \
			"$top/packaging/demo/greeter" imap 2>/dev/null &
		pid=$!
		i=0
		until [ -n "$(ss -Hltn "sport = :$port")" ]; do
			i=$((i + 1))
			[ $i -lt 50 ] || { kill "$pid"; echo "$prog: fatal: $l did not listen" >&2; exit 111; }
			sleep 0.1
		done
		python3 "$top/tests/bin/burst.py" "$port" "$n" 3 "$rounds" || true
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		# the port again only once every session of the round has ended
		while [ -n "$(ss -Htn state established "sport = :$port")" ]; do sleep 0.1; done
	done
done
