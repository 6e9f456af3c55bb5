"""Helpers of the disk-fault tests (36-38): traffic from AUS to FRA, the
delivery invariant (a receipt only for what the receiver stored), the
store checks after a fault (integrity_check, the audit chain), and the
faultfs.so shim (tests/tools/faultfs.c) in a member's environment.

Not a test itself (run.py runs only NN_*.py).
"""

import json
import os
import time

from tb import REPO, TestFailure, check, check_eq, envelope
from rel import integrity_check, sql

FAULTFS = os.path.abspath(os.environ.get("FAULTFS", os.path.join(REPO, "build", "faultfs.so")))


def send_many(tb, n, tag, size=200):
    """AUS's operator sends n notifications to FRA (each confirmed "queued"
    by AUS); returns their ids.  size pads the description, to fill a disk
    faster."""
    ids = []
    for i in range(n):
        r = tb.send("AUS", envelope("FRA", "notification",
                                    {"summary": f"{tag} {i}", "severity": "LOW",
                                     "description": "x" * size}))
        ids.append(r["id"])
    return ids


def out_states(tb, ids):
    """{id: state} of AUS's outgoing messages with these ids."""
    rows = sql(tb.info("AUS")["db"], "SELECT id, state FROM messages WHERE direction = 'out';")
    want = set(ids)
    return {r[0]: r[1] for r in rows if r[0] in want}


def stored_at(tb, member, ids):
    """{id: copies} held in member's store for these ids (0 if none)."""
    rows = sql(tb.info(member)["db"], "SELECT id, count(*) FROM messages GROUP BY id;")
    have = {r[0]: int(r[1]) for r in rows}
    return {i: have.get(i, 0) for i in ids}


def check_receipts_only_for_stored(tb, ids, what):
    """Every envelope AUS holds as delivered (FRA's receipt arrived) is
    stored at FRA, once.  Returns (delivered, not yet delivered)."""
    states = out_states(tb, ids)
    held = stored_at(tb, "FRA", ids)
    delivered = [i for i in ids if states.get(i) == "delivered"]
    for i in delivered:
        check(held[i] == 1, f"{what}: {i} is delivered at AUS (FRA sent a receipt) "
                            f"but FRA holds {held[i]} copies")
    return delivered, [i for i in ids if states.get(i) != "delivered"]


def wait_all_delivered(tb, ids, timeout, what):
    def done():
        st = out_states(tb, ids)
        return all(st.get(i) == "delivered" for i in ids)
    tb.wait_until(done, timeout, what, interval=0.3)
    held = stored_at(tb, "FRA", ids)
    bad = {i: n for i, n in held.items() if n != 1}
    check(not bad, f"{what}: not stored exactly once at FRA: {bad}")


def status(tb, member):
    return tb.pocctl(member, "status")


def operator_send_fails(tb, member, expect, eid=None):
    """member's operator tries to send (with id eid if given); it must fail
    with a message that contains expect.  Returns pocctl's error text."""
    extra = {"id": eid} if eid else {}
    path = tb.tmpfile("send.json", envelope("AUS" if member == "FRA" else "FRA",
                                            "notification",
                                            {"summary": "Sent while the disk fails",
                                             "severity": "LOW"}, **extra))
    rc, out, err = tb.pocctl_text(member, "send", path)
    check(rc != 0, f"{member}: pocctl send succeeded while the store cannot write: {out}")
    text = (out + err).strip()
    check(expect in text, f"{member}: pocctl send said {text!r}, want {expect!r} in it")
    return text


def metric(tb, member, name):
    rc, out, err = tb.pocctl_text(member, "metrics")
    check(rc == 0, f"pocctl metrics exited {rc}: {err}")
    for line in out.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise TestFailure(f"metric {name} not in pocctl metrics:\n{out}")


def audit_verifies(tb, member):
    """Exports member's audit log and checks the chain offline; returns the
    entry count."""
    path = os.path.join(tb.dir, f"{member}-audit-{time.monotonic_ns()}.jsonl")
    rc, out, err = tb.pocctl_text(member, "audit", "export", "--out", path)
    check(rc == 0, f"{member}: pocctl audit export exited {rc}: {out}{err}")
    rc, out, err = tb.pocctl_text(member, "--json", "audit", "verify", path)
    check(rc == 0, f"{member}: audit chain does not verify (exit {rc}): {out}{err}")
    try:
        r = json.loads(out)
    except ValueError:
        raise TestFailure(f"audit verify: not JSON: {out!r}")
    return r.get("entries", r)


def store_sound(tb, member):
    """integrity_check ok and the audit chain intact (the node running)."""
    integrity_check(tb.info(member)["db"])
    return audit_verifies(tb, member)


def use_faultfs(tb, member):
    """Writes member's pocd.env so that its next start runs under faultfs.so
    with a control file (initially empty) and an event log; returns
    (control path, log path)."""
    check(os.path.exists(FAULTFS), f"{FAULTFS}: not built (make bin)")
    d = os.path.dirname(tb.info(member)["config"])
    ctl, log = os.path.join(d, "faultfs.ctl"), os.path.join(d, "faultfs.log")
    set_faults(ctl, "")
    with open(os.path.join(d, "pocd.env"), "w", encoding="utf-8") as f:
        f.write(f"LD_PRELOAD={FAULTFS}\nFAULTFS_CTL={ctl}\nFAULTFS_LOG={log}\n")
    return ctl, log


def set_faults(ctl, text):
    """Replaces the shim's directives (read again on the next call)."""
    with open(ctl + ".tmp", "w", encoding="utf-8") as f:
        f.write(text + ("\n" if text else ""))
    os.replace(ctl + ".tmp", ctl)


def read_events(log):
    """The shim's events: [(mono_ns, tid, event, fd, arg, path)]."""
    out = []
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            for line in f:
                p = line.rstrip("\n").split(" ", 5)
                if len(p) == 6:
                    out.append((int(p[0]), int(p[1]), p[2], int(p[3]), int(p[4]), p[5]))
    except FileNotFoundError:
        pass
    return out


__all__ = ["FAULTFS", "send_many", "out_states", "stored_at",
           "check_receipts_only_for_stored", "wait_all_delivered", "status",
           "operator_send_fails", "metric", "audit_verifies", "store_sound",
           "use_faultfs", "set_faults", "read_events", "check_eq"]
