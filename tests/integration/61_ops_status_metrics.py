#!/usr/bin/env python3
"""pocctl status and metrics (issue 6, items 6 and 7): with FRA down and one
request queued to it, status shows the queue depth and the oldest age per
peer and the certificates in force; metrics prints the same as OpenMetrics
text that the reference parser (prometheus_client) accepts, ending with
# EOF, and pocd_up 0 when the node is down.  On a terminal (a pty of 72
columns) status is coloured and fits the width; with NO_COLOR, or when
not a terminal, there is no escape sequence at all."""

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

from tb import POCCTL, check, check_eq, envelope, run, run_test

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? '
                    r'(-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$')


def parser():
    try:
        from prometheus_client.openmetrics import parser as p
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")  # Debian's package
        from prometheus_client.openmetrics import parser as p
    return p


def validate(text):
    """Checks the exposition line by line, then with the reference parser;
    returns {(name, frozenset(labels)): value}."""
    lines = text.split("\n")
    check(text.endswith("# EOF\n"), f"does not end with '# EOF': {text[-40:]!r}")
    declared, helped, seen_families, samples = {}, set(), [], {}
    for ln in lines[:-2]:
        if ln.startswith("# HELP "):
            helped.add(ln.split()[2])
            continue
        if ln.startswith("# TYPE "):
            _, _, name, typ = ln.split(" ", 3)
            check(name not in declared, f"family {name} declared twice")
            check(typ in ("gauge", "counter"), f"{name}: type {typ}")
            check(name in helped, f"{name}: TYPE without HELP before it")
            declared[name] = typ
            seen_families.append(name)
            continue
        m = SAMPLE.match(ln)
        check(m, f"not a sample line: {ln!r}")
        check(m.group(1) == seen_families[-1], f"{m.group(1)} outside its family block")
        labels = frozenset(re.findall(r'([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    fams = list(parser().text_string_to_metric_families(text))
    check(len(fams) == len(declared), f"parser saw {len(fams)} families, want {len(declared)}")
    return samples


def pty_run(argv, cols, extra_env):
    """Runs argv on a pty of cols columns; returns what it printed."""
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, TERM="xterm-256color", **extra_env)
        env.pop("NO_COLOR", None) if "NO_COLOR" not in extra_env else None
        os.execve(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
    out, deadline = b"", time.monotonic() + 20
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif os.waitpid(pid, os.WNOHANG)[0] == pid:
            pid = None
            break
    if pid:
        os.waitpid(pid, 0)
    os.close(fd)
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


def test(tb):
    # FLASH cases overdue after 1 s: [deadlines] is taken on SIGHUP.
    conf = tb.info("AUS")["config"]
    with open(conf, encoding="utf-8") as f:
        text = f.read()
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text + "\n[deadlines]\nflash = 1\n")
    os.kill(tb.info("AUS")["pid"], signal.SIGHUP)
    tb.wait_until(lambda: tb.pocctl("AUS", "status").get("reloads") == 1, 10, "the reload")
    tb.stop("FRA")
    sent = tb.send("AUS", envelope("FRA", "assistance_request",
                                   {"summary": "queued for status", "urgency": "FLASH"},
                                   tlp="RED"))
    time.sleep(1.2)  # an oldest age of at least one second
    st = tb.pocctl("AUS", "status")
    check_eq(st.get("member"), "AUS", "member")
    check(st.get("software", "").startswith("pocd/"), f"software: {st.get('software')}")
    fra = [p for p in st.get("peers", []) if p["member"] == "FRA"]
    check(len(fra) == 1, f"FRA not among the peers: {st.get('peers')}")
    check(fra[0].get("queued") >= 1, f"FRA queue depth {fra[0].get('queued')}")
    check(0 < fra[0].get("oldest_queued_at", 0) <= st["now"] - 1000,
          f"oldest_queued_at {fra[0].get('oldest_queued_at')} vs now {st['now']}")
    tb.wait_until(lambda: tb.pocctl("AUS", "status").get("overdue_cases", 0) >= 1, 15,
                  "the FLASH request to be overdue")
    rc, out, err = tb.pocctl_text("AUS", "check", "FRA")
    check(rc == 0, f"pocctl check FRA failed: {out}{err}")
    st = tb.pocctl("AUS", "status")
    check(st.get("overdue_tracked") is True, "overdue_tracked not set")
    check(st.get("last_check_campaign", 0) >= st["started_at"], "last_check_campaign not set")
    fra = [p for p in st["peers"] if p["member"] == "FRA"]
    check_eq(fra[0].get("queued"), 2, "FRA queue depth with the request and the check")
    roles = sorted(c["role"] for c in st.get("certificates", []))
    check_eq(roles, ["network_ca", "node", "operator_ca"], "certificate roles")
    for c in st["certificates"]:
        check(c["not_after"] > st["now"] + 30 * 86400000, f"{c} expires too soon for this test bed")

    rc, text, err = tb.pocctl_text("AUS", "metrics")
    check(rc == 0, f"pocctl metrics exited {rc}: {err}")
    s = validate(text)
    check_eq(s.get(("pocd_up", frozenset())), 1.0, "pocd_up")
    check_eq(s.get(("pocd_outbox_queued", frozenset({("peer", "FRA")}))),
             float(fra[0]["queued"]), 'pocd_outbox_queued{peer="FRA"}')
    age = s.get(("pocd_outbox_oldest_age_seconds", frozenset({("peer", "FRA")})))
    check(age is not None and age >= 1.0, f"oldest age {age}")
    check_eq(s.get(("pocd_peer_connected", frozenset({("peer", "FRA")}))), 0.0, "FRA connected")
    check(s.get(("pocd_overdue_cases", frozenset()), 0) >= 1, "pocd_overdue_cases")
    check(s.get(("pocd_check_campaign_last_timestamp_seconds", frozenset()), 0) > 0,
          "pocd_check_campaign_last_timestamp_seconds")
    certs = [k for k in s if k[0] == "pocd_certificate_expiry_timestamp_seconds"]
    check_eq(len(certs), 3, "certificate expiry samples")

    # Not a terminal: no colour, lines fit the default 100 columns.
    rc, text, err = tb.pocctl_text("AUS", "status")
    check(rc == 0 and "\x1b" not in text, f"escape sequences without a terminal: {text!r}")
    check("FRA" in text and "1 " in text, f"status text lacks the FRA queue: {text}")
    for ln in text.splitlines():
        check(len(ln) <= 100, f"line wider than 100 columns: {ln!r}")

    # A terminal of 72 columns: colour (TLP:RED in the outbox), fitted width.
    cfg = tb.info("AUS")["pocctl_config"]
    out = pty_run([POCCTL, "-c", cfg, "outbox"], 72, {})
    check("\x1b[1;31mRED" in out, f"TLP:RED not red on a terminal: {out!r}")
    rows = [ln for ln in ANSI.sub("", out).splitlines()
            if ln.startswith("ID ") or re.match(r"^[0-9a-f]{8}  ", ln)]
    check(len(rows) >= 3, f"outbox table rows not found: {out!r}")
    for ln in rows:
        check(len(ln) <= 72, f"outbox row wider than the 72-column terminal: {ln!r}")
    out = pty_run([POCCTL, "-c", cfg, "status"], 72, {})
    for ln in ANSI.sub("", out).splitlines():
        check(len(ln) <= 72, f"status line wider than the 72-column terminal: {ln!r}")
    out = pty_run([POCCTL, "-c", cfg, "outbox"], 72, {"NO_COLOR": "1"})
    check("\x1b" not in out and "RED" in out, f"colour despite NO_COLOR: {out!r}")

    # The node down: still a valid exposition, pocd_up 0, exit 1.
    tb.stop("AUS")
    rc, text, err = tb.pocctl_text("AUS", "metrics")
    check(rc == 1, f"metrics with the node down exited {rc}")
    s = validate(text)
    check_eq(s.get(("pocd_up", frozenset())), 0.0, "pocd_up with the node down")
    check("pocd" in err or "connect" in err, f"no reason on stderr: {err!r}")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
