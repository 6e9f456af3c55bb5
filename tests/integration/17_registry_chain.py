#!/usr/bin/env python3
"""Regional registries: records cross a chain of registries that pull from
each other, FRA -> OSCE <-> UN <-> AU -> KEN (an arrow points the way a
record travels; each node pulls from the node before it).  FRA edits its
record: KEN, which pulls from AU only, gets it through OSCE, UN and AU,
bit for bit as FRA signed it.  `--network OSCE` lists FRA alone.  Then KEN
also pulls from UN, AU is stopped, and FRA's next edit still reaches KEN
(through UN), while KEN's status names AU's last error and UN's success."""

import json
import re

from dirtb import add_config, export, fingerprint, serial, wait_log
from tb import check, check_eq, run_test

UPSTREAMS = {
    "OSCE": ("FRA", "UN"),
    "UN": ("OSCE", "AU"),
    "AU": ("UN",),
    "KEN": ("AU",),
}


def upstreams(tb, *codes):
    """[upstream] sections; the endpoint comes from the directory, and a
    section needs at least one key: the fingerprint, as its record pins."""
    return "".join(f"\n[upstream {c}]\nfingerprint = {fingerprint(tb, c)}\n"
                   for c in codes)


def test(tb):
    # Every node pulls every second; endpoints and pins come from the
    # records the test bed imported everywhere.
    for node, ups in UPSTREAMS.items():
        tb.stop(node)
        add_config(tb, node, "[directory]\nsync_interval = 1\n" + upstreams(tb, *ups))
        tb.start(node)

    off = len(tb.log("KEN"))
    rc, out, err = tb.pocctl_text("FRA", "directory", "set", "networks", "OSCE")
    check(rc == 0 and "serial 2" in out, f"FRA set networks: {out}{err}")
    wait_log(tb, "KEN", off, r"directory: FRA serial 2 taken via upstream AU",
             "KEN takes FRA serial 2 from AU", timeout=30)
    for reg in ("OSCE", "UN", "AU"):
        check_eq(serial(tb, reg, "FRA"), 2, f"{reg}'s FRA serial")
    check_eq(export(tb, "KEN", "FRA")["records"][0],
             export(tb, "FRA", "FRA")["records"][0], "KEN's copy of FRA")
    # KEN never connected to FRA, OSCE or UN.
    for other in ("FRA", "OSCE", "UN"):
        check(f"peer {other} " not in tb.log("KEN")[off:],
              f"KEN talked to {other} directly")

    # One regional network.
    rc, out, err = tb.pocctl_text("KEN", "--json", "directory", "--network", "osce")
    check(rc == 0, f"directory --network: {err}")
    codes = [m["record"]["code"] for m in json.loads(out)["members"]]
    check_eq(codes, ["FRA"], "members of OSCE at KEN")
    rc, out, err = tb.pocctl_text("KEN", "directory", "--network", "AU")
    check(rc == 0 and "no records" in out, f"no member of AU yet: {out}{err}")

    # KEN also pulls from UN; AU goes down; the next edit takes the other
    # path.
    tb.stop("KEN")
    add_config(tb, "KEN", upstreams(tb, "UN"))
    tb.start("KEN")
    tb.stop("AU")
    off = len(tb.log("KEN"))
    rc, out, err = tb.pocctl_text("FRA", "directory", "set", "name",
                                  "France (ANSSI)")
    check(rc == 0 and "serial 3" in out, f"FRA set name: {out}{err}")
    wait_log(tb, "KEN", off, r"directory: FRA serial 3 taken via upstream UN",
             "KEN takes FRA serial 3 from UN", timeout=30)
    check_eq(serial(tb, "KEN", "FRA"), 3, "KEN's FRA serial with AU down")

    # Status: AU's last error, UN's last success, each with a time.
    def both():
        rc, out, err = tb.pocctl_text("KEN", "--json", "status")
        ups = {u["member"]: u for u in json.loads(out).get("upstreams", [])}
        au, un = ups.get("AU", {}), ups.get("UN", {})
        return (au.get("last_error") and int(au.get("last_error_at", 0)) > 0
                and int(un.get("last_success", 0)) > 0) and ups
    ups = tb.wait_until(both, 10, "KEN's status naming AU's error")
    check(int(ups["UN"]["last_success"]) > int(ups["AU"].get("last_success", 0)),
          f"UN succeeded after AU's last success: {ups}")
    rc, out, err = tb.pocctl_text("KEN", "status")
    check(re.search(r"Upstream AU.*\n(  .*\n)*  last error: +\S", out),
          f"KEN's status text names AU's last error:\n{out}")


if __name__ == "__main__":
    run_test(test, members=("FRA", "OSCE", "UN", "AU", "KEN"))
