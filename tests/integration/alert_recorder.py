#!/usr/bin/env python3
"""An [alert] command for the tests: appends what it got to the file named
by its first argument, one JSON line per run: {"pid", "input" (the JSON
object read on standard input), "env" (the POCD_* variables), "argv",
"inherited" (sockets and databases open beyond 0-2: pocd's, leaked),
"phase"}.

A run writes a "start" line, then, unless the event's summary holds HANG
and the file FILE.nohang does not exist, a "done" line and exits 0.  With
HANG it sleeps (to be killed at [alert] timeout, or by the test by pid);
with FAIL in the summary it exits 3 after its "done" line."""

import json
import os
import sys
import time


def record(path, line):
    # O_APPEND: each line lands whole even when runs overlap.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(line) + "\n").encode())
    finally:
        os.close(fd)


def main():
    path = sys.argv[1]
    raw = sys.stdin.read()
    try:
        event = json.loads(raw)
    except ValueError:
        event = {"unparsed": raw}
    env = {k: v for k, v in os.environ.items() if k.startswith("POCD_")}
    inherited = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # the directory listing's own descriptor
        if int(fd) > 2 and ("socket:" in target or target.endswith(".db")):
            inherited.append(target)
    base = {"pid": os.getpid(), "input": event, "env": env,
            "argv": sys.argv[1:], "inherited": inherited}
    record(path, dict(base, phase="start"))
    summary = event.get("summary", "")
    if "HANG" in summary and not os.path.exists(path + ".nohang"):
        time.sleep(3600)
    record(path, dict(base, phase="done"))
    return 3 if "FAIL" in summary else 0


if __name__ == "__main__":
    sys.exit(main())
