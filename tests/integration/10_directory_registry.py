#!/usr/bin/env python3
"""Replication by pull through a registry: AUS edits its own record (each
change bumps the serial and is signed by AUS's node); REG pulls from AUS,
KEN pulls only from REG, and KEN ends up with exactly the record AUS
signed, at its new serial, without ever talking to AUS.  The sync runs on
demand (pocctl directory sync) and on the timer."""

from dirtb import export, fingerprint, restart_with, serial, wait_log
from tb import check, check_eq, run_test


def test(tb):
    # REG pulls from AUS on demand only; KEN pulls from REG every 2 s.
    # The upstream's fingerprint pinned in the config (REG also holds
    # AUS's record), its endpoint from the directory.
    restart_with(tb, "REG", "[directory]\nsync_interval = 0\n\n[upstream AUS]\n"
                 f"fingerprint = {fingerprint(tb, 'AUS')}\n")
    restart_with(tb, "KEN", "[directory]\nsync_interval = 2\n\n[upstream REG]\n"
                 f"endpoint = 127.0.0.1:{tb.info('REG')['peer_port']}\n")
    check_eq(serial(tb, "KEN", "AUS"), 1, "KEN's AUS serial at start")

    # AUS's operator edits the own record: three changes, three serials.
    rc, out, err = tb.pocctl_text("AUS", "directory", "set", "name",
                                  "Australia (ACSC)")
    check(rc == 0, f"directory set name: {out}{err}")
    rc, out, err = tb.pocctl_text(
        "AUS", "directory", "poc", "add", "--level", "TECHNICAL",
        "--name", "ACSC duty officer", "--org", "ACSC", "--always",
        "--channel", "EMAIL:asd.assist@defence.gov.au:1",
        "--channel", "PHONE:+61 2 6265 0000:2", "--lang", "en")
    check(rc == 0, f"directory poc add: {out}{err}")
    rc, out, err = tb.pocctl_text("AUS", "directory", "set", "networks",
                                  "ASEAN Regional Forum", "OAS")
    check(rc == 0, f"directory set networks: {out}{err}")
    check("serial 4" in out, f"the third change gives serial 4: {out!r}")
    check_eq(serial(tb, "AUS", "AUS"), 4, "AUS's own serial")
    check_eq(serial(tb, "REG", "AUS"), 1, "REG before its sync")

    # REG pulls now; KEN's timer then pulls from REG.
    off_reg, off_ken = len(tb.log("REG")), len(tb.log("KEN"))
    rc, out, err = tb.pocctl_text("REG", "directory", "sync", "--wait")
    check(rc == 0 and "1 upstream" in out, f"REG directory sync: {out}{err}")
    # --wait returned after the sync finished: the record is already there.
    check_eq(serial(tb, "REG", "AUS"), 4, "REG right after sync --wait")
    wait_log(tb, "REG", off_reg, r"directory: AUS serial 4 taken via upstream AUS",
             "REG takes AUS serial 4")
    wait_log(tb, "KEN", off_ken, r"directory: AUS serial 4 taken via upstream REG",
             "KEN takes AUS serial 4 from REG", timeout=15)

    # Bit for bit what AUS signed (signature included).
    want = export(tb, "AUS", "AUS")["records"][0]
    got = export(tb, "KEN", "AUS")["records"][0]
    check_eq(got, want, "KEN's copy of AUS's record")
    check(got["signature"] and got["name"] == "Australia (ACSC)",
          f"record content: {got}")
    # KEN never dialled AUS: no connection from KEN in AUS's log.
    check("peer KEN" not in tb.log("AUS"), "AUS's log shows no KEN connection")
    # KEN's who answers from the replicated record.
    rc, out, err = tb.pocctl_text("KEN", "who", "AUS")
    check(rc == 0 and "ACSC duty officer" in out and
          "asd.assist@defence.gov.au" in out, f"KEN who AUS: {out}{err}")
    # The last sync time is kept (status of h-ops shows it too).
    rc, out, err = tb.pocctl_text("KEN", "--json", "directory")
    check(rc == 0 and '"last_sync": 0' not in out, f"KEN last_sync: {out}")

    # A sync with nothing new takes nothing; serials stay.
    off_reg = len(tb.log("REG"))
    tb.pocctl_text("REG", "directory", "sync")
    wait_log(tb, "REG", off_reg, r"directory sync AUS: done, 0 records taken",
             "second sync")
    check_eq(serial(tb, "REG", "AUS"), 4, "REG's AUS serial after a no-op sync")


if __name__ == "__main__":
    run_test(test, members=("AUS", "REG", "KEN"))
