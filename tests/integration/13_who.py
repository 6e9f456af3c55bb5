#!/usr/bin/env python3
"""who, end to end: FRA publishes four PoCs in its own record (24/7
technical, office-hours technical in Paris speaking French, diplomatic in
New York, policy in Paris); AUS imports the record and asks who to contact
at given times.  The order follows the level asked, availability in each
PoC's own zone (daylight saving included: 07:30Z on Monday 2026-03-30 is
09:30 in Paris), the level order technical/diplomatic/policy and the
language asked; channels come best first."""

import json

from dirtb import export, import_records
from tb import check, check_eq, run_test

POCS = [
    ["--level", "TECHNICAL", "--name", "CERT-FR watch", "--org", "ANSSI",
     "--always", "--channel", "PHONE:+33 1 71 75 84 68:2",
     "--channel", "EMAIL:cert-fr@ssi.gouv.fr:1", "--lang", "fr,en"],
    ["--level", "TECHNICAL", "--name", "Analyste", "--org", "ANSSI",
     "--tz", "Europe/Paris", "--hours", "Mon-Fri 09:00-17:00",
     "--channel", "EMAIL:analyste@ssi.gouv.fr", "--lang", "fr"],
    ["--level", "DIPLOMATIC", "--name", "Desk officer", "--role",
     "Cyber desk, Permanent Mission to the UN", "--tz", "America/New_York",
     "--hours", "Mon-Fri 09:00-17:00", "--channel", "PHONE:+1 212 000 0000",
     "--lang", "en"],
    ["--level", "POLICY", "--name", "Directeur", "--tz", "Europe/Paris",
     "--hours", "Mon-Fri 08:00-20:00", "--channel", "FAX:+33 1 00 00 00 00"],
]


def who(tb, *args):
    rc, out, err = tb.pocctl_text("AUS", "--json", "who", "FRA", *args)
    check(rc == 0, f"who FRA {' '.join(args)}: {err}")
    return json.loads(out)


def names(w):
    return [(e["poc"]["name"], bool(e.get("available"))) for e in w["entries"]]


def test(tb):
    for argv in POCS:
        rc, out, err = tb.pocctl_text("FRA", "directory", "poc", "add", *argv)
        check(rc == 0, f"poc add {argv}: {out}{err}")
    # A PoC that fails validation is refused field by field, nothing stored.
    rc, out, err = tb.pocctl_text("FRA", "directory", "poc", "add", "--level",
                                  "POLICY", "--name", "X", "--tz", "Mars/Olympus",
                                  "--hours", "Mon 09:00-10:00",
                                  "--channel", "EMAIL:x@y.fr")
    check(rc == 1 and "pocs[4].time_zone" in err, f"bad zone: {rc} {err}")
    rc, out, err = import_records(tb, "AUS", export(tb, "FRA", "FRA")["records"])
    check(rc == 0 and "1 record taken" in out, f"import: {out}{err}")

    # Wednesday 2026-11-25 10:00Z: 11:00 in Paris, 05:00 in New York.
    w = who(tb, "--at", "2026-11-25T10:00Z")
    check_eq(names(w), [("CERT-FR watch", True), ("Analyste", True),
                        ("Directeur", True), ("Desk officer", False)],
             "who at 10:00Z")
    # Channels best first (priority 1 before 2).
    check_eq([c["kind"] for c in w["entries"][0]["poc"]["channels"]],
             ["EMAIL", "PHONE"], "channel order")
    # English asked: of the two available technical PoCs the watch
    # speaks English and the analyst does not.
    w = who(tb, "--at", "2026-11-25T10:00Z", "--lang", "en")
    check_eq(w["entries"][0]["poc"]["name"], "CERT-FR watch", "--lang en first")
    check(w["entries"][0].get("language_match"), "language_match set")
    # The level asked comes first even when not available.
    w = who(tb, "--at", "2026-11-25T10:00Z", "--level", "DIPLOMATIC")
    check_eq(names(w)[0], ("Desk officer", False), "--level DIPLOMATIC")
    # 15:00Z: New York is open too.
    w = who(tb, "--at", "2026-11-25T15:00Z", "--level", "DIPLOMATIC")
    check_eq(names(w)[0], ("Desk officer", True), "New York at 10:00 EST")
    # Night in both zones: only the 24/7 watch is available.
    w = who(tb, "--at", "2026-11-25T23:30Z")
    check_eq([a for _, a in names(w)], [True, False, False, False],
             "availability at night")
    # Daylight saving: Monday 2026-03-30 07:30Z is 09:30 CEST (open);
    # Friday 2026-03-27 07:30Z is 08:30 CET (closed).
    w = who(tb, "--at", "2026-03-30T07:30Z", "--level", "TECHNICAL")
    check_eq(dict(names(w))["Analyste"], True, "Paris after the DST change")
    w = who(tb, "--at", "2026-03-27T07:30Z", "--level", "TECHNICAL")
    check_eq(dict(names(w))["Analyste"], False, "Paris before the DST change")

    # The text output lists each PoC with its channels.
    rc, out, err = tb.pocctl_text("AUS", "who", "FRA", "--at", "2026-11-25T10:00Z")
    check(rc == 0 and "1. TECHNICAL  CERT-FR watch" in out and
          "cert-fr@ssi.gouv.fr" in out and "AVAILABLE" in out, f"text: {out}")
    # Unknown member, bad level, bad time: clear errors.
    rc, out, err = tb.pocctl_text("AUS", "who", "NZL")
    check(rc == 1 and "NZL" in err, f"unknown member: {rc} {err}")
    rc, out, err = tb.pocctl_text("AUS", "who", "FRA", "--level", "MAYOR")
    check(rc == 2, f"bad level: {rc} {err}")
    rc, out, err = tb.pocctl_text("AUS", "who", "FRA", "--at", "tomorrow-ish")
    check(rc == 2, f"bad time: {rc} {err}")

    # Removing a PoC is another signed change; AUS sees it after import.
    rc, out, err = tb.pocctl_text("FRA", "directory", "poc", "remove", "Directeur")
    check(rc == 0, f"poc remove: {out}{err}")
    rc, out, err = import_records(tb, "AUS", export(tb, "FRA", "FRA")["records"])
    check(rc == 0, f"import: {err}")
    w = who(tb, "--at", "2026-11-25T10:00Z")
    check_eq(len(w["entries"]), 3, "PoCs after the removal")

    # Exports: a vCard per PoC, CSV with a header and a row per PoC.
    rc, out, err = tb.pocctl_text("AUS", "directory", "export", "--format",
                                  "vcard", "FRA")
    check(rc == 0 and out.count("BEGIN:VCARD") == 3 and
          "FN:Desk officer" in out and "X-POCD-HOURS:Mon-Fri 09:00-17:00" in out,
          f"vcard: {out!r}")
    rc, out, err = tb.pocctl_text("AUS", "directory", "export", "--format",
                                  "csv", "FRA")
    check(rc == 0 and len(out.strip().splitlines()) == 4, f"csv: {out!r}")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
