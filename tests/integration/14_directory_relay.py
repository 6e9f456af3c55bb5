#!/usr/bin/env python3
"""A relay can forward records but not forge them, over replication: FRA
pulls its directory from "KEN", which here is a fake upstream (this
script, holding KEN's real, pinned node certificate) that speaks the pull
protocol itself.  It first offers AUS's newer record with one field
changed: FRA refuses it (signature) and keeps what it holds.  Then it
offers the record exactly as AUS signed it: FRA takes it, so the relay path
works and the refusal was for the forgery."""

import json
import socket
import ssl
import threading

from dirtb import export, pack_record, restart_with, serial, wait_log
from tb import check, check_eq, frame, pb_field, run_test

# PeerFrame fields (proto/poc.proto)
PF_HELLO, PF_DIGEST_REQ, PF_DIGEST, PF_FETCH, PF_RECORDS = 1, 10, 11, 12, 13


def read_frame(s):
    def read(n):
        b = b""
        while len(b) < n:
            chunk = s.recv(n - len(b))
            if not chunk:
                raise ConnectionError("closed")
            b += chunk
        return b
    n = int.from_bytes(read(4), "big")
    return read(n)


def first_field(payload):
    """(field number, value bytes) of a PeerFrame's oneof member."""
    key = payload[0]
    n, i, shift = 0, 1, 0
    while True:
        b = payload[i]
        n |= (b & 0x7F) << shift
        i += 1
        shift += 7
        if not b & 0x80:
            break
    return key >> 3, payload[i:i + n]


class FakeUpstream:
    """Serves one pull per connection: Hello, digest, records."""

    def __init__(self, cert, key, digest, records):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(20)
        self.port = self.sock.getsockname()[1]
        self.digest, self.records = digest, records
        self.asked = []
        self.errors = []

    def serve_once(self):
        raw, _ = self.sock.accept()
        raw.settimeout(10)
        with self.ctx.wrap_socket(raw, server_side=True) as s:
            hello = pb_field(1, 1) + pb_field(2, "KEN") + pb_field(3, "fake")
            s.sendall(frame(pb_field(PF_HELLO, hello)))
            num, _ = first_field(read_frame(s))
            check_eq(num, PF_HELLO, "FRA's first frame")
            num, _ = first_field(read_frame(s))
            check_eq(num, PF_DIGEST_REQ, "FRA's digest request")
            d = b"".join(pb_field(1, pb_field(1, c) + pb_field(2, v))
                         for c, v in self.digest)
            s.sendall(frame(pb_field(PF_DIGEST, d)))
            num, fetch = first_field(read_frame(s))
            check_eq(num, PF_FETCH, "FRA's fetch")
            self.asked.append(fetch)
            recs = b"".join(pb_field(1, r) for r in self.records)
            s.sendall(frame(pb_field(PF_RECORDS, recs)))
            try:
                read_frame(s)           # FRA closes when done
            except (ConnectionError, OSError, ssl.SSLError):
                pass

    def start(self):
        def run():
            try:
                self.serve_once()
            except Exception as e:      # reported by the test
                self.errors.append(repr(e))
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t


def test(tb):
    rc, out, err = tb.pocctl_text("AUS", "directory", "set", "name", "Australia")
    check(rc == 0, f"set name: {err}")
    genuine = export(tb, "AUS", "AUS")["records"][0]
    check_eq(int(genuine["serial"]), 2, "AUS serial")
    forged = dict(genuine, name="Australia (forged by the relay)")
    ken = tb.info("KEN")
    fake = FakeUpstream(ken["node_cert"], ken["node_key"], [("AUS", 2)],
                        [pack_record(forged)])
    restart_with(tb, "FRA", "[directory]\nsync_interval = 0\n\n[upstream KEN]\n"
                 f"endpoint = 127.0.0.1:{fake.port}\n")

    # Round 1: the forged record is refused; FRA keeps serial 1.
    off = len(tb.log("FRA"))
    t = fake.start()
    rc, out, err = tb.pocctl_text("FRA", "directory", "sync")
    check(rc == 0, f"sync: {err}")
    wait_log(tb, "FRA", off, r"record of AUS \(serial 2\) via upstream KEN "
             r"refused: signature does not verify", "forged record refused")
    wait_log(tb, "FRA", off, r"directory sync KEN: done, 0 records taken, 1 "
             r"refused", "pull finished")
    t.join(10)
    check(not fake.errors, f"fake upstream: {fake.errors}")
    check(b"AUS" in fake.asked[0], f"FRA asked for AUS: {fake.asked}")
    check_eq(serial(tb, "FRA", "AUS"), 1, "FRA's AUS serial after the forgery")

    # Round 2: the same relay forwards the record as AUS signed it.
    fake.records = [pack_record(genuine)]
    off = len(tb.log("FRA"))
    t = fake.start()
    rc, out, err = tb.pocctl_text("FRA", "directory", "sync")
    check(rc == 0, f"sync: {err}")
    wait_log(tb, "FRA", off, r"directory: AUS serial 2 taken via upstream KEN",
             "genuine record taken")
    t.join(10)
    check(not fake.errors, f"fake upstream: {fake.errors}")
    got = export(tb, "FRA", "AUS")["records"][0]
    check_eq(got, genuine, "FRA's AUS record")


if __name__ == "__main__":
    run_test(test)
