#!/usr/bin/env python3
"""Witnessed audit heads (issue 15, item 1; docs/witness.md): forged heads
are detected and change nothing.  Heads are built byte by byte here and
signed with the openssl command, as common/audithead.c signs them:

- to FRA as AUS: a head whose signature is over other bytes, one signed
  under another context ("pocd record v1", a directory record's), and one
  of another member's log (KEN's, signed by AUS): each gets an Error and a
  close, a log line, and FRA's head of AUS stays what AUS really signed;
- AUS's real head (its count and hash), correctly signed, is taken and
  answered with FRA's own head (the control: the test cannot pass
  vacuously);
- to AUS as FRA: a WitnessedHead claiming AUS signed a head of 1000
  entries, but signed by FRA's key: AUS logs that it never signed it and
  raises no alarm (a hostile peer cannot cry wolf);
- `pocctl audit verify --witness` accepts FRA's real export of AUS's
  head, and refuses a head file whose count was edited, and one signed by
  another member's key, as FORGED (exit 1)."""

import json
import os
import struct

from tb import check, check_eq, frame, now_ms, run_test, tls_client
from rel import RawPeer, der_of, describe_peer_frame, pb_raw, sign, wait_log
from tb import pb_field
from witness_tb import (audit_count, exchange, export_head, fast_heads,
                        latest, status, verify_witness, wait_held)

CTX_HEAD = b"pocd audit head v1"
CTX_RECORD = b"pocd record v1"
PF_AUDIT_HEAD, PF_WITNESSED_HEAD = 200, 201


def head_bytes(member, count, last_hash, t):
    """What a head's signature covers (after the context)."""
    m = member.encode()
    return (struct.pack(">I", len(m)) + m + struct.pack(">q", count) +
            last_hash + struct.pack(">q", t))


def audit_head(key, member, count, last_hash=b"\x11" * 32, t=None,
               ctx=CTX_HEAD, bad=False, cert_der=b""):
    """AuditHead bytes signed by key (bad: over another time)."""
    t = t or now_ms()
    sig = sign(key, head_bytes(member, count, last_hash, t + (1 if bad else 0)), ctx)
    h = (pb_field(1, member) + pb_field(2, count) + pb_raw(3, last_hash) +
         pb_field(4, t) + pb_raw(5, sig))
    return h + (pb_raw(6, cert_der) if cert_der else b"")


def send_as(tb, sender, to, payload):
    """A connection to `to` as `sender` (its node certificate): Hello, the
    payload, then the frames `to` sends until it closes (described)."""
    me = tb.info(sender)
    p = RawPeer(tb.info(to)["peer_port"], tls_client(me["network_ca"],
                                                     me["node_cert"], me["node_key"]))
    try:
        p.hello(sender, audit_heads=True)
        p.send(frame(payload))
        return p.frames_until_close()
    finally:
        p.close()


def test(tb):
    fast_heads(tb, "AUS", "FRA")
    exchange(tb, 2, tag="forged")
    n = audit_count(tb, "AUS")
    real = wait_held(tb, "FRA", "AUS", n)
    key = tb.info("AUS")["node_key"]

    for what, h, pattern in (
            ("signature over other bytes", audit_head(key, "AUS", 999, bad=True),
             r"forged audit head"),
            ("signed as a directory record", audit_head(key, "AUS", 999, ctx=CTX_RECORD),
             r"forged audit head"),
            ("another member's log", audit_head(key, "KEN", 999),
             r"audit head of KEN from AUS")):
        offset = len(tb.log("FRA"))
        got = send_as(tb, "AUS", "FRA", pb_raw(PF_AUDIT_HEAD, h))
        errors = [g for g in got if g[0] == "error"]
        check(errors and errors[0][1] == "IDENTITY",
              f"{what}: want an Error IDENTITY and a close, got {got!r}")
        wait_log(tb, "FRA", offset, pattern, what)
        held = latest(tb, "FRA", "AUS")
        check_eq((held["count"], held["last_hash"]), (real["count"], real["last_hash"]),
                 f"FRA's head of AUS after a forgery ({what})")

    # Control: AUS's real head (count and hash), correctly signed, is
    # taken: having verified it, FRA treats the connection as one that
    # speaks heads and sends its own, instead of an Error.
    me = tb.info("AUS")
    p = RawPeer(tb.info("FRA")["peer_port"], tls_client(me["network_ca"],
                                                        me["node_cert"], me["node_key"]))
    try:
        p.hello("AUS", audit_heads=True)
        p.send(frame(pb_raw(PF_AUDIT_HEAD, audit_head(
            key, "AUS", real["count"], bytes.fromhex(real["last_hash"])))))
        d = describe_peer_frame(p.recv_frame())
        check_eq(d[0], "other", "FRA's answer to a real head (its own head)")
    finally:
        p.close()

    # --- a WitnessedHead of AUS's log signed by FRA's key, to AUS
    offset = len(tb.log("AUS"))
    fra = tb.info("FRA")
    forged = audit_head(fra["node_key"], "AUS", 1000, cert_der=der_of(fra["node_cert"]))
    wh = pb_raw(PF_WITNESSED_HEAD, pb_raw(1, forged))
    p = RawPeer(tb.info("AUS")["peer_port"], tls_client(fra["network_ca"],
                                                        fra["node_cert"], fra["node_key"]))
    try:
        p.hello("FRA", audit_heads=True)
        p.send(frame(wh))
        wait_log(tb, "AUS", offset, r"witness FRA: sent a head of our log that "
                 r"we did not sign", "AUS refuses the forged witnessed head")
    finally:
        p.close()
    st = status(tb, "AUS")
    check(not st.get("audit_alarm"), f"a forged head raised an alarm: {st.get('audit_alarm')!r}")

    # --- forged head files for audit verify --witness
    path, head = export_head(tb, "FRA", "AUS", "real")
    rc, docs, err = verify_witness(tb, "AUS", path)
    check(rc == 0 and docs[-1].get("ok") is True,
          f"the real head verifies: {rc} {docs} {err}")
    edited = dict(head, count=head["count"] - 1)
    epath = os.path.join(tb.dir, "edited-head.json")
    with open(epath, "w", encoding="utf-8") as f:
        json.dump(edited, f)
    rc, out, err = tb.pocctl_text("AUS", "audit", "verify", "--witness", epath)
    check(rc == 1 and "FORGED" in err, f"edited head file: {rc} {out} {err}")
    kpath = os.path.join(tb.dir, "fra-signed-head.json")
    sig = sign(fra["node_key"], head_bytes("AUS", 1, b"\x22" * 32, now_ms()),
               CTX_HEAD)
    with open(kpath, "w", encoding="utf-8") as f:
        json.dump(dict(head, count=1, last_hash="22" * 32, signature=sig.hex(),
                       time=head["time"], signer_cert=der_of(fra["node_cert"]).hex()), f)
    rc, out, err = tb.pocctl_text("AUS", "audit", "verify", "--witness", kpath)
    check(rc == 1 and "FORGED" in err, f"head signed by FRA's key: {rc} {out} {err}")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA", "KEN"))
