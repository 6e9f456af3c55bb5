"""The scenarios of make sim (docs/simulation.md), each a function of the
network, a seeded random generator and a logger, returning its figures:
{"status": "passed"|"failed"|"skipped", ..., "curve": [[s, share], ...]}.

Members join by enrollment only: a member node starts with the network
CA, its certificate and one registry's endpoint and fingerprint; its
first pull offers its own signed record there, and the registry's
scripted operator approves it with `pocctl directory approve`.  An edited
record needs no step of its own: the member's next pull offers the newer
serial to its upstream (docs/directory.md).
"""

import json
import os
import re
import signal
import time

from net import MKPKI, SimError, cert_fingerprint, pmap, run, testbed

MAX_ROUNDS = 6
PENDING = re.compile(r"directory sync \S+: enrollment pending")


def _export_own(net, code):
    rc, out, err = net.pocctl(code, "directory", "export", "--format", "json", code)
    if rc != 0:
        raise SimError(f"{code}: directory export: {err}")
    return json.loads(out)["records"]


def _import(net, at, records, name):
    path = os.path.join(net.dir, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"records": records}, f)
    rc, out, err = net.pocctl(at, "directory", "import", path)
    if rc != 0:
        raise SimError(f"{at}: directory import {name}: {out}{err}")


def enroll(net, codes, say):
    """codes (members) join: each pulls once from its registry, which
    keeps the offered record pending; each registry's operator lists the
    pending requests and approves those whose fingerprint is the one the
    member gave out of band (here: its certificate's).  Returns
    (seconds to the last approval, approvals per registry)."""
    t0 = time.monotonic()
    offs = {c: net.log_size(c) for c in codes}
    pmap(lambda c: _pocctl_ok(net, c, "directory", "sync"), codes)
    net.wait_logged(codes, PENDING, 120, "enrollment requests", offsets=offs)
    t_req = time.monotonic() - t0
    regs = sorted({net.home[c] for c in codes})
    want = {c: net.nodes[c]["fingerprint"] for c in codes}
    todo = []
    for r in regs:
        pend = net.pocctl_json(r, "directory", "pending").get("entries", [])
        for e in pend:
            m = e.get("member")
            if m in want and net.home[m] == r and e.get("state") == "pending":
                if e.get("fingerprint") != want[m]:
                    raise SimError(f"{r}: {m} pending with fingerprint "
                                   f"{e.get('fingerprint')}, expected {want[m]}")
                todo.append((r, m))
    missing = sorted(set(codes) - {m for _, m in todo})
    if missing:
        raise SimError(f"not pending at their registries: {missing[:10]}")
    pmap(lambda rm: _pocctl_ok(net, rm[0], "directory", "approve", rm[1],
                               "--fingerprint", want[rm[1]]), todo)
    t = time.monotonic() - t0
    say(f"  {len(codes)} enrollment requests in {t_req:.1f} s, all approved "
        f"{t:.1f} s after the first pull")
    per = {}
    for r, _ in todo:
        per[r] = per.get(r, 0) + 1
    return round(t_req, 2), round(t, 2), per


def _pocctl_ok(net, code, *args):
    rc, out, err = net.pocctl(code, *args)
    if rc != 0:
        raise SimError(f"{code}: pocctl {' '.join(map(str, args))}: exit {rc}: {out}{err}")
    return out


def bootstrap_registries(net):
    """The registries know each other before anyone joins: each one's
    record imported at every other (the network's founding, not timed)."""
    recs = []
    for r in net.registries:
        recs += _export_own(net, r)
    pmap(lambda r: _import(net, r, recs, f"founders-{r}.json"), net.registries)


def _converge(net, done, say, what):
    """Runs sync rounds until done(code) holds on every node; samples the
    share after each tier.  Returns (rounds or None, seconds, curve)."""
    t0 = time.monotonic()
    curve = [[0.0, _share(net, done)]]

    def sample():
        curve.append([round(time.monotonic() - t0, 2), _share(net, done)])
    for k in range(1, MAX_ROUNDS + 1):
        net.sync_round(after_tier=sample)
        say(f"  {what}: round {k}: {curve[-1][1] * 100:.0f}% of nodes")
        if curve[-1][1] >= 1.0:
            return k, round(time.monotonic() - t0, 2), curve
    return None, round(time.monotonic() - t0, 2), curve


def _share(net, done, codes=None):
    # A node that is down, or whose certificate was revoked (refused by
    # everyone, by design), is not waited for.
    codes = codes or [c for c in net.codes if c not in net.revoked and
                      testbed.is_ours(net.nodes[c]["pid"], net.nodes[c])]
    return round(sum(1 for c in codes if done(c)) / len(codes), 4)


# The memory guard of make check (report.check_lines): the 8 MiB target
# plus a margin that the run-to-run spread (about 0.1 MiB) never reaches,
# but that losing the static link (10.7 MiB) or the hot-code order of
# ld/pocd_hot.ld (8.8) does.
MEMORY_GUARD_KIB = 8192 + 512


# --------------------------------------------------------------- scenarios

def join_from_scratch(net, rng, say):
    bootstrap_registries(net)
    t_req, t_approve, per = enroll(net, net.members, say)
    n = len(net.codes)
    rounds, secs, curve = _converge(net, lambda c: len(net.serials(c)) == n, say,
                                    f"all {n} records")
    time.sleep(2)       # idle
    mem = [v for v in (net.memory_kib(m) for m in net.members) if v]

    def stats(key):
        xs = sorted(v[key] for v in mem)
        return {"median": xs[len(xs) // 2], "max": xs[-1],
                "mean": round(sum(xs) / len(xs))}
    r = {"status": "passed" if rounds else "failed",
         "requests_seconds": t_req, "approve_seconds": t_approve,
         "approved_per_registry": per, "rounds": rounds, "converge_seconds": secs,
         "target_rounds": 3, "target_met": bool(rounds and rounds <= 3),
         "records": n, "curve": curve,
         "memory_idle_member_kib": {k: stats(k) for k in ("rss", "pss", "uss")},
         "nodes_running": len(net.codes), "memory_target_kib": 8192,
         "memory_guard_kib": MEMORY_GUARD_KIB,
         "join_path": "enrollment: pull, pocctl directory pending, approve"}
    r["rss_target_met"] = r["memory_idle_member_kib"]["rss"]["max"] <= 8192
    r["pss_target_met"] = r["memory_idle_member_kib"]["pss"]["max"] <= 8192
    if not rounds:
        r["error"] = f"not every node holds all {n} records after {MAX_ROUNDS} rounds"
    return r


def _change(net, code, say):
    rc, out, err = net.pocctl(code, "directory", "set", "name",
                              f"{code} (changed {time.time():.0f})")
    if rc != 0:
        raise SimError(f"{code}: directory set name: {err}")
    return net.serials(code)[code]


def one_change(net, rng, say):
    code = rng.choice(net.members)
    serial = _change(net, code, say)
    rounds, secs, curve = _converge(
        net, lambda c: net.serials(c).get(code, 0) >= serial, say, f"{code} serial {serial}")
    return {"status": "passed" if rounds else "failed", "member": code,
            "rounds": rounds, "converge_seconds": secs, "target_rounds": 3,
            "target_met": bool(rounds and rounds <= 3), "curve": curve,
            **({} if rounds else {"error": "the change did not reach every node"})}


def _inbox_id(net, code, kind, where="", args=()):
    rows = net.query(code, "SELECT id FROM messages WHERE direction = 'in' AND kind = ?"
                     + where + " ORDER BY seq DESC LIMIT 1", (kind,) + tuple(args))
    return rows[0][0] if rows else None


def _wait(pred, timeout, what, interval=0.3):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise SimError(f"timed out after {timeout} s: {what}")
        time.sleep(interval)


def check_campaign(net, rng, say):
    g = net.registries[0]
    within = 20
    camp = net.pocctl_json(g, "check", "--all", "--reply-by", f"{within}s")
    camp = camp["campaigns"][0] if "campaigns" in camp else camp
    cid, created = camp["id"], int(camp["created_at"])
    targets = [t["member"] for t in camp["targets"]]
    repliers = rng.sample(targets, round(0.8 * len(targets)))
    late = set(rng.sample(repliers, round(0.2 * len(repliers))))
    say(f"  campaign {cid[:8]} to {len(targets)}: {len(repliers)} will reply, "
        f"{len(late)} of them late")

    def report():
        c = net.pocctl_json(g, "checks", cid)
        return c["campaigns"][0] if "campaigns" in c else c

    def reply(code):
        eid = _wait(lambda: _inbox_id(net, code, 25), 60, f"the check at {code}")
        rc, out, err = net.pocctl(code, "check-reply", eid)
        if rc != 0:
            raise SimError(f"{code}: check-reply: {err}")
    pmap(reply, [m for m in repliers if m not in late])
    rep = _wait(lambda: (lambda c: c if all(int(t.get("delivered_at", 0))
                                          for t in c["targets"]) else None)(report()),
                60, "every node reached")
    reached = sorted(int(t["delivered_at"]) - created for t in rep["targets"])
    wait_s = int(rep["reply_by"]) / 1000 - time.time() + 0.5
    if wait_s > 0:
        time.sleep(wait_s)
    pmap(reply, sorted(late))
    rep = _wait(lambda: (lambda c: c if sum(1 for t in c["targets"] if t["result"]
                                          in ("replied", "late")) == len(repliers)
                         else None)(report()), 60, "every reply recorded")
    res = {}
    for t in rep["targets"]:
        res[t["result"]] = res.get(t["result"], 0) + 1
    want = {"replied": len(repliers) - len(late), "late": len(late),
            "silent": len(targets) - len(repliers)}
    ok = all(res.get(k, 0) == v for k, v in want.items())
    n = len(reached)
    return {"status": "passed" if ok else "failed", "targets": len(targets),
            "results": res, "expected": want,
            "all_reached_seconds": round(reached[-1] / 1000, 2),
            "target_seconds": 10, "target_met": reached[-1] <= 10000,
            "curve": [[round(v / 1000, 3), round((i + 1) / n, 4)]
                      for i, v in enumerate(reached)],
            **({} if ok else {"error": f"results {res}, expected {want}"})}


def _note(net, summary):
    path = os.path.join(net.dir, f"note-{time.time():.3f}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"recipient": "all", "tlp": "GREEN", "language": "en",
                   "notification": {"summary": summary}}, f)
    return path


def _matrix(net, sender, case_id):
    return net.pocctl_json(sender, "thread", case_id)["to_many"]


def _send_all(net, sender, summary):
    q = net.pocctl_json(sender, "send", _note(net, summary))
    return q, {t["recipient"]: t["id"] for t in q["to"]}


def _delivered_curve(case):
    t0 = int(case["created_at"])
    ds = sorted(int(r["delivered_at"]) - t0 for r in case["rows"]
                if int(r.get("delivered_at", 0)))
    n = len(case["rows"])
    return ds, [[round(v / 1000, 3), round((i + 1) / n, 4)] for i, v in enumerate(ds)]


def notify_all(net, rng, say):
    sender = rng.choice(net.members)
    q, to = _send_all(net, sender, f"Notify all from {sender}")
    members = [m for m in net.members if m != sender]
    case = _wait(lambda: (lambda c: c if int(c["delivered"]) == len(to) else None)(
        _matrix(net, sender, q["id"])), 120, "every receipt")
    t0 = int(case["created_at"])
    mrows = [r for r in case["rows"] if r["recipient"] in members]
    t_members = max(int(r["delivered_at"]) for r in mrows) - t0
    _, curve = _delivered_curve(case)
    say(f"  {sender} to {len(to)}: {len(mrows)} member receipts in {t_members / 1000:.2f} s")
    ta = time.monotonic()
    pmap(lambda m: net.pocctl(m, "ack", to[m]), members)
    case = _wait(lambda: (lambda c: c if int(c["acknowledged"]) >= len(members) else None)(
        _matrix(net, sender, q["id"])), 120, "every acknowledgement")
    acks = max(int(r["acknowledged_at"]) for r in case["rows"] if r["recipient"] in members)
    return {"status": "passed", "sender": sender, "recipients": len(to),
            "member_recipients": len(mrows),
            "member_receipts_seconds": round(t_members / 1000, 2),
            "all_receipts_seconds": round((max(int(r["delivered_at"]) for r in case["rows"])
                                           - t0) / 1000, 2),
            "acks_seconds_after_send": round((acks - t0) / 1000, 2),
            "acks_wall_seconds": round(time.monotonic() - ta, 2),
            "target_seconds": 10, "target_met": t_members <= 10000, "curve": curve}


def notify_all_faults(net, rng, say):
    sender = rng.choice(net.members)
    others = [m for m in net.members if m != sender]
    down = rng.sample(others, max(1, round(0.1 * len(net.members))))
    q, to = _send_all(net, sender, f"Notify all under faults from {sender}")
    # Stopped while the deliveries are under way: half killed, half stopped.
    kill, term = down[::2], down[1::2]
    net.stop(kill, signal.SIGKILL)
    if term:
        net.stop(term)
    say(f"  stopped {len(down)} members ({len(kill)} by SIGKILL) during the send")
    time.sleep(3)
    net.start(down)
    case = _wait(lambda: (lambda c: c if int(c["delivered"]) == len(to) else None)(
        _matrix(net, sender, q["id"])), 180, "every receipt after the restarts")
    created = int(case["created_at"])
    counts = {c: net.query(c, "SELECT count(*) FROM messages WHERE direction = 'in' "
                           "AND sender = ? AND created_at = ? AND kind = 22",
                           (sender, created))[0][0] for c in to}
    lost = sorted(c for c, n in counts.items() if n == 0)
    dup = sorted(c for c, n in counts.items() if n > 1)
    _, curve = _delivered_curve(case)
    ok = not lost and not dup
    return {"status": "passed" if ok else "failed", "sender": sender,
            "stopped": len(down), "killed": len(kill), "recipients": len(to),
            "lost": len(lost), "duplicated": len(dup), "target_met": ok,
            "all_receipts_seconds": round((max(int(r["delivered_at"]) for r in case["rows"])
                                           - created) / 1000, 2),
            "curve": curve,
            **({} if ok else {"error": f"lost {lost[:10]}, duplicated {dup[:10]}"})}


def regional_down(net, rng, say):
    """A regional registry stops: its members still converge, through a
    second upstream.  They joined with one registry; their operators have
    added a second one ([upstream X] with its endpoint; its certificate is
    pinned by its record, which they hold) and reloaded (SIGHUP)."""
    regs = net.registries[1:]
    homed = {r: [m for m in net.members if net.home[m] == r] for r in regs}
    r = max(regs, key=lambda x: len(homed[x]))
    t0 = time.monotonic()
    net.add_second_upstream(homed[r])
    t_second = round(time.monotonic() - t0, 2)
    say(f"  {len(homed[r])} members of {r} given a second registry by "
        f"SIGHUP in {t_second} s")
    net.stop([r])
    try:
        code = rng.choice([m for m in net.members if net.home[m] != r] or
                          [m for m in net.members])
        serial = _change(net, code, say)
        rounds, secs, curve = _converge(
            net, lambda c: net.serials(c).get(code, 0) >= serial, say,
            f"{code} serial {serial} with {r} down")
    finally:
        net.start([r])
    ok = bool(rounds)
    return {"status": "passed" if ok else "failed", "stopped": r,
            "members_of_stopped": len(homed[r]), "member": code, "rounds": rounds,
            "second_upstream_reload_seconds": t_second,
            "converge_seconds": secs, "target_met": ok, "curve": curve,
            **({} if ok else {"error": f"{r}'s members did not converge"})}


def _hello_all(net, code, cert, key, others):
    # A Hello that is taken is answered by silence: pocpeer waits its
    # whole --timeout to say so.  Those waits are idle, so many at once.
    return pmap(lambda o: net.pocpeer_hello(code, o, cert, key), others, workers=50)


def _reload_all(net):
    offs = {c: net.log_size(c) for c in net.codes}
    net.hup(net.codes)
    net.wait_logged(net.codes, re.compile(r"SIGHUP: .* reloaded"), 120,
                    "SIGHUP reload", offsets=offs)


def cert_revoked(net, rng, say):
    code = rng.choice(net.members)
    info = net.nodes[code]
    others = [c for c in net.codes if c != code]
    before = _hello_all(net, code, info["node_cert"], info["node_key"], others)
    if not all(before):
        raise SimError(f"{code} refused before the revocation by "
                       f"{sum(1 for b in before if not b)} nodes")
    rc, out, err = run([MKPKI, "revoke", net.dir, info["node_cert"]], timeout=120)
    if rc != 0:
        raise SimError(f"mkpki revoke: {out}{err}")
    net.revoked.add(code)
    _reload_all(net)
    after = _hello_all(net, code, info["node_cert"], info["node_key"], others)
    taken = sum(1 for a in after if a)
    ok = taken == 0
    return {"status": "passed" if ok else "failed", "member": code,
            "nodes": len(others), "refused": len(others) - taken, "accepted": taken,
            "target_met": ok, **({} if ok else {"error": f"{taken} nodes still accept {code}"})}


def key_rotation(net, rng, say):
    code = rng.choice([m for m in net.members if m not in net.revoked])
    info = net.nodes[code]
    # A revoked node is cut off from every pull, so it keeps the record it
    # had: it is not asked.
    others = [c for c in net.codes if c != code and c not in net.revoked]
    d = os.path.join(net.dir, f"rotate-{code}")
    os.makedirs(d, exist_ok=True)
    for name in ("network-ca.pem", "network-ca.key", "network-ca.crl", "network-ca.d"):
        if os.path.lexists(os.path.join(net.dir, name)):
            os.symlink(os.path.join(net.dir, name), os.path.join(d, name))
    rc, out, err = run([MKPKI, "member", d, code], timeout=120)
    if rc != 0:
        raise SimError(f"mkpki member: {out}{err}")
    cert2, key2 = os.path.join(d, code, "node.pem"), os.path.join(d, code, "node.key")
    old_fp, new_fp = info["fingerprint"], cert_fingerprint(cert2)

    # 1. The record names both keys; everyone takes it.
    _set_fps(net, code, [old_fp, new_fp])
    serial = net.serials(code)[code]
    r1, s1, curve = _converge(net, lambda c: net.serials(c).get(code, 0) >= serial, say,
                              f"{code} with both keys")
    # 2. The node switches to the new key by SIGHUP, as an operator would,
    # without a restart: TLS, signatures and the own record all take it.
    with open(info["config"], encoding="utf-8") as f:
        conf = f.read()
    with open(info["config"], "w", encoding="utf-8") as f:
        f.write(conf.replace(info["node_cert"], cert2).replace(info["node_key"], key2))
    offs = {code: net.log_size(code)}
    net.hup([code])
    net.wait_logged([code], re.compile(r"SIGHUP: .* reloaded"), 60,
                    "SIGHUP reload with the new key", offsets=offs)
    new_ok = sum(1 for a in _hello_all(net, code, cert2, key2, others) if a)
    # 3. The record drops the old key; everyone takes that too.
    _set_fps(net, code, [new_fp])
    serial = net.serials(code)[code]
    r2, s2, _ = _converge(net, lambda c: net.serials(c).get(code, 0) >= serial, say,
                          f"{code} without the old key")
    old_ok = sum(1 for a in _hello_all(net, code, info["node_cert"], info["node_key"],
                                       others) if a)
    ok = bool(r1 and r2) and new_ok == len(others) and old_ok == 0
    return {"status": "passed" if ok else "failed", "member": code, "nodes": len(others),
            "new_key_accepted": new_ok, "old_key_accepted_after": old_ok,
            "rounds_publish_new": r1, "rounds_drop_old": r2, "target_met": ok,
            "curve": curve,
            **({} if ok else {"error": f"new key taken by {new_ok}/{len(others)}, "
                                       f"old key still taken by {old_ok}"})}


def _set_fps(net, code, fps):
    rc, out, err = net.pocctl(code, "directory", "set", "fingerprints", *fps)
    if rc != 0:
        raise SimError(f"{code}: directory set fingerprints: {out}{err}")

