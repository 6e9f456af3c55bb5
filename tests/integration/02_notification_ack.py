#!/usr/bin/env python3
"""KEN notifies AUS that AUS territory is used for malicious activity
(norm 13(c), para 30); AUS acknowledges.  The renderings state that receipt
is not concurrence (para 30(c)) and that notice is not attribution
(para 30(d))."""

from tb import body_of, check, check_eq, envelope, now_ms, run_test

RECEIPT = "Receipt is not concurrence"
NOTICE = "Notice is not attribution"


def test(tb):
    t0 = now_ms()
    body = {"summary": "Botnet C2 hosted in AUS address space targets KEN banks",
            "description": "DDoS against three KEN banks since 06:00 EAT, "
                           "commanded from a server in AUS.",
            "severity": "MEDIUM", "urgency": "IMMEDIATE", "sectors": ["FINANCE"],
            "activity_since": t0 - 6 * 3600 * 1000,
            "indicators": [{"type": "IPV4", "value": "203.0.113.9", "note": "C2"}],
            "requested_action": "Take the C2 server offline and share logs."}
    sent = tb.send("KEN", envelope("AUS", "notification", body, tlp="GREEN"))
    nid = sent["id"]

    m = tb.wait_until(lambda: tb.find("AUS", "inbox", nid), 20,
                      f"notification {nid} in AUS's inbox")[0]
    check_eq(m.get("sender"), "KEN", "notification sender")
    name, nb = body_of(m)
    check_eq(name, "notification", "body kind")
    for k, v in body.items():
        check_eq(nb.get(k), v, f"notification.{k}")

    rc, text, err = tb.pocctl_text("AUS", "show", nid)
    check(rc == 0, f"AUS: pocctl show {nid} exited {rc}: {err}")
    check(NOTICE in text, f"AUS: pocctl show of the notification lacks "
                          f"{NOTICE!r}:\n{text}")

    ack = tb.pocctl("AUS", "ack", nid)
    ack_id = ack.get("id")
    check(ack_id, f"pocctl ack printed no id: {ack!r}")
    a = tb.wait_until(lambda: tb.find("KEN", "inbox", ack_id), 20,
                      f"acknowledgement {ack_id} in KEN's inbox")[0]
    name, ab = body_of(a)
    check_eq(name, "acknowledgement", "body kind of the acknowledgement")
    check_eq(ab.get("ack_of"), nid, "acknowledgement.ack_of")
    # acknowledged_by lists the people, each with the ack's id and time
    # (this asserted a list of ack ids, the old meaning).
    tb.wait_until(lambda: ack_id in [a.get("id") for a in
                                     tb.show("KEN", nid).get("acknowledged_by") or []],
                  10, "the acknowledgement in acknowledged_by at KEN")

    for member in ("KEN", "AUS"):
        rc, text, err = tb.pocctl_text(member, "show", ack_id)
        check(rc == 0, f"{member}: pocctl show {ack_id} exited {rc}: {err}")
        check(RECEIPT in text, f"{member}: pocctl show of the acknowledgement "
                               f"lacks {RECEIPT!r}:\n{text}")


if __name__ == "__main__":
    run_test(test)
