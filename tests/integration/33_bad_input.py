#!/usr/bin/env python3
"""Bad input from an authenticated member, crafted byte by byte (pocd's
own encoder would never produce it): an oversize length prefix, a frame
that does not decode, and well-formed protobuf envelopes with out-of-range
enums, over-long strings and invalid UTF-8.  Each gets an Error frame and a
close (framing) or a REJECTED receipt (content), a log line naming the
reason, and nothing is stored.  The operator listener refuses an oversize
length and garbage the same way.  A valid envelope sent the same way is
ACCEPTED, so the test cannot pass vacuously."""

import struct

from tb import check, check_eq, frame, run_test, tls_client
from rel import (RawPeer, describe_peer_frame, envelope_bytes, message_count,
                 notification_body, pb_field, peer_envelope, sql, wait_log)


def session(tb, payload_frames, what):
    """New connection as AUS to FRA, Hello, then the raw bytes; returns the
    frames FRA sends until it closes or the first receipt."""
    aus, fra = tb.info("AUS"), tb.info("FRA")
    p = RawPeer(fra["peer_port"], tls_client(aus["network_ca"], aus["node_cert"],
                                             aus["node_key"]))
    try:
        p.hello("AUS")
        p.send(payload_frames)
        got = p.recv_frame()
        if got is None:
            return []
        first = describe_peer_frame(got)
        if first[0] == "receipt":
            return [first]
        return [first] + p.frames_until_close()
    finally:
        p.close()


def stored(tb, eid):
    return sql(tb.info("FRA")["db"], f"SELECT count(*) FROM messages WHERE id = '{eid}';")[0][0] != "0"


def test(tb):
    before = message_count(tb, "FRA")

    key = tb.info("AUS")["node_key"]     # envelopes are signed as AUS signs

    # Control: a valid hand-built envelope is accepted and stored.
    eid, env = envelope_bytes("AUS", "FRA", key=key)
    got = session(tb, frame(peer_envelope(env)), "valid")
    check_eq(got, [("receipt", "ACCEPTED", eid, "")], "valid hand-built envelope")
    check(stored(tb, eid), "the valid envelope is not stored")
    before += 1

    # Framing: an oversize length prefix (over max_frame, 1 MiB by default)
    # and bytes that do not decode as a PeerFrame.
    for what, data, code, pattern in (
            ("oversize length prefix", struct.pack(">I", 0x7FFFFFF0) + b"\0" * 64,
             "TOO_LARGE", r"(above max_frame|too large)"),
            ("length just over max_frame", struct.pack(">I", (1 << 20) + 1) + b"\0" * 64,
             "TOO_LARGE", r"(above max_frame|too large)"),
            ("frame that does not decode", frame(b"\xff\xff\xff\xff\xff\x01\x02"),
             "MALFORMED", r"does not decode"),
            ("truncated nested message", frame(b"\x12\x40\x0a\x02"),
             "MALFORMED", r"does not decode")):
        offset = len(tb.log("FRA"))
        got = session(tb, data, what)
        check(got and got[0][0] == "error" and got[0][1] == code,
              f"{what}: want an Error {code} and a close, got {got!r}")
        wait_log(tb, "FRA", offset, pattern, what)

    # Content: decodes, fails validation.
    long = "x" * 501
    cases = [
        ("tlp out of range (99)", dict(tlp=99), r"tlp"),
        ("severity out of range (77)",
         dict(body=notification_body(severity=77)), r"severity"),
        ("sector out of range (200)",
         dict(body=notification_body(sectors=(6, 200))), r"sector"),
        ("unknown body field number",
         dict(body_field=29, body=pb_field(1, "x")), r"body"),
        ("summary over 500 bytes", dict(body=notification_body(summary=long)),
         r"summary"),
        ("description over 16384 bytes",
         dict(body=notification_body(extra=pb_field(2, "d" * 16385))), r"description"),
        ("language tag over 35 bytes", dict(language=b"en-" + b"a" * 40), r"language"),
        ("invalid UTF-8 in summary",
         dict(body=notification_body(summary=b"Scan \xc3\x28 from \xff\xfe")),
         r"(utf-?8|summary)"),
        ("invalid UTF-8 in language", dict(language=b"e\x80n"), r"(utf-?8|language)"),
        ("overlong UTF-8 encoding (C0 AF) in summary",
         dict(body=notification_body(summary=b"a\xc0\xafb")), r"(utf-?8|summary)"),
        ("UTF-16 surrogate (ED A0 80) in summary",
         dict(body=notification_body(summary=b"a\xed\xa0\x80b")), r"(utf-?8|summary)"),
        ("created_at far in the future",
         dict(created_at=(1 << 62)), r"created_at"),
    ]
    for what, kw, pattern in cases:
        eid, env = envelope_bytes("AUS", "FRA", key=key, **kw)
        offset = len(tb.log("FRA"))
        got = session(tb, frame(peer_envelope(env)), what)
        check(got and (got[0][:2] == ("receipt", "REJECTED") or got[0][0] == "error"),
              f"{what}: want REJECTED (or an Error), got {got!r}")
        if got[0][0] == "receipt":
            check_eq(got[0][2], eid, f"{what}: receipt envelope_id")
            check(len(got[0][3]) > 0, f"{what}: REJECTED without a reason")
        wait_log(tb, "FRA", offset, rf"refused.*{pattern}|{pattern}.*refused", what)
        check(not stored(tb, eid), f"{what}: the envelope was stored")

    # The operator listener: an oversize length and garbage from a valid
    # operator certificate get no reply but a close, and are logged.
    aus = tb.info("AUS")
    op = tls_client(aus["network_ca"], aus["operator_cert"], aus["operator_key"])
    for what, data in (("oversize length on the operator listener",
                        struct.pack(">I", 0x7FFFFFF0) + b"\0" * 16),
                       ("garbage on the operator listener", frame(b"\xff" * 12))):
        offset = len(tb.log("AUS"))
        p = RawPeer(aus["operator_port"], op)
        try:
            p.send(data)
            frames = []
            while True:
                f = p.recv_frame()
                if f is None:
                    break
                frames.append(f)
                check(len(frames) < 4, f"{what}: too many replies")
        finally:
            p.close()
        wait_log(tb, "AUS", offset, r"(above max_frame|does not decode)", what)
    tb.pocctl("AUS", "status")

    check_eq(message_count(tb, "FRA"), before, "messages in FRA's store")


if __name__ == "__main__":
    run_test(test)
