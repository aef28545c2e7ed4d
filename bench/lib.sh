# shellcheck shell=bash
# bench/lib.sh: shell functions shared by the benchmark scripts
# (bench/run-tcpserver.sh, bench/run-control.sh, bench/soak/run-soak.sh,
# bench/web/run.sh), sourced by each of them, so that the private network
# namespace and the watchdog are written once and behave alike everywhere.
# Only definitions: sourcing it runs nothing.
#
# The namespace re-exec runs `bash "$0"` again, which sources this file
# again: the scripts source it by a path from their own location.

# bench_netns VAR ARGS...: unless the environment variable VAR is set or
# NETNS=0, re-run the calling script ("$0" ARGS...) inside unshare -n with
# only lo up, VAR=1 exported, so that nothing can leave the machine. Returns
# 1 (for the caller's message) when NETNS=1 but that is not possible here;
# returns 0 without a namespace when NETNS=auto and it is not possible.
# NETNS_FLAGS (default -n) are unshare's options: "-n -m" also gives the
# script a mount namespace of its own (private propagation), where it may
# bind-mount files over the machine's without touching them.
bench_netns() {
	local var=$1 flags
	shift
	read -r -a flags <<<"${NETNS_FLAGS:--n}"
	if [ -z "${!var:-}" ] && [ "$NETNS" != 0 ]; then
		if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
		    unshare "${flags[@]}" true 2>/dev/null; then
			export "$var=1"
			# shellcheck disable=SC2016 # $0 and $@ are the inner bash's
			exec unshare "${flags[@]}" -- bash -c 'ip link set lo up || exit 2; exec bash "$0" "$@"' "$0" "$@"
		elif [ "$NETNS" = 1 ]; then
			return 1
		fi
	fi
	return 0
}

# bench_watchdog NAME CLEANUP: on exit the function CLEANUP runs; INT and
# TERM go to the caller's die; a watchdog subprocess (its pid in WATCHDOG,
# for CLEANUP to end) sends TERM to the script after MAX_SECONDS, saying so
# as NAME.
bench_watchdog() {
	# shellcheck disable=SC2064 # the name of the function, now
	trap "$2" EXIT
	trap 'die "interrupted (signal or MAX_SECONDS)"' INT TERM
	(
		trap 'kill "$s" 2>/dev/null; exit 0' TERM
		sleep "$MAX_SECONDS" & s=$!
		wait "$s" && { echo "$1: MAX_SECONDS=$MAX_SECONDS reached, stopping" >&2; kill -TERM $$; }
	) &
	WATCHDOG=$!
}

# bench_stop_pid PID: TERM, at most 5 s, then KILL; reaped.
bench_stop_pid() {
	local i
	kill -TERM "$1" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# bench_cleanup: closes descriptor 7 (the write end of a holder's fifo),
# stops every pid in the array PIDS, then the watchdog, and removes WORK.
bench_cleanup() {
	local p
	exec 7>&- 2>/dev/null
	for p in "${PIDS[@]}"; do bench_stop_pid "$p"; done
	[ -n "${WATCHDOG:-}" ] && kill -TERM "$WATCHDOG" 2>/dev/null && wait "$WATCHDOG" 2>/dev/null
	rm -rf "$WORK"
}
