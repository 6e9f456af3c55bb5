#!/usr/bin/env python3
# run.py: alone (a load generator: 8 peers at full speed, which would slow the tests beside it)
"""The regression guard of `make bench`: a small, untimed run of the
throughput benchmark (bench/pocbench, 8 concurrent peers with a window of
16, group commit on the receiving node) must get every envelope ACCEPTED and
leave each committed exactly once in the receiver's store; envelopes that
repeat an id inside one batch are answered DUPLICATE and stored once; and
after the load the receiver still serves a normal delivery end to end."""

import os
import sqlite3

from tb import (REPO, check, check_eq, envelope, receipts, run, run_test,
                wire_envelope)

POCBENCH = os.path.abspath(os.environ.get("POCBENCH", os.path.join(REPO, "build", "pocbench")))
CONNS, PER_CONN, WINDOW = 8, 60, 16


def store_counts(db, sender):
    """(rows, distinct ids) of envelopes received from sender, read-only."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return c.execute("SELECT count(*), count(DISTINCT id) FROM messages "
                         "WHERE direction = 'in' AND sender = ?", (sender,)).fetchone()
    finally:
        c.close()


def test(tb):
    check(os.access(POCBENCH, os.X_OK), f"{POCBENCH}: not built (make bin)")
    aus, fra = tb.info("AUS"), tb.info("FRA")
    before = store_counts(fra["db"], "AUS")

    rc, out, err = run([POCBENCH, "tput", "--proto", "poc", "--port", str(fra["peer_port"]),
                        "--ca", aus["network_ca"], "--cert", aus["node_cert"],
                        "--key", aus["node_key"], "--member", "AUS", "--to", "FRA",
                        "--conns", str(CONNS), "--count", str(PER_CONN),
                        "--window", str(WINDOW)], timeout=120)
    check(rc == 0, f"pocbench tput exited {rc}\nstdout: {out}\nstderr: {err}")
    check(f'"messages": {CONNS * PER_CONN},' in out,
          f"pocbench did not count {CONNS * PER_CONN} receipts: {out}")

    rows, distinct = store_counts(fra["db"], "AUS")
    check_eq(rows - before[0], CONNS * PER_CONN, "envelopes committed at FRA")
    check_eq(distinct, rows, "distinct ids among FRA's stored envelopes")

    # One id five times on one connection: pocpeer writes them back to
    # back, so they arrive in one pass and share a batch.
    wire = wire_envelope("same id in one batch")
    eid = wire["id"]
    rc, out, err = tb.pocpeer("AUS", "FRA", "--count", 5, "--json", "send",
                              tb.tmpfile("dup.json", wire))
    check(rc == 0, f"pocpeer --count 5 exited {rc}\nstdout: {out}\nstderr: {err}")
    statuses = [r.get("status") for r in receipts(out)]
    check_eq(statuses, ["ACCEPTED"] + ["DUPLICATE"] * 4, "statuses of one id sent 5 times")
    check_eq(len(tb.find("FRA", "inbox", eid)), 1, "copies of the repeated id at FRA")

    # The node is still healthy: a normal send is delivered and recorded
    # delivered at the sender (its receipt goes through the batch too).
    sent = tb.send("AUS", envelope("FRA", "notification", {"summary": "after the load"}))
    tb.wait_until(lambda: tb.find("FRA", "inbox", sent["id"]), 20, "delivery after the load")
    tb.wait_until(lambda: [m for m in tb.find("AUS", "outbox", sent["id"])
                           if m.get("state") == "delivered"], 20,
                  "the receipt recorded at AUS")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
