#!/usr/bin/env python3
"""Certificate roles: the peer listener trusts the network CA only and the
operator listener the node's own operator CA only, so an operator
certificate is refused on the peer listener, a node certificate on the
operator listener, and so are a client without a certificate and another
member's operator.  Each refusal happens at TLS or by a close before any
reply, and is logged.  Controls with the right certificate get a reply, so
the test cannot pass vacuously."""

import time

from tb import (check, check_eq, op_status_request, peer_hello, run_test,
                tls_client, tls_exchange)

LOG_WORDS = ("certificate", "verif", "handshake", "tls", "ssl", "refus", "reject")
PEER_HELLO = 0x0A       # PeerFrame field 1 (hello), length-delimited
OP_STATUS = 0x0A        # OpReply field 1 (status), length-delimited


def log_lines_after(tb, member, offset):
    return tb.log(member)[offset:]


def expect_refused(tb, member, port, ctx, payload, what):
    offset = len(tb.log(member))
    result, detail = tls_exchange(port, ctx, payload)
    check_eq(result, "refused", f"{what}: result ({detail!r})")
    # The node says why in its log.
    def logged():
        new = log_lines_after(tb, member, offset).lower()
        return new if any(w in new for w in LOG_WORDS) else None
    tb.wait_until(logged, 5, f"{what}: a log line in {member}'s pocd.log about the refusal")


def expect_reply(port, ctx, payload, first_byte, what):
    result, detail = tls_exchange(port, ctx, payload)
    check_eq(result, "reply", f"{what}: result ({detail!r})")
    check(detail[:1] == bytes([first_byte]),
          f"{what}: unexpected reply {detail[:32]!r}")


def test(tb):
    aus, fra = tb.info("AUS"), tb.info("FRA")
    node_aus = tls_client(aus["network_ca"], aus["node_cert"], aus["node_key"])
    op_aus = tls_client(aus["network_ca"], aus["operator_cert"], aus["operator_key"])
    op_fra = tls_client(fra["network_ca"], fra["operator_cert"], fra["operator_key"])
    no_cert = tls_client(aus["network_ca"])

    # Controls: the right certificate on each listener gets an answer.
    expect_reply(fra["peer_port"], node_aus, peer_hello("AUS"), PEER_HELLO,
                 "AUS node certificate on FRA's peer listener")
    expect_reply(aus["operator_port"], op_aus, op_status_request(), OP_STATUS,
                 "AUS operator certificate on AUS's operator listener")

    # An operator certificate on a peer listener (another node's and its own).
    expect_refused(tb, "FRA", fra["peer_port"], op_aus, peer_hello("AUS"),
                   "AUS operator certificate on FRA's peer listener")
    expect_refused(tb, "AUS", aus["peer_port"], op_aus, peer_hello("AUS"),
                   "AUS operator certificate on AUS's peer listener")
    # A node certificate on an operator listener (its own node's).
    expect_refused(tb, "AUS", aus["operator_port"], node_aus, op_status_request(),
                   "AUS node certificate on AUS's operator listener")
    # Another member's operator on this node's operator listener.
    expect_refused(tb, "AUS", aus["operator_port"], op_fra, op_status_request(),
                   "FRA operator certificate on AUS's operator listener")
    # No client certificate at all.
    expect_refused(tb, "FRA", fra["peer_port"], no_cert, peer_hello("AUS"),
                   "no client certificate on FRA's peer listener")
    expect_refused(tb, "AUS", aus["operator_port"], no_cert, op_status_request(),
                   "no client certificate on AUS's operator listener")

    # A pocctl configured with the node certificate is refused too.
    cfg = tb.tmpfile("pocctl-node-cert.conf", f"""[pocctl]
node = 127.0.0.1:{aus['operator_port']}
member = AUS
ca = {aus['network_ca']}
cert = {aus['node_cert']}
key = {aus['node_key']}
""")
    rc, out, err = tb.pocctl_text("AUS", "status", config=cfg)
    check(rc == 1, f"pocctl status with a node certificate: exit {rc}, want 1\n"
                   f"stdout: {out}\nstderr: {err}")

    # Both nodes still serve after the refusals.
    time.sleep(0.2)
    expect_reply(fra["peer_port"], node_aus, peer_hello("AUS"), PEER_HELLO,
                 "AUS node certificate on FRA's peer listener, afterwards")
    tb.pocctl("AUS", "status")


if __name__ == "__main__":
    run_test(test)
