#!/usr/bin/env python3
"""A registry whose enrollment table is full (1000 requests pending, the
most it keeps: ENROLL_MAX_PENDING, docs/directory.md "Joining").  KEN's
genuine request is cloned in REG's store to 1000 pending ones; then AUS
and FRA ask to join:

- both are refused ("too many requests are pending"), and each node's
  status says why;
- REG's log says so once, naming the limit and what to do, not once per
  refusal (at most once a minute);
- REG's status shows the refusals and the limit (JSON
  enrollments_refused_full, enrollments_max_pending; text "REFUSED";
  metrics pocd_enrollments_refused_full)."""

import json
import os
import signal

from fresh import run_fresh, wait
from rel import sql
from tb import check, check_eq

MAX_PENDING = 1000


def member_up(net, code, reg_fp):
    net.configure(code, "duty", f"\n[upstream REG]\n"
                  f"endpoint = 127.0.0.1:{net.nodes['REG']['peer']}\n"
                  f"fingerprint = {reg_fp}\n")
    net.set_key(code, "sync_interval", 1)
    net.start(code)


def status(net, code):
    rc, out, err = net.pocctl(code, "--json", "status")
    check(rc == 0, f"{code} status: {err}")
    return json.loads(out)


def test(net):
    net.mkpki("init", net.ca)
    for code in ("REG", "KEN", "AUS", "FRA"):
        net.mkpki("member", net.ca, code)
        net.mkpki("operator", net.ca, code, "duty")
    net.configure("REG", "duty")
    net.start("REG")
    reg_fp = net.fingerprint(os.path.join(net.ca, "REG", "node.pem"))
    member_up(net, "KEN", reg_fp)
    wait(lambda: status(net, "REG").get("enrollments_pending") == 1, 15, "KEN pending")

    # REG down; KEN's request cloned to the most REG keeps.
    p = net.procs["REG"]
    p.send_signal(signal.SIGTERM)
    p.wait(15)
    db = os.path.join(net.nodes["REG"]["dir"], "pocd.db")
    sql(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            f"WHERE i < {MAX_PENDING - 1}) INSERT INTO enrollments (code, fp, record, "
            "source, received_at, last_seen, requests, state) SELECT printf('X%04d', i), "
            "fp, record, source, received_at, last_seen, 1, 'pending' FROM n, "
            "enrollments WHERE code = 'KEN';")
    off = len(net.log("REG"))
    net.start("REG")
    check_eq(status(net, "REG").get("enrollments_pending"), MAX_PENDING, "pending at REG")

    for code in ("AUS", "FRA"):
        member_up(net, code, reg_fp)

        def told(c=code):
            ups = status(net, c).get("upstreams", [])
            return ups and ups[0].get("enrollment") == "refused" and \
                "too many requests are pending" in ups[0].get("enrollment_reason", "")
        wait(told, 20, f"{code} told it is refused: the registry is full")
    net.wait_log("REG", off, rf"enrollment: AUS \(.*\) refused: {MAX_PENDING} requests are "
                 r"pending already, the most kept; approve or reject them", "REG logs it")
    log = net.log("REG")[off:]
    check_eq(log.count("pending already, the most kept"), 1, "times REG logged it")
    st = status(net, "REG")
    check(st.get("enrollments_refused_full", 0) >= 2,
          f"enrollments_refused_full {st.get('enrollments_refused_full')}")
    check_eq(st.get("enrollments_max_pending"), MAX_PENDING, "enrollments_max_pending")
    rc, out, err = net.pocctl("REG", "status")
    check(rc == 0 and f"REFUSED since start because {MAX_PENDING} were pending" in out,
          f"REG's status text:\n{out}{err}")
    rc, out, err = net.pocctl("REG", "metrics")
    check("pocd_enrollments_refused_full " in out and
          "pocd_enrollments_refused_full 0\n" not in out, "metrics")
    print(f"enrollment full: AUS and FRA refused ({st['enrollments_refused_full']} refusals), "
          "logged once, shown in status and metrics")


if __name__ == "__main__":
    run_fresh("enroll_full", test)
