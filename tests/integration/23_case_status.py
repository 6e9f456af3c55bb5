#!/usr/bin/env python3
"""The case status lifecycle (DESIGN.md "Delivery"): every StatusUpdate of
a case, sent or received, is stored with its time and author, so both
sides see the same history on the message that opened the case (show, text
and JSON), also after a restart."""

from tb import check, check_eq, envelope, run_test


def update(to, req, status, text):
    return envelope(to, "status_update", {"status": status, "text": text},
                    in_reply_to=req)


def test(tb):
    req = tb.send("AUS", envelope("FRA", "assistance_request",
                                  {"summary": "Wiper on hospital network",
                                   "urgency": "IMMEDIATE"}))["id"]
    tb.wait_until(lambda: tb.find("FRA", "inbox", req), 20, "the request at FRA")
    check_eq(tb.show("AUS", req).get("case_history"), [], "history before any update")
    u1 = tb.send("FRA", update("AUS", req, "IN_PROGRESS", "analysts on it"))["id"]
    u2 = tb.send("FRA", update("AUS", req, "MITIGATED", "C2 sinkholed"))["id"]
    tb.wait_until(lambda: tb.find("AUS", "inbox", u2), 20, "the updates at AUS")
    u3 = tb.send("AUS", update("FRA", req, "RESOLVED", "no new infections"))["id"]

    def history(member):
        m = tb.show(member, req)
        return m.get("case_status"), [(h["status"], h["member"], h["message_id"])
                                      for h in m.get("case_history", [])]

    want = ("RESOLVED", [("IN_PROGRESS", "FRA", u1), ("MITIGATED", "FRA", u2),
                         ("RESOLVED", "AUS", u3)])
    check_eq(history("AUS"), want, "AUS's view of the case")
    tb.wait_until(lambda: tb.find("FRA", "inbox", u3), 20, "AUS's update at FRA")
    check_eq(history("FRA"), want, "FRA's view of the case")
    m = tb.show("AUS", req)
    times = [h["changed_at"] for h in m["case_history"]]
    check(times == sorted(times) and times[0] >= m["created_at"], f"change times {times}")
    rc, text, err = tb.pocctl_text("AUS", "show", req)
    check(rc == 0 and "Case status: RESOLVED" in text and "IN_PROGRESS" in text,
          f"show lacks the case status:\n{text}{err}")

    tb.kill("AUS")
    tb.start("AUS")
    check_eq(history("AUS"), want, "AUS's view after kill -9 and restart")

    # pocctl update (issue 13 item 6): by a short id of any message of the
    # case, to the other party, in the case's thread.
    out = tb.pocctl("FRA", "update", u3[:8], "--status", "closed", "--text", "done")
    u4 = out["id"]
    check_eq(out.get("thread_id"), req, "the update's thread")
    tb.wait_until(lambda: tb.find("AUS", "inbox", u4), 20, "FRA's CLOSED update at AUS")
    check_eq(history("AUS")[0], "CLOSED", "case status after pocctl update")
    m = tb.show("FRA", u4)
    check_eq((m["recipient"], m["in_reply_to"], m["status_update"]["text"]),
             ("AUS", u3, "done"), "recipient, in_reply_to and text of the update")
    rc, _, err = tb.pocctl_text("FRA", "update", u3[:8], "--status", "OPEN")
    check(rc == 2 and "IN_PROGRESS" in err, f"update --status OPEN: {rc} {err}")
    rc, _, err = tb.pocctl_text("FRA", "update", u3[:8])
    check(rc == 2 and "--status is required" in err, f"update without --status: {rc} {err}")

    # A template's in_reply_to may be a short id; the thread comes from it.
    u5 = tb.send("AUS", update("FRA", req[:8], "RESOLVED", "again"))["id"]
    m = tb.show("AUS", u5)
    check_eq((m["in_reply_to"], m["thread_id"]), (req, req),
             "in_reply_to and thread of a template with a short in_reply_to")
    rc, _, err = tb.pocctl_text("AUS", "send", tb.tmpfile(
        "short.json", update("FRA", "ffffffff", "RESOLVED", "x")))
    check(rc == 1 and "in_reply_to" in err and "no message matches" in err,
          f"a short in_reply_to that matches nothing: {rc} {err}")


if __name__ == "__main__":
    run_test(test)
