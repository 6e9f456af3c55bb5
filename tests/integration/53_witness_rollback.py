#!/usr/bin/env python3
"""Witnessed audit heads (issue 15, item 1; docs/witness.md): a store
rolled back to an older copy of its database file is detected, both when
the rolled-back log is shorter than the head a witness holds and when it
has since grown past it (then its entry at the head's count differs).

AUS and FRA exchange notifications, heads every second.  AUS is stopped
and its database file copied; more traffic; FRA holds AUS's newer head.
AUS is stopped again and the old copy put back.  After the restart:

- `pocctl audit verify --witness` on AUS against FRA's exported head fails;
- AUS's next connection: FRA keeps its newer head, keeps the older one as
  a conflict, and tells AUS, whose status shows the alarm;
- then the rolled-back AUS grows its log past the count FRA held (more
  traffic, FRA replacing its head with the longer one): the head exported
  before still convicts it, since the entry at that count has another
  hash."""

import os
import shutil

from tb import check, run_test
from rel import wait_log
from witness_tb import (audit_count, exchange, export_head, fast_heads,
                        heads, status, verify_witness, wait_held)


def copy_db(src, dst):
    """The database file and its WAL (if any), as a backup copies them."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.unlink(dst + suffix)
        if os.path.exists(src + suffix):
            shutil.copy2(src + suffix, dst + suffix)


def test(tb):
    fast_heads(tb, "AUS", "FRA")
    db = tb.info("AUS")["db"]
    backup = os.path.join(tb.dir, "AUS-backup.db")
    exchange(tb, 2, tag="before the backup")
    tb.stop("AUS")
    copy_db(db, backup)
    old = audit_count(tb, "AUS")
    tb.start("AUS")

    exchange(tb, 3, tag="after the backup")
    n = audit_count(tb, "AUS")
    check(n >= old + 6, f"AUS log grew from {old} to {n} entries")
    wait_held(tb, "FRA", "AUS", n)
    path, head = export_head(tb, "FRA", "AUS", "newer")

    # --- the rollback: the older copy of the file put back
    tb.stop("AUS")
    copy_db(backup, db)
    offset_aus, offset_fra = len(tb.log("AUS")), len(tb.log("FRA"))
    tb.start("AUS")
    check(audit_count(tb, "AUS") == old, "AUS runs on the older copy")
    rc, docs, err = verify_witness(tb, "AUS", path)
    check(rc == 1 and docs[-1].get("ok") is False and "rolled back" in
          docs[-1].get("reason", ""), f"verify --witness after rollback: {rc} {docs} {err}")

    exchange(tb, 1, tag="after the rollback")
    wait_log(tb, "FRA", offset_fra, r"AUDIT LOG OF AUS CONTRADICTS",
             "FRA detects the rollback", timeout=20)
    wait_log(tb, "AUS", offset_aus, r"AUDIT LOG CUT OR ROLLED BACK: witness FRA",
             "AUS is told of its rollback", timeout=20)
    st = status(tb, "AUS")
    check(st.get("audit_alarm_from") == "FRA" and st.get("audit_alarm"),
          f"AUS status after rollback: {st.get('audit_alarm')!r}")
    hs = heads(tb, "FRA", "AUS")
    check([h for h in hs if h["conflict"] == "" and h["count"] == n] and
          [h for h in hs if h["conflict"] != ""], f"FRA's heads of AUS: {hs}")

    # --- the rolled-back log grows past the head FRA held: the old head,
    # exported before, still convicts it (another hash at its count).
    exchange(tb, 4, tag="growing past")
    m = audit_count(tb, "AUS")
    check(m > n, f"AUS log grew past {n} ({m})")
    rc, docs, err = verify_witness(tb, "AUS", path)
    check(rc == 1 and docs[-1].get("ok") is False and "differs" in
          docs[-1].get("reason", ""), f"verify --witness past the head: {rc} {docs} {err}")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
