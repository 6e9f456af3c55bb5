#!/usr/bin/env python3
"""A day of running, shortened: `make soak` runs three nodes (AUS, FRA,
KEN) on loopback under steady mixed traffic for SOAK_SECONDS (default
3600), with periodic SIGHUPs and restarts, and records every SAMPLE
seconds each node's RSS and open descriptors, AUS's WAL and store size,
and the delivery latency of AUS's envelopes.

Traffic, all through pocctl as operators would:
- operators keep cases going AUS -> FRA, FRA -> AUS and KEN -> AUS (a
  notification, then status updates in its thread);
- every REQUEST_EVERY s AUS asks FRA for assistance; FRA's duty officer
  acknowledges and responds to each request, and replies to each
  communication check, that reaches it;
- every CHECK_EVERY s AUS checks FRA and KEN;
- every DIR_EVERY s FRA edits its directory record and AUS and KEN
  import it;
- every HUP_EVERY s one node gets SIGHUP, and every RESTART_EVERY s one
  node is restarted, alternately cleanly and with SIGKILL (the order of
  victims comes from SOAK_SEED).

It fails if, after the warm-up (the first fifth), a node's RSS rises more
than RSS_BOUND_MIB above its highest in the first window after warm-up,
or its descriptors more than FD_BOUND above theirs; or if, once the
traffic stops and the outboxes drain, any envelope an operator was told
"queued" is missing or stored twice at its recipient, out of order in its
case, or not delivered; or if a request was not answered.  It writes
build/soak/results.json (every sample and event) and build/soak/soak.svg,
and prints a summary.  The binaries are copied first, so that a rebuild
during the run does not change what runs.
"""

import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(REPO, "build", "soak")
BIN = tempfile.mkdtemp(prefix="pocd-soak-bin-")
for _b in ("pocd", "pocctl"):
    shutil.copy2(os.path.join(REPO, "build", _b), os.path.join(BIN, _b))
os.environ["POCD"] = os.path.join(BIN, "pocd")
os.environ["POCCTL"] = os.path.join(BIN, "pocctl")
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

from tb import Testbed, TestFailure, check  # noqa: E402 (after POCCTL is set)
from rel import CaseOperator, check_delivered, drained, sql  # noqa: E402
import svgchart  # noqa: E402

SECONDS = float(os.environ.get("SOAK_SECONDS", "3600"))
SEED = int(os.environ.get("SOAK_SEED", "1"))
SAMPLE = 10.0
REQUEST_EVERY, CHECK_EVERY, DIR_EVERY = 20.0, 300.0, 180.0
HUP_EVERY, RESTART_EVERY = 300.0, 600.0
# The store's page cache (STORE_CACHE_KIB, 16 MiB, store_schema.c) fills as
# the store grows, and the peer listener's TLS session cache as peers come
# back after restarts; growth past both is a leak.
RSS_BOUND_MIB, FD_BOUND = 24, 8
MEMBERS = ("AUS", "FRA", "KEN")
DRAIN_TIMEOUT = 300


class Every(threading.Thread):
    """Runs fn every period seconds until stop; records errors, and
    separately what a node being restarted refused (soak.restarting())."""

    def __init__(self, period, fn, stop, soak, first=None):
        super().__init__(daemon=True)
        self.period, self.fn, self.stop, self.soak = period, fn, stop, soak
        self.first = period if first is None else first
        self.errors, self.refused = [], 0

    def run(self):
        if self.stop.wait(self.first):
            return
        while True:
            try:
                self.fn()
            except Exception as e:      # reported at the end
                if "connection refused" in str(e) and self.soak.restarting():
                    self.refused += 1
                else:
                    self.errors.append(f"{time.strftime('%H:%M:%S')} {e}")
            if self.stop.wait(self.period):
                return


class Soak:
    def __init__(self, tb):
        self.tb = tb
        self.rng = random.Random(SEED)
        self.t0 = time.monotonic()
        self.samples, self.events = [], []
        self.requests, self.answered = [], set()
        self.lock = threading.Lock()
        self.dir_serial = 0
        self.last_delivered = 0
        self.restarts = []              # (begin, end) monotonic, end None: now

    def restarting(self, slack=5.0):
        """Whether a node is being restarted, or was within slack s."""
        t = time.monotonic()
        with self.lock:
            return any(b - 1 <= t <= (e if e is not None else t) + slack
                       for b, e in self.restarts)

    def now(self):
        return round(time.monotonic() - self.t0, 1)

    def event(self, what):
        with self.lock:
            self.events.append((self.now(), what))
        print(f"[{self.now():7.1f} s] {what}", flush=True)

    # --------------------------------------------------------- traffic

    def request(self):
        r = self.tb.send("AUS", {
            "recipient": "FRA", "tlp": "AMBER", "language": "en",
            "assistance_request": {"summary": "Soak: scanning from your network",
                                   "urgency": "PRIORITY"}})
        with self.lock:
            self.requests.append(r["id"])

    def duty_officer(self):
        """FRA's duty officer: acknowledges and responds to each request,
        replies to each check."""
        for m in self.tb.box("FRA", "inbox"):
            mid = m.get("id")
            if mid in self.answered:
                continue
            if "assistance_request" in m:
                self.tb.pocctl("FRA", "ack", mid, "--note", "Received")
                self.tb.pocctl("FRA", "respond", mid, "--decision", "WILL_ASSIST")
            elif "communication_check" in m:
                self.tb.pocctl("FRA", "check-reply", mid)
            else:
                continue
            with self.lock:
                self.answered.add(mid)

    def check(self):
        self.tb.pocctl("AUS", "check", "FRA", "KEN")
        self.event("AUS checks FRA and KEN")

    def directory_edit(self):
        self.dir_serial += 1
        rc, out, err = self.tb.pocctl_text("FRA", "directory", "set", "name",
                                           f"CERT-FR soak {self.dir_serial}")
        check(rc == 0, f"FRA: directory set name: {err}")
        rc, out, err = self.tb.pocctl_text("FRA", "directory", "export", "--format",
                                           "json", "FRA")
        check(rc == 0, f"FRA: directory export: {err}")
        path = self.tb.tmpfile("fra.json", out)
        for m in ("AUS", "KEN"):
            rc, _, err = self.tb.pocctl_text(m, "directory", "import", path)
            check(rc == 0, f"{m}: directory import: {err}")

    def hup(self):
        m = self.rng.choice(MEMBERS)
        self.tb.reload()
        os.kill(self.tb.info(m)["pid"], signal.SIGHUP)
        self.event(f"SIGHUP {m}")

    def restart(self):
        m = self.rng.choice(MEMBERS)
        hard = len([e for e in self.events if "restart" in e[1]]) % 2 == 1
        with self.lock:
            self.restarts.append([time.monotonic(), None])
        try:
            if hard:
                self.tb.kill(m)
            else:
                self.tb.stop(m)
            self.tb.start(m)
        finally:
            with self.lock:
                self.restarts[-1][1] = time.monotonic()
        self.event(f"restart {m} ({'SIGKILL' if hard else 'clean'})")

    # --------------------------------------------------------- samples

    def sample(self):
        self.tb.reload()
        s = {"t": self.now(), "rss_kib": {}, "fds": {}}
        for m in MEMBERS:
            pid = self.tb.info(m)["pid"]
            try:
                s["fds"][m] = len(os.listdir(f"/proc/{pid}/fd"))
                with open(f"/proc/{pid}/status", encoding="utf-8") as f:
                    s["rss_kib"][m] = int(next(ln for ln in f if ln.startswith(
                        "VmRSS:")).split()[1])
            except (OSError, StopIteration):
                pass                    # restarting at this moment
        db = self.tb.info("AUS")["db"]
        s["store_bytes"] = os.path.getsize(db)
        s["wal_bytes"] = os.path.getsize(db + "-wal") if os.path.exists(db + "-wal") else 0
        rows = sql(db, "SELECT delivered_at, delivered_at - created_at FROM messages "
                       f"WHERE direction = 'out' AND state = 'delivered' "
                       f"AND delivered_at > {self.last_delivered};")
        lat = sorted(int(r[1]) for r in rows)
        if rows:
            self.last_delivered = max(int(r[0]) for r in rows)
        s["delivered"] = len(lat)
        if lat:
            s["latency_p50_ms"] = lat[len(lat) // 2]
            s["latency_p99_ms"] = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        with self.lock:
            self.samples.append(s)


def growth(samples, warm_end):
    """Per member: (first window max, later max) of RSS and descriptors
    after the warm-up."""
    after = [s for s in samples if s["t"] >= warm_end]
    n = max(1, len(after) // 5)
    first, rest = after[:n], after[n:]
    out = {}
    for m in MEMBERS:
        def mx(rows, key):
            v = [r[key][m] for r in rows if m in r[key]]
            return max(v) if v else 0
        out[m] = {"rss_first_kib": mx(first, "rss_kib"), "rss_later_kib": mx(rest, "rss_kib"),
                  "fds_first": mx(first, "fds"), "fds_later": mx(rest, "fds")}
    return out


def draw(samples, events, warm_end, path):
    t = [s["t"] / 60 for s in samples]
    panels = [
        ("RSS (MiB)", [(m, t, [s["rss_kib"].get(m, 0) / 1024 for s in samples])
                       for m in MEMBERS]),
        ("open descriptors", [(m, t, [s["fds"].get(m, 0) for s in samples])
                              for m in MEMBERS]),
        ("AUS store and WAL (MiB)", [
            ("store", t, [s["store_bytes"] / 2**20 for s in samples]),
            ("WAL", t, [s["wal_bytes"] / 2**20 for s in samples])]),
        ("AUS delivery latency (ms)", [
            ("p50", t, [s.get("latency_p50_ms", 0) for s in samples]),
            ("p99", t, [s.get("latency_p99_ms", 0) for s in samples])]),
    ]
    marks = [(e[0] / 60, e[1].split(" ")[0]) for e in events
             if e[1].startswith(("restart", "SIGHUP"))]
    svgchart.write(path, "pocd soak: three nodes, mixed traffic, restarts and SIGHUPs",
                   "minutes", panels, marks=marks, shade_until=warm_end / 60)


def main():
    print(f"soak: {SECONDS:.0f} s, seed {SEED}, nodes {', '.join(MEMBERS)}; "
          f"binaries copied to {BIN}", flush=True)
    tb = Testbed(members=MEMBERS, name="pocd-soak")
    ok = False
    try:
        tb.up()
        soak = Soak(tb)
        stop = threading.Event()
        ops = [CaseOperator(tb, s, r, n, stop, tolerate=True, pause=0.5)
               for n, (s, r) in enumerate((("AUS", "FRA"), ("FRA", "AUS"), ("KEN", "AUS")))]
        jobs = [Every(SAMPLE, soak.sample, stop, soak, first=0),
                Every(REQUEST_EVERY, soak.request, stop, soak),
                Every(5.0, soak.duty_officer, stop, soak),
                Every(CHECK_EVERY, soak.check, stop, soak),
                Every(DIR_EVERY, soak.directory_edit, stop, soak),
                Every(HUP_EVERY, soak.hup, stop, soak),
                Every(RESTART_EVERY, soak.restart, stop, soak)]
        for th in ops + jobs:
            th.start()
        stop.wait(SECONDS)
        stop.set()
        for th in ops + jobs:
            th.join(60)
        soak.event("traffic stopped")
        tb.wait_until(lambda: drained(tb, MEMBERS), DRAIN_TIMEOUT, "the outboxes to drain",
                      interval=1.0)
        soak.event("outboxes drained")
        time.sleep(10)                  # FRA answers the last requests
        soak.duty_officer()
        soak.sample()

        failures = []
        confirmed = {}
        for s, r in (("AUS", "FRA"), ("FRA", "AUS"), ("KEN", "AUS")):
            try:
                confirmed[f"{s}->{r}"] = check_delivered(
                    tb, [o for o in ops if o.sender == s and o.recipient == r], s, r)
            except TestFailure as e:
                failures.append(str(e))
        unanswered = [i for i in soak.requests if i not in soak.answered]
        if unanswered:
            failures.append(f"{len(unanswered)} of {len(soak.requests)} requests "
                            f"never answered by FRA: {unanswered[:3]}")
        warm_end = max(60.0, SECONDS / 5)
        g = growth(soak.samples, warm_end)
        for m, v in g.items():
            if v["rss_later_kib"] > v["rss_first_kib"] + RSS_BOUND_MIB * 1024:
                failures.append(f"{m}: RSS rose from {v['rss_first_kib']} KiB to "
                                f"{v['rss_later_kib']} KiB after the warm-up "
                                f"(bound: +{RSS_BOUND_MIB} MiB)")
            if v["fds_later"] > v["fds_first"] + FD_BOUND:
                failures.append(f"{m}: descriptors rose from {v['fds_first']} to "
                                f"{v['fds_later']} after the warm-up (bound: +{FD_BOUND})")
        errors = [e for j in jobs for e in j.errors]
        errors += [f"{o.sender} case {o.n}: {o.error}" for o in ops if o.error]
        if errors:
            failures.append(f"{len(errors)} operator actions failed, first: {errors[:3]}")

        os.makedirs(OUT, exist_ok=True)
        results = {"seconds": SECONDS, "seed": SEED, "warm_up_s": warm_end,
                   "confirmed": confirmed, "cut_off": sum(o.failed for o in ops),
                   "refused_during_restarts": sum(j.refused for j in jobs),
                   "requests": len(soak.requests), "answered": len(soak.answered),
                   "growth": g, "failures": failures, "events": soak.events,
                   "samples": soak.samples}
        with open(os.path.join(OUT, "results.json"), "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
        draw(soak.samples, soak.events, warm_end, os.path.join(OUT, "soak.svg"))

        lat99 = [s["latency_p99_ms"] for s in soak.samples if "latency_p99_ms" in s]
        print(f"\n{'envelopes confirmed':24} {confirmed} "
              f"(+{results['cut_off']} sends refused during restarts)")
        print(f"{'actions refused':24} {results['refused_during_restarts']} "
              f"(a node was restarting)")
        print(f"{'requests answered':24} {len(soak.answered & set(soak.requests))} "
              f"of {len(soak.requests)}")
        for m, v in g.items():
            print(f"{m + ' RSS (KiB)':24} {v['rss_first_kib']} -> {v['rss_later_kib']}   "
                  f"descriptors {v['fds_first']} -> {v['fds_later']}")
        last = soak.samples[-1]
        print(f"{'AUS store, WAL (MiB)':24} {last['store_bytes'] / 2**20:.1f}, "
              f"{max(s['wal_bytes'] for s in soak.samples) / 2**20:.1f} at most")
        if lat99:
            print(f"{'delivery p99 (ms)':24} median {sorted(lat99)[len(lat99) // 2]}, "
                  f"max {max(lat99)} over {len(lat99)} samples")
        print(f"{'written':24} {OUT}/results.json, {OUT}/soak.svg")
        for f in failures:
            print(f"FAIL: {f}")
        ok = not failures
    finally:
        tb.down()
        shutil.rmtree(BIN, ignore_errors=True)
        if ok:
            shutil.rmtree(tb.dir, ignore_errors=True)
        else:
            print(f"test directory kept: {tb.dir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
