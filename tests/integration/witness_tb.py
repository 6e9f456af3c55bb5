"""Helpers of the witnessed audit head tests (52-54, docs/witness.md):
traffic that grows a node's audit log, waiting for a witness to hold a
head, exporting it, checking a log against it, and a node's status."""

import json
import os
import subprocess

from tb import check, envelope
from rel import set_config, sql


def fast_heads(tb, *members):
    """Heads every second on members (set before their next start)."""
    for m in members:
        set_config(tb, m, "audit", "head_interval", "1")
        tb.stop(m)
        tb.start(m)


def audit_count(tb, member):
    return int(sql(tb.info(member)["db"], "SELECT count(*) FROM audit;")[0][0])


def exchange(tb, n, sender="AUS", recipient="FRA", tag="witness"):
    """n notifications sender -> recipient, each waited for as delivered."""
    ids = [tb.send(sender, envelope(recipient, "notification",
                                    {"summary": f"{tag} {i}", "severity": "LOW"}))["id"]
           for i in range(n)]
    for mid in ids:
        tb.wait_until(lambda mid=mid: [m for m in tb.find(sender, "outbox", mid)
                                       if m.get("state") == "delivered"], 30,
                      f"{mid} delivered")
    return ids


def heads(tb, witness, member):
    """The heads witness holds of member (pocctl --json audit heads)."""
    return tb.pocctl(witness, "audit", "heads", member)


def latest(tb, witness, member):
    hs = [h for h in heads(tb, witness, member) if h["conflict"] == ""]
    return hs[0] if hs else None


def wait_held(tb, witness, member, count, timeout=20):
    """Waits until witness holds a head of member with count entries."""
    return tb.wait_until(lambda: (latest(tb, witness, member) or {}).get("count") == count
                         and latest(tb, witness, member), timeout,
                         f"{witness} holds {member}'s head of {count} entries")


def export_head(tb, witness, member, name):
    path = os.path.join(tb.dir, f"{witness}-holds-{member}-{name}.json")
    rc, out, err = tb.pocctl_text(witness, "audit", "heads", member, "--out", path)
    check(rc == 0, f"audit heads --out: {rc} {out} {err}")
    with open(path, encoding="utf-8") as f:
        return path, json.load(f)


def verify_witness(tb, member, head_file, *extra):
    """(rc, documents, stderr) of pocctl --json audit verify --witness on
    member: the chain's verdict, then the head's (a JSON stream)."""
    rc, out, err = tb.pocctl_text(member, "--json", "audit", "verify",
                                  "--witness", head_file, *extra)
    docs, dec, i = [], json.JSONDecoder(), 0
    while i < len(out):
        if out[i].isspace():
            i += 1
            continue
        d, i = dec.raw_decode(out, i)
        docs.append(d)
    return rc, docs, err


def status(tb, member):
    return tb.pocctl(member, "status")


def sqlite(db, statement):
    r = subprocess.run(["sqlite3", db, statement], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 0, f"sqlite3 {statement!r}: {r.stderr}")
