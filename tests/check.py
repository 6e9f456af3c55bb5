#!/usr/bin/env python3
"""make check: runs every step of the tests and prints what was run and
what failed, nothing else.

    build        pocd, pocctl, the test tools and the unit tests
    unit         each Check suite: its summary line
    ops          each operations check (tests/ops/run): PASS/FAIL
    asan         the same suites built with ASan+UBSan: their summary lines
    fuzz         each libFuzzer target: one line
                 (asan and fuzz run beside unit and ops, which leave a
                 core idle, and are shown after them)
    integration  each integration test (tests/integration/run.py): PASS/FAIL,
                 as many at a time as there are cores
    sim          the small simulation (make sim-check): PASS/FAIL per scenario

A failure is printed in full (the suite's, check's or test's output, or
the build's errors).  Everything else -- compiler command lines, the log
lines the daemon's modules write to stderr in unit tests, the warnings of
the failure-injection tests -- goes only to B/check.log, which holds the
whole output of every step.  V=1 prints everything as it comes, as the
steps themselves do.  The last two lines say what ran and

    N passed, M failed

(the line CI reads).  Every step runs even if one before it failed, except
that nothing runs after a failed build.  Exit 0 only if all passed.

Environment: MAKE, B (build tree, default build), ASAN_B (build-asan), V;
CHECK_ONLY=unit,ops runs only the steps named (the build always runs).
Run: make check.
"""

import glob
import os
import re
import shlex
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
B = os.environ.get("B", "build")
MAKE = shlex.split(os.environ.get("MAKE", "make")) + ["--no-print-directory"]
VERBOSE = os.environ.get("V", "") == "1"
ONLY = [x for x in os.environ.get("CHECK_ONLY", "").split(",") if x]
LOG = os.path.join(B, "check.log")
UNIT_TIMEOUT = "30"  # CK_DEFAULT_TIMEOUT, as make unit-run

# Lines of a build that are commands make echoes, not messages.
COMMAND = re.compile(r"^(\S*/)?(cc|gcc|clang|ar|protoc-c|msgfmt|mkdir|install|sed|"
                     r"make(\[\d+\])?: (Entering|Leaving|Nothing))\b")
CHECK_SUMMARY = re.compile(r"^\d+%: Checks: \d+, Failures: \d+, Errors: \d+")
TOTALS = re.compile(r"^(\d+) passed, (\d+) failed$")


class Log:
    """B/check.log, and the terminal for what is shown."""

    def __init__(self, path):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self.f = open(path, "w", encoding="utf-8", errors="replace")

    def write(self, text):
        self.f.write(text)
        self.f.flush()

    def show(self, line, indent="  "):
        """A line for the terminal (the log has it already)."""
        print(indent + line if line else "", flush=True)

    def section(self, title):
        self.write(f"\n======== {title}\n")

    def echo(self, line):
        """A line of a step's output as it comes (V=1)."""
        print(line, end="", flush=True)


class Deferred:
    """A log for a step run in the background: it keeps what the step
    writes and shows, and hands it to the real log when its turn comes, so
    that the terminal and B/check.log read as if the steps ran in turn."""

    def __init__(self):
        self.items = []

    def write(self, text):
        self.items.append(("write", text))

    def show(self, line, indent="  "):
        self.items.append(("show", line, indent))

    def section(self, title):
        self.write(f"\n======== {title}\n")

    def echo(self, line):
        self.items.append(("echo", line))

    def replay(self, log):
        for kind, *args in self.items:
            getattr(log, kind)(*args)


def run(log, argv, env=None, on_line=None):
    """Runs argv from the repository, its output (stdout and stderr) into
    the log line by line, each line also given to on_line; with V=1 each
    line is also printed.  Returns (exit status, lines)."""
    log.section(" ".join(argv))
    try:
        p = subprocess.Popen(argv, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=env, text=True, errors="replace")
    except OSError as e:
        log.write(f"{e}\n")
        return 127, [str(e)]
    lines = []
    for line in p.stdout:
        log.write(line)
        if VERBOSE:
            log.echo(line)
        line = line.rstrip("\n")
        lines.append(line)
        if on_line:
            on_line(line)
    return p.wait(), lines


def show_failure(log, lines, indent="      "):
    for line in lines:
        log.show(line, indent)


def step_build(log, target, what):
    """A make target that only builds: silent unless it fails, then its
    messages (not the command lines) in full.  It uses every core: the
    builds are a third of the run on a 2-core machine when serial."""
    rc, lines = run(log, MAKE + [f"-j{os.cpu_count() or 1}", target])
    if rc != 0:
        log.show(f"FAIL {what}: make {target} exited {rc}")
        show_failure(log, [ln for ln in lines if not COMMAND.match(ln)] or lines)
    return rc == 0


def unit_suites(tree):
    """The unit test programs of a build tree, as the Makefile names them."""
    names = sorted(os.path.basename(p)[:-2] for p in glob.glob(os.path.join(REPO, "tests/unit/test_*.c")))
    return [(n, os.path.join(tree, "tests", n)) for n in names]


def step_suites(log, tree, kind):
    """Runs each Check suite of tree; one line each, a failure in full.
    Returns (passed, failed names)."""
    passed, failed = 0, []
    env = dict(os.environ, CK_DEFAULT_TIMEOUT=UNIT_TIMEOUT)
    for name, path in unit_suites(tree):
        rc, lines = run(log, [path], env=env)
        summary = next((ln for ln in reversed(lines) if CHECK_SUMMARY.match(ln)), "no summary line")
        if rc == 0:
            passed += 1
            log.show(f"PASS {kind}/{name}: {summary}")
        else:
            failed.append(f"{kind}/{name}")
            log.show(f"FAIL {kind}/{name}: {summary} (exit {rc})")
            if not VERBOSE:
                show_failure(log, lines)
    return passed, failed


def step_tests(log, target, kind):
    """A make target whose output has a PASS or FAIL line per test, each
    failure's output indented below its FAIL line, and a last "N passed,
    M failed" line (fuzz-run, tests/ops/run, tests/integration/run.py).
    Shows those lines as they come, failures in full; if the target fails
    without a FAIL line (say it did not build), its messages in full.
    Returns (passed, failed names)."""
    state = {"in_fail": False, "passed": 0, "failed": []}

    def on_line(line):
        m = re.match(r"^(PASS|FAIL) (\S+?):?( |$)", line)
        show = not VERBOSE
        if m:
            state["in_fail"] = m.group(1) == "FAIL"
            if state["in_fail"]:
                state["failed"].append(f"{kind}/{m.group(2).split('/')[-1]}")
            else:
                state["passed"] += 1
        elif state["in_fail"] and (line.startswith(" ") or not line):
            pass
        elif TOTALS.match(line):
            state["in_fail"] = False
        else:
            state["in_fail"] = False
            show = False
        if show:
            log.show(line)

    rc, lines = run(log, MAKE + [target], on_line=on_line)
    if rc != 0 and not state["failed"]:
        state["failed"].append(kind)
        log.show(f"FAIL {kind}: make {target} exited {rc}")
        if not VERBOSE:
            show_failure(log, [ln for ln in lines if not COMMAND.match(ln)] or lines)
    return state["passed"], state["failed"]


def step_asan(log):
    """The unit suites built with ASan+UBSan (make asan-bin) and run."""
    if not step_build(log, "asan-bin", "asan build"):
        return 0, ["asan"]
    return step_suites(log, os.environ.get("ASAN_B", "build-asan"), "asan")


NOUNS = {"unit": "unit suite", "asan": "asan suite", "fuzz": "fuzz target",
         "ops": "ops check", "integration": "integration test",
         "sim": "sim scenario"}


def plural(n, one, many=None):
    return f"{n} {one if n == 1 else (many or one + 's')}"


def main():
    log = Log(os.path.join(REPO, LOG))
    t_all = time.monotonic()
    counts, failed = [], []
    passed = 0

    started = {}

    def background(name, fn, *args):
        """Starts a step now, beside the ones before it; step() shows it
        at its place.  Only for a step that shares no files with them and
        leaves a core idle most of its time: asan and fuzz, each in its
        own build tree, beside unit and ops, which run one process at a
        time and use only B (ops rebuilds it for its install check)."""
        if ONLY and name not in ONLY:
            return
        dlog, res = Deferred(), {}

        def body():
            t0 = time.monotonic()
            try:
                res["r"] = fn(dlog, *args)
            except Exception as e:  # noqa: BLE001 - reported as the step's failure
                dlog.show(f"FAIL {name}: {e!r}")
                res["r"] = (0, [name])
            res["secs"] = time.monotonic() - t0
        t = threading.Thread(target=body, daemon=True)
        t.start()
        started[name] = (t, dlog, res)

    def step(name, fn, *args):
        """Runs one step (or waits for it, if it was started in the
        background); its passed count and failed names are added."""
        nonlocal failed, passed
        if ONLY and name not in ONLY:
            return
        print(name, flush=True)
        log.write(f"\n######## {name}\n")
        t0 = time.monotonic()
        if name in started:
            t, dlog, res = started.pop(name)
            t.join()
            dlog.replay(log)
            p, f = res["r"]
            log.write(f"######## {name}: {res['secs']:.1f}s in the background, "
                      f"{time.monotonic() - t0:.1f}s waited for\n")
        else:
            p, f = fn(log, *args)
            log.write(f"######## {name}: {time.monotonic() - t0:.1f}s\n")
        counts.append((name, p + len(f)))
        passed += p
        failed += f

    print("build", flush=True)
    if not (step_build(log, "bin", "build") and step_build(log, "unit-bin", "unit test build")):
        failed.append("build")
    else:
        background("asan", step_asan)
        background("fuzz", step_tests, "fuzz-check", "fuzz")
        step("unit", step_suites, B, "unit")
        step("ops", step_tests, "ops-check", "ops")
        step("asan", step_asan)
        step("fuzz", step_tests, "fuzz-check", "fuzz")
        step("integration", step_tests, "integration", "integration")
        step("sim", step_tests, "sim-check", "sim")

    what = ", ".join(plural(n, NOUNS[name]) for name, n in counts) or "build"
    secs = time.monotonic() - t_all
    tail = f"{len(failed)} failed ({', '.join(failed)})" if failed else "all passed"
    print(f"the whole output of every step is in {LOG}")
    print(f"make check: {what}: {tail} ({secs:.0f}s)")
    print(f"{passed} passed, {len(failed)} failed", flush=True)
    log.write(f"\nmake check: {what}: {tail} ({secs:.0f}s)\n"
              f"{passed} passed, {len(failed)} failed\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
