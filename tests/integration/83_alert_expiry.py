#!/usr/bin/env python3
"""Expiry alerts (issue 13 item 1): FRA's node certificate reissued for 20
days alerts CERT_EXPIRING (within 30 days) when FRA starts, once: a
restart does not alert again.  Reissued for 5 days and put in force by
SIGHUP, it alerts again (within 7 days).  The own directory record set to
expire in 20 days alerts RECORD_EXPIRING."""

import json
import os
import signal
import subprocess

from tb import MKPKI, check, check_eq, run_test

RECORDER = os.path.join(os.path.dirname(os.path.realpath(__file__)), "alert_recorder.py")


def alerts(path, kind):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        lines = [json.loads(x) for x in f if x.strip()]
    return [x["input"] for x in lines if x["phase"] == "done" and x["input"].get("kind") == kind]


def reissue(tb, days):
    pki = os.path.dirname(tb.info("FRA")["network_ca"])
    r = subprocess.run([MKPKI, "--force", "--days", str(days), "member", pki, "FRA"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"mkpki --force member: {r.stdout}{r.stderr}")


def test(tb):
    rec = os.path.join(tb.dir, "alerts.jsonl")
    reissue(tb, 20)
    tb.configure("FRA", f"""
[alert]
command = {RECORDER}
args = {rec}
""")
    a = tb.wait_until(lambda: alerts(rec, "CERT_EXPIRING"), 20, "the certificate alert")
    check("within 30 days" in a[0].get("summary", ""), f"summary: {a[0]}")
    check_eq(a[0].get("detail"), "CN=FRA", "the certificate named")
    days = (a[0]["due_at"] - a[0]["at"]) / 86400000
    check(19 <= days <= 21, f"due_at {days:.1f} days ahead, want 20")

    tb.stop("FRA")
    tb.start("FRA")
    st = tb.pocctl("FRA", "status")
    check_eq(st.get("alerts_pending", 0), 0, "pending after the restart")
    check_eq(len(alerts(rec, "CERT_EXPIRING")), 1, "certificate alerts after a restart")

    reissue(tb, 5)
    os.kill(tb.info("FRA")["pid"], signal.SIGHUP)
    a = tb.wait_until(lambda: (lambda x: x if len(x) == 2 else None)(
        alerts(rec, "CERT_EXPIRING")), 20, "the 7-day alert after SIGHUP")
    check("within 7 days" in a[1].get("summary", ""), f"summary: {a[1]}")

    rc, out, err = tb.pocctl_text("FRA", "directory", "set", "expires", "+20d")
    check(rc == 0, f"directory set expires: {out}{err}")
    tb.stop("FRA")
    tb.start("FRA")
    r = tb.wait_until(lambda: alerts(rec, "RECORD_EXPIRING"), 20, "the record alert")
    check("own directory record FRA" in r[0].get("summary", ""), f"summary: {r[0]}")


if __name__ == "__main__":
    run_test(test, members=("FRA",))
