"""Wrong clocks (issue 15, item 5): helpers and the scenario that tests
63 (FRA's clock 2 hours ahead) and 64 (2 hours behind) share.

FRA runs under libfaketime (Debian's faketime package, wall clock only:
monotonic timers are real); AUS and KEN keep the right time.  What
"behaves sensibly" means, each asserted below:

- TLS: the test PKI is valid from a day ago (certs/mkpki), so FRA takes
  its peers' and operators' certificates either way, and delivers;
- the skew: FRA finds both peers off the same way, so its own clock is
  the suspect one: it logs so, and status (JSON own_clock_offset, text
  "THIS NODE's clock") and metrics say by how much; AUS, with one peer
  off of two, suspects neither itself nor is told to;
- who is available now: "now" is the node's clock (consistent with its
  deadlines); FRA's answer is for its own time, and says that its clock
  is off by about 2 h with the peers' time to ask at (--at), where the
  answer is right; AUS's answer carries no warning;
- record expiry: each node judges a record's `expires` on its own clock
  (an absolute instant, so a 2 h error moves staleness by 2 h); stale is
  a flag, never a refusal: a member whose record is stale on FRA's clock
  is still delivered to and asked about; FRA's own record, signed on its
  wrong clock, is taken by AUS (records are ordered by serial, not date);
- check timing: a campaign's times are all on its checker's clock
  (sent, delivered, replied, reply-by), so a reply across the skew is
  "replied", not late, with a reply time of seconds; a check received
  from a peer whose clock is off carries reply_by_here, its reply-by on
  the receiver's clock; a check not answered is "silent" after its
  window on the checker's clock; the schedule: after the clock went back
  by 2 h (FRA +2h -> right, or right -> -2h), the next scheduled campaign
  starts at once instead of 2 hours late;
- deadlines on FRA's own clock: a FLASH request is overdue after its 3 s.
"""

import json
import os
import re
import time

from rel import set_config, wait_log
from tb import check, check_eq, envelope, now_ms

FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
SKEW = 7200
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def fake_clock(tb, member, offset):
    """member's next start runs with its wall clock offset ("+2h")."""
    d = os.path.dirname(tb.info(member)["config"])
    with open(os.path.join(d, "pocd.env"), "w", encoding="utf-8") as f:
        f.write(f"LD_PRELOAD={FAKETIME_LIB}\nFAKETIME={offset}\n"
                "FAKETIME_DONT_FAKE_MONOTONIC=1\n")


def real_clock(tb, member):
    os.unlink(os.path.join(os.path.dirname(tb.info(member)["config"]), "pocd.env"))


def skew_of(tb, member, peer):
    """peer's skew in member's status, seconds (None if not seen)."""
    for k in tb.pocctl(member, "status").get("clock_skew", []):
        if k.get("member") == peer:
            return k.get("skew_ms", 0) / 1000
    return None


def iso_minute(ms):
    return time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(ms / 1000))


def near(got, want, slack_ms, what):
    check(abs(got - want) <= slack_ms,
          f"{what}: {got} is {(got - want) / 1000:+.1f} s from {want}")


def targets(report):
    return {t["member"]: t for t in report.get("targets", [])}


def scheduled(tb, member):
    return [c for c in tb.pocctl(member, "checks", "--list") if c.get("scheduled")]


def desk_poc():
    """A PoC in a zone where it is 12:xx now, on duty 11:00-14:00 on
    today's weekday: available now (for an hour at least), not 2 hours
    either side (10:xx, 14:xx)."""
    now = time.time()
    off = 12 - time.gmtime(now).tm_hour
    zone = "Etc/GMT" if off == 0 else f"Etc/GMT{-off:+d}"
    day = DAYS[time.gmtime(now + off * 3600).tm_wday]
    return ["--level", "TECHNICAL", "--name", "Office desk", "--tz", zone,
            "--hours", f"{day} 11:00-14:00", "--channel", "EMAIL:desk@aus.example:1"]


def who(tb, at, member, *args):
    rc, out, err = tb.pocctl_text(at, "--json", "who", member, *args)
    check(rc == 0, f"{at}: who {member} {' '.join(args)}: {err}")
    w = json.loads(out)
    desk = [e for e in w["entries"] if e["poc"]["name"] == "Office desk"]
    check(desk, f"{at}: who {member}: no Office desk in {w}")
    return w, bool(desk[0].get("available"))


def stale(tb, at, member):
    d = tb.pocctl(at, "directory", "show", member)
    return bool(d["members"][0].get("stale"))


def share_record(tb, owner, *to):
    rc, out, err = tb.pocctl_text(owner, "directory", "export", "--format", "json", owner)
    check(rc == 0, f"{owner}: directory export: {err}")
    path = tb.tmpfile(f"{owner}.json", out)
    for m in to:
        rc, o, e = tb.pocctl_text(m, "directory", "import", path)
        check(rc == 0 and "1 record" in o, f"{m}: import {owner}'s record: {o}{e}")


def scenario(tb, sign):
    """FRA's clock 2 hours ahead (sign 1) or behind (sign -1)."""
    d_ms = sign * SKEW * 1000
    word = "ahead of" if sign > 0 else "behind"
    check(os.path.exists(FAKETIME_LIB), f"{FAKETIME_LIB}: missing (make deps installs faketime)")

    # AUS: a PoC on duty now, and a record that expires between the right
    # time and FRA's (1 h after now if FRA is ahead, 1 h before if behind).
    rc, out, err = tb.pocctl_text("AUS", "directory", "poc", "add", *desk_poc())
    check(rc == 0, f"AUS: poc add: {out}{err}")
    expires = now_ms() + d_ms // 2
    rc, out, err = tb.pocctl_text("AUS", "directory", "set", "expires", iso_minute(expires))
    check(rc == 0, f"AUS: set expires: {out}{err}")
    share_record(tb, "AUS", "FRA", "KEN")

    # FRA: a daily schedule of checks to all, FLASH deadlines of 3 s.
    tb.stop("FRA")
    set_config(tb, "FRA", "checks", "schedule_interval", 86400)
    set_config(tb, "FRA", "checks", "targets", "all")
    set_config(tb, "FRA", "deadlines", "flash", 3)
    if sign < 0:
        # A first scheduled campaign on the right clock; then the clock
        # goes back 2 h.
        tb.start("FRA")
        tb.wait_until(lambda: len(scheduled(tb, "FRA")) == 1, 20, "FRA's first scheduled campaign")
        tb.stop("FRA")
    fake_clock(tb, "FRA", f"{'+' if sign > 0 else '-'}{SKEW // 3600}h")
    offset_fra = len(tb.log("FRA"))
    tb.start("FRA")     # fails if FRA refused its operator's certificate
    check("not yet valid" not in tb.log("FRA")[offset_fra:],
          "FRA refused a certificate as not yet valid")
    want_sched = 1 if sign > 0 else 2
    tb.wait_until(lambda: len(scheduled(tb, "FRA")) == want_sched, 20,
                  f"{want_sched} scheduled campaign(s) at FRA")
    if sign < 0:
        wait_log(tb, "FRA", offset_fra, r"checks: the last scheduled campaign is dated "
                 r"7\d\d\d s ahead of this node's clock", "FRA's schedule notices the step back")
        print("schedule: clock stepped back 2 h; the next scheduled campaign started at once")

    # TLS both ways, and the skew seen from both peers' Hello.
    n1 = tb.send("AUS", envelope("FRA", "notification", {"summary": "To FRA", "severity": "LOW"}))["id"]
    n2 = tb.send("FRA", envelope("KEN", "notification", {"summary": "To KEN", "severity": "LOW"}))["id"]
    tb.wait_until(lambda: tb.find("FRA", "inbox", n1), 20, "AUS -> FRA delivered")
    tb.wait_until(lambda: tb.find("KEN", "inbox", n2), 20, "FRA -> KEN delivered")
    for peer in ("AUS", "KEN"):
        s = tb.wait_until(lambda: skew_of(tb, "FRA", peer), 20, f"{peer}'s skew at FRA")
        near(s * 1000, -d_ms, 30000, f"{peer}'s skew at FRA")
    wait_log(tb, "FRA", offset_fra, rf"clock: this node's clock is about 2h 0m \d+s {word} "
             r"the clocks of 2 of its 2 peers", "FRA warns its own clock is the wrong one", 20)
    st = tb.pocctl("FRA", "status")
    near(st.get("own_clock_offset", 0), d_ms, 30000, "FRA's own_clock_offset")
    check_eq((st.get("own_clock_votes"), st.get("own_clock_peers")), (2, 2), "FRA's votes, peers")
    rc, out, err = tb.pocctl_text("FRA", "status")
    check(re.search(rf"THIS NODE's clock is (2h 0m|1h 59m)\S* {word} most peers' \(2 of 2\)", out),
          f"FRA's status text lacks its own clock:\n{out}")
    rc, out, err = tb.pocctl_text("FRA", "metrics")
    m = re.search(r"pocd_own_clock_offset_seconds ([-0-9.]+)", out)
    check(m and abs(float(m.group(1)) * 1000 - d_ms) < 30000, f"metrics: {m and m.group(0)}")
    tb.wait_until(lambda: skew_of(tb, "AUS", "FRA") is not None, 20, "FRA's skew at AUS")
    check_eq(tb.pocctl("AUS", "status").get("own_clock_offset", 0), 0, "AUS's own_clock_offset")
    print(f"skew: FRA suspects its own clock ({st['own_clock_offset'] / 1000:+.0f} s, 2 of 2 peers); AUS does not")

    # Who is available now.
    w, avail = who(tb, "FRA", "AUS")
    near(w["at"], now_ms() + d_ms, 60000, "FRA's who: at")
    check_eq(avail, False, "Office desk available at FRA's 'now' (2 h off)")
    near(w.get("own_clock_offset", 0), d_ms, 30000, "FRA's who: own_clock_offset")
    rc, out, err = tb.pocctl_text("FRA", "who", "AUS")
    m = re.search(rf"WARNING: this node's clock is about (2h 00m|1h 59m) {word} most of its "
                  r"peers' clocks.*\(about (\S+ \S+)\) ask with --at", out)
    check(m, f"FRA's who text lacks the warning:\n{out}")
    w, avail = who(tb, "FRA", "AUS", "--at", iso_minute(now_ms()))
    check_eq(avail, True, "Office desk at the peers' time asked with --at at FRA")
    check_eq(w.get("own_clock_offset", 0), 0, "who --at: no warning (the time was given)")
    w, avail = who(tb, "AUS", "AUS")
    check_eq(avail, True, "Office desk at AUS's now")
    check_eq(w.get("own_clock_offset", 0), 0, "AUS's who: own_clock_offset")
    print("who: FRA answers for its own clock and warns, with the peers' time; --at is right")

    # Record expiry: on each node's own clock; stale never refuses.
    check_eq(stale(tb, "FRA", "AUS"), sign > 0, "AUS's record stale at FRA")
    check_eq(stale(tb, "AUS", "AUS"), sign < 0, "AUS's record stale at AUS")
    check_eq(stale(tb, "KEN", "AUS"), sign < 0, "AUS's record stale at KEN")
    check_eq(who(tb, "FRA", "AUS")[0].get("stale", False), sign > 0, "who AUS at FRA: stale")
    n3 = tb.send("FRA", envelope("AUS", "notification", {"summary": "To a stale record",
                                                         "severity": "LOW"}))["id"]
    tb.wait_until(lambda: tb.find("AUS", "inbox", n3), 20, "FRA -> AUS (stale or not) delivered")
    rc, out, err = tb.pocctl_text("FRA", "directory", "set", "name", "France (wrong clock)")
    check(rc == 0, f"FRA: set name: {out}{err}")
    share_record(tb, "FRA", "AUS")
    check_eq(tb.pocctl("AUS", "directory", "show", "FRA")["members"][0]["record"]["name"],
             "France (wrong clock)", "FRA's record signed on its clock, at AUS")
    print(f"record expiry: stale at FRA={sign > 0}, at AUS/KEN={sign < 0}; delivery and "
          "who unaffected; FRA's record signed 2 h off taken by serial")

    # Check timing.  AUS checks FRA: the reply_by as FRA must count it.
    rep = tb.pocctl("AUS", "check", "FRA", "--reply-by", "1h")
    env_id = targets(rep)["FRA"]["envelope_id"]
    tb.wait_until(lambda: tb.find("FRA", "inbox", env_id), 20, "AUS's check at FRA")
    shown = tb.show("FRA", env_id)
    near(shown.get("reply_by_here", 0), rep["reply_by"] + d_ms, 30000, "reply_by_here at FRA")
    rc, out, err = tb.pocctl_text("FRA", "show", env_id)
    check("Reply by here:" in out, f"FRA's show text lacks reply by here:\n{out}")
    tb.pocctl("FRA", "check-reply", env_id)

    def replied(at, cid, member):
        t = targets(tb.pocctl(at, "checks", cid))[member]
        return t if t["result"] == "replied" else None
    t = tb.wait_until(lambda: replied("AUS", rep["id"], "FRA"), 20, "FRA's reply at AUS: replied")
    check(0 <= t["replied_at"] - rep["created_at"] <= 60000, f"AUS: FRA replied after "
          f"{(t['replied_at'] - rep['created_at']) / 1000:.1f} s")
    # FRA checks AUS: all on FRA's clock.
    rep = tb.pocctl("FRA", "check", "AUS", "--reply-by", "1h")
    near(rep["created_at"], now_ms() + d_ms, 60000, "FRA's campaign created_at")
    check_eq(rep["reply_by"] - rep["created_at"], 3600000, "FRA's window")
    env_id = targets(rep)["AUS"]["envelope_id"]
    tb.wait_until(lambda: tb.find("AUS", "inbox", env_id), 20, "FRA's check at AUS")
    near(tb.show("AUS", env_id).get("reply_by_here", 0), rep["reply_by"] - d_ms, 30000,
         "reply_by_here at AUS")
    tb.pocctl("AUS", "check-reply", env_id)
    t = tb.wait_until(lambda: replied("FRA", rep["id"], "AUS"), 20, "AUS's reply at FRA: replied")
    check(0 <= t["replied_at"] - rep["created_at"] <= 60000, f"FRA: AUS replied after "
          f"{(t['replied_at'] - rep['created_at']) / 1000:.1f} s")
    # FRA checks KEN for 3 s; KEN never replies: silent after 3 s.
    t0 = time.monotonic()
    rep = tb.pocctl("FRA", "check", "KEN", "--reply-by", "3s")

    def ken(result):
        return targets(tb.pocctl("FRA", "checks", rep["id"]))["KEN"]["result"] == result
    tb.wait_until(lambda: ken("silent"), 15, "KEN silent at FRA")
    late = time.monotonic() - t0
    check(2.5 <= late <= 8, f"KEN silent after {late:.1f} s, want 3-8")
    print(f"checks: replies across the skew 'replied' in seconds; reply_by_here both ways; "
          f"silent after {late:.1f} s on FRA's clock")

    # Deadlines on FRA's own clock.
    t0 = time.monotonic()
    fr = tb.send("FRA", envelope("AUS", "assistance_request",
                                 {"summary": "Flash from a wrong clock", "urgency": "FLASH"}))["id"]
    m = tb.show("FRA", fr)
    check_eq(m["deadline_at"] - m["created_at"], 3000, "FRA's FLASH deadline - created_at")
    tb.wait_until(lambda: tb.show("FRA", fr).get("overdue"), 10, "FRA's request overdue")
    late = time.monotonic() - t0
    check(2.5 <= late <= 6.5, f"FRA found its request overdue after {late:.1f} s, want 3-6")
    print(f"deadline: FLASH overdue after {late:.1f} s")

    # The clock set right: from +2h that is a step back, and the schedule
    # starts the next campaign at once; from -2h the last one is 2 h old
    # and the next is a day away.
    tb.stop("FRA")
    real_clock(tb, "FRA")
    offset_fra = len(tb.log("FRA"))
    tb.start("FRA")
    if sign > 0:
        tb.wait_until(lambda: len(scheduled(tb, "FRA")) == 2, 20, "a scheduled campaign at once")
        wait_log(tb, "FRA", offset_fra, r"checks: the last scheduled campaign is dated "
                 r"7\d\d\d s ahead", "FRA's schedule notices the step back")
        print("schedule: clock set right (2 h back); the next scheduled campaign started at once")
    else:
        time.sleep(3)
        check_eq(len(scheduled(tb, "FRA")), 2, "scheduled campaigns after the clock was set right")
