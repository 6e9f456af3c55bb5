#!/usr/bin/env python3
"""One message to many (issue 12 item 3): AUS sends one FLASH request to
FRA, KEN and DEU (a list in the template's recipient) while DEU is down.
It is one case of three envelopes, each signed on its own, in one thread
on the wire (made from AUS and the case's nonce: every node here
advertises shared threads; 57_shared_thread has one that does not);
FRA and KEN get theirs at once, DEU's waits in the outbox and arrives when
DEU is started.  FRA acknowledges, KEN acknowledges and responds, DEU does
nothing and becomes overdue on its own.  `pocctl thread` shows the matrix
(text and --json) and `pocctl status` the case's counts.  Then the other
forms: --to network:OSCE reaches the members whose record names OSCE,
--to all every other member; and a list naming an unknown member or this
node is refused with nothing queued."""

import json

from dirtb import export, import_records
from tb import bound_thread, check, check_eq, envelope, run_test

MEMBERS = ("AUS", "FRA", "KEN", "DEU")


def outbox_ids(tb):
    return {m["id"] for m in tb.box("AUS", "outbox")}


def matrix(tb, any_id):
    t = tb.pocctl("AUS", "thread", any_id)
    check(isinstance(t, dict) and "to_many" in t,
          f"thread --json of a case to many is not {{to_many, messages}}: {t!r}"[:400])
    return t["to_many"], t["messages"]


def row(case, member):
    rows = [r for r in case.get("rows", []) if r["recipient"] == member]
    check_eq(len(rows), 1, f"rows for {member}")
    return rows[0]


def test(tb):
    tb.configure("AUS", "[deadlines]\nflash = 4\n")
    tb.stop("DEU")

    req = envelope(["FRA", "KEN", "DEU"], "assistance_request",
                   {"summary": "Coordinated DDoS on election sites",
                    "urgency": "FLASH"})
    q = tb.send("AUS", req)
    to = {t["recipient"]: t["id"] for t in q.get("to", [])}
    check_eq(sorted(to), ["DEU", "FRA", "KEN"], "recipients queued")
    check_eq(len(set(to.values())), 3, "one envelope id per recipient")
    check(q["thread_id"] not in to.values(),
          f"the case's thread {q['thread_id']} is no envelope's id: {to}")
    check(q["id"] in to.values(), f"reply id {q['id']} is one of {to}")

    # FRA and KEN get theirs; each has its own id, the same thread, and its
    # own signature that the receiving node verified.
    for m in ("FRA", "KEN"):
        got = tb.wait_until(lambda m=m: tb.find(m, "inbox", to[m]), 20,
                            f"the request at {m}")[0]
        check_eq(got["thread_id"], q["thread_id"],
                 f"{m}: the case's thread on the wire")
        check_eq(bound_thread("AUS", got.get("thread_nonce", "")), q["thread_id"],
                 f"{m}: the thread AUS's nonce makes")
        check_eq(got["recipient"], m, f"{m}: recipient")
        check(tb.show(m, to[m]).get("signature_verified") is True,
              f"{m}: signature not verified")
    # One signature for the command (docs/signatures.md): the three are
    # signed as one batch, each kept with its own leaf and path, and each
    # verifies on its own in AUS's store as at its recipient.
    shown = [tb.show("AUS", i) for i in to.values()]
    for s in shown:
        check(s.get("signature_verified") is True,
              f"AUS's copy of {s.get('id')}: {s.get('signature_error')}")
        check_eq(s.get("signature", ""), "", "no single signature beside the proof")
    proofs = [s.get("batch") or {} for s in shown]
    check_eq(sorted(int(p.get("leaf_index", 0)) for p in proofs), [0, 1, 2],
             "one leaf per envelope")
    check_eq({int(p.get("tree_size", 0)) for p in proofs}, {3}, "one tree of three")
    check_eq(len({p.get("root_signature") for p in proofs}), 1,
             "one root signature for the command")
    check_eq(tb.show("AUS", to["DEU"])["state"], "queued", "DEU's while DEU is down")

    tb.pocctl("FRA", "ack", to["FRA"])
    tb.pocctl("KEN", "ack", to["KEN"])
    tb.pocctl("KEN", "respond", to["KEN"], "--decision", "WILL_ASSIST")

    def settled():
        case, _ = matrix(tb, q["id"])
        k = row(case, "KEN")
        return case if (row(case, "FRA")["acknowledged_at"] and
                        k["acknowledged_at"] and k["responded_at"] and
                        row(case, "DEU")["overdue"]) else None
    case = tb.wait_until(settled, 30, "FRA and KEN answered, DEU overdue")
    check_eq(case["recipients"], 3, "recipients")
    check_eq(case["delivered"], 2, "delivered (DEU is down)")
    check_eq(case["acknowledged"], 2, "acknowledged")
    check_eq(case["responded"], 1, "responded")
    check_eq(case["overdue"], 1, "overdue")
    f, d = row(case, "FRA"), row(case, "DEU")
    check(f["delivered_at"] and not f["responded_at"] and not f["overdue"],
          f"FRA's row: {f}")
    check_eq(d["delivery"], "queued", "DEU's delivery")
    check(not d["delivered_at"] and not d["acknowledged_at"], f"DEU's row: {d}")

    # DEU comes back: its envelope arrives, exactly once.
    tb.start("DEU")
    tb.wait_until(lambda: row(matrix(tb, to["DEU"])[0], "DEU")["delivered_at"],
                  30, "DEU's envelope delivered")
    check_eq(len(tb.find("DEU", "inbox", to["DEU"])), 1, "DEU holds it once")
    check_eq(len([m for m in tb.box("DEU", "inbox") if "election" in
                  (m.get("assistance_request") or {}).get("summary", "")]), 1,
             "DEU's copies of the request")

    # Text: the matrix, the message once, then the answers.
    rc, text, err = tb.pocctl_text("AUS", "thread", to["KEN"])
    check(rc == 0, f"thread: {err}")
    check("Case to 3 members" in text and "ACKNOWLEDGED" in text,
          f"no matrix in thread:\n{text}")
    for m in ("FRA", "KEN", "DEU"):
        check(any(line.startswith(m + " ") for line in text.splitlines()),
              f"no row for {m}:\n{text}")
    check_eq(text.count("Coordinated DDoS"), 1, "the message shown once")

    st = tb.pocctl("AUS", "status")
    cases = st.get("cases_to_many", [])
    check(cases and cases[0]["id"] == q["id"],
          f"status lacks the case: {cases}")
    check_eq(cases[0]["acknowledged"], 2, "status: acknowledged")
    rc, text, err = tb.pocctl_text("AUS", "status")
    check(rc == 0 and "CASE-TO-MANY" in text and q["id"][:8] in text,
          f"status text lacks the case:\n{text}{err}")

    # network:OSCE: FRA and DEU name OSCE in their records.
    recs = []
    for m in ("FRA", "DEU"):
        rc, out, err = tb.pocctl_text(m, "directory", "set", "networks", "OSCE")
        check(rc == 0, f"{m}: set networks: {err}")
        recs += export(tb, m, m)["records"]
    rc, out, err = import_records(tb, "AUS", recs)
    check(rc == 0, f"AUS: import: {out}{err}")
    note = envelope("", "notification", {"summary": "OSCE: advisory"})
    path = tb.tmpfile("osce.json", note)
    q2 = tb.pocctl("AUS", "send", path, "--to", "network:OSCE")
    check_eq(sorted(t["recipient"] for t in q2["to"]), ["DEU", "FRA"],
             "network:OSCE recipients")
    q3 = tb.pocctl("AUS", "send", path, "--to", "all")
    check_eq(sorted(t["recipient"] for t in q3["to"]), ["DEU", "FRA", "KEN"],
             "all recipients")
    for t in q2["to"] + q3["to"]:
        tb.wait_until(lambda t=t: tb.find(t["recipient"], "inbox", t["id"]), 20,
                      f"{t['id']} at {t['recipient']}")

    # All or nothing: one bad recipient refuses the whole case.
    before = outbox_ids(tb)
    for spec, why in (("FRA,XYZ,KEN", "unknown member"), ("FRA,AUS", "is this node"),
                      ("network:NOPE", "names network")):
        rc, out, err = tb.pocctl_text("AUS", "send", path, "--to", spec)
        check(rc != 0 and why in err, f"--to {spec}: exit {rc}, {err!r}")
    bad = envelope("FRA", "notification", {"summary": "x"})
    rc, out, err = tb.pocctl_text("AUS", "send", tb.tmpfile("b.json", bad),
                                  "--to", "FRA, KEN", "--json")
    check(rc == 0 and len(json.loads(out)["to"]) == 2, f"--to replaces: {out}{err}")
    check_eq(len(outbox_ids(tb) - before), 2, "only the good send was queued")


if __name__ == "__main__":
    run_test(test, members=MEMBERS)
