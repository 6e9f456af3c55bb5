#!/usr/bin/env python3
"""A communication check campaign across three members (DESIGN.md
"Communication checks"): AUS checks FRA, KEN and NZL.  FRA's operator
replies, KEN's node is reached but its operator never replies, NZL's node is
down so it is never reached.  Before the reply-by time the report says FRA
replied, KEN reached, NZL pending; after it, KEN and NZL are silent.  A
reply after the reply-by time is reported late, and FRA's successful reply
updates the last successful check of FRA's PoCs in AUS's directory."""

import time

from tb import check, check_eq, now_ms, run_test

REPLY_WITHIN = 8    # seconds


def targets(report):
    return {t["member"]: t for t in report.get("targets", [])}


def last_checks(tb, member):
    """AUS's last successful check of each PoC of member (directory show)."""
    d = tb.pocctl("AUS", "directory", "show", member)
    return [m["last_check"] for m in d["members"] if m["record"]["code"] == member][0]


def test(tb):
    # FRA publishes a PoC and AUS takes FRA's signed record.
    rc, out, err = tb.pocctl_text("FRA", "directory", "poc", "add", "--level", "TECHNICAL",
                                  "--name", "Claire Martin", "--org", "CERT-FR", "--always",
                                  "--channel", "EMAIL:soc@cert.example.fr:1")
    check(rc == 0, f"FRA: directory poc add: exit {rc}: {out}{err}")
    rc, out, err = tb.pocctl_text("FRA", "directory", "export", "--format", "json", "FRA")
    check(rc == 0, f"FRA: directory export: {err}")
    rc, out, err = tb.pocctl_text("AUS", "directory", "import", tb.tmpfile("fra.json", out))
    check(rc == 0, f"AUS: directory import: {out}{err}")
    check_eq(last_checks(tb, "FRA"), [0], "FRA's PoC last check before the campaign")

    tb.stop("NZL")
    t0 = now_ms()
    rep = tb.pocctl("AUS", "check", "--all", "--reply-by", f"{REPLY_WITHIN}s")
    cid = rep.get("id")
    check(cid, f"pocctl check printed no campaign id: {rep!r}")
    check_eq(sorted(targets(rep)), ["FRA", "KEN", "NZL"], "members checked")
    check(t0 + REPLY_WITHIN * 1000 - 1000 <= rep["reply_by"] <=
          now_ms() + REPLY_WITHIN * 1000, f"reply_by {rep['reply_by']}")
    check_eq(rep.get("created_by"), "duty-officer", "created_by")
    check_eq(rep.get("scheduled"), False, "scheduled")

    # The check reaches FRA and KEN like any message, with the campaign id.
    sent = targets(rep)
    checks = {}
    for m in ("FRA", "KEN"):
        msg = tb.wait_until(lambda: tb.find(m, "inbox", sent[m]["envelope_id"]),
                            20, f"the check in {m}'s inbox")[0]
        cc = msg.get("communication_check") or {}
        check_eq(cc.get("check_id"), cid, f"{m}: check_id")
        check_eq(cc.get("reply_by"), rep["reply_by"], f"{m}: reply_by")
        checks[m] = msg["id"]
    # One signature for the campaign (docs/signatures.md): the three checks
    # are one batch, each verified on its own in AUS's store and at its
    # recipient.
    for m in ("FRA", "KEN"):
        check(tb.show(m, sent[m]["envelope_id"]).get("signature_verified") is True,
              f"{m}: the check's signature not verified")
    shown = [tb.show("AUS", sent[m]["envelope_id"]) for m in ("FRA", "KEN", "NZL")]
    for s_ in shown:
        check(s_.get("signature_verified") is True,
              f"AUS's check {s_.get('id')}: {s_.get('signature_error')}")
    proofs = [s_.get("batch") or {} for s_ in shown]
    check_eq(sorted(int(p.get("leaf_index", 0)) for p in proofs), [0, 1, 2],
             "one leaf per check")
    check_eq(len({p.get("root_signature") for p in proofs}), 1,
             "one root signature for the campaign")
    rc, text, err = tb.pocctl_text("FRA", "inbox")
    check(rc == 0 and "check" in text, f"FRA's inbox does not list the check:\n{text}{err}")

    # FRA's operator replies; KEN's never does.
    r = tb.pocctl("FRA", "check-reply", checks["FRA"][:8])
    check(r.get("id"), f"check-reply printed no id: {r!r}")

    def reported(member, result):
        rr = tb.pocctl("AUS", "checks", cid)
        t = targets(rr).get(member, {})
        return rr if t.get("result") == result else None

    rr = tb.wait_until(lambda: reported("FRA", "replied"), 20, "FRA replied")
    t = targets(rr)
    check(t["FRA"]["delivered_at"] >= t0, f"FRA delivered_at {t['FRA']['delivered_at']}")
    check(t["FRA"]["replied_at"] >= t["FRA"]["delivered_at"], "FRA replied before reached")
    check_eq(t["FRA"]["replied_by"], "duty-officer", "FRA replied_by")
    check_eq(t["FRA"]["reply_id"], r["id"], "FRA reply_id")
    check(now_ms() < rep["reply_by"], "the test was too slow to see KEN 'reached'")
    check_eq(t["KEN"]["result"], "reached", "KEN before reply_by")
    check(t["KEN"]["delivered_at"] >= t0, "KEN delivered_at")
    check_eq(t["KEN"]["replied_at"], 0, "KEN replied_at")
    check_eq(t["NZL"]["result"], "pending", "NZL before reply_by")
    check_eq(t["NZL"]["delivered_at"], 0, "NZL delivered_at")

    # Past the reply-by time.
    time.sleep(max(0, (rep["reply_by"] - now_ms()) / 1000) + 0.5)
    rr = tb.pocctl("AUS", "checks")      # the newest campaign by default
    check_eq(rr.get("id"), cid, "newest campaign")
    t = targets(rr)
    check_eq(t["FRA"]["result"], "replied", "FRA after reply_by")
    check_eq(t["KEN"]["result"], "silent", "KEN after reply_by (reached, no reply)")
    check_eq(t["NZL"]["result"], "silent", "NZL after reply_by (never reached)")
    rc, text, err = tb.pocctl_text("AUS", "checks", cid[:8])
    check(rc == 0, f"pocctl checks (text) exited {rc}: {err}")
    for word in ("replied", "silent", "FRA", "KEN", "NZL", "1 replied, 2 silent"):
        check(word in text, f"pocctl checks text lacks {word!r}:\n{text}")

    # A late reply is reported as late.
    tb.pocctl("KEN", "check-reply", checks["KEN"])
    tb.wait_until(lambda: reported("KEN", "late"), 20, "KEN late")

    # Only a check can be answered with a check reply.
    rc, out, err = tb.pocctl_text("FRA", "check-reply", r["id"])
    check(rc == 1 and "not a communication check" in err,
          f"check-reply of a non-check: exit {rc}: {err}")
    # The campaign list.
    lst = tb.pocctl("AUS", "checks", "--list")
    check(isinstance(lst, list) and lst and lst[0]["id"] == cid, f"checks --list: {lst!r}")
    # Unknown members and bad usage are refused.
    rc, out, err = tb.pocctl_text("AUS", "check", "XYZ")
    check(rc == 1 and "XYZ" in err, f"check of an unknown member: exit {rc}: {err}")
    rc, out, err = tb.pocctl_text("AUS", "check", "FRA", "--all")
    check_eq(rc, 2, "check with members and --all")
    rc, out, err = tb.pocctl_text("AUS", "check", "FRA", "--reply-by", "soon")
    check_eq(rc, 2, "check with a bad duration")

    # A member cannot answer a check that was not sent to it: KEN sends a
    # CheckReply naming a campaign that only checked FRA.
    c2 = tb.pocctl("AUS", "check", "FRA", "--reply-by", "1h")
    forged = tb.send("KEN", {"recipient": "AUS", "tlp": "GREEN",
                             "check_reply": {"check_id": c2["id"]}})["id"]
    tb.wait_until(lambda: tb.find("AUS", "inbox", forged), 20, "KEN's reply at AUS")
    tb.wait_until(lambda: "which this node did not send to KEN" in tb.log("AUS"),
                  10, "the warning about KEN's reply")
    t2 = targets(tb.pocctl("AUS", "checks", c2["id"]))
    check_eq(sorted(t2), ["FRA"], "members of the second campaign")
    check(t2["FRA"]["replied_at"] == 0 and t2["FRA"]["result"] in ("pending", "reached"),
          f"FRA's result after KEN's reply: {t2['FRA']!r}")

    # --wait returns once every node has been reached, already reporting
    # the delivery (FRA is up); with NZL down it gives up at reply-by.
    t0 = time.monotonic()
    w = targets(tb.pocctl("AUS", "check", "FRA", "--wait", "--reply-by", "1h"))
    check_eq(w["FRA"]["delivery"], "delivered", "FRA's delivery after --wait")
    check(w["FRA"]["delivered_at"] > 0, "--wait reports the delivery time")
    w = targets(tb.pocctl("AUS", "check", "NZL", "--wait", "--reply-by", "3s"))
    check_eq(w["NZL"]["delivery"], "queued", "NZL (down) after --wait")
    check(time.monotonic() - t0 < 20, "--wait is bounded by the reply-by time")

    # The PoCs of FRA now carry a successful check in AUS's directory.
    check("FRA replied to check" in tb.log("AUS"), "AUS log lacks the reply")
    check_eq(last_checks(tb, "FRA"), [t["FRA"]["replied_at"]],
             "FRA's PoC last check after FRA replied")
    tb.start("NZL")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA", "KEN", "NZL"))
