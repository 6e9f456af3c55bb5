#!/usr/bin/env python3
"""The outbox and its retry state survive a crash of the sender: AUS queues
two messages of one case for FRA while FRA is down, AUS is killed (SIGKILL)
and restarted, FRA comes back, and both arrive exactly once, in order,
without any operator action."""

import time

from tb import check, check_eq, envelope, run_test


def test(tb):
    tb.stop("FRA")
    req = tb.send("AUS", envelope("FRA", "assistance_request", {
        "summary": "Wiper malware on port logistics systems",
        "urgency": "PRIORITY", "sectors": ["TRANSPORT"]}))
    upd = tb.send("AUS", envelope("FRA", "status_update", {
        "status": "IN_PROGRESS", "text": "Systems isolated"},
        in_reply_to=req["id"]))
    check_eq(upd["thread_id"], req["id"], "thread of the update")

    # Let a couple of delivery attempts fail, so there is retry state.
    tb.wait_until(lambda: tb.find("AUS", "outbox", req["id"])[0]
                  .get("attempts", 0) >= 1, 15, "a failed attempt recorded")
    attempts = tb.find("AUS", "outbox", req["id"])[0]["attempts"]

    tb.kill("AUS")
    tb.start("AUS")
    after = tb.find("AUS", "outbox", req["id"])[0]
    check_eq(after.get("state"), "queued", "state after the crash")
    check(after.get("attempts", 0) >= attempts,
          f"attempts kept across the crash ({after.get('attempts')} >= {attempts})")

    tb.start("FRA")
    tb.wait_until(lambda: len(tb.find("FRA", "inbox", upd["id"])) == 1, 30,
                  "the update in FRA's inbox")
    thread = tb.pocctl("FRA", "thread", req["id"])
    check_eq([m["id"] for m in thread], [req["id"], upd["id"]],
             "FRA's thread, in the order sent")
    time.sleep(2)
    inbox = [m for m in tb.box("FRA", "inbox") if m.get("sender") == "AUS"]
    check_eq(sorted(m["id"] for m in inbox), sorted([req["id"], upd["id"]]),
             "each message once in FRA's inbox")
    for mid in (req["id"], upd["id"]):
        tb.wait_until(lambda: tb.find("AUS", "outbox", mid)[0].get("state")
                      == "delivered", 15, f"{mid} delivered at AUS")


if __name__ == "__main__":
    run_test(test)
