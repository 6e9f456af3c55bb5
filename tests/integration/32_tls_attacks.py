#!/usr/bin/env python3
"""TLS and identity attacks on FRA's peer listener, each tried for real:
no client certificate; a certificate for AUS from another CA; one from a
same-subject fake root (a CA named like the network CA); an expired AUS
certificate from the real CA; KEN's revoked certificate (accepted first,
then refused after the CRL is reloaded on SIGHUP, with the node still
running and serving AUS); a valid
AUS certificate whose envelope names KEN as sender; TLS 1.0 and 1.1, and
TLS 1.2 suites without ECDHE or without AEAD.  Each is refused, FRA logs
why, and FRA's store is unchanged.  Controls with the real certificate and
a modern suite succeed, so the test cannot pass vacuously.

(An operator certificate on the peer listener and a node certificate on
the operator listener: 05_cert_roles.)"""

import os
import signal
import subprocess

from tb import (MKPKI, TestFailure, check, check_eq, frame, peer_hello, run,
                run_test, tls_client, tls_exchange)
from rel import (RawPeer, envelope_bytes, message_count, peer_envelope,
                 wait_log)

PEER_HELLO = 0x0A


def ossl(*args):
    rc, out, err = run(["openssl"] + list(args))
    check(rc == 0, f"openssl {' '.join(args)}: exit {rc}\n{out}{err}")


def rogue_pki(d, ca_subject, cn):
    """A CA with subject ca_subject in d that issues a node certificate
    (same extensions as mkpki's) with CN cn; returns (cert, key)."""
    os.makedirs(d, exist_ok=True)
    ca_key, ca_pem = os.path.join(d, "ca.key"), os.path.join(d, "ca.pem")
    key, csr, pem = (os.path.join(d, n) for n in ("node.key", "node.csr", "node.pem"))
    ext = os.path.join(d, "ext.cnf")
    with open(ext, "w", encoding="utf-8") as f:
        f.write("basicConstraints = critical, CA:FALSE\n"
                "keyUsage = critical, digitalSignature\n"
                "extendedKeyUsage = serverAuth, clientAuth\n"
                "subjectAltName = DNS:localhost, IP:127.0.0.1\n")
    for k in (ca_key, key):
        ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-out", k)
    ossl("req", "-new", "-x509", "-sha256", "-days", "30", "-key", ca_key,
         "-subj", ca_subject, "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", ca_pem)
    ossl("req", "-new", "-key", key, "-subj", f"/CN={cn}", "-out", csr)
    ossl("x509", "-req", "-sha256", "-days", "30", "-in", csr, "-CA", ca_pem,
         "-CAkey", ca_key, "-CAcreateserial", "-extfile", ext, "-out", pem)
    return pem, key


def real_ca_issue(tb, d, code, *opts):
    """A node certificate for code issued by the test bed's real network
    CA into d/code/ (d shares the CA and its database by symlinks, so the
    members' own certificates are untouched); returns (cert, key)."""
    os.makedirs(d, exist_ok=True)
    for name in ("network-ca.pem", "network-ca.key", "network-ca.crl", "network-ca.d"):
        link = os.path.join(d, name)
        if not os.path.lexists(link):
            os.symlink(os.path.join(tb.dir, name), link)
    rc, out, err = run([MKPKI] + list(opts) + ["member", d, code])
    check(rc == 0, f"mkpki {' '.join(opts)} member {d} {code}: exit {rc}\n{out}{err}")
    return os.path.join(d, code, "node.pem"), os.path.join(d, code, "node.key")


def expect_refused(tb, ctx, what, log_pattern, member="AUS"):
    fra = tb.info("FRA")
    offset = len(tb.log("FRA"))
    result, detail = tls_exchange(fra["peer_port"], ctx, peer_hello(member))
    check_eq(result, "refused", f"{what}: result ({detail!r})")
    wait_log(tb, "FRA", offset, log_pattern, what)


def expect_accepted(tb, ctx, what, member="AUS"):
    fra = tb.info("FRA")
    result, detail = tls_exchange(fra["peer_port"], ctx, peer_hello(member))
    check_eq(result, "reply", f"{what}: result ({detail!r})")
    check(detail[:1] == bytes([PEER_HELLO]), f"{what}: reply {detail[:32]!r} is not a Hello")


def s_client(tb, port, *opts):
    """openssl s_client with AUS's node certificate; returns (established,
    output)."""
    aus = tb.info("AUS")
    argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-brief",
            "-CAfile", aus["network_ca"], "-cert", aus["node_cert"],
            "-key", aus["node_key"]] + list(opts)
    try:
        r = subprocess.run(argv, input="", capture_output=True, text=True, errors="replace", timeout=15)
    except subprocess.TimeoutExpired:
        raise TestFailure(f"openssl s_client {' '.join(opts)}: hung")
    out = r.stdout + r.stderr
    return r.returncode == 0 and "CONNECTION ESTABLISHED" in out, out


def test(tb):
    aus, fra = tb.info("AUS"), tb.info("FRA")
    before = message_count(tb, "FRA")
    work = os.path.join(tb.dir, "attack-pki")

    # Control: AUS's own certificate is accepted.
    real = tls_client(aus["network_ca"], aus["node_cert"], aus["node_key"])
    expect_accepted(tb, real, "AUS node certificate (control)")

    # 1. No client certificate.
    expect_refused(tb, tls_client(aus["network_ca"]), "no client certificate",
                   r"refused: .*(no certificate|peer did not return a certificate|"
                   r"certificate required)")

    # 2. A certificate for AUS from another CA.
    cert, key = rogue_pki(os.path.join(work, "other-ca"), "/CN=Some other CA", "AUS")
    expect_refused(tb, tls_client(aus["network_ca"], cert, key),
                   "AUS certificate from another CA",
                   r"refused: .*(unable to get (local )?issuer|certificate verify failed)")

    # 3. A same-subject fake root: a CA called "pocd network CA" like the
    # real one (made by mkpki itself), issuing CN=AUS.
    fake = os.path.join(work, "fake-root")
    rc, out, err = run([MKPKI, "all", fake, "AUS"])
    check(rc == 0, f"mkpki all {fake} AUS: {out}{err}")
    real_subj = run(["openssl", "x509", "-noout", "-subject", "-in", aus["network_ca"]])[1]
    fake_subj = run(["openssl", "x509", "-noout", "-subject", "-in",
                     os.path.join(fake, "network-ca.pem")])[1]
    check_eq(fake_subj, real_subj, "the fake root's subject")
    expect_refused(tb, tls_client(aus["network_ca"], os.path.join(fake, "AUS", "node.pem"),
                                  os.path.join(fake, "AUS", "node.key")),
                   "AUS certificate from a same-subject fake root",
                   r"refused: .*(certificate signature failure|signature|"
                   r"certificate verify failed)")

    # 4. An expired AUS certificate from the real network CA.
    cert, key = real_ca_issue(tb, os.path.join(work, "expired"), "AUS", "--expired")
    expect_refused(tb, tls_client(aus["network_ca"], cert, key),
                   "expired AUS certificate", r"refused: .*expired")

    # 5. Revoked: KEN's own node certificate (pinned in FRA's directory)
    # works, is revoked, and is refused once FRA reloads its CRL on SIGHUP,
    # without a restart; AUS still gets in.
    ken = tb.info("KEN")
    kctx = tls_client(ken["network_ca"], ken["node_cert"], ken["node_key"])
    expect_accepted(tb, kctx, "KEN node certificate before revocation", "KEN")
    rc, out, err = run([MKPKI, "revoke", tb.dir, ken["node_cert"]])
    check(rc == 0, f"mkpki revoke: {out}{err}")
    expect_accepted(tb, kctx, "revoked KEN certificate before SIGHUP (old CRL)", "KEN")
    pid = fra["pid"]
    offset = len(tb.log("FRA"))
    os.kill(pid, signal.SIGHUP)
    wait_log(tb, "FRA", offset, r"SIGHUP: .*reloaded", "CRL reload")
    expect_refused(tb, kctx, "revoked KEN certificate after SIGHUP",
                   r"refused: .*revoked", "KEN")
    tb.reload()
    check_eq(tb.info("FRA")["pid"], pid, "FRA's pid (no restart)")
    expect_accepted(tb, real, "AUS node certificate after the CRL reload")

    # 6. A valid AUS certificate, an envelope with sender KEN.
    offset = len(tb.log("FRA"))
    p = RawPeer(fra["peer_port"], real)
    try:
        p.hello("AUS")
        eid, env = envelope_bytes("KEN", "FRA")
        p.send(frame(peer_envelope(env)))
        frames = p.frames_until_close()
    finally:
        p.close()
    check(frames and frames[0][0] in ("receipt", "error"), f"spoofed sender: {frames!r}")
    check(frames[0][0] == "error" or frames[0][1] == "REJECTED",
          f"spoofed sender not rejected: {frames!r}")
    wait_log(tb, "FRA", offset, rf"{eid}.*refused|refused.*sender|sender.*KEN",
             "spoofed sender")

    # 7. Protocol versions and suites (openssl s_client, with AUS's cert).
    ok, out = s_client(tb, fra["peer_port"], "-tls1_3")
    check(ok, f"TLS 1.3 (control) did not connect:\n{out}")
    ok, out = s_client(tb, fra["peer_port"], "-tls1_2", "-cipher",
                       "ECDHE-ECDSA-AES128-GCM-SHA256")
    check(ok, f"TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256 (control) did not connect:\n{out}")
    for what, opts, pattern in (
            ("TLS 1.0", ["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"],
             r"refused: .*(unsupported protocol|version)"),
            ("TLS 1.1", ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
             r"refused: .*(unsupported protocol|version)"),
            ("TLS 1.2 AES128-SHA (no ECDHE, no AEAD)", ["-tls1_2", "-cipher", "AES128-SHA"],
             r"refused: .*no shared cipher"),
            ("TLS 1.2 AES128-GCM-SHA256 (no ECDHE)", ["-tls1_2", "-cipher", "AES128-GCM-SHA256"],
             r"refused: .*no shared cipher"),
            ("TLS 1.2 ECDHE-ECDSA-AES128-SHA (no AEAD)",
             ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"],
             r"refused: .*no shared cipher"),
            ("TLS 1.2 ECDHE-ECDSA-AES256-SHA384 (no AEAD)",
             ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA384"],
             r"refused: .*no shared cipher")):
        for port, member in ((fra["peer_port"], "FRA"), (aus["operator_port"], "AUS")):
            offset = len(tb.log(member))
            ok, out = s_client(tb, port, *opts)
            check(not ok, f"{what} on {member}'s port {port} was accepted:\n{out}")
            wait_log(tb, member, offset, pattern, f"{what} on {member}'s port {port}")

    # Nothing stored by any of it, and FRA still serves.
    check_eq(message_count(tb, "FRA"), before, "messages in FRA's store")
    expect_accepted(tb, real, "AUS node certificate at the end")


if __name__ == "__main__":
    run_test(test)
