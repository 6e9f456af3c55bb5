#!/usr/bin/env python3
# run.py: alone (it holds fsyncs for 1.5 s and orders events by their times)
"""No answer leaves before its fsync returns (issue 15, item 3).

FRA runs under faultfs.so (tests/tools/faultfs.c), which holds every
fsync/fdatasync of the store's WAL for HOLD ms and logs, on
CLOCK_MONOTONIC (the clock of Python's time.monotonic_ns), the start and
end of each fsync and each write to a socket, with the thread that made
it and the socket's local and remote ports.  The proof of the order, for
an envelope sent by a member over a raw TLS connection (its receipt) and
for an operator's send (its "queued"):

1. between the moment the test sent the request and the moment the answer
   arrived, a thread of pocd ran an fsync of the WAL that took at least
   HOLD ms: the answer waited for the disk.  For a member's envelope that
   is the group commit's fdatasync (its COMMIT only writes the frames,
   store_sync.h), run by the loop itself for a lone envelope such as
   this one, or by the store's sync thread under load; for the
   operator's send the main thread's COMMIT;
2. while that fsync was held, pocd wrote nothing to the request's
   connection: no receipt, no "queued", no error;
3. pocd's main thread wrote to the request's connection after that fsync
   returned and before the answer arrived: that is the answer;
4. the answer arrived at least HOLD ms after the request.

And an operator's request made while a member's batch is held (pocctl
status, which like every request waits in store_sync_settle) is answered
only after the held fsync returned.

Rule 2 names the connection: the event loop runs on while the sync
thread's fsync is held (that is the point of it), so it may well write to
other connections meanwhile (a handshake, another peer's traffic); what
must not happen is a write that answers the held batch.  A pocd that
answered before its commit was durable would write to the request's
connection before the fsync began or while it was held, or commit without
an fsync at all.  The test shows that its checker catches the last: FRA
restarted with synchronous = normal (WAL fsync only at checkpoints) fails
rule 1, which the test requires."""

import os
import threading
import time

from tb import check, check_eq, envelope, frame, run_test, tls_client, peer_hello
from rel import RawPeer, describe_peer_frame, envelope_bytes, peer_envelope, set_config
from faults import read_events, set_faults, use_faultfs

HOLD_MS = 1500


def sock_ports(path):
    """(local, remote) ports of a logged socket write's path."""
    p = path.split()
    return (int(p[1]), int(p[2])) if len(p) == 3 and p[0] == "socket" else (0, 0)


def held_syncs(events, t_req, t_ans):
    """The WAL fsyncs that began after t_req, ended before t_ans and took
    at least HOLD ms: [(start, end)], and the durations of all such."""
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
    return held, [(e - s) // 1_000_000 for s, e in syncs]


def order_problems(events, pid, t_req, t_ans, on_conn):
    """What breaks rules 1-3 for a request sent at t_req whose answer
    arrived at t_ans (monotonic ns) on the connection that on_conn((local,
    remote) ports) tells; [] if none."""
    held, seen = held_syncs(events, t_req, t_ans)
    if not held:
        return [f"no fsync of the WAL of at least {HOLD_MS} ms "
                f"between the request and its answer (fsyncs seen: {seen} ms)"]
    problems = []
    writes = [(ns, tid) for ns, tid, ev, fd, arg, path in events
              if ev == "sock_write" and on_conn(sock_ports(path))]
    for s, e in held:
        during = [w for w, _ in writes if s < w < e]
        if during:
            problems.append(f"{len(during)} writes to the request's connection while "
                            f"a WAL fsync was held ({(during[0] - s) / 1e6:.0f} ms into it)")
    last = held[-1][1]
    if not any(last <= w <= t_ans and tid == pid for w, tid in writes):
        problems.append("no write to the request's connection between the held "
                        "fsync's end and the answer")
    return problems


def member_round(tb, ctx, port, log, pid, probe=False):
    """One envelope over a raw connection; returns (problems, ms waited).
    With probe, an operator's request is made while the batch is held:
    its answer must come after the held fsync's end (a problem if not)."""
    aus = tb.info("AUS")
    p = RawPeer(port, ctx, timeout=HOLD_MS / 1000 + 10)
    mine = p.s.getsockname()[1]
    ctl = {}

    def status():
        time.sleep(0.3)
        ctl["req"] = time.monotonic_ns()
        ctl["rc"] = tb.pocctl_text("FRA", "status")[0]
        ctl["ans"] = time.monotonic_ns()

    try:
        p.hello("AUS")
        eid, env = envelope_bytes("AUS", "FRA", key=aus["node_key"])
        t = threading.Thread(target=status) if probe else None
        t_req = time.monotonic_ns()
        p.send(frame(peer_envelope(env)))
        if t:
            t.start()
        ans = p.recv_frame()
        t_ans = time.monotonic_ns()
        if t:
            t.join()
    finally:
        p.close()
    check(ans is not None, "FRA closed instead of answering the envelope")
    d = describe_peer_frame(ans)
    check_eq(d[:3], ("receipt", "ACCEPTED", eid), "FRA's answer")
    time.sleep(0.2)     # the shim's log lines of the answer's write
    events = read_events(log)
    probs = order_problems(events, pid, t_req, t_ans, lambda lr: lr[1] == mine)
    if probe:
        check(ctl.get("rc") == 0, f"pocctl status under a held fsync: {ctl}")
        held, _ = held_syncs(events, t_req, t_ans)
        if held and ctl["req"] < held[-1][1] and ctl["ans"] < held[-1][1]:
            probs.append(f"pocctl status answered {(held[-1][1] - ctl['ans']) / 1e6:.0f} ms "
                         "before the held fsync returned")
        ctl["overlap"] = bool(held) and ctl["req"] < held[-1][1]
    return probs, (t_ans - t_req) / 1e6, ctl


def operator_round(tb, log, pid, op_port):
    path = tb.tmpfile("send.json", envelope("AUS", "notification",
                                            {"summary": "Queued under a held fsync",
                                             "severity": "LOW"}))
    t_req = time.monotonic_ns()
    rc, out, err = tb.pocctl_text("FRA", "send", path)
    t_ans = time.monotonic_ns()
    check(rc == 0, f"pocctl send under a held fsync exited {rc}: {out}{err}")
    time.sleep(0.2)
    return (order_problems(read_events(log), pid, t_req, t_ans,
                           lambda lr: lr[0] == op_port), (t_ans - t_req) / 1e6)


def test(tb):
    ctl, log = use_faultfs(tb, "FRA")
    tb.stop("FRA")
    tb.start("FRA")
    fra, aus = tb.info("FRA"), tb.info("AUS")
    pid = fra["pid"]
    ctx = tls_client(aus["network_ca"], aus["node_cert"], aus["node_key"])

    # Control: without the hold an answer is quick.
    p, quick, _ = member_round(tb, ctx, fra["peer_port"], log, pid)
    check(quick < HOLD_MS / 2, f"receipt without a hold took {quick:.0f} ms")

    set_faults(ctl, f"hold_fsync {HOLD_MS} -wal")
    results, probes = [], []
    for i in range(3):
        probs, waited, st = member_round(tb, ctx, fra["peer_port"], log, pid, probe=True)
        check(not probs, f"member round {i}: {probs}")
        check(waited >= HOLD_MS, f"receipt after {waited:.0f} ms, within the {HOLD_MS} ms hold")
        results.append(waited)
        probes.append(st["overlap"])
    # The probe proves something only if it came while the fsync was held
    # (0.3 s into a 1.5 s hold; a very loaded machine may miss it once).
    check(any(probes), f"no pocctl status was made while a fsync was held: {probes}")
    probs, op_waited = operator_round(tb, log, pid, fra["operator_port"])
    check(not probs, f"operator send: {probs}")
    check(op_waited >= HOLD_MS, f"'queued' after {op_waited:.0f} ms, within the hold")
    set_faults(ctl, "")
    print(f"fsync of the WAL held {HOLD_MS} ms: receipts after "
          f"{', '.join(f'{w:.0f}' for w in results)} ms and 'queued' after {op_waited:.0f} ms; "
          f"nothing written to the request's connection while held; pocctl status "
          f"during the hold answered after it ({sum(probes)} of 3 overlapped); "
          f"control without the hold: {quick:.0f} ms")

    # The checker catches a commit that does not wait for the disk.
    tb.stop("FRA")
    set_config(tb, "FRA", "node", "synchronous", "normal")
    tb.start("FRA")
    pid = tb.info("FRA")["pid"]
    # The first commit into a new WAL syncs its header even so.
    member_round(tb, ctx, fra["peer_port"], log, pid)
    set_faults(ctl, f"hold_fsync {HOLD_MS} -wal")
    probs, waited, _ = member_round(tb, ctx, fra["peer_port"], log, pid)
    set_faults(ctl, "")
    check(any("no fsync of the WAL" in x for x in probs),
          f"with synchronous = normal the checker found nothing wrong ({probs}; "
          f"receipt after {waited:.0f} ms)")
    print(f"synchronous = normal (no fsync per commit): caught ({probs[0][:60]}...), "
          f"receipt after {waited:.0f} ms")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
