#!/usr/bin/env python3
"""Enrollment decisions are in the audit chain, on fresh nodes (REG the
registry; AUS, FRA, NZL members).

- REG's operator approves AUS and rejects FRA with a reason; then, with
  `enrollment = open` after SIGHUP, NZL is approved by the policy.  REG's
  audit export holds one entry per decision, in order: kind
  enroll-approved or enroll-rejected, the member as peer, who decided
  (the operator's certificate CN, or "policy"), the certificate's
  fingerprint and the reason, and the digest of the record offered; and
  `pocctl audit verify` finds the chain intact.
- The entry commits with the decision: with REG's audit table made to
  refuse the entry (a SQLite trigger), a rejection fails and the request
  stays pending; without the trigger the same rejection goes through."""

import hashlib
import json
import os
import signal

from fresh import run_fresh, wait
from rel import sql
from tb import check, check_eq


def pending(net, all_=False):
    rc, out, err = net.pocctl("REG", "--json", "directory", "pending",
                              *(["--all"] if all_ else []))
    check(rc == 0, f"pending: {err}")
    return {e["member"]: e for e in json.loads(out).get("entries", [])}


def member_up(net, code, reg_fp):
    net.member_of(code, "REG", reg_fp)
    net.start(code)


def audit(net):
    path = os.path.join(net.dir, f"reg-audit-{len(os.listdir(net.dir))}.jsonl")
    rc, out, err = net.pocctl("REG", "audit", "export", "--out", path)
    check(rc == 0, f"audit export: {out}{err}")
    rc, out, err = net.pocctl("REG", "audit", "verify", path)
    check(rc == 0 and "chain intact" in out, f"audit verify: {out}{err}")
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def test(net):
    net.mkpki("init", net.ca)
    for code in ("REG", "AUS", "FRA", "NZL"):
        net.mkpki("member", net.ca, code)
    net.mkpki("operator", net.ca, "REG", "duty")
    for code in ("AUS", "FRA", "NZL"):
        net.mkpki("operator", net.ca, code, "duty")
    net.configure("REG", "duty")
    net.start("REG")
    reg_fp = net.fingerprint(os.path.join(net.ca, "REG", "node.pem"))
    fp = {c: net.fingerprint(os.path.join(net.ca, c, "node.pem"))
          for c in ("AUS", "FRA", "NZL")}
    reg_db = os.path.join(net.nodes["REG"]["dir"], "pocd.db")

    member_up(net, "AUS", reg_fp)
    member_up(net, "FRA", reg_fp)
    wait(lambda: {"AUS", "FRA"} <= set(pending(net)), 15, "AUS and FRA pending")
    rc, out, err = net.pocctl("REG", "directory", "approve", "AUS")
    check(rc == 0, f"approve AUS: {out}{err}")
    operator = pending(net, True)["AUS"]["decided_by"]
    check(operator != "", "the approval names its operator")

    # The entry commits with the decision, or neither does.
    sql(reg_db, "CREATE TRIGGER no_enroll_audit BEFORE INSERT ON audit "
                "WHEN NEW.kind = 'enroll-rejected' "
                "BEGIN SELECT RAISE(ABORT, 'injected'); END;")
    rc, out, err = net.pocctl("REG", "directory", "reject", "FRA", "--reason",
                              "not known to this network")
    check(rc != 0, f"reject FRA with the audit refusing: {rc} {out}{err}")
    check_eq(pending(net)["FRA"]["state"], "pending", "FRA still pending")
    check_eq([e["kind"] for e in audit(net)], ["enroll-approved"],
             "no entry for the failed rejection")
    sql(reg_db, "DROP TRIGGER no_enroll_audit;")
    rc, out, err = net.pocctl("REG", "directory", "reject", "FRA", "--reason",
                              "not known to this network")
    check(rc == 0, f"reject FRA: {out}{err}")

    # open: NZL is approved by the policy, audited as such.
    net.set_key("REG", "enrollment", "open")
    off = len(net.log("REG"))
    net.signal("REG", signal.SIGHUP)
    net.wait_log("REG", off, r"SIGHUP: .* reloaded", "REG reloads")
    member_up(net, "NZL", reg_fp)
    net.wait_log("REG", off, r"enrollment: NZL approved by policy",
                 "NZL approved by the open policy")

    entries = audit(net)
    got = [(e["kind"], e["message_id"], e["peer"], e["detail"]) for e in entries]
    check_eq(got, [
        ("enroll-approved", "", "AUS", f"by {operator}; certificate {fp['AUS']}"),
        ("enroll-rejected", "", "FRA", f"by {operator}; certificate {fp['FRA']}; "
                                       "reason: not known to this network"),
        ("enroll-approved", "", "NZL", f"by policy; certificate {fp['NZL']}"),
    ], "REG's audit entries")
    # The digest is of the record as offered (kept in enrollments).
    for e in entries:
        rows = sql(reg_db, "SELECT hex(record) FROM enrollments "
                           f"WHERE code = '{e['peer']}';")
        check_eq(e["envelope_sha256"],
                 hashlib.sha256(bytes.fromhex(rows[0][0])).hexdigest(),
                 f"digest of the record {e['peer']} offered")


if __name__ == "__main__":
    run_fresh("enroll-audit", test)
