#!/usr/bin/env python3
"""TLS session resumption on the peer listener (the connection-storm row of
`make bench`): a member that saved its session ticket resumes without a
full handshake and is still known by the certificate of its first
handshake; after its certificate is revoked and FRA reloads its CRL on
SIGHUP (which replaces the TLS context and its session cache), the saved
ticket no longer gets it in; other members are unaffected.  The operator
listener issues no ticket at all: pocctl never resumes, and a cache there
only held a session (about 7 KiB) per command run, up to
tls_session_cache of them (found by make soak)."""

import os
import re
import signal
import socket
import ssl
import struct

from tb import (MKPKI, check, check_eq, frame, op_status_request, peer_hello, run,
                run_test, tls_client)

PEER_HELLO = 0x0A       # PeerFrame field 1 (hello), length-delimited


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def hello(port, ctx, member, session=None):
    """Handshake (resuming session if given), Hello both ways.  Returns
    ("reply", first byte, reused, session) or ("refused", why, None, None)."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        try:
            s = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
        except (ssl.SSLError, OSError) as e:
            return "refused", f"handshake: {e}", None, None
        try:
            s.sendall(frame(peer_hello(member)))
            n = struct.unpack(">I", recv_exact(s, 4))[0]
            body = recv_exact(s, n)
            reused, sess = s.session_reused, s.session
            try:
                s.unwrap()
            except (ssl.SSLError, OSError):
                pass
            return "reply", body[:1], reused, sess
        except (ssl.SSLError, OSError, ConnectionError) as e:
            return "refused", f"after handshake: {e}", None, None
        finally:
            s.close()
    finally:
        raw.close()


def operator_status(port, ctx):
    """One status request on the operator listener, as pocctl makes it;
    returns the TLS session the node left the client (after the reply, so
    that any TLS 1.3 ticket has been read)."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s = ctx.wrap_socket(raw, server_hostname="localhost")
        s.sendall(frame(op_status_request()))
        n = struct.unpack(">I", recv_exact(s, 4))[0]
        recv_exact(s, n)
        sess = s.session
        s.close()
        return sess
    finally:
        raw.close()


def test(tb):
    fra, ken, aus = tb.info("FRA"), tb.info("KEN"), tb.info("AUS")
    port = fra["peer_port"]
    kctx = tls_client(ken["network_ca"], ken["node_cert"], ken["node_key"])

    r, first, reused, sess = hello(port, kctx, "KEN")
    check_eq((r, first), ("reply", bytes([PEER_HELLO])), "first connection of KEN")
    check(not reused, "the first connection cannot be a resumed session")
    check(sess is not None and sess.has_ticket, "FRA issued no session ticket")

    for i in range(3):
        r, first, reused, sess2 = hello(port, kctx, "KEN", session=sess)
        check_eq((r, first), ("reply", bytes([PEER_HELLO])), f"resumed connection {i}")
        check(reused, f"connection {i} with the saved ticket was not resumed")
    log = tb.log("FRA")
    check(len(re.findall(r"peer KEN \(127\.0\.0\.1:\d+\): connected", log)) >= 4,
          "FRA did not log the resumed connections as KEN's")

    # Revoke KEN, reload FRA's CRL: the ticket must not outlive the trust.
    rc, out, err = run([MKPKI, "revoke", tb.dir, ken["node_cert"]])
    check(rc == 0, f"mkpki revoke: {out}{err}")
    offset = len(tb.log("FRA"))
    os.kill(fra["pid"], signal.SIGHUP)
    tb.wait_until(lambda: re.search(r"SIGHUP: .*reloaded", tb.log("FRA")[offset:]),
                  10, "FRA's CRL reload")
    r, why, reused, _ = hello(port, kctx, "KEN", session=sess)
    check_eq(r, "refused", f"revoked KEN with its saved ticket ({why})")
    r, why, _, _ = hello(port, kctx, "KEN")
    check_eq(r, "refused", f"revoked KEN, full handshake ({why})")

    actx = tls_client(aus["network_ca"], aus["node_cert"], aus["node_key"])
    r, first, _, _ = hello(port, actx, "AUS")
    check_eq((r, first), ("reply", bytes([PEER_HELLO])), "AUS after the reload")

    # The operator listener keeps no sessions: no ticket to resume with.
    octx = tls_client(fra["network_ca"], fra["operator_cert"], fra["operator_key"])
    for _ in range(3):
        sess = operator_status(fra["operator_port"], octx)
        check(sess is None or not sess.has_ticket,
              "the operator listener issued a session ticket")


if __name__ == "__main__":
    run_test(test)
