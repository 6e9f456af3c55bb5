#!/usr/bin/env python3
"""Attacks on a case sent to many in one thread (issue 12 item 3,
docs/directory.md "One message to many").  AUS sends one notification
to FRA and KEN: one thread T on the wire, so KEN, a co-recipient, knows T
and FRA's part of it.  KEN then signs, with its own valid key (pocpeer),
envelopes that pretend to be part of FRA's copy of the case:

- first, the pre-emption: FRA is down when AUS sends, and AUS is kept
  down while FRA comes back, so KEN can reach FRA first.  An envelope
  opening a case in T (with no nonce, with AUS's nonce, with one of its
  own), a case of KEN's own whose id is T, and a reply in T: all
  REJECTED (T is bound to AUS by AUS's nonce, no id has T's form, a
  reply does not start a thread), with the field in the reason and in
  FRA's log; then AUS's envelope reaches FRA and is its case with AUS;
- at FRA: a StatusUpdate CLOSED in T answering FRA's envelope (REJECTED:
  T is FRA's case with AUS), and an envelope opening a case in T
  (REJECTED: no nonce), nothing stored, FRA's case untouched;
- at AUS: a StatusUpdate CLOSED in T answering FRA's envelope, and an
  Acknowledgement of FRA's envelope: REJECTED (a message with another
  member); an envelope opening a case in T: REJECTED (no nonce);
- at AUS, kept apart: KEN's Acknowledgement in reply to its own envelope
  but naming FRA's as ack_of is taken for KEN's case only: FRA's row is
  neither acknowledged nor settled, and KEN's own StatusUpdate CLOSED
  closes KEN's case with AUS, not FRA's.

A case in a thread that KEN's own nonce makes (thread_id != id, no
in_reply_to) is taken at FRA as a case of its own, and each envelope's
signature still verifies on its own (pocctl verify)."""

import json
import os
import uuid

from tb import (bound_thread, check, check_eq, envelope, now_ms, receipts,
                run_test)

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


def test_preemption(tb):
    """KEN, a co-recipient, tries to take FRA's thread before AUS's
    envelope reaches FRA: FRA is down when AUS sends, AUS is then kept
    down while FRA comes back, and KEN goes first."""
    tb.stop("FRA")
    q = tb.send("AUS", envelope(["FRA", "KEN"], "notification",
                                {"summary": "Pre-empted?", "severity": "HIGH"}))
    to = {t["recipient"]: t["id"] for t in q["to"]}
    got = tb.wait_until(lambda: tb.find("KEN", "inbox", to["KEN"]), 20,
                        "the notification at KEN")[0]
    thread, nonce = got["thread_id"], got.get("thread_nonce", "")
    check_eq(thread, q["thread_id"], "KEN's copy is in the case's thread")
    check(thread != to["KEN"] and thread != q["id"],
          f"the shared thread is not an envelope's id: {thread} {to}")
    check_eq(thread, bound_thread("AUS", nonce), "the thread AUS's nonce makes")
    tb.stop("AUS")
    tb.start("FRA")

    # An opening envelope in T: without a nonce, with AUS's nonce (the
    # thread it makes is AUS's, not KEN's), with KEN's own nonce.
    _, e = wire(thread, "", "FRA", "notification", {"summary": "mine now"})
    refused(tb, "FRA", e, "pre-open.json", "thread_nonce: required")
    e["thread_nonce"] = nonce
    refused(tb, "FRA", e, "pre-open-aus-nonce.json",
            "thread_id: is not the thread that KEN's thread_nonce makes")
    e["thread_nonce"] = os.urandom(16).hex()
    refused(tb, "FRA", e, "pre-open-own-nonce.json",
            "thread_id: is not the thread that KEN's thread_nonce makes")
    # A case of KEN's own whose id, and so thread, is T: T's form
    # (variant 110) is no message's id.
    _, e = wire(thread, "", "FRA", "notification", {"summary": "my id is T"})
    e["id"] = thread
    refused(tb, "FRA", e, "pre-open-as-id.json",
            "id: has the form of a shared thread")
    # A reply in T, answering KEN's own envelope (not held at FRA).
    _, e = wire(thread, to["KEN"], "FRA", "acknowledgement",
                {"ack_of": to["KEN"], "acknowledged_by": "KEN"})
    refused(tb, "FRA", e, "pre-reply.json", "is not held here")
    log = tb.log("FRA")
    check("thread_id: is not the thread that KEN's thread_nonce makes" in log,
          "FRA's log does not name the refusal")

    tb.start("AUS")
    got = tb.wait_until(lambda: tb.find("FRA", "inbox", to["FRA"]), 30,
                        "AUS's notification at FRA")[0]
    check_eq((got["thread_id"], got["sender"]), (thread, "AUS"),
             "AUS's envelope at FRA")
    c = cases(tb, "FRA")[to["FRA"]]
    check_eq((c["thread_id"], c["party"]), (thread, "AUS"), "FRA's case")
    row = tb.wait_until(lambda: [r for r in tb.pocctl("AUS", "thread", to["FRA"])
                                 ["to_many"]["rows"] if r["recipient"] == "FRA"
                                 and r["delivery"] == "delivered"], 20,
                        "FRA's row delivered in AUS's matrix")[0]
    check_eq(row.get("thread_id"), thread, "FRA's row's thread")


def test(tb):
    test_preemption(tb)
    q = tb.send("AUS", envelope(["FRA", "KEN"], "notification",
                                {"summary": "Shared advisory", "severity": "HIGH"}))
    to = {t["recipient"]: t["id"] for t in q["to"]}
    thread = q["thread_id"]
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
    refused(tb, "FRA", e, "fra-open.json", "thread_nonce: required")
    c = cases(tb, "FRA")[to["FRA"]]
    check_eq((c["status"], c["messages"]), before_fra, "FRA's case untouched")

    # --- at AUS, the sender, where KEN has a part in the thread
    _, e = wire(thread, to["FRA"], "AUS", "status_update", closed)
    refused(tb, "AUS", e, "aus-update.json", "is a message with another member")
    _, e = wire(thread, to["FRA"], "AUS", "acknowledgement",
                {"ack_of": to["FRA"], "acknowledged_by": "KEN pretending"})
    refused(tb, "AUS", e, "aus-ack.json", "is a message with another member")
    _, e = wire(thread, "", "AUS", "notification", {"summary": "second opening"})
    refused(tb, "AUS", e, "aus-open.json", "thread_nonce: required")

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

    # --- a new case in a thread KEN's own nonce makes (not its id) is taken
    nonce = os.urandom(16).hex()
    own_thread = bound_thread("KEN", nonce)
    nid, e = wire(own_thread, "", "FRA", "notification", {"summary": "KEN's case"})
    e["thread_nonce"] = nonce
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
