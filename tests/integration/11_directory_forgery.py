#!/usr/bin/env python3
"""Records that must be refused: a relay cannot forge a record (a changed
field breaks the signature), a member cannot sign for another (KEN's
record relabelled AUS, or AUS's record with KEN's certificate), a record
cannot be replayed (a lower serial leaves the newer one in place, by
import and by replication from a stale upstream), and a file with any bad
record changes nothing: every bad field is reported with its path and a
valid record in the same file is not taken either."""

import copy

from dirtb import export, import_records, restart_with, serial, wait_log
from tb import check, check_eq, run_test


def test(tb):
    old_aus = export(tb, "AUS", "AUS")["records"][0]          # serial 1
    ken = export(tb, "KEN", "KEN")["records"][0]
    rc, out, err = tb.pocctl_text("AUS", "directory", "set", "name", "Australia")
    check(rc == 0, f"directory set name: {err}")
    new_aus = export(tb, "AUS", "AUS")["records"][0]           # serial 2
    check_eq(new_aus["serial"], 2, "AUS serial after the edit")
    check_eq(serial(tb, "FRA", "AUS"), 1, "FRA's AUS serial before")

    # 1. A relay changes a field of a validly signed record.
    forged = copy.deepcopy(new_aus)
    forged["endpoints"] = ["203.0.113.66:7401"]
    rc, out, err = import_records(tb, "FRA", [forged])
    check(rc == 1 and "records[0]" in err and "signature does not verify" in err,
          f"forged field: exit {rc}: {err}")
    # 2. KEN's signed record relabelled as AUS's.
    relabelled = copy.deepcopy(ken)
    relabelled["code"] = "AUS"
    relabelled["serial"] = 99
    rc, out, err = import_records(tb, "FRA", [relabelled])
    check(rc == 1 and "certificate is not AUS's" in err,
          f"KEN's record as AUS: exit {rc}: {err}")
    # 3. AUS's record carrying KEN's certificate (KEN signing for AUS).
    swapped = copy.deepcopy(new_aus)
    swapped["certificate"] = ken["certificate"]
    rc, out, err = import_records(tb, "FRA", [swapped])
    check(rc == 1 and "records[0]" in err, f"KEN's certificate: exit {rc}: {err}")
    # 4. One valid record beside bad fields: nothing is imported, and
    # every bad field is named with its path.
    bad = copy.deepcopy(new_aus)
    bad["code"] = "KEN"
    bad["pocs"] = [{"level": "TECHNICAL", "name": "x", "time_zone": "Mars/Olympus",
                    "hours": [{"day": 8, "start": 0, "end": 60}],
                    "channels": [{"kind": "EMAIL", "value": "not-an-address"}]}]
    rc, out, err = import_records(tb, "FRA", [new_aus, bad])
    check(rc == 1, f"mixed file accepted: {out}{err}")
    for path in ("records[1].pocs[0].time_zone", "records[1].pocs[0].hours[0]",
                 "records[1].pocs[0].channels[0].value"):
        check(path in err, f"{path} not reported: {err}")
    check("nothing was imported" in err, f"the error says nothing was imported: {err}")
    check_eq(serial(tb, "FRA", "AUS"), 1, "FRA's AUS serial after refused files")
    check("import refused" in tb.log("FRA"), "FRA logs the refused import")
    # A file that is not JSON, and one that is not records.
    path = tb.tmpfile("garbage.json", "{not json")
    rc, out, err = tb.pocctl_text("FRA", "directory", "import", path)
    check(rc == 1 and "line 1" in err, f"garbage file: exit {rc}: {err}")

    # 5. The valid record alone is taken ...
    rc, out, err = import_records(tb, "FRA", [new_aus])
    check(rc == 0 and "1 record taken" in out, f"valid import: {out}{err}")
    check_eq(serial(tb, "FRA", "AUS"), 2, "FRA's AUS serial after the import")
    # ... and replaying the older one changes nothing.
    rc, out, err = import_records(tb, "FRA", [old_aus])
    check(rc == 0 and "0 records taken, 1 not newer" in out, f"replay: {out}{err}")
    check_eq(serial(tb, "FRA", "AUS"), 2, "FRA's AUS serial after the replay")
    check_eq(export(tb, "FRA", "AUS")["records"][0], new_aus, "FRA's AUS record")

    # 6. Replication from an upstream holding only the old record (KEN
    # still has serial 1): FRA asks for nothing older, and keeps serial 2.
    restart_with(tb, "FRA", "[directory]\nsync_interval = 0\n\n[upstream KEN]\n"
                 f"endpoint = 127.0.0.1:{tb.info('KEN')['peer_port']}\n")
    off = len(tb.log("FRA"))
    rc, out, err = tb.pocctl_text("FRA", "directory", "sync")
    check(rc == 0, f"sync: {err}")
    wait_log(tb, "FRA", off, r"directory sync KEN: done, 0 records taken",
             "FRA's sync from KEN")
    check_eq(serial(tb, "FRA", "AUS"), 2, "FRA's AUS serial after the sync")


if __name__ == "__main__":
    run_test(test)
