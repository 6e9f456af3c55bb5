#!/usr/bin/env python3
"""Listings and the kept signature verdict (daemon/ctl_sig.c): a page says
"signature verified" from the verdict kept with each message instead of an
ECDSA verification per row each time, and that verdict stays truthful.

- received with its signer: the receive path's own check is kept with the
  row, and the inbox says verified;
- sent: the first listing runs the full check and keeps its verdict;
- the envelope or its signer changed behind the node's back: the schema's
  trigger forgets the verdict, the next listing checks in full and says
  NOT verified, with the reason, and keeps nothing;
- show (and so pocctl verify) always checks in full, whatever is kept;
- the signer's certificate revoked and the CRL reloaded by SIGHUP: the
  next listing says NOT verified at once, kept verdict or not (the
  chain verdicts cached per certificate go with the old CA store), as
  show does."""

import hashlib
import os
import signal
import sqlite3
import subprocess

from tb import MKPKI, check, check_eq, envelope, run_test


def verdict(tb, member, msg_id):
    """messages.sig_verified of msg_id in member's store (read while the
    node runs: WAL)."""
    con = sqlite3.connect(f"file:{tb.info(member)['db']}?mode=ro", uri=True,
                          timeout=10)
    try:
        row = con.execute("SELECT sig_verified FROM messages WHERE id = ?",
                          (msg_id,)).fetchone()
    finally:
        con.close()
    check(row is not None, f"{member}: {msg_id} not in the store")
    return row[0]


def write(tb, member, sql, args):
    con = sqlite3.connect(tb.info(member)["db"], timeout=10)
    try:
        cur = con.execute(sql, args)
        check(cur.rowcount == 1, f"{sql}: {cur.rowcount} rows")
        con.commit()
    finally:
        con.close()


def listed(tb, member, box, msg_id):
    got = tb.find(member, box, msg_id)
    check(len(got) == 1, f"{member} {box}: {msg_id} listed {len(got)} times")
    return got[0]


def test(tb):
    texts = {}
    ids = []
    for i in range(3):
        texts[i] = f"Verdict notification number {i}"
        ids.append(tb.send("AUS", envelope(
            "FRA", "notification", {"summary": texts[i],
                                    "severity": "HIGH"}))["id"])
    for mid in ids:
        tb.wait_until(lambda mid=mid: tb.find("FRA", "inbox", mid), 20,
                      f"{mid} at FRA")
        tb.wait_until(lambda mid=mid: listed(tb, "AUS", "outbox", mid)
                      .get("state") == "delivered", 20, f"{mid} delivered")

    # --- received: the receive path's check is the kept verdict
    for mid in ids:
        check_eq(verdict(tb, "FRA", mid), 1, f"FRA's kept verdict of {mid}")
        m = listed(tb, "FRA", "inbox", mid)
        check(m.get("signature_verified") is True, f"FRA inbox: {m}")
        check(len(m.get("signer_certificate", "")) > 200,
              f"FRA inbox: no signer certificate: {m}")

    # --- sent: the first listing checks in full and keeps the verdict
    for mid in ids:
        m = listed(tb, "AUS", "outbox", mid)
        check(m.get("signature_verified") is True, f"AUS outbox: {m}")
        check_eq(verdict(tb, "AUS", mid), 1, f"AUS's kept verdict of {mid}")

    # --- the envelope changed behind the node's back
    mid = ids[0]
    db = tb.info("FRA")["db"]
    con = sqlite3.connect(db, timeout=10)
    try:
        blob = con.execute("SELECT envelope FROM messages WHERE id = ?",
                           (mid,)).fetchone()[0]
    finally:
        con.close()
    check(texts[0].encode() in blob, "summary not in the stored bytes")
    write(tb, "FRA", "UPDATE messages SET envelope = ? WHERE id = ?",
          (blob.replace(texts[0].encode(), texts[0].upper().encode()), mid))
    check_eq(verdict(tb, "FRA", mid), 0, "verdict after the edit")
    for _ in range(2):      # and not kept as verified by the first listing
        m = listed(tb, "FRA", "inbox", mid)
        check(m.get("signature_verified") is False,
              f"edited envelope listed as verified: {m}")
        check("does not verify" in m.get("signature_error", ""),
              f"edited envelope: reason {m.get('signature_error')!r}")
        check_eq(verdict(tb, "FRA", mid), 0, "verdict after a listing")
    # a verdict forged in the file does not fool show, which checks in full
    write(tb, "FRA", "UPDATE messages SET sig_verified = 1 WHERE id = ?",
          (mid,))
    m = tb.show("FRA", mid)
    check(m.get("signature_verified") is False, f"show trusted a verdict: {m}")

    # --- its signer swapped for KEN's: not AUS's
    mid = ids[1]
    ken = subprocess.run(["openssl", "x509", "-in", tb.info("KEN")["node_cert"],
                          "-outform", "DER"], capture_output=True,
                         timeout=30).stdout
    check(len(ken) > 200, "KEN's certificate as DER")
    fp = hashlib.sha256(ken).digest()
    con = sqlite3.connect(db, timeout=10)
    try:
        con.execute("INSERT OR IGNORE INTO signer_certs (fp, cert)"
                    " VALUES (?, ?)", (fp, ken))
        con.commit()
    finally:
        con.close()
    write(tb, "FRA", "UPDATE messages SET signer = ? WHERE id = ?", (fp, mid))
    check_eq(verdict(tb, "FRA", mid), 0, "verdict after the signer swap")
    m = listed(tb, "FRA", "inbox", mid)
    check(m.get("signature_verified") is False, f"swapped signer listed: {m}")
    check("not AUS" in m.get("signature_error", ""),
          f"swapped signer: reason {m.get('signature_error')!r}")

    # --- the untouched one still lists as verified, from its verdict
    m = listed(tb, "FRA", "inbox", ids[2])
    check(m.get("signature_verified") is True, f"untouched message: {m}")
    check(tb.show("FRA", ids[2]).get("signature_verified") is True,
          "untouched message: show")

    # --- its signer revoked: the kept verdict does not outlive the CRL
    pki = os.path.dirname(tb.info("FRA")["network_ca"])
    r = subprocess.run([MKPKI, "revoke", pki, tb.info("AUS")["node_cert"]],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"mkpki revoke: {r.stdout}{r.stderr}")
    reloads = tb.pocctl("FRA", "status").get("reloads", 0)
    os.kill(tb.info("FRA")["pid"], signal.SIGHUP)
    tb.wait_until(lambda: tb.pocctl("FRA", "status").get("reloads", 0) > reloads,
                  10, "FRA's CRL reload")
    check_eq(verdict(tb, "FRA", ids[2]), 1, "the kept verdict before listing")
    shown = tb.show("FRA", ids[2])
    m = listed(tb, "FRA", "inbox", ids[2])
    check(m.get("signature_verified") is shown.get("signature_verified"),
          f"listing and show disagree on a revoked signer: {m} / {shown}")
    check(m.get("signature_verified") is False,
          f"a revoked signer's message still listed as verified: {m}")


if __name__ == "__main__":
    run_test(test)
