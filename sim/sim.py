#!/usr/bin/env python3
"""make sim: the whole network on loopback (issue 12 item 4).

  sim/sim.py [--members N] [--registries N] [--out DIR] [--seed N] [--keep]
             [--pki-cache DIR] [--only NAME,...] [--check]

Runs real pocd nodes (build/pocd) for N members (193 by default, ISO 3166
alpha-3 codes) and N registries (6: one global, five regional), plays the
scenarios of docs/simulation.md in turn, prints a table, writes
OUT/results.json and OUT/convergence.svg (OUT = sim/ by default).  Every
process is started and stopped by pid (tests/testbed); the working
directory is removed at the end unless --keep or a failure.  Exit 0 if
every scenario that ran passed, 1 otherwise.
"""

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

import members as world          # noqa: E402
import net as netmod             # noqa: E402
import report                    # noqa: E402
import scenarios                 # noqa: E402
from net import Net, SimError    # noqa: E402

SCENARIOS = [
    ("join", scenarios.join_from_scratch),
    ("change", scenarios.one_change),
    ("check", scenarios.check_campaign),
    ("notify", scenarios.notify_all),
    ("notify_faults", scenarios.notify_all_faults),
    ("regional_down", scenarios.regional_down),
    ("revoked", scenarios.cert_revoked),
    ("rotation", scenarios.key_rotation),
]


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=193)
    ap.add_argument("--registries", type=int, default=6)
    ap.add_argument("--out", default=os.path.dirname(os.path.realpath(__file__)))
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--pki-cache", default=os.path.join(
        os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "build", "sim-pki"),
        help="where the PKI is kept between runs ('' = make it each time)")
    ap.add_argument("--check", action="store_true", help="also print PASS/FAIL "
                    "lines per scenario and 'N passed, M failed' (make check)")
    ap.add_argument("--only", default="", help="comma-separated scenario names "
                    "(join always runs first)")
    a = ap.parse_args(argv)
    if not 2 <= a.members <= 193 or not 2 <= a.registries <= 6:
        ap.error("--members 2..193, --registries 2..6")
    signal.signal(signal.SIGTERM, _on_sigterm)
    rng = random.Random(a.seed)
    t_start = time.monotonic()

    def say(msg):
        print(f"sim [{time.monotonic() - t_start:6.1f}s] {msg}", flush=True)

    ms, regs, home = world.topology(a.members, a.registries)
    d = tempfile.mkdtemp(prefix="pocd-sim-")
    if os.environ.get("POCD_IT_REGISTRY"):
        # tests/integration/run.py brings down what a killed run left
        with open(os.environ["POCD_IT_REGISTRY"], "a", encoding="utf-8") as f:
            f.write(d + "\n")
    # The run uses copies of the binaries: a build during a long run (make
    # check, another make) must not swap them under it.
    bindir = os.path.join(d, "bin")
    os.makedirs(bindir)
    for name, mod, attr in (("pocd", netmod.testbed, "POCD"),
                            ("pocctl", netmod, "POCCTL"),
                            ("pocpeer", netmod, "POCPEER")):
        src = {"POCD": netmod.testbed.POCD, "POCCTL": netmod.POCCTL,
               "POCPEER": netmod.POCPEER}[attr]
        shutil.copy2(src, os.path.join(bindir, name))
        setattr(mod, attr, os.path.join(bindir, name))
    netmod.testbed.POCCTL = netmod.POCCTL
    net = Net(d, ms, regs, home, log=say)
    results = {"members": len(ms), "registries": len(regs), "seed": a.seed,
               "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "cpus": os.cpu_count(), "scenarios": {},
               "loadavg_start": [round(x, 2) for x in os.getloadavg()]}
    ok = False
    try:
        say(f"{len(ms)} members, {len(regs)} registries ({', '.join(regs)}) in {d}")
        t0 = time.monotonic()
        net.setup(a.pki_cache or None)
        results["setup_seconds"] = round(time.monotonic() - t0, 2)
        t0 = time.monotonic()
        net.start(net.registries)
        net.start(net.members)
        say(f"{len(net.codes)} nodes started in {time.monotonic() - t0:.1f} s")
        results["start_seconds"] = round(time.monotonic() - t0, 2)
        only = set(filter(None, a.only.split(",")))
        for name, fn in SCENARIOS:
            if only and name not in only and name != "join":
                continue
            say(f"scenario {name}")
            t0 = time.monotonic()
            try:
                r = fn(net, rng, say)
            except SimError as e:
                r = {"status": "failed", "error": str(e)}
            except Exception as e:          # a bug in the scenario: report it
                traceback.print_exc()
                r = {"status": "failed", "error": f"{type(e).__name__}: {e}"}
            r["seconds"] = round(time.monotonic() - t0, 2)
            results["scenarios"][name] = r
            say(f"scenario {name}: {r['status']} in {r['seconds']} s"
                + (f": {r.get('error') or r.get('reason')}"
                   if r["status"] != "passed" else ""))
            if name == "join" and r["status"] != "passed":
                break
        results["total_seconds"] = round(time.monotonic() - t_start, 1)
        ok = all(r["status"] in ("passed", "skipped")
                 for r in results["scenarios"].values())
    except KeyboardInterrupt as e:
        say(f"interrupted ({e})")
    except SimError as e:
        say(f"failed: {e}")
    finally:
        try:
            node_cpu = net.node_cpu + sum(net.cpu_seconds(c) for c in net.codes)
            net.stop_all()
            t = os.times()
            # Where the CPU went: the nodes (read from /proc as they stop),
            # pocctl/pocpeer/mkpki (waited-for children), this driver.
            results["cpu_seconds"] = {
                "nodes": round(node_cpu, 1),
                "tools": round(t.children_user + t.children_system, 1),
                "driver": round(t.user + t.system, 1)}
            results["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        except Exception as e:              # still remove what we can
            say(f"stopping nodes: {e}")
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "results.json"), "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2, sort_keys=True)
            f.write("\n")
        with open(os.path.join(a.out, "convergence.svg"), "w", encoding="utf-8") as f:
            f.write(report.svg(results))
        print(report.table(results))
        if a.check:
            print(report.check_lines(results), flush=True)
        say(f"wrote {os.path.join(a.out, 'results.json')} and convergence.svg")
        if ok and not a.keep:
            shutil.rmtree(d, ignore_errors=True)
        else:
            say(f"working directory kept: {d}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
