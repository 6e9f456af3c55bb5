#!/usr/bin/env python3
"""A node before witnessed audit heads is sent none (docs/witness.md): it
would refuse the unknown frame and close, and the sender's outbox would
never deliver to it.  FRA is stopped and its peer port is taken by a
stand-in (this script, holding FRA's real node certificate) that answers
AUS's dial with a Hello and reads what AUS sends for a few seconds, with
AUS signing a head every second:

- as an old node (no audit_heads in its Hello): AUS's envelope arrives and
  no AuditHead or WitnessedHead frame does;
- as a current node (audit_heads = true): AUS's head arrives too, so the
  first case cannot pass for want of heads."""

import socket
import ssl
import threading
import time

from rel import pb_parse, read_frame
from tb import check, envelope, frame, peer_hello, run_test
from witness_tb import fast_heads

PF_HELLO, PF_ENVELOPE, PF_AUDIT_HEAD, PF_WITNESSED_HEAD = 1, 2, 200, 201
LISTEN_SECONDS = 4.0


class StandIn:
    """Takes FRA's peer port; serves one connection from AUS."""

    def __init__(self, port, cert, key, audit_heads):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(4)
        self.sock.settimeout(30)
        self.audit_heads = audit_heads
        self.kinds, self.errors = [], []

    def serve(self):
        raw, _ = self.sock.accept()
        raw.settimeout(1)
        with self.ctx.wrap_socket(raw, server_side=True) as s:
            s.sendall(frame(peer_hello("FRA", audit_heads=self.audit_heads)))
            end = time.monotonic() + LISTEN_SECONDS
            while time.monotonic() < end:
                try:
                    p = read_frame(s)
                except TimeoutError:      # nothing within the second
                    continue
                if p is None:
                    break               # AUS closed
                self.kinds.append(min(pb_parse(p)))

    def start(self):
        def run():
            try:
                self.serve()
            except Exception as e:      # reported by the test
                self.errors.append(repr(e))
            finally:
                self.sock.close()
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t


def round_with(tb, audit_heads, tag):
    fra = tb.info("FRA")
    stand_in = StandIn(fra["peer_port"], fra["node_cert"], fra["node_key"],
                       audit_heads)
    t = stand_in.start()
    tb.send("AUS", envelope("FRA", "notification",
                            {"summary": f"old peer {tag}", "severity": "LOW"}))
    t.join(LISTEN_SECONDS + 40)
    check(not t.is_alive(), f"{tag}: AUS never dialled the stand-in")
    check(not stand_in.errors, f"{tag}: stand-in: {stand_in.errors}")
    check(PF_HELLO in stand_in.kinds and PF_ENVELOPE in stand_in.kinds,
          f"{tag}: want AUS's Hello and envelope, got frames {stand_in.kinds}")
    return stand_in.kinds


def test(tb):
    fast_heads(tb, "AUS")
    tb.stop("FRA")
    kinds = round_with(tb, False, "old")
    check(PF_AUDIT_HEAD not in kinds and PF_WITNESSED_HEAD not in kinds,
          f"a node whose Hello does not take heads was sent one: {kinds}")
    # AUS redials (its envelope is still queued); this time FRA's Hello
    # says it takes heads.
    kinds = round_with(tb, True, "current")
    check(PF_AUDIT_HEAD in kinds,
          f"a node whose Hello takes heads got no head: {kinds}")


if __name__ == "__main__":
    run_test(test)
