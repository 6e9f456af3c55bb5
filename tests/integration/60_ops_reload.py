#!/usr/bin/env python3
"""SIGHUP reloads the configuration and the certificates without dropping
the store (issue 6, item 4):

1. a queued message and the inbox survive every reload;
2. log_level changes at once (status shows it, debug lines appear), and a
   key that needs a restart (the operator listen address) is logged as
   such and not applied: pocctl still reaches the old address;
3. a reissued node certificate is in force after SIGHUP (status shows
   its new expiry, 20 days away, and warns about it), and a revoked
   operator certificate works until SIGHUP reloads the CRL, not after;
4. a file with an error is refused with file:line and a log line, the
   node keeps running with the previous configuration, and the refusal
   is counted.
"""

import os
import re
import signal
import subprocess

from tb import MKPKI, check, check_eq, envelope, run, run_test


def status(tb):
    return tb.pocctl("AUS", "status")


def hup(tb):
    os.kill(tb.info("AUS")["pid"], signal.SIGHUP)


def test(tb):
    conf = tb.info("AUS")["config"]
    with open(conf, encoding="utf-8") as f:
        original = f.read()

    # Something in the store that every reload must leave alone: FRA is
    # stopped, so the request stays queued in AUS's outbox.
    tb.stop("FRA")
    sent = tb.send("AUS", envelope("FRA", "assistance_request",
                                   {"summary": "kept across reloads", "urgency": "ROUTINE"}))
    st = status(tb)
    check_eq(st.get("log_level"), "info", "log level before")
    check_eq(st.get("reloads", 0), 0, "reloads before")
    loaded0 = st["config_loaded_at"]

    # 1+2: log level at run time; a listen address needs a restart.
    new = original.replace("log_level = info", "log_level = debug")
    check(new != original, "test bed config has no log_level = info line")
    new = re.sub(r"(\[operator_listener\]\nlisten = 127\.0\.0\.1:)(\d+)",
                 lambda m: m.group(1) + "1", new)
    with open(conf, "w", encoding="utf-8") as f:
        f.write(new)
    hup(tb)
    st = tb.wait_until(lambda: (lambda s: s if s.get("reloads") == 1 else None)(status(tb)),
                       10, "the reload to be counted")
    check_eq(st.get("log_level"), "debug", "log level after SIGHUP")
    check(st["config_loaded_at"] > loaded0, "config_loaded_at did not move")
    log = tb.log("AUS")
    check("[operator_listener] listen changed" in log and "after a restart" in log,
          "no log line saying the listen address needs a restart")
    check(re.search(r"SIGHUP: .* reloaded", log), "no 'reloaded' log line")
    tb.pocctl("AUS", "outbox")  # still on the old operator address
    tb.wait_until(lambda: "debug" in tb.log("AUS").split("reloaded")[-1].lower(),
                  10, "a debug line after the reload")

    # 3: a reissued node certificate (20 days) is in force after SIGHUP.
    pki = os.path.dirname(tb.info("FRA")["network_ca"])
    node_before = [c for c in st.get("certificates", []) if c["role"] == "node"]
    check(len(node_before) == 1, f"no node certificate in status: {st.get('certificates')}")
    r = subprocess.run([MKPKI, "--force", "--days", "20", "member", pki, "AUS"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"mkpki --force member failed: {r.stdout}{r.stderr}")
    hup(tb)
    st = tb.wait_until(lambda: (lambda s: s if s.get("reloads") == 2 else None)(status(tb)),
                       10, "the second reload")
    node = [c for c in st["certificates"] if c["role"] == "node"][0]
    days = (node["not_after"] - st["now"]) / 86400000
    check(19 <= days <= 21, f"node certificate after reload ends in {days:.1f} days, want 20")
    check(node["not_after"] != node_before[0]["not_after"], "node certificate unchanged")
    rc, out, err = tb.pocctl_text("AUS", "status")
    check(rc == 0, f"pocctl status failed: {err}")
    check("warning: the node certificate" in err and "expires" in err,
          f"no expiry warning on stderr: {err!r}")

    # 3b: a revoked operator is refused once SIGHUP reloads the CRL.
    r = subprocess.run([MKPKI, "operator", pki, "AUS", "bob"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"mkpki operator failed: {r.stdout}{r.stderr}")
    bob_pem = os.path.join(pki, "AUS", "operators", "bob.pem")
    with open(tb.info("AUS")["pocctl_config"], encoding="utf-8") as f:
        bobconf = re.sub(r"duty-officer", "bob", f.read())
    bob = tb.tmpfile("bob-pocctl.conf", bobconf)
    rc, out, err = tb.pocctl_text("AUS", "status", config=bob)
    check(rc == 0, f"bob's certificate refused before revocation: {err}")
    r = subprocess.run([MKPKI, "revoke", pki, bob_pem], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"mkpki revoke failed: {r.stdout}{r.stderr}")
    rc, out, err = tb.pocctl_text("AUS", "status", config=bob)
    check(rc == 0, "the revocation took effect before SIGHUP: the CRL is not reloaded only on SIGHUP")
    hup(tb)
    tb.wait_until(lambda: status(tb).get("reloads") == 3, 10, "the CRL reload")
    rc, out, err = tb.pocctl_text("AUS", "status", config=bob)
    check(rc != 0, "a revoked operator certificate still works after SIGHUP")
    check(status(tb).get("member") == "AUS", "the duty officer is refused after the CRL reload")

    # 4: a bad file is refused; the node runs on with what it had.
    with open(conf, "w", encoding="utf-8") as f:
        f.write(new.replace("[limits]", "[limits]\nmax_frame = banana")
                if "[limits]" in new else new + "\n[limits]\nmax_frame = banana\n")
    hup(tb)
    st = tb.wait_until(lambda: (lambda s: s if s.get("reload_failures") == 1 else None)(status(tb)),
                       10, "the refused reload to be counted")
    check_eq(st.get("reloads"), 3, "reloads after a refused one")
    check_eq(st.get("log_level"), "debug", "log level after a refused reload")
    log = tb.log("AUS")
    check(re.search(r"pocd\.conf:\d+: max_frame: expected a byte count", log),
          "the refused file's error is not logged as file:line")
    check("reload refused" in log, "no 'reload refused' log line")
    out = [m for m in tb.box("AUS", "outbox") if m.get("id") == sent["id"]]
    check(len(out) == 1 and out[0].get("state") == "queued",
          f"the queued request did not survive the reloads: {out}")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
