#!/usr/bin/env python3
"""A template that fails validation is refused field by field by pocctl
send (exit 1) and nothing is queued."""

import json

from tb import check, check_eq, run_test


def test(tb):
    bad = {"recipient": "ZZZ", "language": "en",
           "assistance_request": {"summary": "", "severity": "HIGH"}}
    path = tb.tmpfile("bad.json", bad)
    rc, out, err = tb.pocctl_text("AUS", "send", path)
    check_eq(rc, 1, f"pocctl send of a bad template: exit status (stderr: {err!r})")
    for field in ("summary", "tlp", "recipient"):
        check(field in err, f"stderr does not name {field!r}:\n{err}")
    check_eq(tb.box("AUS", "outbox"), [], "AUS's outbox after the refused send")

    # The same from standard input, in JSON mode.
    rc, out, err = tb.pocctl_text("AUS", "--json", "send", "-", input=json.dumps(bad))
    check_eq(rc, 1, f"pocctl --json send - of a bad template: exit status (stderr: {err!r})")
    check_eq(tb.box("AUS", "outbox"), [], "AUS's outbox after the second refused send")

    # Every problem at once (issue 13 item 5): three unknown enums, a time
    # that does not parse and a missing summary, each named by its field.
    many = {"recipient": "FRA", "language": "en", "tlp": "PURPLE",
            "assistance_request": {"summary": "", "severity": "HUGE",
                                   "urgency": "ASAP", "respond_by": "tomorrow"}}
    rc, out, err = tb.pocctl_text("AUS", "send", tb.tmpfile("many.json", many))
    check_eq(rc, 1, f"pocctl send of a template with five problems (stderr: {err!r})")
    check("5 problem(s)" in err, f"not all five problems counted:\n{err}")
    for field, word in (("tlp", '"PURPLE"'), ("assistance_request.severity", '"HUGE"'),
                        ("assistance_request.urgency", '"ASAP"'),
                        ("assistance_request.respond_by", '"tomorrow" is not a time'),
                        ("assistance_request.summary", "required")):
        check(any(ln.split()[:1] == [field] and word in ln for ln in err.splitlines()),
              f"stderr does not list {field} ({word}):\n{err}")
    check_eq(tb.box("AUS", "outbox"), [], "AUS's outbox after the five-problem send")

    # Usage errors exit 2.
    rc, out, err = tb.pocctl_text("AUS", "no-such-command")
    check_eq(rc, 2, "pocctl with an unknown command: exit status")
    rc, out, err = tb.pocctl_text("AUS", "template", "no_such_kind")
    check_eq(rc, 2, "pocctl template with an unknown kind: exit status")

    # Control: a valid template from the same operator is queued.
    good = dict(bad, recipient="FRA", tlp="CLEAR",
                assistance_request={"summary": "control", "severity": "HIGH"})
    sent = tb.send("AUS", good)
    check(tb.find("AUS", "outbox", sent["id"]), "the valid control is in AUS's outbox")


if __name__ == "__main__":
    run_test(test)
