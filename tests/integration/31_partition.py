#!/usr/bin/env python3
# run.py: alone (it times retries against log timestamps, with 0.05 s and 0.6 s of slack)
"""Partitions: FRA unreachable while AUS keeps queuing, first stopped
(connections refused), then black-holed (its port taken by a listener of
this test that accepts and never answers, and counts the attempts); AUS is
SIGKILLed and restarted in the middle.  AUS runs with retry_initial = 1,
retry_max = 4, handshake_timeout = 2.  Then FRA comes back and, without
any operator action:

- every envelope is delivered, once, in queue order per case;
- no retry storm: each "next in" delay AUS logged is within the capped
  backoff with equal jitter ([b/2, b], b = min(1 * 2^(k-1), 4) s for
  failure k), the log's failures are spaced at least by the delay logged
  before them, queuing more does not add attempts, and the black hole's
  accepts are spaced by at least handshake_timeout and at most
  handshake_timeout + retry_max (+ slack);
- the retry state survives the SIGKILL: `pocctl outbox --json` shows the
  same attempts and next_attempt_at after the restart, and the first
  attempt after it comes no earlier than that next_attempt_at.
"""

import re
import socket
import threading
import time
from datetime import datetime, timezone

from tb import check, check_eq, envelope, now_ms, run_test
from rel import reconfigure, sql

R_INIT, R_MAX, HS = 1, 4, 2
SLACK = 0.6
FAIL_RE = re.compile(r"^(\S+) pocd\[\w+\] outbox FRA: delivery attempt (\d+) failed "
                     r"\((.*)\); next in (\d+)\.(\d{3})s$", re.M)


class BlackHole(threading.Thread):
    """Listens on port, accepts and never answers; records accept times
    (monotonic) and keeps every connection open until closed."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind(("127.0.0.1", port))
        self.s.listen(64)
        self.s.settimeout(0.2)
        self.accepts, self.conns = [], []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                c, _ = self.s.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            self.accepts.append(time.monotonic())
            self.conns.append(c)

    def close(self):
        self.done.set()
        self.join(5)
        for c in self.conns:
            c.close()
        self.s.close()


def failures(tb, offset=0):
    """(wall time s, attempt number, reason, logged delay s) per failure."""
    out = []
    for m in FAIL_RE.finditer(tb.log("AUS")[offset:]):
        t = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=timezone.utc).timestamp()
        out.append((t, int(m.group(2)), m.group(3), int(m.group(4)) + int(m.group(5)) / 1000))
    return out


def check_backoff(fails, what):
    for i, (t, k, reason, delay) in enumerate(fails):
        b = min(R_INIT * 2 ** (k - 1), R_MAX)
        check(b / 2 - 0.01 <= delay <= b + 0.01,
              f"{what}: failure {k} logged delay {delay:.3f} s, want [{b / 2}, {b}] s")
        if i + 1 < len(fails) and fails[i + 1][1] == k + 1:
            gap = fails[i + 1][0] - t
            check(gap >= delay - 0.05,
                  f"{what}: failure {k + 1} came {gap:.3f} s after failure {k}, "
                  f"before its delay of {delay:.3f} s")


def queue(tb, cases, sent, n):
    """n more envelopes on each case (the first opens it)."""
    for c in range(len(cases)):
        for _ in range(n):
            if cases[c] is None:
                r = tb.send("AUS", envelope("FRA", "notification",
                                            {"summary": f"partition case {c}",
                                             "severity": "LOW"}))
                cases[c] = r["id"]
            else:
                r = tb.send("AUS", envelope("FRA", "status_update",
                                            {"status": "IN_PROGRESS", "text": "more"},
                                            in_reply_to=cases[c]))
            sent[c].append(r["id"])


def outbox_retry(tb):
    rows = [m for m in tb.box("AUS", "outbox") if m.get("state") == "queued"]
    check(rows, "nothing queued in AUS's outbox")
    return {m["id"]: (m.get("attempts"), m.get("next_attempt_at")) for m in rows}


def test(tb):
    reconfigure(tb, "AUS", [("delivery", "retry_initial", R_INIT),
                            ("delivery", "retry_max", R_MAX),
                            ("limits", "handshake_timeout", HS)])
    port = tb.info("FRA")["peer_port"]
    cases, sent = [None, None], [[], []]

    # 1. FRA stopped: connections refused.
    tb.stop("FRA")
    offset = len(tb.log("AUS"))
    queue(tb, cases, sent, 2)
    time.sleep(4)
    n_before = len(failures(tb, offset))
    queue(tb, cases, sent, 3)             # more queuing adds no attempt
    time.sleep(0.3)
    check(len(failures(tb, offset)) <= n_before + 1,
          "queuing more while FRA is down caused extra attempts")
    time.sleep(4)
    f1 = failures(tb, offset)
    check(len(f1) >= 3, f"only {len(f1)} failed attempts logged while FRA was stopped")
    check_backoff(f1, "FRA stopped")
    check(all("Connection refused" in r for _, _, r, _ in f1),
          f"failures while FRA is stopped should say why: {[r for _, _, r, _ in f1]}")

    # 2. FRA's port black-holed: TCP accepted, TLS never answered.
    hole = BlackHole(port)
    hole.start()
    try:
        offset2 = len(tb.log("AUS"))
        queue(tb, cases, sent, 2)
        time.sleep(11)
        accepts = list(hole.accepts)
        check(len(accepts) >= 2, f"only {len(accepts)} attempts reached the black hole in 11 s")
        gaps = [b - a for a, b in zip(accepts, accepts[1:])]
        for g in gaps:
            check(HS - 0.2 <= g <= HS + R_MAX + SLACK,
                  f"black hole: attempts {g:.2f} s apart, want "
                  f"[{HS}, {HS + R_MAX}] s (handshake_timeout + capped backoff)")
        f2 = failures(tb, offset2)
        check(f2 and all("timed out" in r for _, _, r, _ in f2),
              f"black hole failures should be handshake timeouts: {f2!r}")
        check_backoff(f1 + f2, "FRA black-holed")
        print(f"black hole: {len(accepts)} attempts in 11 s, "
              f"{', '.join(f'{g:.2f}' for g in gaps)} s apart; "
              f"{len(f1) + len(f2)} failures logged, delays "
              f"{', '.join(f'{d:.2f}' for _, _, _, d in f1 + f2)} s")

        # 3. AUS SIGKILLed and restarted: the retry state is the store's.
        before = outbox_retry(tb)
        tb.kill("AUS")
        kill_wall_ms, kill_mono = now_ms(), time.monotonic()
        n_accepts = len(hole.accepts)
        tb.start("AUS")
        after = outbox_retry(tb)
        for mid, (att, nxt) in before.items():
            check(mid in after, f"{mid} lost from AUS's outbox across the restart")
            a2, n2 = after[mid]
            check(a2 >= att and att > 0, f"{mid}: attempts {att} before, {a2} after the restart")
            if a2 == att:
                check_eq(n2, nxt, f"{mid}: next_attempt_at across the restart")
        # The stored next_attempt_at as the restarted AUS read it.
        first = min(nxt for _, nxt in after.values())
        tb.wait_until(lambda: len(hole.accepts) > n_accepts, HS + R_MAX + 6,
                      "an attempt after AUS's restart")
        t_first = hole.accepts[n_accepts]
        wall_first_ms = kill_wall_ms + (t_first - kill_mono) * 1000
        check(wall_first_ms >= first - 300,
              f"first attempt after the restart came {(first - wall_first_ms) / 1000:.2f} s "
              f"before the stored next_attempt_at")
        print(f"retry state across SIGKILL: attempts {sorted(set(a for a, _ in before.values()))}"
              f" -> {sorted(set(a for a, _ in after.values()))}; first attempt after the restart "
              f"{(wall_first_ms - first) / 1000:+.2f} s from the stored next_attempt_at")
    finally:
        hole.close()

    # 4. FRA back: delivered without operator action, once, in order.
    t0 = time.monotonic()
    tb.start("FRA")
    every = sent[0] + sent[1]
    fra_db = tb.info("FRA")["db"]

    def all_in():
        got = sql(fra_db, "SELECT id FROM messages WHERE direction = 'in' ORDER BY seq;")
        return got if len(got) >= len(every) else None
    got = tb.wait_until(all_in, HS + R_MAX + 10, "every envelope at FRA", interval=0.2)
    print(f"FRA back: all {len(every)} delivered in {time.monotonic() - t0:.1f} s")
    ids = [r[0] for r in got]
    check_eq(len(ids), len(set(ids)), "distinct envelopes at FRA")
    check_eq(sorted(ids), sorted(every), "the envelopes at FRA")
    pos = {m: i for i, m in enumerate(ids)}
    for c in range(2):
        order = [pos[m] for m in sent[c]]
        check(order == sorted(order), f"case {c} stored out of order at FRA")
    tb.wait_until(lambda: all(m.get("state") == "delivered"
                              for m in tb.box("AUS", "outbox")), 10,
                  "every envelope 'delivered' in AUS's outbox")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
