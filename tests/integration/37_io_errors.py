#!/usr/bin/env python3
"""I/O errors on FRA's store (issue 15, item 2), injected by faultfs.so
(tests/tools/faultfs.c) while AUS sends to FRA: first every write to the
WAL fails with EIO, then every fsync of the WAL fails with EIO (the write
itself succeeds, so only the fsync's result tells the commit failed).

For each, while the fault lasts:
- FRA keeps running and sends no receipt: nothing sent meanwhile is
  delivered at AUS, and none of it is visible in FRA's store (a failed
  fsync is not taken as success: the commit's frames are not part of the
  database, although they were written);
- FRA's operator is told `not queued: the store's disk failed: ...`, and
  status and metrics show it;
and once the fault is switched off (no restart): everything arrives once,
status is clear, integrity_check is ok and the audit chain verifies, and
again after a restart (which re-reads the WAL from its file).

Last, FRA is killed (SIGKILL) while its fsyncs fail, right after its
operator was told a send is `not confirmed as queued`: after the restart
the send is held at most once (recovery may find the failed commit's
frames whole; if so, it is delivered once), AUS's envelopes arrive once,
and the store is sound."""

import os
import time
import uuid

from tb import check, check_eq, run_test
from rel import integrity_check, wait_log
from faults import (check_receipts_only_for_stored, metric, operator_send_fails,
                    read_events, send_many, set_faults, status, store_sound,
                    stored_at, use_faultfs, wait_all_delivered)

FAULTS = (("fail_write -wal", "fault_eio_write", "write", "the store's disk failed:",
           "not queued: the store's disk failed"),
          ("fail_fsync -wal", "fault_eio_fsync", "fsync",
           "the store's disk failed to sync a commit",
           "not confirmed as queued: the store's disk failed to sync a commit"))


def test(tb):
    ctl, log = use_faultfs(tb, "FRA")
    tb.stop("FRA")
    tb.start("FRA")
    pid = tb.info("FRA")["pid"]
    db = tb.info("FRA")["db"]
    before = send_many(tb, 5, "Before the faults")
    wait_all_delivered(tb, before, 20, "the envelopes sent before the faults")
    fails0 = metric(tb, "FRA", "pocd_store_write_failures")

    for directive, event, what, status_says, operator_told in FAULTS:
        offset = len(tb.log("FRA"))
        n_events = len(read_events(log))
        set_faults(ctl, directive)
        ids = send_many(tb, 10, f"During EIO on {what}")
        wait_log(tb, "FRA", offset, status_says, f"EIO on {what} noticed", timeout=20)
        time.sleep(3)       # AUS retries against the fault meanwhile
        injected = sum(1 for e in read_events(log)[n_events:] if e[2] == event)
        check(injected > 0, f"the shim injected no {event}")
        delivered, waiting = check_receipts_only_for_stored(tb, ids, f"EIO on {what}")
        check_eq(len(delivered), 0, f"envelopes delivered while every {what} fails")
        held = stored_at(tb, "FRA", ids)
        check(not any(held.values()), f"EIO on {what}: FRA's store shows {held} "
                                      f"(a failed commit taken as done)")
        s = status(tb, "FRA")
        check(status_says in s.get("store_error", ""),
              f"status store_error during EIO on {what}: {s.get('store_error')!r}")
        check_eq(metric(tb, "FRA", "pocd_store_writable"), 0.0, "pocd_store_writable")
        said = operator_send_fails(tb, "FRA", operator_told)
        os.kill(pid, 0)
        print(f"EIO on {what}: {injected} injected, 0 of {len(ids)} delivered, "
              f"none visible at FRA; operator told: {said}")

        set_faults(ctl, "")
        t0 = time.monotonic()
        wait_all_delivered(tb, ids, 40, f"every envelope after EIO on {what} stopped")
        check_eq(tb.info("FRA")["pid"], pid, "FRA's pid (no restart)")
        check_eq(status(tb, "FRA").get("store_error", ""), "", "store_error afterwards")
        entries = store_sound(tb, "FRA")
        print(f"EIO on {what} switched off: all {len(ids)} delivered once within "
              f"{time.monotonic() - t0:.1f} s; integrity_check ok, audit verifies "
              f"({entries} entries)")

    fails = metric(tb, "FRA", "pocd_store_write_failures") - fails0
    check(fails >= 2, f"pocd_store_write_failures grew by {fails}")
    check(all(n == 1 for n in stored_at(tb, "FRA", before).values()),
          "an envelope stored before the faults is gone")
    tb.stop("FRA")
    integrity_check(db)
    tb.start("FRA")
    store_sound(tb, "FRA")
    print(f"{int(fails)} failed transactions in all; after a restart integrity_check ok, "
          "audit chain verifies")

    # A crash right after failed fsyncs: the frames of the failed commits
    # are in the WAL file, and recovery may find them whole.  Whatever it
    # finds, nothing is doubled or lost and the store is sound.
    set_faults(ctl, "fail_fsync -wal")
    offset = len(tb.log("FRA"))
    ids = send_many(tb, 3, "Before a crash under EIO on fsync")
    wait_log(tb, "FRA", offset, "failed to sync a commit", "EIO on fsync again", timeout=20)
    eid = str(uuid.uuid4())
    operator_send_fails(tb, "FRA", "not confirmed as queued", eid=eid)
    tb.kill("FRA")
    set_faults(ctl, "")
    tb.start("FRA")
    found = stored_at(tb, "FRA", [eid])[eid]
    check(found in (0, 1), f"the unconfirmed send is held {found} times")
    wait_all_delivered(tb, ids, 40, "the envelopes sent before the crash")
    if found:
        tb.wait_until(lambda: stored_at(tb, "AUS", [eid])[eid] == 1, 30,
                      "the unconfirmed send, found queued after the restart, delivered")
    check_eq(stored_at(tb, "AUS", [eid])[eid], found, "copies of the unconfirmed send at AUS")
    store_sound(tb, "FRA")
    tb.stop("FRA")
    integrity_check(db)
    print("kill -9 after failed fsyncs: the unconfirmed operator send was "
          f"{'found queued and delivered once' if found else 'not found'} after the restart; "
          "AUS's 3 envelopes delivered once; integrity_check ok, audit chain verifies")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
