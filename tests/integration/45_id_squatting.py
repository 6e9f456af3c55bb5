#!/usr/bin/env python3
"""Id squatting (docs/guarantees.md "Message ids").  KEN learns the id X
of an envelope AUS has queued for FRA (a forwarded copy, say) while FRA
is down, and AUS is kept down while FRA comes back, so KEN reaches FRA
first with an envelope of its own, signed with its own valid key
(pocpeer), under X.  Were X first come first served at FRA, FRA would
hold KEN's envelope under X and refuse AUS's when it arrives: KEN would
have silenced AUS, and AUS's envelope would never be held at FRA.

X is bound to AUS (variant 111, made from AUS's id_nonce): KEN's
envelope under X is REJECTED without a nonce, with AUS's nonce and with
one of its own, nothing of it stored; then AUS's envelope reaches FRA,
is stored under X from AUS, and AUS's row is delivered.

Then the duplicate rule, with envelopes pocpeer signs for AUS and KEN:
the same envelope again is DUPLICATE (stored once); the same id with
other content from the same sender is REJECTED (kept as first stored);
an unbound id (an older sender's, variant 10) held from another member
is REJECTED, never DUPLICATE (by the thread check for a new case, by the
id check for a reply), and an id in upper case is REJECTED."""

import copy
import os
import uuid

from tb import (TestFailure, bound_id, check, check_eq, now_ms, receipts,
                run_test, wire_envelope)


def peer_send(tb, who, to, env, name):
    """who's node key signs env and sends it to `to`; the receipt."""
    rc, out, err = tb.pocpeer(who, to, "--json", "send", tb.tmpfile(name, env))
    rs = receipts(out)
    check(len(rs) == 1, f"{name} from {who} to {to}: rc {rc}, {out}{err}")
    return rs[0]


def refused(tb, who, to, env, name, why):
    r = peer_send(tb, who, to, env, name)
    check(r.get("status") == "REJECTED" and why in r.get("reason", ""),
          f"{name} at {to}: not refused for '{why}': {r}")
    return r


def held(tb, member, msg_id):
    """The messages held under msg_id in member's inbox."""
    return tb.find(member, "inbox", msg_id)


def squat(tb, x, nonce):
    """KEN's own envelope under AUS's id x, as sent to FRA."""
    env = wire_envelope("KEN's squat", sender="KEN", severity="LOW")
    env["id"] = env["thread_id"] = x
    if nonce:
        env["id_nonce"] = nonce
    return env


def test_squat(tb):
    tb.stop("FRA")
    q = tb.send("AUS", {"recipient": "FRA", "tlp": "GREEN", "language": "en",
                        "notification": {"summary": "AUS's real notice",
                                         "severity": "HIGH"}})
    x = q["id"]
    nonce = tb.show("AUS", x).get("id_nonce", "")
    tb.stop("AUS")
    tb.start("FRA")

    r = peer_send(tb, "KEN", "FRA", squat(tb, x, ""), "squat-no-nonce.json")
    if r.get("status") != "REJECTED":
        # The attack worked: tell what became of AUS's envelope.
        tb.start("AUS")
        tb.wait_until(lambda: tb.show("AUS", x).get("state") != "queued", 30,
                      "AUS's envelope settled")
        raise TestFailure(f"KEN's squat of {x} at FRA: {r}; FRA holds "
                          f"{[(m['sender'], m['notification']['summary']) for m in held(tb, 'FRA', x)]}; "
                          f"AUS's envelope: {tb.show('AUS', x).get('state')}, "
                          f"{tb.show('AUS', x).get('reason', '')}")
    check("id_nonce: required" in r.get("reason", ""), f"KEN's squat: {r}")
    check_eq(x, bound_id("AUS", nonce, x), "AUS's id is the one its nonce makes")
    refused(tb, "KEN", "FRA", squat(tb, x, nonce), "squat-aus-nonce.json",
            "id: is not the id that KEN's id_nonce makes")
    refused(tb, "KEN", "FRA", squat(tb, x, os.urandom(16).hex()),
            "squat-own-nonce.json", "id: is not the id that KEN's id_nonce makes")
    check(not held(tb, "FRA", x), f"KEN's squat is held at FRA: {held(tb, 'FRA', x)}")
    check("id: is not the id that KEN's id_nonce makes" in tb.log("FRA"),
          "FRA's log does not name the refusal")

    tb.start("AUS")
    got = tb.wait_until(lambda: held(tb, "FRA", x), 30, "AUS's envelope at FRA")
    check_eq(len(got), 1, "copies of X at FRA")
    check_eq((got[0]["sender"], got[0]["notification"]["summary"]),
             ("AUS", "AUS's real notice"), "what FRA holds under X")
    tb.wait_until(lambda: tb.show("AUS", x).get("state") == "delivered", 20,
                  "AUS's envelope delivered")


def test_duplicate_rule(tb):
    # The same envelope again: DUPLICATE, stored once.
    a = wire_envelope("AUS once", severity="LOW")
    check_eq(peer_send(tb, "AUS", "FRA", a, "a.json").get("status"), "ACCEPTED",
             "AUS's envelope")
    check_eq(peer_send(tb, "AUS", "FRA", a, "a-again.json").get("status"),
             "DUPLICATE", "AUS's envelope again")
    # The same id, other content, same sender: refused, first copy kept.
    b = copy.deepcopy(a)
    b["notification"]["summary"] = "AUS twice, other words"
    b["created_at"] = now_ms()
    refused(tb, "AUS", "FRA", b, "a-other.json", "is held here with other content")
    got = held(tb, "FRA", a["id"])
    check_eq([m["notification"]["summary"] for m in got], ["AUS once"],
             "FRA keeps the first content under the id")

    # An unbound id taken first by KEN: AUS's is refused, never DUPLICATE.
    k = wire_envelope("KEN first", sender="KEN", severity="LOW")
    check_eq(peer_send(tb, "KEN", "FRA", k, "k.json").get("status"), "ACCEPTED",
             "KEN's envelope")
    s = wire_envelope("AUS second", severity="LOW")
    s["id"] = s["thread_id"] = k["id"]
    refused(tb, "AUS", "FRA", s, "s.json", "is a case with another member")
    # ... and as a reply in AUS's own case, where the thread admits it.
    s = wire_envelope("unused")
    del s["notification"]
    s.update({"id": k["id"], "thread_id": a["id"], "in_reply_to": a["id"],
              "status_update": {"status": "IN_PROGRESS", "text": "on it"}})
    refused(tb, "AUS", "FRA", s, "s-reply.json", "is held here from another member")
    check_eq([m["sender"] for m in held(tb, "FRA", k["id"])], ["KEN"],
             "the unbound id held from KEN only")

    # Ids in upper case are refused, whether new or a held one's.
    u = wire_envelope("upper", severity="LOW")
    u["id"] = u["thread_id"] = str(uuid.uuid4()).upper()
    refused(tb, "AUS", "FRA", u, "upper.json", "lower case")
    up = copy.deepcopy(a)
    up["id"] = up["thread_id"] = a["id"].upper()
    refused(tb, "AUS", "FRA", up, "upper-held.json", "lower case")
    check(not held(tb, "FRA", u["id"]) and not held(tb, "FRA", up["id"]),
          "an upper-case id is held at FRA")

    # A bound id pocpeer makes for AUS is taken, and so is its resend.
    n = os.urandom(16).hex()
    v = wire_envelope("AUS bound", severity="LOW")
    v["id"] = v["thread_id"] = bound_id("AUS", n, str(uuid.uuid4()))
    v["id_nonce"] = n
    check_eq(peer_send(tb, "AUS", "FRA", v, "v.json").get("status"), "ACCEPTED",
             "a bound id of AUS's")
    check_eq(peer_send(tb, "AUS", "FRA", v, "v-again.json").get("status"),
             "DUPLICATE", "a bound id of AUS's again")


def test(tb):
    test_squat(tb)
    test_duplicate_rule(tb)


if __name__ == "__main__":
    run_test(test)
