#!/usr/bin/env python3
"""Scheduled communication checks ([checks] in pocd.conf): a node with a
schedule starts a campaign when none was ever run, and its state is in the
store, so neither a clean restart nor kill -9 repeats or loses it; when the
interval has passed while the node was down, exactly one campaign is run at
start-up.  A bad target list is refused at start-up."""

import sqlite3
import time

from tb import TestFailure, check, check_eq, run_test


def campaigns(tb):
    lst = tb.pocctl("AUS", "checks", "--list", "--limit", "100")
    check(isinstance(lst, list), f"checks --list: {lst!r}")
    return lst


def test(tb):
    tb.configure("AUS", """
[checks]
schedule_interval = 3600
targets = FRA, KEN
reply_within = 600
""")
    lst = tb.wait_until(lambda: campaigns(tb), 15, "the first scheduled campaign")
    check_eq(len(lst), 1, "campaigns after the first start")
    c = lst[0]
    check_eq(c["scheduled"], True, "scheduled")
    check_eq(c["created_by"], "schedule", "created_by")
    check_eq(sorted(t["member"] for t in c["targets"]), ["FRA", "KEN"], "targets")
    check_eq(c["reply_by"] - c["created_at"], 600 * 1000, "reply_within")
    for m in ("FRA", "KEN"):
        tb.wait_until(lambda: [x for x in tb.box(m, "inbox")
                               if (x.get("communication_check") or {}).get("check_id") == c["id"]],
                      20, f"the scheduled check at {m}")

    # Restarts within the interval run nothing new.
    tb.stop("AUS")
    tb.start("AUS")
    tb.kill("AUS")
    tb.start("AUS")
    time.sleep(1.5)
    check_eq([x["id"] for x in campaigns(tb)], [c["id"]], "campaigns after restarts")

    # An interval that passed while the node was down: exactly one
    # campaign at start-up.  (The last campaign is moved two hours back in
    # the store while AUS is down, as if it had been down that long.)
    tb.stop("AUS")
    db = sqlite3.connect(tb.info("AUS")["db"])
    try:
        db.execute("UPDATE check_campaigns SET created_at = created_at - 7200000")
        db.commit()
    finally:
        db.close()
    tb.start("AUS")
    tb.wait_until(lambda: len(campaigns(tb)) >= 2, 15, "the overdue scheduled campaign")
    time.sleep(1.5)
    lst = campaigns(tb)
    check_eq(len(lst), 2, "campaigns after the interval passed")
    check_eq(lst[1]["id"], c["id"], "the first campaign kept")
    tb.stop("AUS")
    with open(tb.info("AUS")["config"], encoding="utf-8") as f:
        conf = f.read()

    # A bad target list stops pocd at start-up with a clear message.
    with open(tb.info("AUS")["config"], "w", encoding="utf-8") as f:
        f.write(conf.replace("targets = FRA, KEN", "targets = FRA, k!n"))
    try:
        tb.start("AUS")
    except TestFailure:
        pass
    else:
        raise TestFailure("pocd started with [checks] targets = FRA, k!n")
    check("k!n" in tb.log("AUS"), "the log does not name the bad target")



if __name__ == "__main__":
    run_test(test)
