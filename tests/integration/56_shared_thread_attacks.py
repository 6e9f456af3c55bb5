#!/usr/bin/env python3
"""Attacks on a case sent to many in one thread (issue 12 item 3,
docs/directory.md "One message to many").  AUS sends one notification
to FRA and KEN: one thread T on the wire, so KEN, a co-recipient, knows T
and FRA's part of it.  KEN then signs, with its own valid key (pocpeer),
envelopes that pretend to be part of FRA's copy of the case:

- at FRA: a StatusUpdate CLOSED in T answering FRA's envelope, and an
  envelope opening a case in T: both REJECTED (T is FRA's case with AUS),
  nothing stored, FRA's case untouched;
- at AUS: a StatusUpdate CLOSED in T answering FRA's envelope, and an
  Acknowledgement of FRA's envelope: REJECTED (a message with another
  member); an envelope opening a case in T: REJECTED (T is open already);
- at AUS, kept apart: KEN's Acknowledgement in reply to its own envelope
  but naming FRA's as ack_of is taken for KEN's case only: FRA's row is
  neither acknowledged nor settled, and KEN's own StatusUpdate CLOSED
  closes KEN's case with AUS, not FRA's.

A case in a thread of KEN's choosing that no one holds at FRA (thread_id
!= id, no in_reply_to) is taken as a case of its own, and each envelope's
signature still verifies on its own (pocctl verify)."""

import json
import uuid

from tb import check, check_eq, envelope, now_ms, receipts, run_test

MEMBERS = ("AUS", "FRA", "KEN")


def ken_sends(tb, to, env, name):
    """KEN's node key signs env and sends it to `to`; the receipt."""
    path = tb.tmpfile(name, env)
    rc, out, err = tb.pocpeer("KEN", to, "--json", "send", path)
    rs = receipts(out)
    check(len(rs) == 1, f"{name} to {to}: rc {rc}, {out}{err}")
    return rs[0]


def wire(thread, reply_to, recipient, body_name, body):
    eid = str(uuid.uuid4())
    return eid, {"id": eid, "thread_id": thread, "in_reply_to": reply_to,
                 "sender": "KEN", "recipient": recipient,
                 "created_at": now_ms(), "tlp": "GREEN", "language": "en",
                 "exercise": False, body_name: body}


def refused(tb, to, env, name, why):
    r = ken_sends(tb, to, env, name)
    check(r.get("status") == "REJECTED" and why in r.get("reason", ""),
          f"{name} at {to}: not refused for '{why}': {r}")
    check(not tb.find(to, "inbox", env["id"]), f"{name}: stored at {to}")


def cases(tb, member):
    return {c["id"]: c for c in tb.pocctl(member, "cases")}


def test(tb):
    q = tb.send("AUS", envelope(["FRA", "KEN"], "notification",
                                {"summary": "Shared advisory", "severity": "HIGH"}))
    to = {t["recipient"]: t["id"] for t in q["to"]}
    thread = q["id"]
    for m in ("FRA", "KEN"):
        got = tb.wait_until(lambda m=m: tb.find(m, "inbox", to[m]), 20,
                            f"the notification at {m}")[0]
        check_eq(got["thread_id"], thread, f"{m}: the case's thread on the wire")
    fra_case = cases(tb, "FRA")[to["FRA"]]
    before_fra = (fra_case["status"], fra_case["messages"])

    closed = {"status": "CLOSED", "text": "closed by KEN"}
    # --- at FRA, the co-recipient's node
    _, e = wire(thread, to["FRA"], "FRA", "status_update", closed)
    refused(tb, "FRA", e, "fra-update.json", "is a case with another member")
    _, e = wire(thread, "", "FRA", "notification", {"summary": "joined?"})
    refused(tb, "FRA", e, "fra-open.json", "is a case with another member")
    c = cases(tb, "FRA")[to["FRA"]]
    check_eq((c["status"], c["messages"]), before_fra, "FRA's case untouched")

    # --- at AUS, the sender, where KEN has a part in the thread
    _, e = wire(thread, to["FRA"], "AUS", "status_update", closed)
    refused(tb, "AUS", e, "aus-update.json", "is a message with another member")
    _, e = wire(thread, to["FRA"], "AUS", "acknowledgement",
                {"ack_of": to["FRA"], "acknowledged_by": "KEN pretending"})
    refused(tb, "AUS", e, "aus-ack.json", "is a message with another member")
    _, e = wire(thread, "", "AUS", "notification", {"summary": "second opening"})
    refused(tb, "AUS", e, "aus-open.json", "already open here")

    # Kept apart: in reply to KEN's own envelope, but ack_of FRA's.
    aid, e = wire(thread, to["KEN"], "AUS", "acknowledgement",
                  {"ack_of": to["FRA"], "acknowledged_by": "KEN pretending"})
    r = ken_sends(tb, "AUS", e, "aus-ack-own.json")
    check_eq(r.get("status"), "ACCEPTED", f"KEN's ack in its own case: {r}")
    t = tb.pocctl("AUS", "thread", thread)["to_many"]
    rows = {w["recipient"]: w for w in t["rows"]}
    check(not rows["FRA"].get("acknowledged_at"),
          f"FRA's row acknowledged by KEN: {rows['FRA']}")
    check(not rows["KEN"].get("acknowledged_at"),
          f"KEN's row acknowledged by an ack of another envelope: {rows['KEN']}")
    check(not tb.show("AUS", to["FRA"]).get("acked_at"),
          "FRA's envelope marked acknowledged by KEN's ack")
    # KEN closes its own copy: AUS's case with KEN only.
    _, e = wire(thread, to["KEN"], "AUS", "status_update", closed)
    r = ken_sends(tb, "AUS", e, "aus-close-own.json")
    check_eq(r.get("status"), "ACCEPTED", f"KEN's own update: {r}")
    c = cases(tb, "AUS")
    check_eq(c[to["KEN"]]["status"], "CLOSED", "AUS's case with KEN")
    check(c[to["FRA"]]["status"] != "CLOSED",
          f"AUS's case with FRA closed by KEN: {c[to['FRA']]}")
    t = tb.pocctl("AUS", "thread", to["FRA"])["to_many"]
    check_eq(t["acknowledged"], 0, "no acknowledgement in the matrix")

    # --- a new case in a thread of KEN's choosing (not its id) is taken
    own_thread = str(uuid.uuid4())
    nid, e = wire(own_thread, "", "FRA", "notification", {"summary": "KEN's case"})
    r = ken_sends(tb, "FRA", e, "fra-new.json")
    check_eq(r.get("status"), "ACCEPTED", f"a new shared-thread case: {r}")
    c = cases(tb, "FRA")[nid]
    check_eq((c["thread_id"], c["party"]), (own_thread, "KEN"), "FRA's new case")
    check_eq(cases(tb, "FRA")[to["FRA"]]["party"], "AUS", "FRA's case with AUS")

    # Each envelope's evidence stands alone.
    for m in ("FRA", "KEN"):
        rc, out, err = tb.pocctl_text(m, "--json", "verify", to[m])
        check(rc == 0 and json.loads(out).get("verified") is True,
              f"{m}: verify {to[m]}: {out}{err}")


if __name__ == "__main__":
    run_test(test, members=MEMBERS)
