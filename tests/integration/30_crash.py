#!/usr/bin/env python3
"""Crash consistency: nothing the operator was told "queued" is lost or
doubled when the sender and the receiver are killed with SIGKILL at any
moment.

AUS's operators keep sending on CRASH_THREADS cases at once (one pocctl
send after the other per case: a notification opens the case, status
updates follow in it), while a seeded schedule SIGKILLs AUS, FRA or both
at random moments and restarts them.  After the last cycle both are
SIGKILLed once more and `PRAGMA integrity_check` must be ok on both
stores; then they are started and left to deliver without any operator
action, and:

- every envelope pocctl reported "queued" is stored exactly once at FRA
  and is `delivered` in AUS's outbox;
- per case, the order in which FRA first stored them is the order in
  which they were queued;
- FRA stored nothing that AUS did not queue (an envelope whose pocctl was
  cut off by a kill may arrive: it is in AUS's store, just unconfirmed);
- `PRAGMA integrity_check` is ok on both stores again after a clean stop.

Environment: CRASH_SEED (default 1), CRASH_SECONDS of kill cycles
(default 20), CRASH_THREADS (default 4).  `make crash` runs it long.  The
kill schedule (who, when) is reproducible from the seed; the exact moment
each kill lands in the daemons' work depends on timing, which is the point.
"""

import os
import random
import threading
import time

from tb import TestFailure, check, check_eq, run_test
from rel import CaseOperator, integrity_check, reconfigure, sql

SEED = int(os.environ.get("CRASH_SEED", "1"))
SECONDS = float(os.environ.get("CRASH_SECONDS", "20"))
THREADS = int(os.environ.get("CRASH_THREADS", "4"))
DRAIN_TIMEOUT = 90


def kill_cycles(tb, rng, stop_at):
    """The seeded schedule: (victims, pause before the kill, downtime)."""
    cycles = []
    while time.monotonic() < stop_at:
        pause = rng.uniform(0.2, 1.5)
        victims = rng.choice((["AUS"], ["FRA"], ["AUS", "FRA"]))
        down = rng.uniform(0.0, 1.5)
        time.sleep(pause)
        for m in victims:
            tb.kill(m)
        time.sleep(down)
        for m in victims:
            tb.start(m)
        cycles.append((victims, round(pause, 2), round(down, 2)))
    return cycles


def test(tb):
    print(f"seed {SEED}, {SECONDS:.0f} s of kill cycles, {THREADS} cases")
    # Short retry delays so that deliveries keep up with the kills.
    reconfigure(tb, "AUS", [("delivery", "retry_max", 2)])
    rng = random.Random(SEED)
    stop = threading.Event()
    drivers = [CaseOperator(tb, "AUS", "FRA", n, stop, tolerate=True)
               for n in range(THREADS)]
    for d in drivers:
        d.start()
    try:
        cycles = kill_cycles(tb, rng, time.monotonic() + SECONDS)
    finally:
        stop.set()
        for d in drivers:
            d.join(30)
    for d in drivers:
        if d.error:
            raise TestFailure(f"driver {d.n}: {d.error!r}")
    confirmed = [i for d in drivers for i in d.confirmed]
    print(f"{len(cycles)} kill cycles: "
          f"{sum('AUS' in v for v, _, _ in cycles)} of AUS, "
          f"{sum('FRA' in v for v, _, _ in cycles)} of FRA; "
          f"{len(confirmed)} envelopes confirmed queued, "
          f"{sum(d.failed for d in drivers)} sends cut off or refused")
    check(len(cycles) >= 3, f"only {len(cycles)} kill cycles")
    check(len(confirmed) >= 10 * THREADS, f"only {len(confirmed)} envelopes queued")

    # A last kill of both, in the middle of the flow; then the stores
    # must be consistent as they lie on disk.
    tb.kill("AUS")
    tb.kill("FRA")
    for m in ("AUS", "FRA"):
        integrity_check(tb.info(m)["db"])
    tb.start("FRA")
    tb.start("AUS")

    aus_db, fra_db = tb.info("AUS")["db"], tb.info("FRA")["db"]

    def drained():
        return sql(aus_db, "SELECT count(*) FROM outbox;")[0][0] == "0"
    start = time.monotonic()
    tb.wait_until(drained, DRAIN_TIMEOUT, "AUS's outbox to drain", interval=0.5)
    print(f"outbox drained {time.monotonic() - start:.1f} s after the last restart")

    received = sql(fra_db, "SELECT id, thread_id FROM messages WHERE direction = 'in' "
                           "ORDER BY seq;")
    position = {}
    for pos, (mid, _) in enumerate(received):
        check(mid not in position, f"{mid} stored twice at FRA")
        position[mid] = pos
    missing = [i for i in confirmed if i not in position]
    check(not missing, f"{len(missing)} confirmed envelopes not stored at FRA: {missing[:5]}")
    sent = {r[0]: r[1] for r in sql(aus_db, "SELECT id, state FROM messages "
                                            "WHERE direction = 'out';")}
    strangers = [mid for mid, _ in received if mid not in sent]
    check(not strangers, f"FRA stored envelopes AUS never queued: {strangers[:5]}")
    not_delivered = [i for i in confirmed if sent.get(i) != "delivered"]
    check(not not_delivered, f"not 'delivered' in AUS's outbox: {not_delivered[:5]}")
    for d in drivers:
        order = [position[i] for i in d.confirmed]
        check(order == sorted(order),
              f"case {d.n}: FRA stored its envelopes out of queue order")
        threads = {t for mid, t in received if mid in set(d.confirmed)}
        check_eq(len(threads), 1, f"case {d.n}: threads its envelopes are in")
    extra = len(received) - len(confirmed)
    print(f"FRA stored {len(received)} envelopes: the {len(confirmed)} confirmed, each "
          f"once and in order per case, and {extra} whose pocctl was cut off")

    tb.stop("AUS")
    tb.stop("FRA")
    for m in ("AUS", "FRA"):
        integrity_check(tb.info(m)["db"])
    tb.start("AUS")
    tb.start("FRA")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
