#!/usr/bin/env python3
"""Acknowledgement deadlines and escalation (DESIGN.md "Delivery"): with
[deadlines] flash = 2 on AUS, a FLASH request to FRA that FRA does not
acknowledge becomes overdue; the case is stored as overdue with its time, a
warning is logged once, and show/outbox (text and JSON) point the operator
to the next PoC and channel to try.  After a restart the case is still
overdue with the same time.  An acknowledgement ends it: a request
acknowledged in time never becomes overdue, and an overdue one is no longer
overdue once acknowledged."""

import time

from tb import check, check_eq, envelope, now_ms, run_test


def request(to, urgency, summary):
    return envelope(to, "assistance_request",
                    {"summary": summary, "urgency": urgency}, tlp="AMBER")


def give_pocs(tb):
    """FRA publishes two PoCs (policy first in its record, so that the
    ranking is what orders them) and AUS imports FRA's signed record."""
    for args in (["--level", "DIPLOMATIC", "--name", "Paul Durand", "--org", "MEAE",
                  "--always", "--channel", "EMAIL:cyber@diplomatie.example:1"],
                 ["--level", "TECHNICAL", "--name", "Claire Martin", "--org", "CERT-FR",
                  "--always", "--channel", "PHONE:+33 1 5550 0100:1"]):
        rc, out, err = tb.pocctl_text("FRA", "directory", "poc", "add", *args)
        check(rc == 0, f"FRA: directory poc add: exit {rc}: {out}{err}")
    rc, out, err = tb.pocctl_text("FRA", "directory", "export", "--format", "json", "FRA")
    check(rc == 0, f"FRA: directory export: exit {rc}: {err}")
    path = tb.tmpfile("fra.json", out)
    rc, out, err = tb.pocctl_text("AUS", "directory", "import", path)
    check(rc == 0, f"AUS: directory import: exit {rc}: {out}{err}")


def test(tb):
    tb.configure("AUS", """
[deadlines]
flash = 2
immediate = 6
""")
    give_pocs(tb)
    t0 = now_ms()
    late = tb.send("AUS", request("FRA", "FLASH", "Grid SCADA ransomware"))["id"]
    acked = tb.send("AUS", request("KEN", "IMMEDIATE", "Botnet C2 in KEN"))["id"]
    plain = tb.send("AUS", envelope("FRA", "notification", {"summary": "FYI"}))["id"]

    # KEN acknowledges at once, within its 6 s.
    tb.wait_until(lambda: tb.find("KEN", "inbox", acked), 20, "the request at KEN")
    tb.pocctl("KEN", "ack", acked)
    tb.wait_until(lambda: tb.show("AUS", acked).get("acknowledged_by"), 20,
                  "KEN's acknowledgement at AUS")

    m = tb.show("AUS", late)
    check_eq(m["deadline_at"], m["created_at"] + 2000, "FLASH deadline (flash = 2)")
    n = tb.show("AUS", plain)
    check_eq(n["deadline_at"], n["created_at"] + 72 * 3600 * 1000,
             "deadline of a notification without urgency")

    m = tb.wait_until(lambda: (lambda x: x if x.get("overdue") else None)(
        tb.show("AUS", late)), 15, "the FLASH request to become overdue")
    check(m["overdue_at"] >= m["deadline_at"], f"overdue_at {m['overdue_at']} "
          f"before deadline_at {m['deadline_at']}")
    check(m["overdue_at"] <= now_ms(), "overdue_at in the future")
    tb.wait_until(lambda: "not acknowledged" in tb.log("AUS"), 10, "the warning")
    first_overdue_at = m["overdue_at"]
    check_eq(tb.pocctl("AUS", "status").get("overdue_cases"), 1,
             "overdue_cases in pocctl status")

    # The text views point to the next PoC and channel.
    rc, text, err = tb.pocctl_text("AUS", "show", late)
    check(rc == 0 and "OVERDUE" in text, f"show lacks OVERDUE:\n{text}{err}")
    rc, out, err = tb.pocctl_text("AUS", "outbox")
    check(rc == 0 and "OVERDUE" in out and late[:8] in out,
          f"outbox lacks the overdue hint:\n{out}{err}")
    rc, inbox, err = tb.pocctl_text("AUS", "inbox")
    check(rc == 0 and "OVERDUE" in inbox and late[:8] in inbox,
          f"inbox lacks the overdue hint:\n{inbox}{err}")
    # Technical level first, then diplomatic (DESIGN.md "Delivery").
    contacts = m.get("next_contacts") or []
    check(len(contacts) == 2, f"next_contacts: {contacts!r}")
    check_eq([(c["member"], c["level"], c["name"], c["channel_kind"], c["channel_value"])
              for c in contacts],
             [("FRA", "TECHNICAL", "Claire Martin", "PHONE", "+33 1 5550 0100"),
              ("FRA", "DIPLOMATIC", "Paul Durand", "EMAIL", "cyber@diplomatie.example")],
             "next contacts")
    check("Try next:" in text and "+33 1 5550 0100" in text and "Claire Martin" in text,
          f"show does not name the next PoC:\n{text}")
    check("+33 1 5550 0100" in out, f"outbox does not name the next PoC:\n{out}")
    check("+33 1 5550 0100" in inbox, f"inbox does not name the next PoC:\n{inbox}")
    check("Claire Martin" in tb.log("AUS"), "the warning does not name the PoC")

    # Wait past KEN's deadline: acknowledged in time, never overdue.
    time.sleep(max(0, (t0 + 6500 - now_ms()) / 1000))
    k = tb.show("AUS", acked)
    check_eq(k["overdue"], False, "the acknowledged request's overdue")
    check_eq(k["overdue_at"], 0, "the acknowledged request's overdue_at")
    check_eq(tb.show("AUS", plain)["overdue"], False, "the notification's overdue")

    # After a restart the overdue case is found again, same time, and the
    # warning is not repeated.
    tb.stop("AUS")
    tb.start("AUS")
    m2 = tb.show("AUS", late)
    check_eq(m2["overdue"], True, "overdue after restart")
    check_eq(m2["overdue_at"], first_overdue_at, "overdue_at after restart")
    time.sleep(1.5)
    check_eq(tb.log("AUS").count(f"{late} to FRA (FLASH) not acknowledged"), 1,
             "warnings for the overdue request")

    # FRA finally acknowledges: no longer overdue.
    tb.wait_until(lambda: tb.find("FRA", "inbox", late), 20, "the request at FRA")
    tb.pocctl("FRA", "ack", late)
    tb.wait_until(lambda: tb.show("AUS", late).get("overdue") is False, 20,
                  "the request to stop being overdue after FRA's acknowledgement")
    rc, out, err = tb.pocctl_text("AUS", "outbox")
    check("OVERDUE" not in out, f"outbox still shows OVERDUE:\n{out}")
    check_eq(tb.pocctl("AUS", "status").get("overdue_cases"), 0,
             "overdue_cases after the acknowledgement")


if __name__ == "__main__":
    run_test(test)
