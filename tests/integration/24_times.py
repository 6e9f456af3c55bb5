#!/usr/bin/env python3
"""Times people write and read (issue 13 item 3): a template takes RFC 3339
times with offsets and fractions and relative times (+4h); show prints
them in UTC with their age; show --json still goes back through send; a
time that does not parse is named with its field."""

import re

from tb import check, check_eq, envelope, now_ms, run_test

OBSERVED = 1796436600250  # 2026-12-05T02:10:00.250Z


def test(tb):
    t0 = now_ms()
    req = tb.send("AUS", envelope("FRA", "assistance_request", {
        "summary": "Wiper at the grid operator", "urgency": "FLASH",
        "observed_since": "2026-12-05T03:10:00.250+01:00", "respond_by": "+4h"}))["id"]
    t1 = now_ms()
    m = tb.show("AUS", req)
    body = m["assistance_request"]
    check_eq(body["observed_since"], OBSERVED, "observed_since from RFC 3339 with an offset")
    check(t0 + 4 * 3600000 <= body["respond_by"] <= t1 + 4 * 3600000,
          f"respond_by +4h: {body['respond_by']} not within [{t0}, {t1}] + 4 h")

    rc, text, err = tb.pocctl_text("AUS", "show", req)
    check(rc == 0, f"show: {err}")
    check(re.search(r"^Observed since: +2026-12-05 02:10Z, "
                    r"(\d+ (s|min|h|d) ago|in \d+ (s|min|h|d))$", text, re.M),
          f"show prints observed_since in UTC with its age:\n{text}")
    check(re.search(r"^Respond by: +\d{4}-\d\d-\d\d \d\d:\d\dZ, in [34] h$", text, re.M),
          f"show prints respond_by with the time left:\n{text}")
    check(re.search(r"^Created: +\d{4}-\d\d-\d\d \d\d:\d\dZ, \d+ s ago$", text, re.M),
          f"show prints the creation time with its age:\n{text}")

    # show --json goes back through send: a new message with the same body.
    again = dict(m, id="", thread_id="")
    new = tb.send("AUS", again)["id"]
    n = tb.show("AUS", new)
    check(new != req, "the resent message has a new id")
    check_eq(n["assistance_request"], body, "body after show --json -> send")
    for k in ("recipient", "tlp", "language", "exercise", "sender"):
        check_eq(n[k], m[k], f"{k} after show --json -> send")

    # A bad time is named with its field, and nothing is sent.
    before = len(tb.box("AUS", "outbox"))
    rc, out, err = tb.pocctl_text("AUS", "send", tb.tmpfile("bad-time.json", envelope(
        "FRA", "notification", {"summary": "x", "activity_since": "2026-12-05T02:10"})))
    check(rc == 1 and re.search(r"notification\.activity_since +\"2026-12-05T02:10\" has no "
                                r"time zone", err), f"a time without a zone: {rc}\n{err}")
    check_eq(len(tb.box("AUS", "outbox")), before, "nothing queued for the bad time")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
