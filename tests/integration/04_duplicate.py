#!/usr/bin/env python3
"""Exactly-once in the store: an envelope resent with the same id is answered
DUPLICATE and stored once, also over a new connection.  An envelope whose
sender is not the member of the peer certificate is rejected and not
stored."""

from tb import check, check_eq, receipts, run_test, wire_envelope


def test(tb):
    env = wire_envelope("Resent notification", severity="LOW", sectors=["TELECOM"])
    path = tb.tmpfile("dup.json", env)
    rc, out, err = tb.pocpeer("AUS", "FRA", "--count", 3, "--json", "send", path)
    check(rc == 0, f"pocpeer send --count 3 exited {rc}\nstdout: {out}\nstderr: {err}")
    rs = receipts(out)
    check_eq([r.get("status") for r in rs], ["ACCEPTED", "DUPLICATE", "DUPLICATE"],
             f"receipt statuses (stdout: {out!r})")
    for r in rs:
        check_eq(r.get("envelope_id"), env["id"], "receipt envelope_id")

    # The same id again on a new connection.
    rc, out, err = tb.pocpeer("AUS", "FRA", "--json", "send", path)
    check(rc == 0, f"pocpeer resend exited {rc}\nstdout: {out}\nstderr: {err}")
    check_eq([r.get("status") for r in receipts(out)], ["DUPLICATE"],
             "receipt status on a new connection")

    inbox = tb.box("FRA", "inbox")
    check_eq(len([m for m in inbox if m.get("id") == env["id"]]), 1,
             "copies in FRA's inbox")
    m = [m for m in inbox if m.get("id") == env["id"]][0]
    check_eq(m.get("sender"), "AUS", "stored sender")
    check_eq((m.get("notification") or {}).get("summary"), "Resent notification",
             "stored summary")

    # AUS's certificate, KEN's name: refused, nothing stored.
    spoof = wire_envelope("Spoofed sender", sender="KEN", severity="LOW",
                          sectors=["TELECOM"])
    path = tb.tmpfile("spoof.json", spoof)
    rc, out, err = tb.pocpeer("AUS", "FRA", "--json", "send", path)
    statuses = [r.get("status") for r in receipts(out)]
    check("ACCEPTED" not in statuses and "DUPLICATE" not in statuses,
          f"spoofed sender was not refused: exit {rc}\nstdout: {out}\nstderr: {err}")
    check(statuses == ["REJECTED"] or (rc != 0 and not statuses),
          f"spoofed sender: want one REJECTED receipt, or an error and close; "
          f"got exit {rc}\nstdout: {out}\nstderr: {err}")
    for member in ("FRA", "KEN", "AUS"):
        check(not tb.find(member, "inbox", spoof["id"]),
              f"the spoofed envelope is stored in {member}'s inbox")
    check(not [m for m in tb.box("FRA", "inbox") if m.get("sender") == "KEN"],
          "FRA's inbox has a message from KEN")

    # And the node still serves AUS afterwards.
    good = wire_envelope("After the spoof", severity="LOW", sectors=["TELECOM"])
    rc, out, err = tb.pocpeer("AUS", "FRA", "--json", "send", tb.tmpfile("good.json", good))
    check(rc == 0 and [r.get("status") for r in receipts(out)] == ["ACCEPTED"],
          f"a valid envelope after the spoof: exit {rc}\nstdout: {out}\nstderr: {err}")


if __name__ == "__main__":
    run_test(test)
