#!/usr/bin/env python3
"""One message to many in one thread, with a recipient that does not take
shared threads (issue 12 item 3, docs/directory.md "One message to
many").  AUS holds DEU's record as a node of an older release signs it:
without shared_threads (made here with DEU's key and openssl, serial one
higher).  AUS sends one FLASH request to FRA, KEN and DEU: FRA and KEN
get the case's shared thread (made from AUS and the case's nonce), DEU a
thread of its own (thread_id = its id); every envelope has its own id
and signature.  FRA and DEU
acknowledge, KEN does not and is overdue on its own; KEN then responds.
The matrix shows each row with its thread and times; AUS keeps one case
row per recipient (two in the shared thread), FRA keeps its copy as a
case with AUS; each envelope verifies on its own.  Then DEU's node starts
as if upgraded from that release (its own record the old one): it signs
its record again with shared_threads, and AUS's next case reaches DEU in
the case's thread."""

import json
import os
import sqlite3

from dirtb import export, import_records, pack_record, record, sign_record
from tb import check, check_eq, envelope, now_ms, run_test

MEMBERS = ("AUS", "FRA", "KEN", "DEU")


def matrix(tb, any_id):
    return tb.pocctl("AUS", "thread", any_id)["to_many"]


def rows(case):
    return {r["recipient"]: r for r in case.get("rows", [])}


def old_style(tb, member):
    """member's record as AUS holds it, re-signed by member's key without
    shared_threads and with a higher serial, imported at AUS; returned."""
    r = export(tb, "AUS", member)["records"][0]
    check(r.get("shared_threads") is True,
          f"{member}'s record does not advertise shared threads: {r}")
    r.pop("shared_threads")
    r["serial"] = str(int(r["serial"]) + 1)
    r["signed_at"] = str(now_ms())
    sign_record(r, tb.info(member)["node_key"], tb.dir)
    rc, out, err = import_records(tb, "AUS", [r], f"{member}-old.json")
    check(rc == 0, f"AUS: import {member}'s old-style record: {out}{err}")
    held = record(tb, "AUS", member)
    check(int(held["serial"]) == int(r["serial"]) and
          not held.get("shared_threads"),
          f"AUS holds {member}'s record: {held}")
    return r


def upgrade(tb, member, old):
    """member's node, as if upgraded from a release that signed old: its
    own record is old when it starts; it signs it again with
    shared_threads, and AUS takes the new record."""
    tb.stop(member)
    db = sqlite3.connect(tb.info(member)["db"], timeout=10)
    with db:
        db.execute("UPDATE directory SET serial = ?, record = ? WHERE code = ?",
                   (int(old["serial"]), pack_record(old), member))
    db.close()
    tb.start(member)
    own = tb.wait_until(lambda: (lambda r: r if r and r.get("shared_threads")
                                 else None)(record(tb, member, member)),
                        20, f"{member}'s own record re-signed")
    check_eq(int(own["serial"]), int(old["serial"]) + 1, f"{member}'s serial")
    rc, out, err = import_records(tb, "AUS", export(tb, member, member)["records"],
                                  f"{member}-new.json")
    check(rc == 0, f"AUS: import {member}'s new record: {out}{err}")
    check(record(tb, "AUS", member).get("shared_threads") is True,
          f"AUS holds {member}'s upgraded record")


def test(tb):
    tb.configure("AUS", "[deadlines]\nflash = 4\n")
    old = old_style(tb, "DEU")
    check(record(tb, "AUS", "FRA").get("shared_threads") is True,
          "FRA's record advertises shared threads")

    q = tb.send("AUS", envelope(["FRA", "KEN", "DEU"], "assistance_request",
                                {"summary": "Wiper on ministry networks",
                                 "urgency": "FLASH"}))
    to = {t["recipient"]: t["id"] for t in q["to"]}
    case_id = q["id"]
    check_eq(len(set(to.values())), 3, "one envelope id per recipient")
    check(to["DEU"] != case_id, f"DEU's envelope is not the first: {to}")
    shared = q["thread_id"]
    check(shared not in to.values(), f"the shared thread is no envelope's id: {q}")
    want = {"FRA": shared, "KEN": shared, "DEU": to["DEU"]}
    for m in ("FRA", "KEN", "DEU"):
        got = tb.wait_until(lambda m=m: tb.find(m, "inbox", to[m]), 20,
                            f"the request at {m}")[0]
        check_eq(got["thread_id"], want[m], f"{m}: thread on the wire")
        check_eq(got["id"], to[m], f"{m}: its own id")
    c = matrix(tb, case_id)
    check_eq({m: r.get("thread_id") for m, r in rows(c).items()}, want,
             "the matrix's threads")

    tb.pocctl("FRA", "ack", to["FRA"])
    tb.pocctl("DEU", "ack", to["DEU"])

    def settled():
        r = rows(matrix(tb, case_id))
        return r if (r["FRA"].get("acknowledged_at") and
                     r["DEU"].get("acknowledged_at") and
                     r["KEN"].get("overdue")) else None
    r = tb.wait_until(settled, 30, "FRA and DEU acknowledged, KEN overdue")
    check(not r["FRA"].get("overdue") and not r["DEU"].get("overdue"),
          f"only KEN is overdue: {r}")
    check(not r["KEN"].get("acknowledged_at"), f"KEN's row: {r['KEN']}")
    for m in ("FRA", "KEN", "DEU"):
        check(r[m].get("delivered_at"), f"{m}: delivered_at: {r[m]}")

    tb.pocctl("KEN", "respond", to["KEN"], "--decision", "WILL_ASSIST")
    c = tb.wait_until(lambda: (lambda c: c if rows(c)["KEN"].get("responded_at")
                               else None)(matrix(tb, to["KEN"])),
                      20, "KEN's response in the case")
    check_eq((c["recipients"], c["delivered"], c["acknowledged"],
              c["responded"], c["overdue"]), (3, 3, 2, 1, 1),
             "recipients, delivered, acknowledged, responded, overdue")
    check_eq(rows(c)["KEN"]["response_id"] != "", True, "KEN's response id")
    # DEU's thread is its own but its answers are in the one case.
    check_eq(matrix(tb, to["DEU"])["id"], case_id, "thread of DEU's envelope")

    rc, text, err = tb.pocctl_text("AUS", "thread", to["DEU"])
    check(rc == 0 and "Case to 3 members" in text, f"thread text:\n{text}{err}")
    for m in ("FRA", "KEN", "DEU"):
        check(any(line.startswith(m + " ") for line in text.splitlines()),
              f"no row for {m}:\n{text}")

    # Cases: at AUS one per recipient, two of them in the shared thread;
    # at FRA its copy is a case with AUS.
    cases = {c["id"]: c for c in tb.pocctl("AUS", "cases")}
    check_eq({m: (cases[to[m]]["thread_id"], cases[to[m]]["party"])
              for m in to}, {m: (want[m], m) for m in to}, "AUS's cases")
    fra = {c["id"]: c for c in tb.pocctl("FRA", "cases")}[to["FRA"]]
    check_eq((fra["thread_id"], fra["party"]), (shared, "AUS"), "FRA's case")

    for m in ("FRA", "KEN", "DEU"):
        for at in ("AUS", m):
            rc, out, err = tb.pocctl_text(at, "--json", "verify", to[m])
            check(rc == 0 and json.loads(out).get("verified") is True,
                  f"{at}: verify {m}'s envelope: {out}{err}")

    # The audit export holds an entry for each envelope on its own, and
    # the export verifies.
    path = os.path.join(tb.dir, "AUS-audit.jsonl")
    rc, out, err = tb.pocctl_text("AUS", "audit", "export", "--out", path)
    check(rc == 0, f"audit export: {out}{err}")
    with open(path, encoding="utf-8") as f:
        logged = {json.loads(line).get("message_id") for line in f if line.strip()}
    check(set(to.values()) <= logged, f"audit entries for {to}")
    rc, out, err = tb.pocctl_text("AUS", "--json", "audit", "verify", path)
    check(rc == 0, f"audit verify: {out}{err}")

    # DEU upgrades: its record says shared_threads again, and the next
    # case reaches it in the case's thread.
    upgrade(tb, "DEU", old)
    q2 = tb.send("AUS", envelope(["FRA", "DEU"], "notification",
                                 {"summary": "After DEU's upgrade"}))
    to2 = {t["recipient"]: t["id"] for t in q2["to"]}
    got = tb.wait_until(lambda: tb.find("DEU", "inbox", to2["DEU"]), 30,
                        "the notification at DEU")[0]
    check(q2["thread_id"] not in to2.values(), f"a shared thread: {q2}")
    check_eq(got["thread_id"], q2["thread_id"],
             "DEU: the case's thread after upgrading")


if __name__ == "__main__":
    run_test(test, members=MEMBERS)
