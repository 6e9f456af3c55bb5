#!/usr/bin/env python3
"""Connection limits, each tried: FRA runs with handshake_timeout = 2,
idle_timeout = 3, max_connections_per_address = 8 and
max_queued_bytes_per_peer = 65536 (and logs at debug level).

- a TCP connection that never starts TLS, and one that stops inside its
  ClientHello, are closed after handshake_timeout (measured), and logged;
- a slowloris: a member that completes TLS and Hello, then trickles a
  frame one byte per 0.5 s, is closed after idle_timeout (measured: the
  trickle does not reset the timer), and logged;
- 12 connections from one address (127.0.0.3): 8 stay open, 4 are closed
  at accept and logged, while a member on another address still gets in;
  once they close, that address gets in again;
- a flood of 200 connections from 10 other loopback addresses (half send
  garbage, half sit silent), while `pocctl status` on FRA answers within
  3 s (measured) and a member delivers an envelope;
- a member that sends envelopes and never reads its receipts: once more
  than max_queued_bytes_per_peer of receipts wait, FRA stops reading from
  it (its sends block), and the idle timeout then closes it;
- max_connections = 12 (FRA restarted): 18 connections from three
  addresses leave 12 open and 6 closed at accept, logged; once they close,
  the operator gets in again.

Nothing is stored by any of it."""

import os
import socket
import ssl
import time

from tb import (check, check_eq, envelope, frame, peer_hello, run_test,
                tls_client, tls_exchange)
from rel import (RawPeer, envelope_bytes, is_closed, message_count,
                 peer_envelope, reconfigure, tcp_from, wait_log)

HANDSHAKE, IDLE, PER_ADDR, MAX_OUT, MAX_CONN = 2, 3, 8, 65536, 12


def wait_closed(s, limit):
    """Seconds until the node closes s (EOF or reset), reading and
    discarding anything it sends; fails after limit seconds."""
    start = time.monotonic()
    s.settimeout(0.2)
    while time.monotonic() - start < limit:
        try:
            d = s.recv(4096)
            if not d:
                return time.monotonic() - start
        except socket.timeout:
            continue
        except (ConnectionError, OSError):
            return time.monotonic() - start
    return None


def test(tb):
    reconfigure(tb, "FRA", [("limits", "handshake_timeout", HANDSHAKE),
                            ("limits", "idle_timeout", IDLE),
                            ("limits", "max_connections_per_address", PER_ADDR),
                            ("limits", "max_queued_bytes_per_peer", MAX_OUT),
                            ("node", "log_level", "debug")])
    aus, fra = tb.info("AUS"), tb.info("FRA")
    port = fra["peer_port"]
    member = tls_client(aus["network_ca"], aus["node_cert"], aus["node_key"])
    before = message_count(tb, "FRA")

    # Handshake timeout: silent TCP, and a ClientHello cut short.
    offset = len(tb.log("FRA"))
    silent = tcp_from("127.0.0.1", port)
    partial = tcp_from("127.0.0.1", port)
    partial.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    start = time.monotonic()
    t1 = wait_closed(silent, HANDSHAKE + 5)
    t2 = wait_closed(partial, HANDSHAKE + 5)
    if t2 is not None:
        t2 = time.monotonic() - start   # both started together
    silent.close()
    partial.close()
    for what, t in (("silent TCP connection", t1), ("partial ClientHello", t2)):
        check(t is not None, f"{what}: not closed within {HANDSHAKE + 5} s")
        check(HANDSHAKE - 0.5 <= t <= HANDSHAKE + 2,
              f"{what}: closed after {t:.2f} s, want about handshake_timeout = {HANDSHAKE} s")
    wait_log(tb, "FRA", offset, r"refused: TLS handshake timed out", "handshake timeout")
    print(f"handshake_timeout {HANDSHAKE} s: closed after {t1:.2f} s (silent), "
          f"{t2:.2f} s (partial ClientHello)")

    # Slowloris: TLS and Hello done, then a frame trickled one byte per
    # 0.5 s (a length prefix of 100, then payload bytes).
    offset = len(tb.log("FRA"))
    p = RawPeer(port, member)
    p.hello("AUS")
    start = time.monotonic()
    closed_after = None
    trickle = b"\x00\x00\x00\x64" + b"\x0a" * 100
    try:
        for b in trickle:
            try:
                p.send(bytes([b]))
                p.s.settimeout(0.5)
                d = p.s.recv(64)
                if not d:
                    closed_after = time.monotonic() - start
                    break
            except (socket.timeout, ssl.SSLWantReadError):
                pass
            except (ssl.SSLError, ConnectionError, OSError):
                closed_after = time.monotonic() - start
                break
            if time.monotonic() - start > IDLE + 6:
                break
    finally:
        p.close()
    check(closed_after is not None, f"slowloris not closed within {IDLE + 6} s")
    check(IDLE - 0.5 <= closed_after <= IDLE + 2,
          f"slowloris closed after {closed_after:.2f} s, want about idle_timeout = {IDLE} s")
    wait_log(tb, "FRA", offset, r"disconnected: idle timeout", "slowloris")
    print(f"idle_timeout {IDLE} s: slowloris closed after {closed_after:.2f} s")

    # Per-address limit, from 127.0.0.3.
    offset = len(tb.log("FRA"))
    conns = [tcp_from("127.0.0.3", port) for _ in range(PER_ADDR + 4)]
    time.sleep(0.5)     # well within handshake_timeout
    cut = [c for c in conns if is_closed(c)]
    check_eq(len(cut), 4, f"connections closed at accept out of {len(conns)} "
                          f"(max_connections_per_address = {PER_ADDR})")
    wait_log(tb, "FRA", offset, rf"127\.0\.0\.3:\d+ refused: max_connections_per_address "
             rf"\({PER_ADDR}\)", "per-address limit")
    result, detail = tls_exchange(port, member, peer_hello("AUS"))
    check_eq(result, "reply", f"AUS from 127.0.0.1 while 127.0.0.3 is at its limit ({detail!r})")
    for c in conns:
        c.close()
    time.sleep(0.3)
    again = tcp_from("127.0.0.3", port)
    time.sleep(0.3)
    check(not is_closed(again), "127.0.0.3 still refused after its connections closed")
    again.close()

    # Flood: 200 connections from 127.0.0.10-19, 20 each (within the
    # per-address limit, so all are taken), half garbage, half silent.
    flood = []
    t0 = time.monotonic()
    for i in range(200):
        s = tcp_from(f"127.0.0.{10 + i % 10}", port)
        if i % 2 == 0:
            s.sendall(os.urandom(512))
        flood.append(s)
    t_open = time.monotonic() - t0
    t0 = time.monotonic()
    tb.pocctl("FRA", "status")
    t_status = time.monotonic() - t0
    check(t_status < 3.0, f"pocctl status took {t_status:.2f} s under the flood")
    sent = tb.send("AUS", envelope("FRA", "notification",
                                   {"summary": "Delivered during a flood", "severity": "LOW"}))
    got = tb.wait_until(lambda: tb.find("FRA", "inbox", sent["id"]), 15,
                        "the envelope delivered during the flood")
    t_deliver = time.monotonic() - t0
    for s in flood:
        s.close()
    print(f"flood: 200 connections opened in {t_open:.2f} s; pocctl status answered in "
          f"{t_status:.2f} s; an envelope delivered in {t_deliver:.2f} s")
    check_eq(len(got), 1, "copies of the envelope")
    check_eq(message_count(tb, "FRA"), before + 1, "messages in FRA's store")

    # A member that never reads its receipts: the same unsigned envelope
    # over and over, each answered REJECTED ("no signature", cheap for FRA,
    # so the receipts pile up fast).  A small receive buffer keeps the
    # kernel from absorbing many of them.
    offset = len(tb.log("FRA"))
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.settimeout(5)
    raw.connect(("127.0.0.1", port))
    s = member.wrap_socket(raw, server_hostname="localhost")
    blocked = None
    try:
        s.sendall(frame(peer_hello("AUS")))
        _, env = envelope_bytes("AUS", "FRA")
        blob = frame(peer_envelope(env)) * 200
        s.settimeout(1.0)
        t0 = time.monotonic()
        sent = 0
        while time.monotonic() - t0 < 30:
            try:
                s.sendall(blob)
                sent += 200
            except socket.timeout:
                blocked = time.monotonic() - t0
                break
        check(blocked is not None, f"FRA kept reading: {sent} envelopes sent in 30 s "
                                   f"without reading a receipt")
        wait_log(tb, "FRA", offset, rf"output over {MAX_OUT} bytes, reading paused",
                 "max_queued_bytes_per_peer")
        wait_log(tb, "FRA", offset, r"peer AUS .*disconnected: idle timeout",
                 "idle timeout of a member that does not read", timeout=IDLE + 3)
    finally:
        s.close()
    print(f"max_queued_bytes_per_peer {MAX_OUT}: reading paused, sender blocked after "
          f"{sent} envelopes ({blocked:.2f} s), closed by the idle timeout")
    check_eq(message_count(tb, "FRA"), before + 1, "messages in FRA's store")

    # max_connections: 18 connections from three addresses (6 each, under
    # the per-address limit) against a total of 12.
    reconfigure(tb, "FRA", [("limits", "max_connections", MAX_CONN)])
    port = tb.info("FRA")["peer_port"]
    offset = len(tb.log("FRA"))
    conns = [tcp_from(f"127.0.0.{40 + i % 3}", port) for i in range(18)]
    time.sleep(0.5)
    cut = [c for c in conns if is_closed(c)]
    check_eq(len(cut), 18 - MAX_CONN, f"connections closed at accept out of 18 "
                                      f"(max_connections = {MAX_CONN})")
    wait_log(tb, "FRA", offset, rf"refused: max_connections \({MAX_CONN}\) reached",
             "max_connections")
    for c in conns:
        c.close()
    tb.wait_until(lambda: tb.pocctl_text("FRA", "status")[0] == 0, 5,
                  "pocctl status on FRA once the connections closed")


if __name__ == "__main__":
    run_test(test)
