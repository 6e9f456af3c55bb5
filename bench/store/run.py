#!/usr/bin/env python3
"""bench/store/run.py: the large-store rows of the bench (`make bench-store`).

  run.py [--dir DIR] [--envelopes N] [--threads T] [--members M]
         [--runs R] [--rebuild] [--json FILE]

Builds, once, the store of member AUS after a year (build/poclargestore:
N envelopes in T threads, a directory of M members, weekly checks) in a
test bed of one node (tests/testbed), and keeps it in DIR (default
build/largestore) for the next run; --rebuild makes it again.  Then it
measures, with the node running on that store:

  - pocd's start to ready (testbed start: until `pocctl status` answers),
    3 times;
  - R runs (default 50) of each pocctl command a duty officer runs:
    inbox, outbox (a page each, and a filtered one), cases, show (an old
    and a new message), thread, who, status, checks, checks --list, and
    audit verify of the last 10,000 entries (export --after + verify
    --continued); p50 and p99 of the wall time of the whole command,
    process start and TLS handshake included;
  - what the store costs the receive path: pocbench's throughput (8
    peers, window 64) and latency (one envelope at a time) against the
    node, speaking as member M001, 3 runs each (--tput-runs), on a copy
    of the store so that the runs do not grow it.

The same, in the same run, on the node's store as it was with the
directory but before any envelope (the generator's -e copy): the
reference of the "within 10 %" targets.

It prints one aligned table and, with --json, writes the figures there.
POCBENCH names another load generator (an older one makes random ids).
Targets (issue 11): every command p99 <= 50 ms, start <= 2 s.
"""

import argparse
import json
import shutil
import os
import sqlite3
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
TESTBED = os.path.join(REPO, "tests", "testbed")
GEN = os.path.join(REPO, "build", "poclargestore")
POCCTL = os.path.join(REPO, "build", "pocctl")
POCBENCH = os.environ.get("POCBENCH", os.path.join(REPO, "build", "pocbench"))
ME = "AUS"
PEER = "M001"               # the generator saves its key (largestore.c)
P99_TARGET_MS = 50.0
START_TARGET_S = 2.0
RATIO_TARGET = 0.10         # throughput and latency within 10 % of empty
TPUT_CONNS, TPUT_COUNT, WINDOW = 8, 20000, 64
LAT_COUNT, LAT_GAP_MS = 300, 5


def run(argv, **kw):
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(argv)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout


def testbed(*args):
    return run([sys.executable, TESTBED] + list(args), timeout=600)


def build(d, args):
    """Makes DIR's test bed and fills AUS's store with the generator."""
    if os.path.exists(os.path.join(d, "testbed.json")):
        subprocess.run([sys.executable, TESTBED, "down", d],
                       stdin=subprocess.DEVNULL, capture_output=True)
    subprocess.run(["rm", "-rf", d], check=True)
    testbed("up", d, ME)
    testbed("stop", d, ME)
    db = os.path.join(d, ME, "pocd.db")
    # -e: the node's store with the directory and no envelope, for the
    # same-run reference figures.
    out = run([GEN, "-n", str(args.envelopes), "-t", str(args.threads),
               "-m", str(args.members), "-e", os.path.join(d, "empty.db"),
               db, d, ME], timeout=7200)
    gen = json.loads(out.strip().splitlines()[-1])
    os.chmod(os.path.join(d, "empty.db"), 0o600)    # a store, as pocd's
    with open(os.path.join(d, "generated.json"), "w", encoding="utf-8") as f:
        json.dump(gen, f, indent=2)
    return gen


def facts(db):
    """Ids the commands are run on, read from the file before the start."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    q = lambda sql: c.execute(sql).fetchone()
    f = {
        "last_audit": q("SELECT max(seq) FROM audit")[0],
        "old_id": q("SELECT id FROM messages ORDER BY seq LIMIT 1 OFFSET 1000")[0],
        "new_id": q("SELECT id FROM messages ORDER BY seq DESC LIMIT 1")[0],
        "thread_id": q("SELECT thread_id FROM cases ORDER BY messages DESC, "
                       "last_seq DESC LIMIT 1")[0],
        "member": q("SELECT code FROM directory WHERE code != 'AUS' "
                    "ORDER BY code LIMIT 1")[0],
        "messages": q("SELECT count(*) FROM messages")[0],
    }
    c.close()
    return f


def timed(argv):
    t = time.perf_counter()
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    ms = (time.perf_counter() - t) * 1000
    if r.returncode != 0:
        sys.exit(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr}")
    return ms


def commands(d, ctl, f):
    """The commands measured; f None: those that need no stored ids."""
    seg = os.path.join(d, "audit-last.jsonl")
    cmds = [
        ("inbox", ctl + ["inbox"]),
        ("outbox", ctl + ["outbox"]),
        ("cases", ctl + ["cases"]),
        ("status", ctl + ["status"]),
        ("checks --list", ctl + ["checks", "--list"]),
        ("who", ctl + ["who", f["member"] if f else ME]),
    ]
    if f is None:
        return cmds
    after = str(max(0, f["last_audit"] - 10000))
    return cmds + [
        ("inbox --unacked --from", ctl + ["inbox", "--unacked", "--from",
                                          f["member"]]),
        ("outbox --kind request", ctl + ["outbox", "--kind", "request"]),
        ("show (old)", ctl + ["show", f["old_id"]]),
        ("show (new)", ctl + ["show", f["new_id"]]),
        ("thread", ctl + ["thread", f["thread_id"]]),
        ("checks", ctl + ["checks"]),
        ("audit export --after", ctl + ["audit", "export", "--after", after,
                                         "--out", seg]),
        ("audit verify --continued", ctl + ["audit", "verify", "--continued",
                                             seg]),
    ]


def measure(cmds, runs):
    rows = []
    for name, argv in cmds:
        timed(argv)		# warm
        v = [timed(argv) for _ in range(runs)]
        rows.append({"command": name, "p50_ms": round(pct(v, 50), 1),
                     "p99_ms": round(pct(v, 99), 1),
                     "met": pct(v, 99) <= P99_TARGET_MS})
    return rows


def start_times(d):
    """pocd start to ready (until pocctl status answers), 3 times."""
    starts = []
    for _ in range(3):
        t = time.perf_counter()
        testbed("start", d, ME)
        starts.append(time.perf_counter() - t)
        testbed("stop", d, ME)
    return starts


def pocbench(*args):
    out = run([POCBENCH] + [str(a) for a in args], timeout=900)
    return json.loads(out.strip().splitlines()[-1])


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def load(d, runs):
    """Throughput and latency of the receive path against the running
    node, as member M001: medians of runs, with min and max."""
    with open(os.path.join(d, "testbed.json"), encoding="utf-8") as f:
        port = json.load(f)["members"][ME]["peer_port"]
    args = ["--proto", "poc", "--port", port,
            "--ca", os.path.join(d, "network-ca.pem"),
            "--cert", os.path.join(d, PEER, "node.pem"),
            "--key", os.path.join(d, PEER, "node.key"),
            "--member", PEER, "--to", ME]
    rate, p99, p50 = [], [], []
    for _ in range(runs):
        r = pocbench("tput", *args, "--conns", TPUT_CONNS, "--count",
                     TPUT_COUNT // TPUT_CONNS, "--window", WINDOW)
        rate.append(r["rate"])
        r = pocbench("lat", *args, "--count", LAT_COUNT, "--interval-ms",
                     LAT_GAP_MS)
        p99.append(r["p99_ms"])
        p50.append(r["p50_ms"])
    fig = lambda v, nd: {"median": round(median(v), nd),
                         "min": round(min(v), nd), "max": round(max(v), nd)}
    return {"rate": fig(rate, 0), "p99_ms": fig(p99, 2), "p50_ms": fig(p50, 2)}


def load_on_copy(d, runs):
    """load() on a copy of the node's store, put back afterwards: the
    runs add envelopes, which the next measurements must not see."""
    db = os.path.join(d, ME, "pocd.db")
    keep = db + ".keep"
    testbed("stop", d, ME)
    for sfx in ("-wal", "-shm"):
        if os.path.exists(db + sfx):
            os.unlink(db + sfx)
    shutil.copy2(db, keep)      # its mode too: 0600
    try:
        testbed("start", d, ME)
        return load(d, runs)
    finally:
        subprocess.run([sys.executable, TESTBED, "stop", d, ME],
                       stdin=subprocess.DEVNULL, capture_output=True)
        for sfx in ("-wal", "-shm"):
            if os.path.exists(db + sfx):
                os.unlink(db + sfx)
        os.replace(keep, db)


def swap(d, other):
    """Swaps AUS's store with other (the node stopped)."""
    db = os.path.join(d, ME, "pocd.db")
    for sfx in ("-wal", "-shm"):
        if os.path.exists(db + sfx):
            os.unlink(db + sfx)
    tmp = db + ".swap"
    os.rename(db, tmp)
    os.rename(other, db)
    os.rename(tmp, other)


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=os.path.join(REPO, "build", "largestore"))
    ap.add_argument("--envelopes", type=int, default=1000000)
    ap.add_argument("--threads", type=int, default=50000)
    ap.add_argument("--members", type=int, default=193)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--tput-runs", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    d = os.path.abspath(args.dir)
    db = os.path.join(d, ME, "pocd.db")
    gen_path = os.path.join(d, "generated.json")
    if args.rebuild or not os.path.exists(gen_path):
        print(f"building the store in {d} (once; --rebuild to redo)", flush=True)
        gen = build(d, args)
    else:
        with open(gen_path, encoding="utf-8") as f:
            gen = json.load(f)
    f = facts(db)
    conf = os.path.join(d, ME, "pocctl.conf")
    ctl = [POCCTL, "-c", conf]
    try:
        starts = start_times(d)
        testbed("start", d, ME)
        rows = measure(commands(d, ctl, f), args.runs)
    finally:
        subprocess.run([sys.executable, TESTBED, "stop", d, ME],
                       stdin=subprocess.DEVNULL, capture_output=True)
    big_load = load_on_copy(d, args.tput_runs) if args.tput_runs else None
    # The same commands on the node's empty store, in the same run: what
    # process start, TLS and the machine's load cost without the data.
    ref, empty_load = {}, None
    empty = os.path.join(d, "empty.db")
    if os.path.exists(empty):
        swap(d, empty)
        try:
            ref_starts = start_times(d)
            testbed("start", d, ME)
            ref = {r["command"]: r for r in
                   measure(commands(d, ctl, None), args.runs)}
            subprocess.run([sys.executable, TESTBED, "stop", d, ME],
                           stdin=subprocess.DEVNULL, capture_output=True)
            empty_load = (load_on_copy(d, args.tput_runs)
                          if args.tput_runs else None)
        finally:
            subprocess.run([sys.executable, TESTBED, "stop", d, ME],
                           stdin=subprocess.DEVNULL, capture_output=True)
            swap(d, empty)
    for r in rows:
        if r["command"] in ref:
            r["empty_p99_ms"] = ref[r["command"]]["p99_ms"]
    result = {
        "store": gen, "messages": f["messages"], "audit_entries": f["last_audit"],
        "start_s": [round(s, 2) for s in starts],
        "start_met": max(starts) <= START_TARGET_S,
        "commands": rows, "runs": args.runs,
        "load_average": round(os.getloadavg()[0], 1),
    }
    if big_load and empty_load:
        result["load"] = {"large": big_load, "empty": empty_load}
        result["load"]["rate_ratio"] = round(
            big_load["rate"]["median"] / empty_load["rate"]["median"], 3)
        result["load"]["p99_ratio"] = round(
            big_load["p99_ms"]["median"] / empty_load["p99_ms"]["median"], 3)
        result["load"]["met"] = (
            result["load"]["rate_ratio"] >= 1 - RATIO_TARGET and
            result["load"]["p99_ratio"] <= 1 + RATIO_TARGET)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"store: {gen['envelopes']} envelopes in {gen['threads']} threads, "
          f"{gen['members']} members; built in {gen['seconds']} s; "
          f"{gen['bytes'] / 1e6:.0f} MB, {gen['bytes_per_envelope']} bytes per envelope")
    print(f"pocd start to ready: {', '.join(f'{s:.2f}' for s in starts)} s "
          f"(target <= {START_TARGET_S} s: {'met' if result['start_met'] else 'NOT met'})")
    if ref:
        print(f"same run, empty store: start "
              f"{', '.join(f'{s:.2f}' for s in ref_starts)} s")
        result["empty_start_s"] = [round(s, 2) for s in ref_starts]
    if "load" in result:
        ld = result["load"]
        for k, unit, what in (("rate", "/s", "throughput, 8 peers"),
                              ("p99_ms", " ms", "latency p99, one at a time")):
            b, e = ld["large"][k], ld["empty"][k]
            print(f"{what}: large {b['median']}{unit} ({b['min']}-{b['max']}),"
                  f" empty {e['median']}{unit} ({e['min']}-{e['max']})")
        print(f"large / empty: throughput {ld['rate_ratio']:.2f}, latency p99 "
              f"{ld['p99_ratio']:.2f} (target within {RATIO_TARGET:.0%}: "
              f"{'met' if ld['met'] else 'NOT met'})")
    w = max(len(r["command"]) for r in rows)
    print(f"{'COMMAND':<{w}}  {'P50 MS':>7}  {'P99 MS':>7}  "
          f"{'EMPTY P99':>9}  TARGET")
    for r in rows:
        e = r.get("empty_p99_ms")
        print(f"{r['command']:<{w}}  {r['p50_ms']:>7.1f}  {r['p99_ms']:>7.1f}  "
              f"{(f'{e:.1f}' if e is not None else '-'):>9}  "
              f"{'met' if r['met'] else 'NOT met'}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fp:
            json.dump(result, fp, indent=2)
    write_table_rows(result)
    return 0 if (result["start_met"] and all(r["met"] for r in rows) and
                 result.get("load", {}).get("met", True)) else 1


def write_table_rows(result):
    """The rows `make bench` prints under its table (bench/table.py,
    large_store_rows()), in bench/store-results.json."""
    rows = [{"row": "large store: pocd start to ready",
             "value": f"{max(result['start_s']):.2f} s (worst of "
                      f"{len(result['start_s'])})",
             "target": f"<= {START_TARGET_S} s", "met": result["start_met"]}]
    ld = result.get("load")
    if ld:
        rows.append({"row": "large store: throughput, 8 peers, vs empty store",
                     "value": f"{ld['rate_ratio']:.2f}x ({ld['large']['rate']['median']:.0f}"
                              f" vs {ld['empty']['rate']['median']:.0f}/s)",
                     "target": f">= {1 - RATIO_TARGET:.2f}x",
                     "met": ld["rate_ratio"] >= 1 - RATIO_TARGET})
        rows.append({"row": "large store: latency p99 vs empty store",
                     "value": f"{ld['p99_ratio']:.2f}x ({ld['large']['p99_ms']['median']:.2f}"
                              f" vs {ld['empty']['p99_ms']['median']:.2f} ms)",
                     "target": f"<= {1 + RATIO_TARGET:.2f}x",
                     "met": ld["p99_ratio"] <= 1 + RATIO_TARGET})
    for r in result["commands"]:
        rows.append({"row": f"large store: {r['command']} p99",
                     "value": f"{r['p99_ms']:.1f} ms",
                     "target": f"<= {P99_TARGET_MS:.0f} ms", "met": r["met"]})
    doc = {"generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "rows": rows}
    with open(os.path.join(REPO, "bench", "store-results.json"), "w",
              encoding="utf-8") as fp:
        json.dump(doc, fp, indent=2)


if __name__ == "__main__":
    sys.exit(main())
