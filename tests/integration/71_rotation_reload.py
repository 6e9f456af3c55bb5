#!/usr/bin/env python3
"""A node key rotation by SIGHUP alone, no restart, on fresh nodes (REG
the registry, manual enrollment; AUS and FRA members).

- AUS, enrolled, publishes a second certificate's fingerprint beside its
  own (REG takes the offer), switches to the new certificate and key with
  SIGHUP, and its own record then carries the new certificate and is
  signed with it, so AUS may drop the old fingerprint.  REG takes that
  record; it lets AUS in with the new certificate and refuses the old one
  as not pinned.
- FRA rotates by SIGHUP before it has ever reached REG: the record it
  offers to enroll carries and pins the new certificate, is signed with
  it, and REG's pending request names the new fingerprint; once approved,
  REG lets FRA in with the new certificate.

Before the fix the directory kept the start-up certificate: AUS's record
could not drop the old fingerprint ("must include this node's certificate
OLD") and FRA's offer was refused ("the record was not signed with the
certificate of this connection")."""

import base64
import hashlib
import json
import os
import signal

from fresh import PF_ERROR, RawPeer, pb_fields, run_fresh, wait
from tb import check, check_eq


def issue(net, code):
    """A second node certificate for code from the same network CA:
    (cert, key, fingerprint)."""
    d = os.path.join(net.dir, f"{code}-new")
    os.makedirs(d)
    for name in ("network-ca.pem", "network-ca.key", "network-ca.crl",
                 "network-ca.d"):
        if os.path.lexists(os.path.join(net.ca, name)):
            os.symlink(os.path.join(net.ca, name), os.path.join(d, name))
    net.mkpki("member", d, code)
    cert = os.path.join(d, code, "node.pem")
    return cert, os.path.join(d, code, "node.key"), net.fingerprint(cert)


def rotate(net, code, cert, key, fp):
    """Points code's pocd.conf at cert and key and sends SIGHUP; waits for
    the reload and the own record carrying the new certificate."""
    path = net.nodes[code]["conf"]
    d = net.nodes[code]["dir"]
    with open(path, encoding="utf-8") as f:
        conf = f.read()
    check(f"{d}/node.pem" in conf and f"{d}/node.key" in conf,
          f"{code}: the node certificate and key lines of pocd.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(conf.replace(f"{d}/node.pem", cert).replace(f"{d}/node.key", key))
    off = len(net.log(code))
    net.signal(code, signal.SIGHUP)
    net.wait_log(code, off, r"SIGHUP: .* reloaded", f"{code} reloads")
    wait(lambda: cert_fp(record(net, code, code)) == fp, 5,
         f"{code}'s own record carrying the new certificate")


def record(net, at, code):
    rc, out, err = net.pocctl(at, "--json", "directory", "show", code)
    if rc != 0:
        return None
    return json.loads(out)["members"][0]["record"]


def cert_fp(rec):
    return hashlib.sha256(base64.b64decode(rec["certificate"])).hexdigest()


def hello_refused(net, code, cert, key, source):
    """REG's Error for code's Hello with cert, or None if it was taken."""
    p = RawPeer(net.nodes["REG"]["peer"], os.path.join(net.ca, "network-ca.pem"),
                cert, key, code, source)
    frames = p.hello_only()
    p.close()
    for num, payload in frames:
        if num == PF_ERROR:
            return pb_fields(payload).get(2, [b""])[0].decode()
    return None


def pending(net):
    rc, out, err = net.pocctl("REG", "--json", "directory", "pending")
    check(rc == 0, f"pending: {err}")
    return {e["member"]: e for e in json.loads(out).get("entries", [])}


def enrolled(net, code):
    rc, out, err = net.pocctl(code, "--json", "status")
    ups = json.loads(out).get("upstreams", []) if rc == 0 else []
    return bool(ups) and ups[0].get("enrollment") == "enrolled"


def test(net):
    net.mkpki("init", net.ca)
    for code in ("REG", "AUS", "FRA"):
        net.mkpki("member", net.ca, code)
        net.mkpki("operator", net.ca, code, "duty")
    net.configure("REG", "duty")
    net.start("REG")
    reg_fp = net.fingerprint(os.path.join(net.ca, "REG", "node.pem"))
    old_cert = {c: os.path.join(net.ca, c, "node.pem") for c in ("AUS", "FRA")}
    old_key = {c: os.path.join(net.ca, c, "node.key") for c in ("AUS", "FRA")}

    # --- AUS: enrolled, then rotated by SIGHUP.
    net.member_of("AUS", "REG", reg_fp)
    net.start("AUS")
    wait(lambda: "AUS" in pending(net), 15, "AUS pending")
    rc, out, err = net.pocctl("REG", "directory", "approve", "AUS")
    check(rc == 0, f"approve AUS: {out}{err}")
    wait(lambda: enrolled(net, "AUS"), 15, "AUS enrolled")
    old_fp = net.fingerprint(old_cert["AUS"])
    cert2, key2, new_fp = issue(net, "AUS")

    rc, out, err = net.pocctl("AUS", "directory", "set", "fingerprints",
                              old_fp, new_fp)
    check(rc == 0, f"AUS publishes both keys: {out}{err}")
    wait(lambda: (record(net, "REG", "AUS") or {}).get("fingerprints")
         == [old_fp, new_fp], 15, "REG holding AUS's record with both keys")

    serial = int(record(net, "AUS", "AUS")["serial"])
    pid = net.procs["AUS"].pid
    rotate(net, "AUS", cert2, key2, new_fp)
    check_eq(net.procs["AUS"].pid, pid, "AUS was not restarted")
    own = record(net, "AUS", "AUS")
    check_eq(cert_fp(own), new_fp, "AUS's own record carries the new certificate")
    check_eq(int(own["serial"]), serial + 1, "the renewed record's serial")
    check_eq(own["fingerprints"], [old_fp, new_fp], "both keys still pinned")

    # The old key can now be dropped: the record is signed by the new one.
    rc, out, err = net.pocctl("AUS", "directory", "set", "fingerprints", new_fp)
    check(rc == 0, f"AUS drops the old key after SIGHUP: {out}{err}")
    wait(lambda: (record(net, "REG", "AUS") or {}).get("fingerprints")
         == [new_fp], 15, "REG holding AUS's record with the new key only")
    check_eq(cert_fp(record(net, "REG", "AUS")), new_fp,
             "REG's copy carries AUS's new certificate")
    why = hello_refused(net, "AUS", cert2, key2, "127.0.0.2")
    check(why is None, f"REG refuses AUS's new key: {why}")
    why = hello_refused(net, "AUS", old_cert["AUS"], old_key["AUS"], "127.0.0.2")
    check(why is not None and "not pinned" in why,
          f"REG must refuse AUS's old key: {why}")

    # --- FRA: rotated by SIGHUP before it ever reached REG.
    net.procs["REG"].send_signal(signal.SIGTERM)
    net.procs["REG"].wait(15)
    net.member_of("FRA", "REG", reg_fp)
    net.start("FRA")
    cert3, key3, fra_new = issue(net, "FRA")
    rotate(net, "FRA", cert3, key3, fra_new)
    net.start("REG")
    rc, out, err = net.pocctl("FRA", "directory", "sync")
    check(rc == 0, f"FRA sync: {out}{err}")
    wait(lambda: "FRA" in pending(net), 15, "FRA's request pending at REG")
    req = pending(net)["FRA"]
    check_eq(req["fingerprint"], fra_new, "FRA's request names the new certificate")
    check(fra_new in req["record"]["fingerprints"], "the record offered pins it")
    rc, out, err = net.pocctl("REG", "directory", "approve", "FRA",
                              "--fingerprint", fra_new)
    check(rc == 0, f"approve FRA: {out}{err}")
    wait(lambda: enrolled(net, "FRA"), 15, "FRA enrolled")
    check_eq(cert_fp(record(net, "REG", "FRA")), fra_new,
             "the record REG took carries FRA's new certificate")
    why = hello_refused(net, "FRA", cert3, key3, "127.0.0.3")
    check(why is None, f"REG refuses FRA's new key: {why}")


if __name__ == "__main__":
    run_fresh("rotation-reload", test)
