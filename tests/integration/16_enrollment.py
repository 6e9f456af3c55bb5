#!/usr/bin/env python3
"""Enrollment under attack and under each policy, on fresh nodes (REG the
registry; AUS, FRA, KEN, NZL, CHE members with certificates of the same
network CA and no record at REG).

- A connection let in to enroll may do nothing else: a fetch or an
  envelope closes it with IDENTITY; a digest request is answered "not
  enrolled".
- An offered record must be the connecting member's own, signed with the
  connection's certificate: AUS's genuine record offered by KEN is refused.
- A member that has a record is never replaced: a second, valid AUS
  certificate is refused at Hello and REG's AUS record keeps its pin.
- reject --reason reaches the member's status; asking again gets the same
  refusal, with no new request; approve --fingerprint with the wrong
  certificate changes nothing.
- More than 10 enrolling connections a minute for one member are refused.
- open: NZL is taken at first contact, no operator; off (after SIGHUP): CHE
  is refused as not pinned."""

import json
import os
import re
import signal
import time

from dirtb import pack_record
from fresh import (NOT_ENROLLED, PF_DIGEST_REQ, PF_ENROLL_ANSWER,
                   PF_ENROLL_REQ, PF_ENVELOPE, PF_ERROR, PF_FETCH, REFUSED,
                   RawPeer, pb_fields, run_fresh, wait)
from rel import sql
from tb import check, check_eq, pb_field


def raw(net, code, source, cert=None, key=None):
    ca = net.ca
    return RawPeer(net.nodes["REG"]["peer"], os.path.join(ca, "network-ca.pem"),
                   cert or os.path.join(ca, code, "node.pem"),
                   key or os.path.join(ca, code, "node.key"), code, source)


def refused(frames):
    """The node's Error for our Hello ("not pinned"), or None if taken."""
    errs = [error_of(f) for f in frames if f[0] == PF_ERROR]
    return errs[0][1] if errs else None


def error_of(got):
    check(got is not None and got[0] == PF_ERROR, f"an Error frame: {got}")
    f = pb_fields(got[1])
    return f[1][0], f.get(2, [b""])[0].decode()


def answer_of(got):
    check(got is not None and got[0] == PF_ENROLL_ANSWER,
          f"an EnrollAnswer: {got}")
    f = pb_fields(got[1])
    return f.get(1, [0])[0], f.get(2, [b""])[0].decode()


def pending(net, all_=False):
    rc, out, err = net.pocctl("REG", "--json", "directory", "pending",
                              *(["--all"] if all_ else []))
    check(rc == 0, f"pending: {err}")
    return {e["member"]: e for e in json.loads(out).get("entries", [])}


def member_up(net, code, op, reg_fp):
    net.configure(code, op, f"\n[upstream REG]\n"
                  f"endpoint = 127.0.0.1:{net.nodes['REG']['peer']}\n"
                  f"fingerprint = {reg_fp}\n")
    net.set_key(code, "sync_interval", 1)
    net.start(code)


def test(net):
    net.mkpki("init", net.ca)
    for code in ("REG", "AUS", "FRA", "KEN", "NZL", "CHE", "JPN", "IRL"):
        net.mkpki("member", net.ca, code)
    for code in ("REG", "AUS", "FRA", "NZL"):
        net.mkpki("operator", net.ca, code, "duty")
    net.configure("REG", "duty")
    net.start("REG")
    reg_fp = net.fingerprint(os.path.join(net.ca, "REG", "node.pem"))

    # The restricted connection.
    for kind, num, payload in (("fetch", PF_FETCH, pb_field(1, "AUS")),
                               ("envelope", PF_ENVELOPE, pb_field(1, "x"))):
        p = raw(net, "KEN", "127.0.0.2")
        p.hello()
        p.send(num, payload)
        code, msg = error_of(p.read())
        check("may only enroll" in msg, f"{kind} on an enrolling connection: {msg}")
        p.close()
    p = raw(net, "KEN", "127.0.0.2")
    p.hello()
    p.send(PF_DIGEST_REQ, b"")
    state, why = answer_of(p.read())
    check_eq(state, NOT_ENROLLED, "digest request answered")

    # AUS joins and waits; KEN offers AUS's genuine record as its own.
    member_up(net, "AUS", "duty", reg_fp)
    wait(lambda: "AUS" in pending(net), 15, "AUS pending")
    # The request waits for a person: one event for it, committed with it
    # (an [alert] command would be run for it; `pocctl watch` shows it).
    reg_db = os.path.join(net.nodes["REG"]["dir"], "pocd.db")
    ev = sql(reg_db, "SELECT count(*), max(summary) FROM events WHERE kind = 13 "
                     "AND peer = 'AUS';")
    check(ev[0][0] == "1" and "asks to join" in ev[0][1],
          f"enrollment-waiting event for AUS: {ev}")
    rc, out, err = net.pocctl("AUS", "directory", "export", "--format", "json", "AUS")
    check(rc == 0, f"AUS export: {err}")
    aus_rec = json.loads(out)["records"][0]
    p.send(PF_ENROLL_REQ, pb_field(1, pack_record(aus_rec)))
    state, why = answer_of(p.read())
    check(state == REFUSED and "certificate of KEN" in why,
          f"KEN offering AUS's record: {state} {why}")
    p.close()
    check("KEN" not in pending(net, True), "no request recorded for KEN")

    # approve with the wrong fingerprint changes nothing; with the right
    # one, AUS's record is stored and pinned.
    aus_fp = net.fingerprint(os.path.join(net.ca, "AUS", "node.pem"))
    rc, out, err = net.pocctl("REG", "directory", "approve", "AUS",
                              "--fingerprint", "0" * 64)
    check(rc == 1 and "not " + "0" * 64 in err, f"approve, wrong fp: {rc} {err}")
    check_eq(pending(net)["AUS"]["state"], "pending", "AUS still pending")
    rc, out, err = net.pocctl("REG", "directory", "approve", "AUS",
                              "--fingerprint", aus_fp)
    check(rc == 0, f"approve AUS: {out}{err}")

    def enrolled():
        rc, out, err = net.pocctl("AUS", "--json", "status")
        ups = json.loads(out).get("upstreams", [])
        return ups and ups[0].get("enrollment") == "enrolled"
    wait(enrolled, 15, "AUS enrolled at REG")

    # A second valid AUS certificate: refused, the record keeps its pin.
    d2 = os.path.join(net.dir, "second")
    os.makedirs(d2)
    for name in ("network-ca.pem", "network-ca.key", "network-ca.crl", "network-ca.d"):
        os.symlink(os.path.join(net.ca, name), os.path.join(d2, name))
    net.mkpki("member", d2, "AUS")
    off = len(net.log("REG"))
    p = raw(net, "AUS", "127.0.0.2", os.path.join(d2, "AUS", "node.pem"),
            os.path.join(d2, "AUS", "node.key"))
    why = refused(p.hello_only())
    p.close()
    check(why and "not pinned" in why, f"second AUS certificate: {why}")
    net.wait_log("REG", off, r"enrollment: AUS .* refused: AUS already has a "
                 r"record here", "REG logs the refusal")
    rc, out, err = net.pocctl("REG", "--json", "directory", "show", "AUS")
    check_eq(json.loads(out)["members"][0]["record"]["fingerprints"], [aus_fp],
             "REG's AUS pins")

    # FRA is rejected with a reason; its node says so; asking again gets
    # the same answer and no new request.
    member_up(net, "FRA", "duty", reg_fp)
    wait(lambda: "FRA" in pending(net), 15, "FRA pending")
    rc, out, err = net.pocctl("REG", "directory", "reject", "FRA", "--reason",
                              "not a member of this network")
    check(rc == 0 and "refused" in out, f"reject FRA: {out}{err}")

    def fra_refused():
        rc, out, err = net.pocctl("FRA", "status")
        return "refused: not a member of this network" in out and out
    wait(fra_refused, 15, "FRA's status saying why")
    # The timer does not ask again after a refusal; the operator can.
    n = pending(net, True)["FRA"]["requests"]
    rc, out, err = net.pocctl("FRA", "directory", "sync")
    check(rc == 0, f"FRA sync: {err}")
    wait(lambda: pending(net, True)["FRA"]["requests"] == n + 1, 10,
         "FRA asking again")
    check_eq(pending(net, True)["FRA"]["requests"], n + 1, "FRA's requests")
    check("FRA" not in pending(net), "FRA is not pending again")
    rc, out, err = net.pocctl("REG", "directory", "show", "FRA")
    check(rc == 1, f"REG holds no record of FRA: {out}")

    # open: NZL is taken at first contact.
    net.set_key("REG", "enrollment", "open")
    off = len(net.log("REG"))
    net.signal("REG", signal.SIGHUP)
    net.wait_log("REG", off, r"SIGHUP: reloading", "REG reloads")
    member_up(net, "NZL", "duty", reg_fp)
    net.wait_log("REG", off, r"enrollment: NZL approved by policy",
                 "NZL approved by the open policy")
    rc, out, err = net.pocctl("REG", "--json", "directory", "show", "NZL")
    check(rc == 0, f"REG holds NZL: {err}")

    # off: JPN is refused as not pinned; back to manual, the same JPN may
    # enroll, so the refusal was the policy's.
    for policy, taken in (("off", False), ("manual", True)):
        net.set_key("REG", "enrollment", policy)
        off = len(net.log("REG"))
        net.signal("REG", signal.SIGHUP)
        net.wait_log("REG", off, r"SIGHUP: reloading", "REG reloads")
        time.sleep(0.5)
        p = raw(net, "JPN", "127.0.0.6")
        why = refused(p.hello_only())
        p.close()
        check((why is None) == taken, f"JPN under {policy}: {why}")
        if not taken:
            check("not pinned" in why, f"JPN under off: {why}")

    # Rate limit, [directory] enrollment_rate = 10: CHE from 127.0.0.3 is
    # let in 10 times, not the 11th; CHE from another address neither (per
    # member); IRL from 127.0.0.3 neither (per address), IRL from another
    # address is.  Each refusal is logged once.
    off = len(net.log("REG"))
    for i in range(1, 12):
        p = raw(net, "CHE", "127.0.0.3")
        why = refused(p.hello_only())
        p.close()
        check((why is None) == (i <= 10), f"CHE's connection {i}: {why}")
    for code, src, taken in (("CHE", "127.0.0.4", False),
                             ("IRL", "127.0.0.3", False),
                             ("IRL", "127.0.0.5", True),
                             ("CHE", "127.0.0.3", False)):
        p = raw(net, code, src)
        why = refused(p.hello_only())
        p.close()
        check((why is None) == taken, f"{code} from {src}: {why}")
    log = net.log("REG")[off:]
    for key in ("127.0.0.3", "CHE"):
        n = len(re.findall(rf"more than 10 enrolling connections for "
                           rf"{re.escape(key)} within 60 s", log))
        check_eq(n, 1, f"refusals for {key} logged")


if __name__ == "__main__":
    run_fresh("enrollment", test)
