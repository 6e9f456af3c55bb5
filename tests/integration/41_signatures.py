#!/usr/bin/env python3
"""Message signatures: every envelope carries its sender's signature by the
node key, checked on receipt against the TLS peer certificate and kept with
the signer's certificate, so that a case can be re-verified later from the
store alone (`pocctl show --json`: signature_verified; `pocctl verify ID`
checks it in the client against the network CA).

Attacks: an envelope without a signature, and one with a well-formed
signature over other bytes, are REJECTED with the reason, logged, and not
stored.  A stored envelope changed behind the node's back, or a kept
signer certificate swapped for another member's, no longer verifies."""

import hashlib
import json
import sqlite3

from tb import check, check_eq, envelope, receipts, run_test, wire_envelope
from rel import der_of


def verify(tb, member, msg_id):
    rc, out, err = tb.pocctl_text(member, "--json", "verify", msg_id)
    check(rc in (0, 1), f"pocctl verify exited {rc}: {out}{err}")
    return rc, json.loads(out)


def test(tb):
    # --- a normal exchange verifies on both sides
    sent = tb.send("AUS", envelope("FRA", "notification",
                                   {"summary": "Signed notification text",
                                    "severity": "HIGH"}))
    mid = sent["id"]
    tb.wait_until(lambda: tb.find("FRA", "inbox", mid), 20, "notification at FRA")
    m = tb.show("FRA", mid)
    check(m.get("signature_verified") is True, f"FRA: not verified: {m}")
    check(len(m.get("signature", "")) >= 16, f"FRA: no signature kept: {m}")
    check(len(m.get("signer_certificate", "")) > 200, f"FRA: no signer cert: {m}")
    check_eq(bytes.fromhex(m["signer_certificate"]), der_of(tb.info("AUS")["node_cert"]),
             "the kept signer certificate is AUS's node certificate")
    rc, v = verify(tb, "FRA", mid)
    check(rc == 0 and v.get("verified") is True, f"FRA: pocctl verify: {v}")
    o = tb.show("AUS", mid)
    check(o.get("signature_verified") is True, f"AUS outbox copy not verified: {o}")
    rc, v = verify(tb, "AUS", mid)
    check(rc == 0 and v.get("verified") is True, f"AUS: pocctl verify: {v}")
    rc, out, err = tb.pocctl_text("FRA", "show", mid)
    check(rc == 0 and "Signature:" in out and "verified" in out, f"text show: {out}")

    # --- no signature, and a signature over other bytes: refused
    for flag, why in (("--no-sign", "no signature"),
                      ("--bad-sign", "does not verify")):
        env = wire_envelope(f"Envelope sent with {flag}", tlp="AMBER",
                            severity="MEDIUM")
        rc, out, err = tb.pocpeer("AUS", "FRA", flag, "--json", "send",
                                  tb.tmpfile("bad.json", env))
        rs = receipts(out)
        check(len(rs) == 1 and rs[0].get("status") == "REJECTED",
              f"{flag}: want one REJECTED receipt; exit {rc}\n{out}\n{err}")
        check(why in rs[0].get("reason", ""), f"{flag}: reason {rs[0]!r}")
        check(not tb.find("FRA", "inbox", env["id"]), f"{flag}: envelope stored")
        tb.wait_until(lambda: f"envelope {env['id']} refused: " in tb.log("FRA"),
                      5, f"{flag}: log line")
        check(why in [l for l in tb.log("FRA").splitlines()
                      if env["id"] in l][-1], f"{flag}: log line without reason")
    # and a signed one on the same footing is taken
    env = wire_envelope("Envelope signed by pocpeer", tlp="AMBER",
                        severity="MEDIUM")
    rc, out, err = tb.pocpeer("AUS", "FRA", "--json", "send", tb.tmpfile("ok.json", env))
    check([r.get("status") for r in receipts(out)] == ["ACCEPTED"],
          f"signed pocpeer envelope: exit {rc}\n{out}\n{err}")
    check(tb.show("FRA", env["id"]).get("signature_verified") is True,
          "pocpeer's envelope not verified")

    # --- the store changed behind the node's back no longer verifies
    db = tb.info("FRA")["db"]
    con = sqlite3.connect(db, timeout=10)
    try:
        blob = con.execute("SELECT envelope FROM messages WHERE id = ?",
                           (mid,)).fetchone()[0]
        check(b"Signed notification text" in blob, "summary not in the stored bytes")
        con.execute("UPDATE messages SET envelope = ? WHERE id = ?",
                    (blob.replace(b"Signed notification text",
                                  b"Signed notification TEXT"), mid))
        con.commit()
    finally:
        con.close()
    m = tb.show("FRA", mid)
    check(m.get("signature_verified") is False, f"edited envelope still verified: {m}")
    check("does not verify" in m.get("signature_error", ""), f"error: {m}")
    rc, v = verify(tb, "FRA", mid)
    check(rc == 1 and v.get("verified") is False, f"pocctl verify of edited: {v}")

    # a kept signer certificate swapped for KEN's: not AUS's, refused.
    # (Schema 5 keeps each certificate once, in signer_certs, keyed by the
    # SHA-256 of its DER; a message names its signer by that digest.)
    con = sqlite3.connect(db, timeout=10)
    try:
        ken = der_of(tb.info("KEN")["node_cert"])
        fp = hashlib.sha256(ken).digest()
        con.execute("INSERT OR IGNORE INTO signer_certs (fp, cert) VALUES (?, ?)",
                    (fp, ken))
        cur = con.execute("UPDATE messages SET signer = ? WHERE id = ?",
                          (fp, env["id"]))
        check(cur.rowcount == 1, "the signed message is not in the store")
        con.commit()
    finally:
        con.close()
    m = tb.show("FRA", env["id"])
    check(m.get("signature_verified") is False, f"swapped signer verified: {m}")
    rc, v = verify(tb, "FRA", env["id"])
    check(rc == 1 and "not AUS" in v.get("reason", ""), f"pocctl verify swapped: {v}")


if __name__ == "__main__":
    run_test(test)
