#!/usr/bin/env python3
"""Pinning: the network CA vouches for a member's name, the member's own
signed directory record for its key.  A second certificate for AUS, validly
issued by the network CA but not pinned in AUS's record, is refused on
FRA's peer listener with Error IDENTITY (and logged); a member with no
record at all may only enroll, and its envelope is refused the same way;
once AUS publishes the new fingerprint in a newer record
(key rotation) the same certificate is accepted.  Outgoing connections
check the server too: after FRA rotates its key, AUS will not deliver to
it until it holds FRA's newer record."""

import os

from dirtb import export, fingerprint, import_records, wait_log
from tb import MKPKI, check, check_eq, envelope, run, run_test, wire_envelope


def issue(tb, d, code):
    """A node certificate for code from the test bed's real network CA,
    made in d (the CA is shared by symlinks; the members' files are
    untouched).  Returns (cert, key, sha256 fingerprint)."""
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


def hello(tb, as_member, cert=None, key=None):
    # The network CA comes from AUS's files (the same for every member).
    return tb.pocpeer("AUS", "FRA", "--member", as_member, "--timeout", "2",
                      "hello", cert=cert or tb.info(as_member)["node_cert"],
                      key=key or tb.info(as_member)["node_key"])


def test(tb):
    # Control: AUS's real certificate is pinned in FRA's directory.
    rc, out, err = hello(tb, "AUS")
    check(rc == 0, f"AUS's pinned certificate refused: {err}")

    # A second AUS certificate from the real CA, not pinned: refused.
    cert2, key2, fp2 = issue(tb, os.path.join(tb.dir, "second"), "AUS")
    check(fp2 != fingerprint(tb, "AUS"), "a different certificate")
    off = len(tb.log("FRA"))
    rc, out, err = hello(tb, "AUS", cert2, key2)
    check(rc == 1 and "IDENTITY" in err, f"unpinned AUS cert: exit {rc}: {err}")
    wait_log(tb, "FRA", off, rf"certificate {fp2} is not pinned in AUS's "
             r"directory record", "FRA logs the unpinned certificate")
    # A member the directory does not know at all: its Hello is taken so
    # that it may enroll ([directory] enrollment = manual), and nothing
    # else: an envelope closes the connection with IDENTITY, unstored.
    cert3, key3, _ = issue(tb, os.path.join(tb.dir, "stranger"), "NZL")
    rc, out, err = hello(tb, "NZL", cert3, key3)
    check(rc == 0, f"member without record may enroll: exit {rc}: {err}")
    env = wire_envelope("from a stranger", sender="NZL", recipient="FRA")
    rc, out, err = tb.pocpeer("AUS", "FRA", "--member", "NZL", "send",
                              tb.tmpfile("nzl.json", env), cert=cert3, key=key3)
    check(rc == 1 and "IDENTITY" in err and "may only enroll" in err,
          f"envelope of a member without record: exit {rc}: {err}")
    check(not tb.find("FRA", "inbox", env["id"]), "the envelope is not stored")

    # Key rotation: AUS publishes the new fingerprint beside the old one.
    rc, out, err = tb.pocctl_text("AUS", "directory", "set", "fingerprints",
                                  fingerprint(tb, "AUS"), fp2)
    check(rc == 0, f"directory set fingerprints: {out}{err}")
    rc, out, err = import_records(tb, "FRA", export(tb, "AUS", "AUS")["records"])
    check(rc == 0 and "1 record taken" in out, f"import AUS: {out}{err}")
    rc, out, err = hello(tb, "AUS", cert2, key2)
    check(rc == 0, f"rotated AUS certificate still refused: {err}")
    # The own certificate must stay pinned: the node refuses to drop it.
    rc, out, err = tb.pocctl_text("AUS", "directory", "set", "fingerprints", fp2)
    check(rc == 1 and "fingerprints" in err, f"dropping the own pin: {rc} {err}")

    # Outgoing: FRA restarts with a new key; AUS holds FRA's old record.
    fra = tb.info("FRA")
    cert4, key4, fp4 = issue(tb, os.path.join(tb.dir, "fra-new"), "FRA")
    tb.stop("FRA")
    with open(fra["config"], encoding="utf-8") as f:
        conf = f.read()
    conf = conf.replace(fra["node_cert"], cert4).replace(fra["node_key"], key4)
    with open(fra["config"], "w", encoding="utf-8") as f:
        f.write(conf)
    tb.start("FRA")
    new_fra = export(tb, "FRA", "FRA")["records"][0]
    check(fp4 in new_fra["fingerprints"], f"FRA pins its new key: {new_fra}")
    check_eq(new_fra["serial"], 2, "FRA's record serial after the new key")
    off = len(tb.log("AUS"))
    sent = tb.send("AUS", envelope("FRA", "notification",
                                   {"summary": "Scanning from your network",
                                    "severity": "LOW"}))
    wait_log(tb, "AUS", off, rf"server certificate {fp4[:16]}\.\.\. is not "
             r"pinned for FRA", "AUS refuses FRA's unpinned server key")
    check(not tb.find("FRA", "inbox", sent["id"]), "delivered to an unpinned key")
    rc, out, err = import_records(tb, "AUS", [new_fra])
    check(rc == 0 and "1 record taken" in out, f"import FRA: {out}{err}")
    tb.wait_until(lambda: tb.find("FRA", "inbox", sent["id"]), 20,
                  "delivery once FRA's new key is pinned")


if __name__ == "__main__":
    run_test(test)
