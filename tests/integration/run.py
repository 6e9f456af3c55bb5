#!/usr/bin/env python3
"""Runs every tests/integration/NN_*.py as its own process, each with a
timeout, and prints one line per test and the totals:

    PASS 01_request_ack_response (4.2s)
    FAIL 03_offline_delivery (12.0s)
    <its output>
    5 passed, 1 failed

Usage: run.py [-k SUBSTRING] [--timeout SECONDS] [TEST...]
Exit 0 if every test passed, 1 if any failed, 2 on a usage error.

A test that overruns is sent SIGTERM (its finally block brings its test bed
down), then SIGKILL; any test bed it registered in $POCD_IT_REGISTRY is then
brought down by pid so that no pocd outlives the run.
"""

import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
TESTBED = os.path.join(os.path.dirname(HERE), "testbed")
NAME_RE = re.compile(r"^[0-9][0-9]_.*\.py$")


def cleanup(registry):
    """Brings down every test bed a test registered (idempotent)."""
    try:
        with open(registry, encoding="utf-8") as f:
            dirs = [line.strip() for line in f if line.strip()]
    except OSError:
        return
    for d in dirs:
        if os.path.exists(os.path.join(d, "testbed.json")):
            subprocess.run([TESTBED, "down", d], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=60, check=False)


def run_one(path, timeout):
    """Runs one test; returns (ok, seconds, output)."""
    fd, registry = tempfile.mkstemp(prefix="pocd-it-registry-")
    os.close(fd)
    env = dict(os.environ, POCD_IT_REGISTRY=registry,
               PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    start = time.monotonic()
    p = subprocess.Popen([sys.executable, path], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         env=env, cwd=HERE, start_new_session=True)
    note = ""
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        note = f"\n(timed out after {timeout} s)\n"
        p.send_signal(signal.SIGTERM)
        try:
            out, _ = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
    finally:
        cleanup(registry)
        os.unlink(registry)
    secs = time.monotonic() - start
    text = out.decode("utf-8", errors="replace") + note
    return p.returncode == 0 and not note, secs, text


def main():
    ap = argparse.ArgumentParser(description="Run the pocd integration tests.")
    ap.add_argument("-k", metavar="SUBSTRING", help="only tests whose name contains this")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per test (120)")
    ap.add_argument("tests", nargs="*", help="test files (default: every NN_*.py here)")
    args = ap.parse_args()

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

    passed = failed = 0
    for t in tests:
        name = os.path.splitext(os.path.basename(t))[0]
        ok, secs, out = run_one(t, args.timeout)
        if ok:
            passed += 1
            print(f"PASS {name} ({secs:.1f}s)", flush=True)
        else:
            failed += 1
            print(f"FAIL {name} ({secs:.1f}s)", flush=True)
            for line in out.rstrip("\n").splitlines():
                print(f"    {line}")
            sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
