#!/usr/bin/env python3
"""SIGHUP puts a changed set of [upstream] sections in force, no restart.

AUS pulls from OSCE (sync_interval one hour: after the first pull, only
the reloads and `pocctl directory sync` start pulls, so a time that did
not move shows a state kept).  UN's record has a serial (2) that only UN
holds.

1. [upstream UN] added, SIGHUP: AUS pulls from UN at once and takes UN
   serial 2 from it; OSCE, unchanged, keeps its last pull's times.
2. OSCE's endpoint changed to a closed port, SIGHUP: AUS dials the new
   address at once and fails there (status: its error, the new
   endpoint); UN keeps its times.  Changed back: the pull succeeds.
3. UN removed while a pull from it hangs (UN stopped by SIGSTOP, so its
   TLS handshake never ends), SIGHUP: the connection is closed at once,
   status no longer lists UN, and a `directory sync` pulls from OSCE
   alone (UN, running again, sees no connection from AUS).
4. A broken [upstream] section, SIGHUP: the reload is refused with the
   file:line error, and the running set (OSCE) still pulls.
"""

import os
import signal

from dirtb import fingerprint, serial, wait_log
from fresh import free_port
from tb import check, check_eq, run_test


def status_ups(tb):
    return {u["member"]: u for u in tb.pocctl("AUS", "status").get("upstreams", [])}


def ms(u, key):
    return int(u.get(key, 0) or 0)


def established_to(port):
    """Established IPv4 TCP connections whose remote port is port."""
    n = 0
    with open("/proc/net/tcp", encoding="ascii") as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[3] == "01" and int(fields[2].split(":")[1], 16) == port:
                n += 1
    return n


def test(tb):
    aus = tb.info("AUS")
    conf = aus["config"]
    with open(conf, encoding="utf-8") as f:
        original = f.read()
    base = (original.rstrip("\n") + "\n\n[directory]\nsync_interval = 3600\n"
            "\n[limits]\nhandshake_timeout = 60\n")
    ep = {c: f"127.0.0.1:{tb.info(c)['peer_port']}" for c in ("OSCE", "UN")}
    fp = {c: fingerprint(tb, c) for c in ("OSCE", "UN")}

    def write(ups, extra=""):
        text = base + "".join(f"\n[upstream {c}]\nendpoint = {e}\n"
                              f"fingerprint = {fp[c]}\n" for c, e in ups)
        with open(conf, "w", encoding="utf-8") as f:
            f.write(text + extra)
        return text + extra

    def hup_ok(what):
        off = len(tb.log("AUS"))
        os.kill(tb.info("AUS")["pid"], signal.SIGHUP)
        wait_log(tb, "AUS", off, r"SIGHUP: .* reloaded", what)
        return off

    tb.stop("AUS")
    write([("OSCE", ep["OSCE"])])
    tb.start("AUS")
    ups = tb.wait_until(lambda: (lambda u: u if ms(u.get("OSCE", {}), "last_success")
                                 else None)(status_ups(tb)), 15, "AUS's first pull from OSCE")
    osce0 = ups["OSCE"]
    rc, out, err = tb.pocctl_text("UN", "directory", "set", "name", "United Nations")
    check(rc == 0 and "serial 2" in out, f"UN set name: {out}{err}")
    check_eq(serial(tb, "AUS", "UN"), 1, "AUS's UN serial before")

    # 1. An upstream added.
    write([("OSCE", ep["OSCE"]), ("UN", ep["UN"])])
    off = hup_ok("reload with UN added")
    wait_log(tb, "AUS", off, r"directory: UN serial 2 taken via upstream UN",
             "AUS takes UN serial 2 from UN")
    log = tb.log("AUS")[off:]
    check("directory sync UN: upstream added" in log, f"the addition is logged:\n{log}")
    ups = tb.wait_until(lambda: (lambda u: u if ms(u.get("UN", {}), "last_success")
                                 else None)(status_ups(tb)), 10, "UN's success in status")
    check_eq(list(ups), ["OSCE", "UN"], "upstreams after the addition")
    for k in ("last_attempt", "last_success"):
        check_eq(ms(ups["OSCE"], k), ms(osce0, k), f"OSCE's {k}, unchanged upstream")
    un1 = ups["UN"]

    # 2. OSCE's address changed: the new one is dialled at once.
    dead = f"127.0.0.1:{free_port()}"      # nobody listens there
    write([("OSCE", dead), ("UN", ep["UN"])])
    off = hup_ok("reload with OSCE's endpoint changed")
    check(f"directory sync OSCE: upstream changed (endpoint {ep['OSCE']} -> {dead})"
          in tb.log("AUS")[off:], f"the change is logged:\n{tb.log('AUS')[off:]}")
    ups = tb.wait_until(lambda: (lambda u: u if ms(u["OSCE"], "last_error_at")
                                 > ms(osce0, "last_success") else None)(status_ups(tb)),
                        10, "OSCE's error at the new address")
    check_eq(ups["OSCE"].get("endpoint"), dead, "OSCE's endpoint in status")
    check(ms(ups["OSCE"], "last_attempt") > ms(osce0, "last_attempt"),
          f"a new attempt: {ups['OSCE']}")
    check_eq(ms(ups["OSCE"], "last_success"), ms(osce0, "last_success"),
             "no success at the closed port")
    for k in ("last_attempt", "last_success"):
        check_eq(ms(ups["UN"], k), ms(un1, k), f"UN's {k}, unchanged upstream")
    write([("OSCE", ep["OSCE"]), ("UN", ep["UN"])])
    hup_ok("reload with OSCE's endpoint back")
    ups = tb.wait_until(lambda: (lambda u: u if ms(u["OSCE"], "last_success")
                                 > ms(osce0, "last_success") else None)(status_ups(tb)),
                        10, "a pull from OSCE at its address again")
    check_eq(ms(ups["UN"], "last_success"), ms(un1, "last_success"),
             "UN's last success, unchanged upstream")

    # 3. UN removed while a pull from it is stuck in its handshake.
    un_pid = tb.info("UN")["pid"]
    un_port = tb.info("UN")["peer_port"]
    os.kill(un_pid, signal.SIGSTOP)
    try:
        rc, out, err = tb.pocctl_text("AUS", "directory", "sync")
        check(rc == 0 and "2 upstreams" in out, f"directory sync: {out}{err}")
        tb.wait_until(lambda: established_to(un_port) > 0 and
                      status_ups(tb)["UN"]["state"] == "CONNECTING", 10,
                      "AUS's connection to the stopped UN")
        write([("OSCE", ep["OSCE"])])
        off = hup_ok("reload with UN removed")
        tb.wait_until(lambda: established_to(un_port) == 0, 3,
                      "AUS closing its connection to UN")
        log = tb.log("AUS")[off:]
        check("directory sync UN: upstream removed from " in log and
              "its connection closed" in log, f"the removal is logged:\n{log}")
        check_eq(list(status_ups(tb)), ["OSCE"], "upstreams after the removal")
    finally:
        os.kill(un_pid, signal.SIGCONT)
    un_off = len(tb.log("UN"))
    off = len(tb.log("AUS"))
    rc, out, err = tb.pocctl_text("AUS", "directory", "sync")
    check(rc == 0 and "1 upstream " in out, f"directory sync after the removal: {out}{err}")
    wait_log(tb, "AUS", off, r"directory sync OSCE: done", "a pull from OSCE")
    log = tb.log("AUS")[off:]
    check("directory sync UN" not in log and "peer UN " not in log,
          f"AUS still pulls from UN:\n{log}")
    check("peer AUS " not in tb.log("UN")[un_off:],
          f"UN heard from AUS after the removal:\n{tb.log('UN')[un_off:]}")

    # 4. A broken [upstream]: refused, the running set goes on.
    before = status_ups(tb)["OSCE"]
    bad = "endpoint = 127.0.0.1"       # no port
    text = write([("OSCE", ep["OSCE"])], f"\n[upstream UN]\n{bad}\n")
    line = text.split("\n").index(bad) + 1
    off = len(tb.log("AUS"))
    os.kill(tb.info("AUS")["pid"], signal.SIGHUP)
    wait_log(tb, "AUS", off, r"SIGHUP: reload refused", "the reload refused")
    log = tb.log("AUS")[off:]
    check(f"{conf}:{line}: [upstream UN] endpoint: expected host:port" in log,
          f"the error names file:line and the section:\n{log}")
    check("upstream added" not in log, f"UN added by a refused reload:\n{log}")
    st = tb.pocctl("AUS", "status")
    check_eq([u["member"] for u in st.get("upstreams", [])], ["OSCE"],
             "upstreams after the refused reload")
    check_eq(int(st.get("reload_failures", 0)), 1, "refused reloads counted")
    rc, out, err = tb.pocctl_text("AUS", "directory", "sync")
    check(rc == 0 and "1 upstream " in out, f"directory sync: {out}{err}")
    tb.wait_until(lambda: ms(status_ups(tb)["OSCE"], "last_success")
                  > ms(before, "last_success"), 10, "OSCE still pulled")


if __name__ == "__main__":
    run_test(test, members=("AUS", "OSCE", "UN"))
