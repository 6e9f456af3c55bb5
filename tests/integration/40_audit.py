#!/usr/bin/env python3
"""The audit log (DESIGN.md "Store and audit"): after a request,
acknowledgement and response between AUS and FRA, each node's exported log
has one entry per state change (queued, received, delivered; a duplicate
adds none) and `pocctl audit verify` finds the chain intact.  Then the
attacks: one row edited in the SQLite audit table behind the node's back
(the export shows it, verify fails at exactly that seq), and one line of
an exported file edited (verify fails at that line's seq).  Across kill -9
of either node the entries still match the stored state one to one."""

import json
import os
import sqlite3
import subprocess

from tb import check, check_eq, envelope, run_test

SQLITE3 = "sqlite3"


def export(tb, member, name):
    path = os.path.join(tb.dir, f"{member}-{name}.jsonl")
    rc, out, err = tb.pocctl_text(member, "audit", "export", "--out", path)
    check(rc == 0, f"{member}: pocctl audit export exited {rc}: {out}{err}")
    with open(path, encoding="utf-8") as f:
        entries = [json.loads(line) for line in f if line.strip()]
    return path, entries


def verify(tb, member, path):
    """Returns (rc, parsed JSON) of pocctl --json audit verify PATH."""
    rc, out, err = tb.pocctl_text(member, "--json", "audit", "verify", path)
    check(rc in (0, 1), f"pocctl audit verify exited {rc}: {out}{err}")
    try:
        return rc, json.loads(out)
    except ValueError:
        raise AssertionError(f"audit verify output is not JSON: {out!r} {err!r}")


def kinds_of(entries, msg_id):
    return [e["kind"] for e in entries if e["message_id"] == msg_id]


def test(tb):
    # --- the exchange: request AUS -> FRA, ack and response FRA -> AUS
    req = tb.send("AUS", envelope("FRA", "assistance_request",
                                  {"summary": "Audit trail test request",
                                   "severity": "MEDIUM", "urgency": "PRIORITY"}))
    rid = req["id"]
    tb.wait_until(lambda: tb.find("FRA", "inbox", rid), 20, "request at FRA")
    tb.wait_until(lambda: [m for m in tb.find("AUS", "outbox", rid)
                           if m.get("state") == "delivered"], 20, "request delivered")
    ack = tb.pocctl("FRA", "ack", rid, "--note", "received")
    resp = tb.pocctl("FRA", "respond", rid, "--decision", "WILL_ASSIST",
                     "--timeframe", "4 hours")
    for m in (ack, resp):
        tb.wait_until(lambda m=m: tb.find("AUS", "inbox", m["id"]), 20,
                      f"{m['id']} at AUS")
        tb.wait_until(lambda m=m: [x for x in tb.find("FRA", "outbox", m["id"])
                                   if x.get("state") == "delivered"], 20,
                      f"{m['id']} delivered")

    # --- every state change is one entry, and the chain verifies
    path, aus = export(tb, "AUS", "ok")
    check_eq(kinds_of(aus, rid), ["queued", "delivered"], "AUS entries of the request")
    check_eq(kinds_of(aus, ack["id"]), ["received"], "AUS entries of the ack")
    check_eq(kinds_of(aus, resp["id"]), ["received"], "AUS entries of the response")
    check_eq([e["seq"] for e in aus], list(range(1, len(aus) + 1)), "AUS seqs")
    rc, v = verify(tb, "AUS", path)
    check(rc == 0 and v.get("ok") is True and v.get("entries") == len(aus),
          f"AUS export does not verify: {v}")
    fpath, fra = export(tb, "FRA", "ok")
    check_eq(kinds_of(fra, rid), ["received"], "FRA entries of the request")
    check_eq(kinds_of(fra, ack["id"]), ["queued", "delivered"], "FRA entries of the ack")
    rc, v = verify(tb, "FRA", fpath)
    check(rc == 0 and v.get("ok") is True, f"FRA export does not verify: {v}")
    by_id = {e["message_id"]: e for e in aus if e["kind"] == "received"}
    check_eq(by_id[ack["id"]]["peer"], "FRA", "peer of the received ack")

    # A resend of a received envelope (duplicate) is not a new entry.
    n_before = len(export(tb, "FRA", "before-dup")[1])
    rc, out, err = tb.pocpeer("AUS", "FRA", "--json", "send",
                              tb.tmpfile("dup.json", dup_envelope()))
    check(rc == 0, f"pocpeer send: {rc} {out} {err}")
    rc, out, err = tb.pocpeer("AUS", "FRA", "--json", "send",
                              tb.tmpfile("dup2.json", dup_envelope()))
    check(rc == 0 and '"DUPLICATE"' in out, f"resend not DUPLICATE: {out} {err}")
    after = export(tb, "FRA", "after-dup")[1]
    check_eq(len(after), n_before + 1, "FRA entries after one new and one duplicate")

    consistent(tb, "AUS")
    consistent(tb, "FRA")
    crash(tb)
    _, aus = export(tb, "AUS", "ok2")

    # --- attack 1: one row of the audit table edited with sqlite3
    target = aus[2]["seq"]
    db = tb.info("AUS")["db"]
    r = subprocess.run([SQLITE3, db, f"UPDATE audit SET detail = 'edited' "
                        f"WHERE seq = {target}"], capture_output=True, text=True,
                       timeout=30)
    check(r.returncode == 0, f"sqlite3 UPDATE failed: {r.stderr}")
    tpath, tampered = export(tb, "AUS", "tampered")
    check_eq(tampered[target - 1]["detail"], "edited", "the export shows the edited row")
    rc, v = verify(tb, "AUS", tpath)
    check(rc == 1 and v.get("ok") is False, f"tampered export verified: {v}")
    check_eq(v.get("broken_seq"), target, "the broken entry's seq (database edit)")
    rc, out, err = tb.pocctl_text("AUS", "audit", "verify", tpath)
    check(rc == 1 and f"seq {target}" in out, f"text verify: {rc} {out} {err}")

    # --- attack 2: one line of a good export edited
    with open(fpath, encoding="utf-8") as f:
        lines = f.readlines()
    k = 1   # the second entry
    e = json.loads(lines[k])
    e["peer"] = "KEN"
    lines[k] = json.dumps(e, separators=(",", ":")) + "\n"
    epath = os.path.join(tb.dir, "FRA-edited.jsonl")
    with open(epath, "w", encoding="utf-8") as f:
        f.writelines(lines)
    rc, v = verify(tb, "FRA", epath)
    check(rc == 1 and v.get("broken_seq") == e["seq"],
          f"edited line {k + 1}: want broken_seq {e['seq']}, got {v}")
    # Dropping a line breaks the chain at the entry after it: seq 4 on line
    # 3 no longer follows seq 2.
    dpath = os.path.join(tb.dir, "FRA-dropped.jsonl")
    with open(fpath, encoding="utf-8") as f:
        lines = f.readlines()
    with open(dpath, "w", encoding="utf-8") as f:
        f.writelines(lines[:2] + lines[3:])
    rc, v = verify(tb, "FRA", dpath)
    check(rc == 1 and v.get("broken_seq") == 4 and v.get("line") == 3
          and "missing" in v.get("reason", ""), f"dropped entry 3: {v}")


def consistent(tb, member):
    """The audit log and the messages table tell the same story: one
    queued or received entry per message, one delivered or rejected entry
    per settled one, nothing else."""
    con = sqlite3.connect(tb.info(member)["db"], timeout=10)
    try:
        msgs = con.execute("SELECT id, direction, state FROM messages").fetchall()
        ents = con.execute("SELECT message_id, kind FROM audit ORDER BY seq").fetchall()
    finally:
        con.close()
    want = []
    for mid, direction, state in msgs:
        want.append((mid, "received" if direction == "in" else "queued"))
        if state in ("delivered", "rejected"):
            want.append((mid, state))
    check_eq(sorted(ents), sorted(want), f"{member}: audit entries vs messages")
    return len(ents)


def crash(tb):
    """kill -9 of the receiver, then of the sender, with envelopes in
    flight: after the restarts the logs still match the stores and
    verify."""
    ids = []
    for i in range(12):
        ids.append(tb.send("AUS", envelope("FRA", "notification",
                                           {"summary": f"Crash audit {i}",
                                            "severity": "LOW"}))["id"])
        if i == 4:
            tb.kill("FRA")
        if i == 8:
            tb.start("FRA")
            tb.kill("AUS")
            tb.start("AUS")
    for mid in ids:
        tb.wait_until(lambda mid=mid: [m for m in tb.find("AUS", "outbox", mid)
                                       if m.get("state") == "delivered"], 30,
                      f"{mid} delivered after the kills")
    for member in ("AUS", "FRA"):
        n = consistent(tb, member)
        path, entries = export(tb, member, "after-crash")
        check_eq(len(entries), n, f"{member}: exported entries")
        rc, v = verify(tb, member, path)
        check(rc == 0 and v.get("ok") is True, f"{member} after kill -9: {v}")


DUP_ID = "6e0c4a2b-3c1d-4e5f-8a9b-0c1d2e3f4a5b"


def dup_envelope():
    return {"id": DUP_ID, "thread_id": DUP_ID, "in_reply_to": "", "sender": "AUS",
            "recipient": "FRA", "created_at": 1764043200000, "tlp": "GREEN",
            "language": "en", "exercise": False,
            "notification": {"summary": "Audit duplicate test", "severity": "LOW"}}


if __name__ == "__main__":
    run_test(test)
