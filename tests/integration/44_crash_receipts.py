#!/usr/bin/env python3
"""A receipt is only ever sent for what survives a crash, with the group
commit's fdatasync on its own thread (store_sync.h): the loop stages and
commits the next batch while the previous one syncs, and answers a batch
only once the sync thread reports it durable.

SENDERS raw TLS connections (two as AUS, two as KEN) each keep a window of
WINDOW envelopes in flight to FRA and record every receipt; a seeded
schedule SIGKILLs FRA under that load KILLS times and starts it again (the
senders reconnect).  At the end FRA is SIGKILLed once more under load,
`PRAGMA integrity_check` must be ok on its store as it lies on disk, and
after the restart every envelope FRA receipted (ACCEPTED or DUPLICATE) is
in its store exactly once.

What a SIGKILL can and cannot prove: the page cache survives it, so this
shows that no receipt leaves before its batch's COMMIT (and that the
pipelined batches, the shutdown and the recovery lose nothing receipted);
that no receipt leaves before the fdatasync itself is what
38_fsync_order.py proves, with the sync held by faultfs.so.

Environment: CRASH_SEED (default 44), KILLS (default 6)."""

import os
import random
import socket
import ssl
import threading
import time

from tb import TestFailure, check, frame, run_test, tls_client
from rel import (RawPeer, describe_peer_frame, envelope_bytes, integrity_check,
                 peer_envelope, sql)

SEED = int(os.environ.get("CRASH_SEED", "44"))
KILLS = int(os.environ.get("KILLS", "6"))
WINDOW = 16
SENDERS = (("AUS", 0), ("AUS", 1), ("KEN", 0), ("KEN", 1))


class Sender(threading.Thread):
    """One connection's worth of load: WINDOW envelopes, then their
    receipts, again and again; reconnects when FRA goes away."""

    def __init__(self, tb, member, n, stop):
        super().__init__(daemon=True)
        self.tb, self.member, self.n, self.stop = tb, member, n, stop
        info = tb.info(member)
        self.key = info["node_key"]
        self.ctx = tls_client(info["network_ca"], info["node_cert"], info["node_key"])
        self.receipted = {}     # id -> status
        self.sent = 0
        self.reconnects = 0
        self.error = None

    def one_connection(self):
        p = RawPeer(self.tb.info("FRA")["peer_port"], self.ctx, timeout=10)
        try:
            p.hello(self.member)
            while not self.stop.is_set():
                ids = []
                for _ in range(WINDOW):
                    eid, env = envelope_bytes(self.member, "FRA", key=self.key)
                    p.send(frame(peer_envelope(env)))
                    ids.append(eid)
                    self.sent += 1
                for _ in ids:
                    ans = p.recv_frame()
                    if ans is None:
                        return
                    d = describe_peer_frame(ans)
                    if d[0] != "receipt":
                        return
                    if d[1] not in ("ACCEPTED", "DUPLICATE"):
                        raise TestFailure(f"{self.member}/{self.n}: receipt {d!r}")
                    self.receipted[d[2]] = d[1]
        finally:
            p.close()

    def run(self):
        while not self.stop.is_set():
            try:
                self.one_connection()
            except TestFailure as e:
                self.error = e
                return
            except (OSError, ssl.SSLError, socket.timeout):
                pass
            self.reconnects += 1
            time.sleep(0.05)


def test(tb):
    rng = random.Random(SEED)
    stop = threading.Event()
    senders = [Sender(tb, m, n, stop) for m, n in SENDERS]
    for s in senders:
        s.start()
    cycles = []
    try:
        time.sleep(1.0)
        for _ in range(KILLS):
            pause, down = rng.uniform(0.3, 1.2), rng.uniform(0.0, 0.5)
            time.sleep(pause)
            tb.kill("FRA")
            time.sleep(down)
            tb.start("FRA")
            cycles.append((round(pause, 2), round(down, 2)))
        time.sleep(rng.uniform(0.3, 1.2))
        tb.kill("FRA")      # the last one, under load
    finally:
        stop.set()
        for s in senders:
            s.join(30)
    for s in senders:
        if s.error:
            raise TestFailure(str(s.error))
    db = tb.info("FRA")["db"]
    integrity_check(db)
    tb.start("FRA")

    receipted = {}
    for s in senders:
        receipted.update(s.receipted)
    sent = sum(s.sent for s in senders)
    check(len(receipted) >= 20 * len(senders),
          f"only {len(receipted)} receipts under load: the test did not load FRA")
    rows = sql(db, "SELECT id, count(*) FROM messages WHERE direction = 'in' GROUP BY id;")
    held = {r[0]: int(r[1]) for r in rows}
    missing = [i for i in receipted if held.get(i, 0) == 0]
    check(not missing, f"{len(missing)} of {len(receipted)} receipted envelopes are not "
                       f"in FRA's store after the crashes: {missing[:5]}")
    doubled = [i for i in receipted if held.get(i, 0) > 1]
    check(not doubled, f"receipted envelopes stored more than once: {doubled[:5]}")
    print(f"{len(cycles) + 1} SIGKILLs of FRA under {len(senders)} senders "
          f"(window {WINDOW}; {sum(s.reconnects for s in senders)} reconnects): "
          f"{sent} sent, {len(receipted)} receipted, every one held once after the "
          f"restart ({len(held)} in FRA's store); integrity_check ok")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA", "KEN"))
