#!/usr/bin/env python3
"""Working the case from the command line (issue 13 item 6) and listings
that page (issue 11): `pocctl cases` gives one line per case with its
status, other member, urgency, overdue and next step; inbox and outbox
filter with --unacked, --overdue, --from, --since, --kind, --exercise /
--real, in the node; --limit and --before/--after page through a box
with the "cursor" of --json, each message once."""

import time

from tb import check, check_eq, envelope, now_ms, run_test


def ids(tb, member, *args):
    return [m["id"] for m in tb.pocctl(member, *args)]


def request(to, urgency, summary, **extra):
    return envelope(to, "assistance_request",
                    {"summary": summary, "urgency": urgency}, **extra)


def test(tb):
    # FRA answers a FLASH request within 2 s or it is overdue.
    tb.configure("FRA", """
[deadlines]
flash = 2
""")
    t0 = now_ms()
    flash = tb.send("AUS", request("FRA", "FLASH", "Ransomware at the grid"))["id"]
    drill = tb.send("AUS", envelope("FRA", "notification",
                                    {"summary": "Exercise inject 1"},
                                    exercise=True))["id"]
    routine = tb.send("KEN", request("FRA", "ROUTINE", "Scanner in FRA"))["id"]
    for i in (flash, drill, routine):
        tb.wait_until(lambda i=i: tb.find("FRA", "inbox", i), 20, f"{i} at FRA")

    # Filters, applied by the node.
    check_eq(sorted(ids(tb, "FRA", "inbox", "--unacked")),
             sorted([flash, drill, routine]), "unacked inbox")
    check_eq(ids(tb, "FRA", "inbox", "--from", "KEN"), [routine], "--from KEN")
    check_eq(ids(tb, "FRA", "inbox", "--exercise"), [drill], "--exercise")
    check_eq(ids(tb, "FRA", "inbox", "--real"), [routine, flash], "--real")
    check_eq(ids(tb, "FRA", "inbox", "--kind", "notification"), [drill], "--kind")
    check_eq(ids(tb, "FRA", "inbox", "--kind", "assistance_request", "--from",
                 "AUS"), [flash], "--kind and --from")
    check_eq(ids(tb, "FRA", "inbox", "--since", str(now_ms() + 60000)), [],
             "--since the future")
    check_eq(len(ids(tb, "FRA", "inbox", "--since", str(t0))), 3, "--since t0")
    rc, _, err = tb.pocctl_text("FRA", "inbox", "--kind", "letter")
    check(rc == 2 and "--kind" in err, f"a bad --kind: exit {rc}: {err}")
    rc, _, err = tb.pocctl_text("FRA", "inbox", "--exercise", "--real")
    check(rc == 2, f"--exercise with --real: exit {rc}: {err}")

    # The FLASH one goes overdue at FRA after 2 s; AUS's view is its own.
    time.sleep(2.5)
    check_eq(ids(tb, "FRA", "inbox", "--overdue"), [flash], "overdue at FRA")
    cases = {c["id"]: c for c in tb.pocctl("FRA", "cases")}
    check_eq(set(cases), {flash, drill, routine}, "FRA's cases")
    c = cases[flash]
    check_eq((c["party"], c["direction"], c["kind"], c["urgency"], c["status"],
              c["overdue"], c["next_step"]),
             ("AUS", "in", "request", "FLASH", "OPEN", True, "acknowledge"),
             "the FLASH case at FRA")
    check_eq(cases[routine]["overdue"], False, "ROUTINE is within its period")
    rc, text, err = tb.pocctl_text("FRA", "cases")
    check(rc == 0 and "OVERDUE" in text and f"ack {flash[:8]}" in text,
          f"cases text lacks the overdue line and its command:\n{text}{err}")

    # Acknowledged and answered: the next step moves on, both sides.
    tb.pocctl("FRA", "ack", flash)
    check_eq(ids(tb, "FRA", "inbox", "--unacked", "--from", "AUS"), [drill],
             "unacked after the ack")
    check_eq(ids(tb, "FRA", "inbox", "--overdue"), [], "overdue after the ack")
    check_eq({c["id"]: c["next_step"] for c in tb.pocctl("FRA", "cases")}[flash],
             "respond", "FRA's next step")
    tb.wait_until(lambda: flash not in ids(tb, "AUS", "outbox", "--unacked"),
                  20, "FRA's acknowledgement at AUS")
    check_eq(ids(tb, "AUS", "outbox", "--unacked"), [drill], "AUS's unacked")
    check_eq({c["id"]: c["next_step"] for c in tb.pocctl("AUS", "cases")}[flash],
             "await-response", "AUS's next step")
    check_eq([c["id"] for c in tb.pocctl("AUS", "cases", "--with", "FRA")],
             [flash, drill], "AUS's cases with FRA, the last active first")

    # Pages: --limit with the cursors covers the outbox once, either way.
    for i in range(5):
        tb.send("AUS", envelope("FRA", "notification", {"summary": f"n{i}"}))
    everything = ids(tb, "AUS", "outbox")
    check_eq(len(everything), 7, "AUS's outbox")
    seen, before = [], None
    for _ in range(10):
        args = ["outbox", "--limit", "3"] + (["--before", before] if before else [])
        page = tb.pocctl("AUS", *args)
        if not page:
            break
        check(len(page) <= 3, f"a page of {len(page)}")
        seen += [m["id"] for m in page]
        before = str(page[-1]["cursor"])
    check_eq(seen, everything, "pages by --before")
    newest = tb.pocctl("AUS", "outbox", "--limit", "2", "--after",
                       str(tb.pocctl("AUS", "outbox")[3]["cursor"]))
    check_eq([m["id"] for m in newest], everything[1:3], "a page by --after")
    rc, text, _ = tb.pocctl_text("AUS", "outbox", "--limit", "3")
    check(rc == 0 and "--before" in text, f"no hint of the next page:\n{text}")


if __name__ == "__main__":
    run_test(test)
