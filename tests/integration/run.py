#!/usr/bin/env python3
"""Runs every tests/integration/NN_*.py as its own process, JOBS at a time,
each with a timeout, and prints one line per test as it ends and the totals:

    PASS 01_request_ack_response (4.2s)
    FAIL 03_offline_delivery (12.0s)
    <its output>
    5 passed, 1 failed

Usage: run.py [-j JOBS] [-k SUBSTRING] [--timeout SECONDS] [TEST...]
JOBS defaults to $IT_JOBS, else the number of cores.  Exit 0 if every test
passed, 1 if any failed, 2 on a usage error.

Order: the tests that must run alone first, one at a time with nothing
beside them; then the others, longest first (the durations of the last
run, kept in $B/integration-times.json, or on a fresh clone the rough
ones of tests/integration/durations.json; a test not timed yet counts as
the longest), so that a long test does not start last and run on its own
at the end.  A test runs alone if its file has a line starting with

    # run.py: alone

followed by the reason: one that measures time or memory, or must see
its own fsyncs and kills land undisturbed.  Every test takes its ports
from a block of its own run (ports.py) and its files from a temporary
directory of its own, so tests side by side do not meet; its test bed's
PKI is a copy of one made once per run for the same members
($POCD_IT_PKI, tests/testbed make_pki).

A test that overruns is sent SIGTERM (its finally block brings its test bed
down), then SIGKILL; what it registered in $POCD_IT_REGISTRY is then
brought down by pid so that no pocd outlives the run: a test bed directory
(tests/testbed down), or a line "pid PID START" (that process, if it is
still the one that started at START, /proc/PID/stat field 22).
"""

import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from ports import ENV as PORTS_ENV, hold_block
from procs import proc_start

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TESTBED = os.path.join(os.path.dirname(HERE), "testbed")
NAME_RE = re.compile(r"^[0-9][0-9]_.*\.py$")
ALONE_RE = re.compile(r"^# run\.py: alone\b", re.M)
TIMES = os.path.join(REPO, os.environ.get("B", "build"), "integration-times.json")
SEED_TIMES = os.path.join(HERE, "durations.json")  # a fresh clone's order
KILL_GRACE = 30.0       # seconds between SIGTERM and SIGKILL
POLL = 0.1


def cleanup(registry):
    """Brings down what a test registered (idempotent)."""
    try:
        with open(registry, encoding="utf-8") as f:
            lines = [line.split() for line in f if line.strip()]
    except OSError:
        return
    for words in lines:
        if words[0] == "pid" and len(words) == 3:
            pid = int(words[1])
            if proc_start(pid) == (int(words[2]), False):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        elif os.path.exists(os.path.join(words[0], "testbed.json")):
            subprocess.run([TESTBED, "down", words[0]], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=60, check=False)


class Running:
    """One test's process, its output file and its registry."""

    def __init__(self, path, timeout, env):
        self.path, self.timeout = path, timeout
        self.name = os.path.splitext(os.path.basename(path))[0]
        fd, self.registry = tempfile.mkstemp(prefix="pocd-it-registry-")
        os.close(fd)
        self.out = tempfile.TemporaryFile()
        env = dict(env, POCD_IT_REGISTRY=self.registry)
        self.start = time.monotonic()
        self.p = subprocess.Popen([sys.executable, path], stdin=subprocess.DEVNULL,
                                  stdout=self.out, stderr=subprocess.STDOUT,
                                  env=env, cwd=HERE, start_new_session=True)
        self.note, self.killed_at = "", None

    def poll(self):
        """True once the test has ended (and is cleaned up)."""
        now = time.monotonic()
        if self.p.poll() is None:
            if not self.note and now - self.start > self.timeout:
                self.note = f"\n(timed out after {self.timeout:g} s)\n"
                self.p.send_signal(signal.SIGTERM)
                self.killed_at = now
            elif self.killed_at and now - self.killed_at > KILL_GRACE:
                self.p.kill()
                self.killed_at = None
            return False
        self.secs = now - self.start
        self.finish()
        return True

    def finish(self):
        cleanup(self.registry)
        try:
            os.unlink(self.registry)
        except OSError:
            pass

    def stop(self):
        """Ends the test now (the run was interrupted)."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(KILL_GRACE)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.finish()

    def result(self):
        """(ok, output)."""
        self.out.seek(0)
        text = self.out.read().decode("utf-8", errors="replace") + self.note
        self.out.close()
        return self.p.returncode == 0 and not self.note, text


def load_times():
    """The last run's durations, else the tracked rough ones, else none."""
    for path in (TIMES, SEED_TIMES):
        try:
            with open(path, encoding="utf-8") as f:
                return {k: float(v) for k, v in json.load(f).items()}
        except (OSError, ValueError, AttributeError):
            continue
    return {}


def save_times(times):
    try:
        os.makedirs(os.path.dirname(TIMES), exist_ok=True)
        with open(TIMES + ".tmp", "w", encoding="utf-8") as f:
            json.dump(dict(sorted(times.items())), f, indent=0)
        os.replace(TIMES + ".tmp", TIMES)
    except OSError as e:
        print(f"run.py: durations not kept: {e}", file=sys.stderr)


def runs_alone(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return bool(ALONE_RE.search(f.read()))


def schedule(tests, times):
    """(the tests that run alone, the others), each longest first."""
    def key(t):
        name = os.path.splitext(os.path.basename(t))[0]
        return (-times.get(name, float("inf")), name)
    alone = sorted((t for t in tests if runs_alone(t)), key=key)
    return alone, sorted((t for t in tests if t not in alone), key=key)


def report(r, counts):
    ok, out = r.result()
    counts[0 if ok else 1] += 1
    print(f"{'PASS' if ok else 'FAIL'} {r.name} ({r.secs:.1f}s)", flush=True)
    if not ok:
        for line in out.rstrip("\n").splitlines():
            print(f"    {line}")
        sys.stdout.flush()
    return ok


def main():
    ap = argparse.ArgumentParser(description="Run the pocd integration tests.")
    ap.add_argument("-j", "--jobs", type=int,
                    default=int(os.environ.get("IT_JOBS") or os.cpu_count() or 1),
                    help="tests at a time ($IT_JOBS, else the number of cores)")
    ap.add_argument("-k", metavar="SUBSTRING", help="only tests whose name contains this")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per test (120)")
    ap.add_argument("tests", nargs="*", help="test files (default: every NN_*.py here)")
    args = ap.parse_args()
    if args.jobs < 1:
        ap.error("-j: at least 1")

    if args.tests:
        tests = [os.path.abspath(t) for t in args.tests]
        for t in tests:
            if not os.path.isfile(t):
                ap.error(f"{t}: no such test")
    else:
        tests = sorted(t for t in glob.glob(os.path.join(HERE, "*.py"))
                       if NAME_RE.match(os.path.basename(t)))
    if args.k:
        tests = [t for t in tests if args.k in os.path.basename(t)]
    if not tests:
        print("no tests found", file=sys.stderr)
        print("0 passed, 0 failed")
        return 1

    times = load_times()
    alone, shared = schedule(tests, times)
    work = tempfile.mkdtemp(prefix="pocd-it-run-")
    block, ports = hold_block(os.path.join(work, "next-port"))
    env = dict(os.environ, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    if ports:
        env[PORTS_ENV] = ports
    env["POCD_IT_PKI"] = os.path.join(work, "pki")     # tests/testbed make_pki
    os.mkdir(env["POCD_IT_PKI"])
    print(f"run.py: {len(tests)} tests, {len(alone)} alone, the others {args.jobs} at a "
          f"time; ports {ports.split(':', 1)[1] if ports else 'from the kernel'}; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    t0 = time.monotonic()
    counts, running = [0, 0], []
    queue = [(t, True) for t in alone] + [(t, False) for t in shared]
    try:
        while queue or running:
            # A test that runs alone starts when nothing runs, and nothing
            # starts beside it.
            while queue and len(running) < args.jobs:
                path, solo = queue[0]
                if (solo and running) or any(s for _, s in running):
                    break
                queue.pop(0)
                running.append((Running(path, args.timeout, env), solo))
            time.sleep(POLL)
            for r, solo in list(running):
                if r.poll():
                    running.remove((r, solo))
                    report(r, counts)
                    times[r.name] = round(r.secs, 1)
    finally:
        for r, _ in running:
            r.stop()
        save_times(times)
        if block:
            block.close()
        shutil.rmtree(work, ignore_errors=True)
    total = sum(times.get(os.path.splitext(os.path.basename(t))[0], 0) for t in tests)
    print(f"run.py: {time.monotonic() - t0:.0f}s wall, {total:.0f}s of tests; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    print(f"{counts[0]} passed, {counts[1]} failed")
    return 1 if counts[1] else 0


if __name__ == "__main__":
    sys.exit(main())
