#!/usr/bin/env python3
"""Broken networks: AUS and FRA talk only through a fault-injecting proxy
(chaos.py) standing on their published peer ports, which cuts connections
mid-frame and mid-TLS-record, stalls them past the nodes' timeouts,
trickles one byte at a time, half-closes and resets, at random from a
seed.  Operators on both sides keep working CHAOS_CASES cases each way
(a notification opens a case, status updates follow in it).  Then the
proxy calms down (every new connection passes), and without any operator
action:

- every envelope pocctl reported "queued" is stored exactly once by its
  recipient, and is `delivered` in its sender's outbox;
- per case, the recipient stored them in the order they were queued, and
  nothing it stored was never queued;
- every retry delay a node logged is within the capped backoff with equal
  jitter ([b/2, b], b = min(retry_initial * 2^(k-1), retry_max));
- no leak: once idle again, each node's open descriptors are back to its
  count before the faults (+2 for a parked or returning connection), and
  its RSS within RSS_SLACK_KIB of it;
- both stores pass PRAGMA integrity_check.

Environment: CHAOS_SEED (default 1), CHAOS_SECONDS of faults (default
12), CHAOS_CASES per direction (default 2).  `make chaos` runs it long.
"""

import os
import re
import threading
import time

from chaos import ChaosProxy
from ports import free_port
from tb import TestFailure, check, run_test
from rel import CaseOperator, check_delivered, drained, integrity_check, set_config

SEED = int(os.environ.get("CHAOS_SEED", "1"))
SECONDS = float(os.environ.get("CHAOS_SECONDS", "12"))
CASES = int(os.environ.get("CHAOS_CASES", "2"))
R_INIT, R_MAX, HS, IDLE = 1, 4, 2, 3
DRAIN_TIMEOUT = 120
RSS_SLACK_KIB = 8 * 1024
FAIL_RE = re.compile(r"outbox (\w+): delivery attempt (\d+) failed \((.*)\); "
                     r"next in (\d+)\.(\d{3})s$", re.M)


def usage(pid):
    """(open descriptors, VmRSS in KiB) of pid."""
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        rss = int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))
    return fds, rss


def settled_usage(tb, members, wait=IDLE + 3):
    """Each member's usage once its connections had time to idle out (one
    wait for all of them: they idle out side by side)."""
    time.sleep(wait)
    tb.reload()
    return {m: usage(tb.info(m)["pid"]) for m in members}


def check_backoff(tb, member, offset):
    fails = [(m.group(1), int(m.group(2)), m.group(3), int(m.group(4)) + int(m.group(5)) / 1000)
             for m in FAIL_RE.finditer(tb.log(member)[offset:])]
    for peer, k, reason, delay in fails:
        b = min(R_INIT * 2 ** (k - 1), R_MAX)
        check(b / 2 - 0.01 <= delay <= b + 0.01,
              f"{member} -> {peer}: failure {k} ({reason}) logged a delay of "
              f"{delay:.3f} s, want [{b / 2}, {b}] s")
    return len(fails)


def test(tb):
    print(f"seed {SEED}, {SECONDS:.0f} s of faults, {CASES} cases each way")
    members = ("AUS", "FRA")
    # Each node listens on a port of its own; the proxy takes the port its
    # directory record publishes, so every peer connection goes through it.
    hidden = {}
    for m in members:
        tb.stop(m)
        hidden[m] = free_port()
        for section, key, value in (("peer_listener", "listen", f"127.0.0.1:{hidden[m]}"),
                                    ("delivery", "retry_initial", R_INIT),
                                    ("delivery", "retry_max", R_MAX),
                                    ("limits", "handshake_timeout", HS),
                                    ("limits", "idle_timeout", IDLE)):
            set_config(tb, m, section, key, value)
    proxy = ChaosProxy([(tb.info(m)["peer_port"], hidden[m]) for m in members],
                       SEED, stall=HS + IDLE).start()
    try:
        for m in members:
            tb.start(m)
        # Warm-up through a calm proxy: the usage to come back to is that
        # of a node that has worked, not of one just started.
        proxy.calm()
        warm = threading.Event()
        warmers = [CaseOperator(tb, s, r, "warm-up", warm, pause=0.05)
                   for s, r in (("AUS", "FRA"), ("FRA", "AUS"))]
        for op in warmers:
            op.start()
        time.sleep(2)
        warm.set()
        for op in warmers:
            op.join(30)
            if op.error:
                raise TestFailure(f"{op.sender} warm-up: {op.error}")
        tb.wait_until(lambda: drained(tb, members), DRAIN_TIMEOUT, "the warm-up to drain",
                      interval=0.5)
        base = settled_usage(tb, members)
        offsets = {m: len(tb.log(m)) for m in members}
        proxy.calm(False)

        stop = threading.Event()
        ops = {s: [CaseOperator(tb, s, r, n, stop, pause=0.05) for n in range(CASES)]
               for s, r in (("AUS", "FRA"), ("FRA", "AUS"))}
        for op in ops["AUS"] + ops["FRA"]:
            op.start()
        time.sleep(SECONDS)
        stop.set()
        for op in ops["AUS"] + ops["FRA"]:
            op.join(30)
            if op.error:
                raise TestFailure(f"{op.sender} case {op.n}: {op.error}")
        faults = {f: c for f, c in proxy.counts.items() if c}
        print(f"connections through the proxy, by fault: {faults}")
        check(sum(c for f, c in faults.items() if f != "pass") >= 5,
              f"too few faults drawn to mean anything: {faults}")

        proxy.calm()
        t0 = time.monotonic()
        tb.wait_until(lambda: drained(tb, members), DRAIN_TIMEOUT, "both outboxes to drain",
                      interval=0.5)
        print(f"outboxes drained {time.monotonic() - t0:.1f} s after the calm")

        n_aus = check_delivered(tb, ops["AUS"], "AUS", "FRA")
        n_fra = check_delivered(tb, ops["FRA"], "FRA", "AUS")
        retries = {m: check_backoff(tb, m, offsets[m]) for m in members}
        print(f"{n_aus} envelopes AUS -> FRA, {n_fra} FRA -> AUS: each stored once, "
              f"in order per case; retries logged {retries}, each within the "
              f"capped backoff")

        now = settled_usage(tb, members)
        for m in members:
            fds, rss = now[m]
            bfds, brss = base[m]
            print(f"{m}: {bfds} -> {fds} descriptors, {brss} -> {rss} KiB RSS")
            check(fds <= bfds + 2, f"{m}: {fds} open descriptors after the faults, "
                                   f"{bfds} before: a connection leaks")
            check(rss <= brss + RSS_SLACK_KIB,
                  f"{m}: RSS grew from {brss} to {rss} KiB over the faults")
    finally:
        proxy.close()
    for m in members:
        tb.stop(m)
        integrity_check(tb.info(m)["db"])
        tb.start(m)


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
