#!/usr/bin/env python3
"""First contact (issue 13 item 7): pocctl whoami and pocd -F print the
node certificate's fingerprint exactly as [upstream] fingerprint wants it.
The value is the SHA-256 of the certificate AUS's peer listener presents
in a real handshake; pocd -n takes whoami's lines as they are, and
OpenSSL's colon form of the same digest; a node pinned with whoami's own
lines pulls the directory from AUS; a wrong pin is refused with the whole
value quoted."""

import hashlib
import os
import re
import socket
import ssl
import subprocess

from dirtb import restart_with, serial, wait_log
from tb import REPO, check, check_eq, run, run_test, tls_client

POCD = os.path.abspath(os.environ.get("POCD", os.path.join(REPO, "build", "pocd")))


def served_fingerprint(tb, member, client):
    """SHA-256 of the certificate member's peer listener presents, seen
    by client (a member, with its node certificate)."""
    c = tb.info(client)
    ctx = tls_client(c["network_ca"], c["node_cert"], c["node_key"])
    ctx.check_hostname = False
    raw = socket.create_connection(("127.0.0.1", tb.info(member)["peer_port"]), timeout=5)
    with ctx.wrap_socket(raw) as s:
        der = s.getpeercert(binary_form=True)
    return hashlib.sha256(der).hexdigest()


def pocd_n(tb, text):
    """pocd -n on REG's config with text appended; (rc, out, err)."""
    path = tb.tmpfile("pocd-whoami.conf", open(tb.info("REG")["config"]).read() + "\n" + text)
    return run([POCD, "-n", "-c", path])


def test(tb):
    me = tb.pocctl("AUS", "whoami")
    fp = me.get("fingerprint", "")
    check(re.fullmatch(r"[0-9a-f]{64}", fp), f"whoami --json fingerprint: {me}")
    check_eq(me.get("member"), "AUS", "whoami member")
    check_eq(fp, served_fingerprint(tb, "AUS", "REG"), "whoami vs the certificate AUS serves")

    rc, out, err = run([POCD, "-F", "-c", tb.info("AUS")["config"]])
    check_eq((rc, out.strip(), err), (0, fp, ""), "pocd -F -c AUS's config")

    # The text output ends with the lines for the other node's pocd.conf.
    rc, text, err = tb.pocctl_text("AUS", "whoami")
    check(rc == 0 and "Fingerprint" in text, f"whoami: {rc} {text}{err}")
    lines = text[text.index("[upstream AUS]"):].strip()
    check_eq(lines, f"[upstream AUS]\nfingerprint = {fp}", "whoami's [upstream] lines")

    rc, out, err = pocd_n(tb, lines)
    check(rc == 0 and f"fingerprint = {fp}" in out, f"pocd -n with whoami's lines: {rc}\n{err}")
    colon = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                            tb.info("AUS")["node_cert"]], capture_output=True, text=True,
                           check=True).stdout.strip()
    for form in (colon, colon.split("=", 1)[1], fp.upper()):
        rc, out, err = pocd_n(tb, f"[upstream AUS]\nfingerprint = {form}")
        check(rc == 0 and f"fingerprint = {fp}" in out,
              f"pocd -n with fingerprint {form!r}: {rc}\n{err}")
    bad = colon.split("=", 1)[1][:-3] + ":ZZ-and-a-tail"  # over the 80 once quoted
    rc, out, err = pocd_n(tb, f"[upstream AUS]\nfingerprint = {bad}")
    check(rc == 1 and f'got "{bad}"' in err, f"a bad fingerprint, quoted whole: {rc}\n{err}")
    # Longer than the INI reader's line: still quoted whole, no stray errors.
    long = colon.split("=", 1)[1] + ":" + "AB:" * 60 + "CD"
    rc, out, err = pocd_n(tb, f"[upstream AUS]\nfingerprint = {long}")
    check(rc == 1 and f'"fingerprint = {long}"' in err and "syntax error" not in err,
          f"a fingerprint longer than a line, quoted whole: {rc}\n{err}")

    # REG pinned with whoami's lines pulls AUS's edited record.
    restart_with(tb, "REG", "[directory]\nsync_interval = 0\n\n" + lines + "\n")
    rc, out, err = tb.pocctl_text("AUS", "directory", "set", "name", "Australia (whoami)")
    check(rc == 0, f"directory set name: {out}{err}")
    off = len(tb.log("REG"))
    rc, out, err = tb.pocctl_text("REG", "directory", "sync", "--wait")
    check(rc == 0, f"REG directory sync: {out}{err}")
    wait_log(tb, "REG", off, r"directory: AUS serial 2 taken via upstream AUS",
             "REG takes AUS's record through the pin whoami printed")
    check_eq(serial(tb, "REG", "AUS"), 2, "REG's AUS serial after the sync")


if __name__ == "__main__":
    run_test(test, members=("AUS", "REG"))
