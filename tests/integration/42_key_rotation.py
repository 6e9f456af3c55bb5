#!/usr/bin/env python3
"""Message signatures across a node key rotation: AUS publishes a new
certificate's fingerprint in its directory record (as 12_directory_pinning
does), queues an envelope for FRA while FRA is down, then switches to the
new certificate and key with SIGHUP.  The queued envelope was signed with
the old key, and FRA checks signatures against the certificate of the TLS
session, now the new one: so AUS signs its queued envelopes again (an
audit entry "resigned" each) and reconnects.  Both the queued envelope
and one sent after the rotation must arrive, verify at FRA with AUS's new
certificate as signer, and AUS's audit chain must still verify."""

import json
import os
import signal

from dirtb import export, fingerprint, import_records
from rel import der_of
from tb import MKPKI, check, check_eq, envelope, run, run_test


def issue(tb, d, code):
    """A new node certificate for code from the test bed's network CA, in
    d.  Returns (cert, key, sha256 fingerprint)."""
    os.makedirs(d, exist_ok=True)
    for name in ("network-ca.pem", "network-ca.key", "network-ca.crl",
                 "network-ca.d"):
        link = os.path.join(d, name)
        if os.path.lexists(os.path.join(tb.dir, name)) and not os.path.lexists(link):
            os.symlink(os.path.join(tb.dir, name), link)
    rc, out, err = run([MKPKI, "member", d, code])
    check(rc == 0, f"mkpki member {d} {code}: {out}{err}")
    cert, key = os.path.join(d, code, "node.pem"), os.path.join(d, code, "node.key")
    rc, out, err = run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint",
                        "-sha256"])
    check(rc == 0, f"openssl x509: {err}")
    return cert, key, out.strip().split("=", 1)[1].replace(":", "").lower()


def delivered_and_verified(tb, mid, new_der, what):
    tb.wait_until(lambda: tb.find("FRA", "inbox", mid), 30, f"{what} at FRA")
    m = tb.show("FRA", mid)
    check(m.get("signature_verified") is True, f"{what}: not verified at FRA: {m}")
    check_eq(bytes.fromhex(m["signer_certificate"]), new_der,
             f"{what}: FRA kept AUS's new certificate as signer")
    rc, out, err = tb.pocctl_text("FRA", "verify", mid)
    check(rc == 0, f"{what}: pocctl verify at FRA: {out}{err}")
    o = tb.show("AUS", mid)
    check(o.get("signature_verified") is True, f"{what}: AUS's copy: {o}")


def test(tb):
    aus = tb.info("AUS")
    cert2, key2, fp2 = issue(tb, os.path.join(tb.dir, "aus-new"), "AUS")
    new_der = der_of(cert2)

    # Publish the new key beside the old one, and give FRA the record.
    rc, out, err = tb.pocctl_text("AUS", "directory", "set", "fingerprints",
                                  fingerprint(tb, "AUS"), fp2)
    check(rc == 0, f"directory set fingerprints: {out}{err}")
    rc, out, err = import_records(tb, "FRA", export(tb, "AUS", "AUS")["records"])
    check(rc == 0 and "1 record taken" in out, f"import AUS at FRA: {out}{err}")

    # An envelope queued under the old key while FRA is down.
    tb.stop("FRA")
    queued = tb.send("AUS", envelope("FRA", "notification",
                                     {"summary": "Queued across a key rotation",
                                      "severity": "LOW"}))
    before = tb.show("AUS", queued["id"])["signature"]

    # AUS switches to the new certificate and key with SIGHUP.
    with open(aus["config"], encoding="utf-8") as f:
        conf = f.read()
    with open(aus["config"], "w", encoding="utf-8") as f:
        f.write(conf.replace(aus["node_cert"], cert2).replace(aus["node_key"], key2))
    off = len(tb.log("AUS"))
    os.kill(aus["pid"], signal.SIGHUP)
    tb.wait_until(lambda: "1 queued envelope signed with the new key"
                  in tb.log("AUS")[off:], 10, "AUS re-signs its queued envelope")
    after = tb.show("AUS", queued["id"])
    check(after["signature"] != before, "the queued envelope's signature changed")
    check(after.get("signature_verified") is True, f"re-signed copy: {after}")
    check_eq(bytes.fromhex(after["signer_certificate"]), new_der,
             "AUS keeps its new certificate as the signer")

    tb.start("FRA")
    delivered_and_verified(tb, queued["id"], new_der, "the queued envelope")
    sent = tb.send("AUS", envelope("FRA", "notification",
                                   {"summary": "Sent after the rotation",
                                    "severity": "LOW"}))
    delivered_and_verified(tb, sent["id"], new_der, "the envelope sent after")

    # The audit log records the re-signing and still verifies.
    path = os.path.join(tb.dir, "aus-audit.jsonl")
    rc, out, err = tb.pocctl_text("AUS", "audit", "export", "--out", path)
    check(rc == 0, f"audit export: {out}{err}")
    with open(path, encoding="utf-8") as f:
        kinds = [json.loads(l)["kind"] for l in f
                 if json.loads(l)["message_id"] == queued["id"]]
    check_eq(kinds, ["queued", "resigned", "delivered"], "audit of the queued envelope")
    rc, out, err = tb.pocctl_text("AUS", "audit", "verify", path)
    check(rc == 0, f"audit verify after the rotation: {out}{err}")


if __name__ == "__main__":
    run_test(test)
