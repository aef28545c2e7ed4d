#!/usr/bin/env python3
"""burst.py: N connections opened at once to 127.0.0.1:PORT (from one
address, as one mail client with many accounts at start-up), and what
each one got first within TIMEOUT seconds, ROUNDS times in a row.

Usage: burst.py PORT [N [TIMEOUT [ROUNDS [PAUSE]]]]
       (defaults 85 3 1 1; PAUSE: seconds between rounds)

One line a round on stdout, for people and for tests/appliance_burst_test.c:
  round 1: 85 of 85 answered within 3.0 s: greeted 4 refused 81 closed 0
    silent 0 refused-connect 0 slowest 0.041 s overflows +0
    first refusal: * BYE [UNAVAILABLE] ...
greeted: a first line starting "* OK" or "220"; refused: any other first
line (the protocol's refusal of a limit, "* BYE ..." or "421 ..."); closed:
EOF without a line; silent: connected and nothing within TIMEOUT (what an
overflowed accept queue leaves); refused-connect: connect(2) failed.
overflows: the rise of TcpExtListenOverflows in /proc/net/netstat (this
network namespace, every listener) during the round.
answered: greeted + refused, the connections that got their first line.
Exit 0 when every connection of every round was answered, 1 otherwise,
100 on bad usage.
"""
import errno
import selectors
import socket
import sys
import time


def overflows():
    """TcpExtListenOverflows of this network namespace, -1 if unknown."""
    try:
        with open("/proc/net/netstat") as f:
            lines = f.read().splitlines()
    except OSError:
        return -1
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], values.split()[1:]))
            return int(table.get("ListenOverflows", -1))
    return -1


def one_round(port, n, timeout):
    sel = selectors.DefaultSelector()
    count = {"greeted": 0, "refused": 0, "closed": 0, "silent": 0,
             "refused-connect": 0}
    slowest = 0.0
    refusal = ""
    before = overflows()
    start = time.monotonic()
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            count["refused-connect"] += 1
            s.close()
            continue
        socks.append(s)
        sel.register(s, selectors.EVENT_READ, b"")
    deadline = start + timeout
    while sel.get_map():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for key, _ in sel.select(left):
            s = key.fileobj
            try:
                data = s.recv(512)
            except ConnectionError:
                data = b""
            except OSError as e:
                if e.errno == errno.ECONNREFUSED:
                    count["refused-connect"] += 1
                    sel.unregister(s)
                    continue
                raise
            got = key.data + data
            if data and b"\n" not in got:
                sel.modify(s, selectors.EVENT_READ, got)
                continue
            sel.unregister(s)
            slowest = max(slowest, time.monotonic() - start)
            if not got:
                count["closed"] += 1
            elif got.startswith(b"* OK") or got.startswith(b"220"):
                count["greeted"] += 1
            else:
                count["refused"] += 1
                refusal = refusal or got.split(b"\n")[0].rstrip(b"\r").decode(
                    "ascii", "replace")
    count["silent"] = len(sel.get_map())
    after = overflows()
    for s in socks:
        s.close()
    rise = after - before if before >= 0 and after >= 0 else None
    return count, slowest, rise, refusal


def main(argv):
    try:
        port = int(argv[1])
        n, timeout, rounds, pause = 85, 3.0, 1, 1.0
        if len(argv) > 2:
            n = int(argv[2])
        if len(argv) > 3:
            timeout = float(argv[3])
        if len(argv) > 4:
            rounds = int(argv[4])
        if len(argv) > 5:
            pause = float(argv[5])
        if not (0 < port < 65536 and n > 0 and timeout > 0 and rounds > 0):
            raise ValueError
    except (IndexError, ValueError):
        print("usage: burst.py PORT [N [TIMEOUT [ROUNDS [PAUSE]]]]", file=sys.stderr)
        return 100
    ok = True
    for r in range(1, rounds + 1):
        if r > 1:
            time.sleep(pause)
        count, slowest, rise, refusal = one_round(port, n, timeout)
        answered = count["greeted"] + count["refused"]
        ok = ok and answered == n
        print("round %d: %d of %d answered within %.1f s: %s slowest %.3f s overflows %s%s"
              % (r, answered, n, timeout,
                 " ".join("%s %d" % kv for kv in count.items()), slowest,
                 "?" if rise is None else "+%d" % rise,
                 " first refusal: " + refusal if refusal else ""), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
