#!/usr/bin/env python3
"""FRA is down; AUS's request is queued durably and delivered without any
operator action once FRA is back, exactly once."""

import time

from tb import check_eq, envelope, run_test


def test(tb):
    tb.stop("FRA")
    body = {"summary": "Phishing wave against AUS ministries from FRA hosting",
            "severity": "LOW", "urgency": "ROUTINE", "sectors": ["GOVERNMENT"]}
    sent = tb.send("AUS", envelope("FRA", "assistance_request", body))
    rid = sent["id"]
    out = tb.find("AUS", "outbox", rid)
    check_eq(len(out), 1, "copies in AUS's outbox")
    check_eq(out[0].get("state"), "queued", "outbox state while FRA is down")

    # A few delivery attempts fail while FRA is down; still queued.
    time.sleep(2.5)
    out = tb.find("AUS", "outbox", rid)[0]
    check_eq(out.get("state"), "queued", "outbox state after failed attempts")

    tb.start("FRA")
    got = tb.wait_until(lambda: tb.find("FRA", "inbox", rid), 30,
                        f"request {rid} in FRA's inbox after FRA restarted")
    check_eq(len(got), 1, "copies in FRA's inbox")
    tb.wait_until(lambda: tb.find("AUS", "outbox", rid)[0].get("state") == "delivered",
                  15, "the request delivered in AUS's outbox")
    # More than one retry interval later there is still exactly one copy.
    time.sleep(6)
    check_eq(len(tb.find("FRA", "inbox", rid)), 1, "copies in FRA's inbox later")
    check_eq(len([m for m in tb.box("FRA", "inbox") if m.get("sender") == "AUS"]), 1,
             "messages from AUS in FRA's inbox")
    check_eq(tb.find("AUS", "outbox", rid)[0].get("state"), "delivered",
             "outbox state later")


if __name__ == "__main__":
    run_test(test)
