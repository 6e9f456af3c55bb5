#!/usr/bin/env python3
"""Signatures checked off the event loop, a batch at a time, and batch
signatures (docs/signatures.md).

Single signatures: AUS writes 24 envelopes in one go (pocpeer burst), the
7th signed over other bytes, so that FRA takes them in one batch and its
workers check them side by side.  Receipts must come back in order, the
7th REJECTED with the reason and logged, the other 23 ACCEPTED and stored
once each, and the bad one not stored at all.

Batch signatures: 24 envelopes signed in batches of 8 (one root signature
each), with two forgeries by the sender's own tool: the 5th carries an
inclusion path with one bit flipped, the 18th a real signature of AUS's
key over another root.  Exactly those two are REJECTED; the other 22 are
stored once each, and each stored envelope is verifiable on its own from
what FRA kept: by the node (`show`), by `pocctl verify`, by `pocctl verify
--offline` on the saved evidence without any node, and by a third party's
check written from the docs alone (evidence.py: Python and openssl).
Both with the default single signature worker and with four.

The outbox: FRA's Hello offers batch signatures; AUS queues 6 envelopes
while FRA is down; they go out in one window as one batch, and FRA keeps
each with its batch proof, verified."""

import json
import os
import sqlite3

from evidence import check_envelope, fields
from tb import check, check_eq, envelope, receipts, run_test, wire_envelope

COUNT = 24
BAD = 7
BATCH = 8
BAD_PATH = 5
BAD_ROOT = 18


def stored(tb, ids):
    """{id: the envelope bytes FRA stored for each, or None}, failing if
    any id is stored more than once."""
    c = sqlite3.connect(f"file:{tb.info('FRA')['db']}?mode=ro", uri=True,
                        timeout=10)
    try:
        out = {}
        for i in ids:
            rows = c.execute("SELECT envelope FROM messages WHERE id = ?",
                             (i,)).fetchall()
            check(len(rows) <= 1, f"{i} stored {len(rows)} times")
            out[i] = bytes(rows[0][0]) if rows else None
        return out
    finally:
        c.close()


def proof_of(blob):
    """(leaf_index, tree_size) of a stored envelope's batch proof, or None."""
    for num, val, _ in fields(blob):
        if num == 120:
            p = {n: v for n, v, _ in fields(val) if n in (1, 2)}
            return p.get(1, 0), p.get(2, 0)
    return None


def verdicts(label, rc, out, err, bad):
    """The receipts of a burst and their envelope ids, checked: one per
    envelope, in the order sent, REJECTED at the positions bad (from 1)
    and ACCEPTED elsewhere."""
    check(rc == 0, f"{label}: pocpeer burst exited {rc}\n{out}\n{err}")
    rs = receipts(out)
    check_eq(len(rs), COUNT, f"{label}: receipts")
    ids = [r.get("envelope_id") for r in rs]
    check_eq(len(set(ids)), COUNT, f"{label}: one receipt per envelope")
    want = ["REJECTED" if i + 1 in bad else "ACCEPTED" for i in range(COUNT)]
    check_eq([r.get("status") for r in rs], want,
             f"{label}: receipt statuses, in the order sent")
    return rs, ids


def burst(tb, label):
    env = wire_envelope(f"Burst of {COUNT}, {label}", severity="LOW")
    rc, out, err = tb.pocpeer("AUS", "FRA", "--count", COUNT, "--bad-at", BAD,
                              "burst", tb.tmpfile("burst.json", env))
    rs, ids = verdicts(label, rc, out, err, (BAD,))
    bad = ids[BAD - 1]
    check("does not verify" in rs[BAD - 1].get("reason", ""),
          f"{label}: reason of the bad one: {rs[BAD - 1]!r}")
    n = stored(tb, ids)
    check(n[bad] is None, f"{label}: the badly signed envelope is stored")
    check(all(n[i] is not None for i in ids if i != bad),
          f"{label}: a good one is not stored")
    tb.wait_until(lambda: f"envelope {bad} refused: " in tb.log("FRA"), 5,
                  f"{label}: log line of the refused envelope")


def verify_alone(tb, label, mid, blob, save=False):
    """mid, as FRA kept it, verifies on its own: node, pocctl, third party;
    with save, also from the evidence file without any node."""
    aus_cert = tb.info("AUS")["node_cert"]
    ok, why = check_envelope(blob, aus_cert, tb.dir)
    check(ok, f"{label}: third-party check of {mid}: {why}")
    check(tb.show("FRA", mid).get("signature_verified") is True,
          f"{label}: FRA's show of {mid} not verified")
    args = ["--json", "verify", mid]
    ev = os.path.join(tb.dir, f"evidence-{mid}.json")
    if save:
        args += ["--save", ev]
    rc, out, err = tb.pocctl_text("FRA", *args)
    check(rc == 0 and '"verified": true' in out,
          f"{label}: pocctl verify {mid}: exit {rc}\n{out}{err}")
    if not save:
        return
    # No node, no pocctl.conf: the evidence file and the checker's own
    # copy of the sender's certificate, or of the network CA.
    for opt, val in (("--cert", aus_cert), ("--ca", tb.info("AUS")["network_ca"])):
        rc, out, err = tb.pocctl_text("FRA", "verify", "--offline", ev, opt, val,
                                      config="/nonexistent/pocctl.conf")
        check(rc == 0 and "signature verified" in out,
              f"{label}: verify --offline {opt}: exit {rc}\n{out}{err}")
    # KEN's certificate is not the sender's: refused.
    rc, out, err = tb.pocctl_text("FRA", "verify", "--offline", ev, "--cert",
                                  tb.info("KEN")["node_cert"])
    check(rc == 1 and "NOT VERIFIED" in out, f"{label}: offline with KEN's "
          f"certificate: exit {rc}\n{out}{err}")
    # One changed byte of the envelope in the evidence: refused, by both.
    text = open(ev, encoding="utf-8").read()
    summary = "Batch burst".encode().hex()
    check(summary in text, f"{label}: summary not in the evidence")
    bad = tb.tmpfile("evidence-bad.json",
                     text.replace(summary, "Batch Burst".encode().hex()))
    rc, out, err = tb.pocctl_text("FRA", "verify", "--offline", bad, "--cert",
                                  aus_cert)
    check(rc == 1 and "does not verify" in out,
          f"{label}: tampered evidence: exit {rc}\n{out}{err}")
    tampered = blob.replace(b"Batch burst", b"Batch Burst")
    check(tampered != blob and not check_envelope(tampered, aus_cert, tb.dir)[0],
          f"{label}: the third-party check passes a tampered envelope")


def batch_burst(tb, label):
    env = wire_envelope(f"Batch burst of {COUNT}, {label}", severity="LOW")
    roots_before = tb.log("FRA").count("refused: batch")
    rc, out, err = tb.pocpeer("AUS", "FRA", "--count", COUNT, "--batch", BATCH,
                              "--bad-path-at", BAD_PATH, "--bad-root-at",
                              BAD_ROOT, "burst", tb.tmpfile("burst.json", env))
    rs, ids = verdicts(label, rc, out, err, (BAD_PATH, BAD_ROOT))
    for k in (BAD_PATH, BAD_ROOT):
        check("batch signature does not verify" in rs[k - 1].get("reason", ""),
              f"{label}: reason of forgery {k}: {rs[k - 1]!r}")
    bad = {ids[BAD_PATH - 1], ids[BAD_ROOT - 1]}
    blobs = stored(tb, ids)
    for i, mid in enumerate(ids):
        if mid in bad:
            check(blobs[mid] is None, f"{label}: forged {i + 1} stored")
            continue
        check(blobs[mid] is not None, f"{label}: good {i + 1} not stored")
        check_eq(proof_of(blobs[mid]), (i % BATCH, BATCH),
                 f"{label}: kept batch proof of {i + 1}")
    tb.wait_until(lambda: tb.log("FRA").count("refused: batch") >=
                  roots_before + 2, 5, f"{label}: log lines of the forgeries")
    for i, mid in enumerate(ids):
        if mid not in bad:
            verify_alone(tb, label, mid, blobs[mid], save=(i == 0))


def outbox_batch(tb):
    # FRA's Hello says it takes batches (a node before them would not).
    rc, out, err = tb.pocpeer("AUS", "FRA", "hello")
    check(rc == 0 and json.loads(out).get("batch_signatures") is True,
          f"FRA's Hello does not offer batch signatures: {out}{err}")
    tb.stop("FRA")
    sent = [tb.send("AUS", envelope("FRA", "notification",
                                    {"summary": f"Queued notice {i}",
                                     "severity": "LOW"}))["id"]
            for i in range(6)]
    tb.start("FRA")
    for mid in sent:
        tb.wait_until(lambda: tb.find("FRA", "inbox", mid), 30,
                      f"{mid} delivered to FRA")
    blobs = stored(tb, sent)
    sizes = [proof_of(blobs[m]) for m in sent]
    check(any(p is not None and p[1] >= 2 for p in sizes),
          f"the queued envelopes did not go as a batch: {sizes}")
    for mid in sent:
        verify_alone(tb, "outbox", mid, blobs[mid])
        check(tb.show("AUS", mid).get("signature_verified") is True,
              f"AUS's own copy of {mid} not verified")


def test(tb):
    burst(tb, "verify_threads 1 (default)")
    batch_burst(tb, "verify_threads 1 (default)")
    outbox_batch(tb)
    tb.configure("FRA", "[store]\nverify_threads = 4")
    burst(tb, "verify_threads 4")
    batch_burst(tb, "verify_threads 4")


if __name__ == "__main__":
    run_test(test)
