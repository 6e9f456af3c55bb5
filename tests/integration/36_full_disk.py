#!/usr/bin/env python3
"""A full disk (issue 15, item 2).  FRA's store is moved onto a tmpfs of
8 MiB made by the test (as root; skipped, saying so, otherwise), which a
ballast file then fills to within 256 KiB, while AUS keeps sending 8 KiB
notifications to FRA:

- FRA keeps running; it sends no receipt for what it could not commit: an
  envelope AUS holds as delivered is stored at FRA, once, and some are not
  delivered yet (AUS keeps retrying them);
- FRA's operator is told `not queued: the store is full (N bytes free)`;
  `pocctl status` shows it (store_error) and `pocctl metrics` has
  pocd_store_writable 0 and pocd_store_write_failures > 0;
- once the ballast is removed, with no restart and no operator action,
  every envelope arrives, once; the operator sends again; status is clear;
- nothing committed before is lost: the envelopes delivered before the
  disk filled are all there, PRAGMA integrity_check is ok and the audit
  chain verifies (also after a restart)."""

import os
import subprocess
import sys
import time

from tb import check, check_eq, run_test
from rel import integrity_check, set_config, wait_log
from faults import (check_receipts_only_for_stored, metric, operator_send_fails,
                    send_many, status, store_sound, stored_at, wait_all_delivered)

SIZE_MB, LEAVE = 8, 256 * 1024


def mounted(path):
    with open("/proc/mounts", encoding="utf-8") as f:
        return any(line.split()[1] == path for line in f)


def test(tb):
    fra = tb.info("FRA")
    mnt = os.path.join(tb.dir, "fra-disk")
    os.makedirs(mnt)
    ballast = os.path.join(mnt, "ballast")
    tb.stop("FRA")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m,mode=0700",
                        "pocd-test", mnt], capture_output=True, text=True)
    check(r.returncode == 0, f"mount tmpfs: {r.stderr}")
    try:
        db = os.path.join(mnt, "pocd.db")
        subprocess.run(["sqlite3", fra["db"], f".backup {db}"], check=True,
                       capture_output=True, timeout=30)
        set_config(tb, "FRA", "node", "database", db)
        fra["db"] = db      # for the helpers (this process's copy)
        tb.start("FRA")
        tb.info("FRA")["db"] = db
        run(tb, ballast, mnt)
    finally:
        try:
            tb.stop("FRA")
        except Exception as e:  # noqa: BLE001 - the unmount must still run
            print(f"stopping FRA: {e}", file=sys.stderr)
        if mounted(mnt):
            subprocess.run(["umount", "-l", mnt], check=False)


def run(tb, ballast, mnt):
    db = tb.info("FRA")["db"]
    before = send_many(tb, 5, "Before the disk fills")
    wait_all_delivered(tb, before, 20, "the envelopes sent before the disk fills")

    st = os.statvfs(mnt)
    free = st.f_bavail * st.f_frsize
    with open(ballast, "wb") as f:
        f.write(b"\0" * max(0, free - LEAVE))
    st = os.statvfs(mnt)
    print(f"tmpfs {SIZE_MB} MiB: {st.f_bavail * st.f_frsize} bytes left after the ballast")

    offset = len(tb.log("FRA"))
    pid = tb.info("FRA")["pid"]
    ids = send_many(tb, 60, "While the disk fills", size=8000)
    wait_log(tb, "FRA", offset, r"the store is full \(\d+ bytes free\)",
             "FRA's store fills", timeout=30)
    os.kill(pid, 0)     # FRA is still running
    s = status(tb, "FRA")
    check("the store is full" in s.get("store_error", ""),
          f"status store_error while full: {s.get('store_error')!r}")
    check_eq(metric(tb, "FRA", "pocd_store_writable"), 0.0, "pocd_store_writable while full")
    fails = metric(tb, "FRA", "pocd_store_write_failures")
    check(fails > 0, "pocd_store_write_failures while full")
    said = operator_send_fails(tb, "FRA", "not queued: the store is full (")
    check("bytes free)" in said, f"operator message: {said!r}")
    time.sleep(2)       # AUS retries meanwhile
    delivered, waiting = check_receipts_only_for_stored(tb, ids, "while full")
    check(waiting, "every envelope was delivered although FRA's disk is full")
    print(f"full: {len(delivered)} of {len(ids)} delivered, {len(waiting)} waiting at AUS; "
          f"{int(fails)} failed transactions; FRA's operator told: {said}")

    os.unlink(ballast)
    t0 = time.monotonic()
    wait_all_delivered(tb, ids, 60, "every envelope once space returned")
    t_flow = time.monotonic() - t0
    check_eq(tb.info("FRA")["pid"], pid, "FRA's pid (no restart)")
    os.kill(pid, 0)
    tb.send("FRA", {"recipient": "AUS", "tlp": "AMBER", "language": "en",
                    "notification": {"summary": "Disk has room again", "severity": "LOW"}})
    s = status(tb, "FRA")
    check_eq(s.get("store_error", ""), "", "status store_error once space returned")
    check_eq(metric(tb, "FRA", "pocd_store_writable"), 1.0, "pocd_store_writable")
    check(all(n == 1 for n in stored_at(tb, "FRA", before).values()),
          "an envelope stored before the disk filled is gone")
    entries = store_sound(tb, "FRA")
    tb.stop("FRA")
    integrity_check(db)
    tb.start("FRA")
    store_sound(tb, "FRA")
    print(f"space returned: all {len(ids)} delivered once within {t_flow:.1f} s, no restart; "
          f"integrity_check ok, audit chain verifies ({entries} entries), also after a restart")


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("SKIP 36_full_disk: mounting a size-limited tmpfs needs root "
              "(run make check as root, as CI does)")
        sys.exit(0)
    run_test(test, members=("AUS", "FRA"))
