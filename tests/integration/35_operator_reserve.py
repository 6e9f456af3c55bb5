#!/usr/bin/env python3
"""Operators are never locked out by peers (each listener has its own
connection limit).  FRA runs with max_connections = 20 (the peer
listener), max_operator_connections = 4, max_connections_per_address =
100 and handshake_timeout = 30, so that a flood's connections stay open:

- 120 TCP connections to the peer listener from 12 loopback addresses
  (silent, so each holds its place until handshake_timeout) leave exactly 20 open and 100 closed
  at accept, logged as `max_connections (20) reached`; meanwhile
  `pocctl status` on FRA answers (timed, five times) and reports the 20
  peer connections;
- the operator listener has a limit of its own: 4 silent connections to it
  fill it and a fifth operator is refused (`max_operator_connections (4)
  reached`), and once they close `pocctl status` answers again.

With one limit shared by both listeners (the old behaviour) the flood
fills it and `pocctl status` is refused: this test then fails."""

import time

from tb import check, check_eq, run_test
from rel import is_closed, reconfigure, tcp_from, wait_log

MAX_PEER, MAX_OP = 20, 4


def test(tb):
    reconfigure(tb, "FRA", [("limits", "max_connections", MAX_PEER),
                            ("limits", "max_operator_connections", MAX_OP),
                            ("limits", "max_connections_per_address", 100),
                            ("limits", "handshake_timeout", 30)])
    fra = tb.info("FRA")
    port, op_port = fra["peer_port"], fra["operator_port"]

    offset = len(tb.log("FRA"))
    flood = []
    t0 = time.monotonic()
    try:
        for i in range(120):
            s = tcp_from(f"127.0.0.{50 + i % 12}", port)
            flood.append(s)
        t_open = time.monotonic() - t0
        time.sleep(0.5)
        cut = sum(1 for s in flood if is_closed(s))
        check_eq(cut, 120 - MAX_PEER, "flood connections closed at accept out of 120")
        wait_log(tb, "FRA", offset, rf"peer listener: .* refused: max_connections "
                 rf"\({MAX_PEER}\) reached", "the peer listener's limit")
        times = []
        for _ in range(5):
            t = time.monotonic()
            st = tb.pocctl("FRA", "status")
            times.append(time.monotonic() - t)
        check_eq(st.get("peer_connections", 0), MAX_PEER, "status: peer_connections under the flood")
        check_eq(st.get("max_peer_connections"), MAX_PEER, "status: max_peer_connections")
        check_eq(st.get("max_operator_connections"), MAX_OP, "status: max_operator_connections")
        rc, out, err = tb.pocctl_text("FRA", "status")
        check(rc == 0 and f"peer {MAX_PEER} of {MAX_PEER}" in out,
              f"pocctl status text under the flood (exit {rc}): {out}{err}")
    finally:
        for s in flood:
            s.close()
    print(f"peer flood: 120 connections in {t_open:.2f} s, {cut} closed at accept; "
          f"pocctl status answered 5 times in {min(times):.3f}-{max(times):.3f} s")

    # The operator listener's own limit.
    offset = len(tb.log("FRA"))
    ops = [tcp_from("127.0.0.1", op_port) for _ in range(MAX_OP)]
    try:
        time.sleep(0.3)
        rc, out, err = tb.pocctl_text("FRA", "status")
        check(rc != 0, f"a fifth operator connection was let in: {out}")
        wait_log(tb, "FRA", offset, rf"operator listener: .* refused: "
                 rf"max_operator_connections \({MAX_OP}\) reached", "the operator limit")
    finally:
        for s in ops:
            s.close()
    tb.wait_until(lambda: tb.pocctl_text("FRA", "status")[0] == 0, 5,
                  "pocctl status once the operator connections closed")
    st = tb.pocctl("FRA", "status")
    check(st.get("peer_connections", 0) <= 2, f"peer connections after the flood: {st.get('peer_connections')}")
    print(f"operator listener: {MAX_OP} held connections refuse a fifth; "
          "status answers once they close")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
