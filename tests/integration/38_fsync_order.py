#!/usr/bin/env python3
# run.py: alone (it holds fsyncs for 1.5 s and orders events by their times)
"""A receipt never leaves before its fsync returns (issue 15, item 3).

FRA runs under faultfs.so (tests/tools/faultfs.c), which holds every
fsync/fdatasync of the store's WAL for HOLD ms and logs, on
CLOCK_MONOTONIC (the clock of Python's time.monotonic_ns), the start and
end of each fsync and each write to a socket, with the thread that made
it.  The proof of the order, for an envelope sent by a member over a raw
TLS connection (its receipt) and for an operator's send (its "queued"):

1. between the moment the test sent the request and the moment the answer
   arrived, a thread of pocd ran an fsync of the WAL that took at least
   HOLD ms: the answer waited for the disk.  For a member's envelope that
   is the store's sync thread (the group commit's COMMIT only writes the
   frames, store_sync.h), for the operator's send the main thread's COMMIT;
2. no thread of pocd wrote to any socket while that fsync was held: no
   receipt, no "queued" and nothing else left before it returned;
3. pocd wrote to a socket after that fsync returned and before the answer
   arrived: that is the answer;
4. the answer arrived at least HOLD ms after the request.

A pocd that answered before its commit was durable would have to write to
the socket before the fsync began or while it was held, or commit without
an fsync at all.  The main thread goes on while the sync thread's fsync is
held (that is the point of it), so rule 2 is what tells a receipt sent
early: it would be written while the fsync is held.  The test shows that its checker catches the last: FRA
restarted with synchronous = normal (WAL fsync only at checkpoints) fails
rule 1, which the test requires."""

import os
import time

from tb import check, check_eq, envelope, frame, run_test, tls_client, peer_hello
from rel import RawPeer, describe_peer_frame, envelope_bytes, peer_envelope, set_config
from faults import read_events, set_faults, use_faultfs

HOLD_MS = 1500


def order_problems(events, pid, t_req, t_ans):
    """What breaks rules 1-3 for a request sent at t_req whose answer
    arrived at t_ans (monotonic ns); [] if none."""
    syncs, starts = [], {}
    for ns, tid, ev, fd, arg, path in events:
        if not path.endswith("-wal"):
            continue
        if ev == "fsync_start":
            starts[(tid, fd)] = ns
        elif ev == "fsync_end" and (tid, fd) in starts:
            s = starts.pop((tid, fd))
            if t_req <= s and ns <= t_ans and arg == 0:
                syncs.append((s, ns))
    held = [(s, e) for s, e in syncs if e - s >= (HOLD_MS - 50) * 1_000_000]
    if not held:
        return [f"no fsync of the WAL of at least {HOLD_MS} ms "
                f"between the request and its answer (fsyncs seen: "
                f"{[(e - s) // 1_000_000 for s, e in syncs]} ms)"]
    problems = []
    writes = [ns for ns, tid, ev, *_ in events if ev == "sock_write"]
    for s, e in held:
        during = [w for w in writes if s < w < e]
        if during:
            problems.append(f"{len(during)} socket writes while a WAL fsync was held "
                            f"({(during[0] - s) / 1e6:.0f} ms into it)")
    last = held[-1][1]
    mine = [ns for ns, tid, ev, *_ in events if ev == "sock_write" and tid == pid]
    if not any(last <= w <= t_ans for w in mine):
        problems.append("no socket write between the held fsync's end and the answer")
    return problems


def member_round(tb, ctx, port, log, pid):
    """One envelope over a raw connection; returns (problems, ms waited)."""
    aus = tb.info("AUS")
    p = RawPeer(port, ctx, timeout=HOLD_MS / 1000 + 10)
    try:
        p.hello("AUS")
        eid, env = envelope_bytes("AUS", "FRA", key=aus["node_key"])
        t_req = time.monotonic_ns()
        p.send(frame(peer_envelope(env)))
        ans = p.recv_frame()
        t_ans = time.monotonic_ns()
    finally:
        p.close()
    check(ans is not None, "FRA closed instead of answering the envelope")
    d = describe_peer_frame(ans)
    check_eq(d[:3], ("receipt", "ACCEPTED", eid), "FRA's answer")
    time.sleep(0.2)     # the shim's log lines of the answer's write
    return order_problems(read_events(log), pid, t_req, t_ans), (t_ans - t_req) / 1e6


def operator_round(tb, log, pid):
    path = tb.tmpfile("send.json", envelope("AUS", "notification",
                                            {"summary": "Queued under a held fsync",
                                             "severity": "LOW"}))
    t_req = time.monotonic_ns()
    rc, out, err = tb.pocctl_text("FRA", "send", path)
    t_ans = time.monotonic_ns()
    check(rc == 0, f"pocctl send under a held fsync exited {rc}: {out}{err}")
    time.sleep(0.2)
    return order_problems(read_events(log), pid, t_req, t_ans), (t_ans - t_req) / 1e6


def test(tb):
    ctl, log = use_faultfs(tb, "FRA")
    tb.stop("FRA")
    tb.start("FRA")
    fra, aus = tb.info("FRA"), tb.info("AUS")
    pid = fra["pid"]
    ctx = tls_client(aus["network_ca"], aus["node_cert"], aus["node_key"])

    # Control: without the hold an answer is quick.
    p, quick = member_round(tb, ctx, fra["peer_port"], log, pid)
    check(quick < HOLD_MS / 2, f"receipt without a hold took {quick:.0f} ms")

    set_faults(ctl, f"hold_fsync {HOLD_MS} -wal")
    results = []
    for i in range(3):
        probs, waited = member_round(tb, ctx, fra["peer_port"], log, pid)
        check(not probs, f"member round {i}: {probs}")
        check(waited >= HOLD_MS, f"receipt after {waited:.0f} ms, within the {HOLD_MS} ms hold")
        results.append(waited)
    probs, op_waited = operator_round(tb, log, pid)
    check(not probs, f"operator send: {probs}")
    check(op_waited >= HOLD_MS, f"'queued' after {op_waited:.0f} ms, within the hold")
    set_faults(ctl, "")
    print(f"fsync of the WAL held {HOLD_MS} ms: receipts after "
          f"{', '.join(f'{w:.0f}' for w in results)} ms and 'queued' after {op_waited:.0f} ms; "
          f"no socket write while held; control without the hold: {quick:.0f} ms")

    # The checker catches a commit that does not wait for the disk.
    tb.stop("FRA")
    set_config(tb, "FRA", "node", "synchronous", "normal")
    tb.start("FRA")
    pid = tb.info("FRA")["pid"]
    # The first commit into a new WAL syncs its header even so.
    member_round(tb, ctx, fra["peer_port"], log, pid)
    set_faults(ctl, f"hold_fsync {HOLD_MS} -wal")
    probs, waited = member_round(tb, ctx, fra["peer_port"], log, pid)
    set_faults(ctl, "")
    check(any("no fsync of the WAL" in x for x in probs),
          f"with synchronous = normal the checker found nothing wrong ({probs}; "
          f"receipt after {waited:.0f} ms)")
    print(f"synchronous = normal (no fsync per commit): caught ({probs[0][:60]}...), "
          f"receipt after {waited:.0f} ms")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
