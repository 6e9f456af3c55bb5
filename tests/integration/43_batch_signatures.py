#!/usr/bin/env python3
"""Signatures checked off the event loop, a batch at a time: FRA verifies
envelope signatures on `verify_threads` worker threads while its loop reads
on, and takes every verdict before anything of the batch is stored.

AUS writes 24 envelopes in one go (pocpeer burst), the 7th signed over
other bytes, so that FRA takes them in one batch and its workers check
them side by side.  Receipts must come back in order, the 7th REJECTED
with the reason and logged, the other 23 ACCEPTED and stored once each,
and the bad one not stored at all: with the default single worker, and
again with four."""

import sqlite3

from tb import check, check_eq, receipts, run_test, wire_envelope

COUNT = 24
BAD = 7


def stored(tb, ids):
    """How many times each id is in FRA's store."""
    c = sqlite3.connect(f"file:{tb.info('FRA')['db']}?mode=ro", uri=True,
                        timeout=10)
    try:
        return {i: c.execute("SELECT count(*) FROM messages WHERE id = ?",
                             (i,)).fetchone()[0] for i in ids}
    finally:
        c.close()


def burst(tb, label):
    env = wire_envelope(f"Burst of {COUNT}, {label}", severity="LOW")
    rc, out, err = tb.pocpeer("AUS", "FRA", "--count", COUNT, "--bad-at", BAD,
                              "burst", tb.tmpfile("burst.json", env))
    check(rc == 0, f"{label}: pocpeer burst exited {rc}\n{out}\n{err}")
    rs = receipts(out)
    check_eq(len(rs), COUNT, f"{label}: receipts")
    ids = [r.get("envelope_id") for r in rs]
    check_eq(len(set(ids)), COUNT, f"{label}: one receipt per envelope")
    want = ["ACCEPTED"] * COUNT
    want[BAD - 1] = "REJECTED"
    check_eq([r.get("status") for r in rs], want,
             f"{label}: receipt statuses, in the order sent")
    bad = ids[BAD - 1]
    check("does not verify" in rs[BAD - 1].get("reason", ""),
          f"{label}: reason of the bad one: {rs[BAD - 1]!r}")
    n = stored(tb, ids)
    check_eq(n[bad], 0, f"{label}: the badly signed envelope is stored")
    check(all(n[i] == 1 for i in ids if i != bad),
          f"{label}: the good ones are not each stored once: {n}")
    tb.wait_until(lambda: f"envelope {bad} refused: " in tb.log("FRA"), 5,
                  f"{label}: log line of the refused envelope")


def test(tb):
    burst(tb, "verify_threads 1 (default)")
    tb.configure("FRA", "[store]\nverify_threads = 4")
    burst(tb, "verify_threads 4")


if __name__ == "__main__":
    run_test(test)
