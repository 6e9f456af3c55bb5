#!/usr/bin/env python3
"""I/O errors on FRA's store (issue 15, item 2), injected by faultfs.so
(tests/tools/faultfs.c) while AUS sends to FRA: first every write to the
WAL fails with EIO, then every fsync of the WAL fails with EIO (the write
itself succeeds, so only the fsync's result tells the commit failed).

EIO on write, while the fault lasts:
- FRA keeps running and sends no receipt: nothing sent meanwhile is
  delivered at AUS, and none of it is visible in FRA's store;
- FRA's operator is told `not queued: the store's disk failed: ...`, and
  status and metrics show it;
and once the fault is switched off (no restart): everything arrives once,
status is clear, integrity_check is ok and the audit chain verifies, and
again after a restart (which re-reads the WAL from its file).

EIO on fsync of the group commit's batch: its COMMIT has already written
the frames, and the sync thread's fdatasync (store_sync.h) fails.  A
failed fdatasync cannot be retried (the kernel may have dropped the
pages: "fsyncgate"), so FRA stops at once, and sends no receipt for
anything of the unsynced batches: nothing is delivered at AUS.  Started
again without the fault, FRA gets everything once (what recovery found
of the failed batch is a duplicate when AUS sends it again) and the store
is sound.

Last, with fsyncs failing and no traffic, FRA's operator sends (that
COMMIT syncs inline) and is told `not confirmed as queued`; FRA is killed
(SIGKILL) right after: after the restart the send is held at most once
(recovery may find the failed commit's frames whole; if so, it is
delivered once), and the store is sound."""

import os
import time
import uuid

from tb import check, check_eq, run_test
from rel import integrity_check, wait_log
from faults import (check_receipts_only_for_stored, metric, operator_send_fails,
                    read_events, send_many, set_faults, status, store_sound,
                    stored_at, use_faultfs, wait_all_delivered)

FAULTS = (("fail_write -wal", "fault_eio_write", "write", "the store's disk failed:",
           "not queued: the store's disk failed"),)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def fsync_fails(tb, ctl, log):
    """EIO on the sync thread's fdatasync: FRA stops, no receipt for what
    it held; restarted, everything arrives once."""
    pid = tb.info("FRA")["pid"]
    offset = len(tb.log("FRA"))
    n_events = len(read_events(log))
    set_faults(ctl, "fail_fsync -wal")
    ids = send_many(tb, 10, "During EIO on fsync")
    wait_log(tb, "FRA", offset, "fdatasync of the WAL failed", "the failed fdatasync noticed",
             timeout=20)
    tb.wait_until(lambda: not alive(pid), 10, "FRA to stop after the failed fdatasync")
    injected = sum(1 for e in read_events(log)[n_events:] if e[2] == "fault_eio_fsync")
    check(injected > 0, "the shim injected no fault_eio_fsync")
    time.sleep(2)       # AUS retries against the stopped FRA meanwhile
    delivered, waiting = check_receipts_only_for_stored(tb, ids, "EIO on fsync")
    check_eq(len(delivered), 0, "envelopes delivered although their fdatasync failed")
    held = sum(stored_at(tb, "FRA", ids).values())
    set_faults(ctl, "")
    t0 = time.monotonic()
    tb.start("FRA")
    wait_all_delivered(tb, ids, 40, "every envelope after FRA restarted without the fault")
    entries = store_sound(tb, "FRA")
    print(f"EIO on fdatasync: {injected} injected, FRA stopped, 0 of {len(ids)} delivered "
          f"({held} found in its store after the stop); restarted without the fault: "
          f"all delivered once within {time.monotonic() - t0:.1f} s; integrity_check ok, "
          f"audit verifies ({entries} entries)")


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
    check(fails >= 1, f"pocd_store_write_failures grew by {fails}")
    fsync_fails(tb, ctl, log)
    check(all(n == 1 for n in stored_at(tb, "FRA", before).values()),
          "an envelope stored before the faults is gone")
    tb.stop("FRA")
    integrity_check(db)
    tb.start("FRA")
    store_sound(tb, "FRA")
    print(f"{int(fails)} failed transactions in all; after a restart integrity_check ok, "
          "audit chain verifies")

    # A crash right after the operator's failed fsync: the frames of the
    # failed commit are in the WAL file, and recovery may find them
    # whole.  Whatever it finds, nothing is doubled or lost and the store
    # is sound.
    set_faults(ctl, "fail_fsync -wal")
    eid = str(uuid.uuid4())
    operator_send_fails(tb, "FRA", "not confirmed as queued", eid=eid)
    tb.kill("FRA")
    set_faults(ctl, "")
    tb.start("FRA")
    found = stored_at(tb, "FRA", [eid])[eid]
    check(found in (0, 1), f"the unconfirmed send is held {found} times")
    if found:
        tb.wait_until(lambda: stored_at(tb, "AUS", [eid])[eid] == 1, 30,
                      "the unconfirmed send, found queued after the restart, delivered")
    check_eq(stored_at(tb, "AUS", [eid])[eid], found, "copies of the unconfirmed send at AUS")
    store_sound(tb, "FRA")
    tb.stop("FRA")
    integrity_check(db)
    print("kill -9 after a failed fsync: the unconfirmed operator send was "
          f"{'found queued and delivered once' if found else 'not found'} after the restart; "
          "integrity_check ok, audit chain verifies")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
