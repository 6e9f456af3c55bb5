"""Processes of the tests, found again by pid and start time: what
tests/testbed uses to signal only the pocd it started, and what a test
registers so that run.py can bring it down if the test itself cannot
(it overran and was killed)."""

import os


def proc_start(pid):
    """The start time of pid (clock ticks after boot) and whether it is a
    zombie, or (None, True) if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            stat = f.read()
        # the fields after the parenthesised command name: state is the
        # first (field 3), starttime the 20th (field 22)
        rest = stat[stat.rindex(")") + 2:].split()
        return int(rest[19]), rest[0] in ("Z", "X")
    except (OSError, ValueError, IndexError):
        return None, True


def register(entry):
    """Appends entry to $POCD_IT_REGISTRY (set by run.py): a test bed
    directory, or "pid PID START" for a process started outside one."""
    registry = os.environ.get("POCD_IT_REGISTRY")
    if registry:
        with open(registry, "a", encoding="utf-8") as f:
            f.write(entry + "\n")


def register_pid(pid):
    register(f"pid {pid} {proc_start(pid)[0]}")
