#!/usr/bin/env python3
"""Alerts (issue 13 item 1): FRA runs tests/integration/alert_recorder.py
as its [alert] command.

- A FLASH request from AUS runs it once, with the event as JSON on
  standard input (kind, case, message, sender, urgency, TLP, summary, the
  show command) and the POCD_* variables; a ROUTINE notification does not
  (below the default PRIORITY); an exercise request is marked EXERCISE.
- An acknowledgement and a response to one of FRA's requests alert (an
  acknowledgement from a member it was not sent to does not); so
  does FRA's FLASH request to KEN going overdue (with the next PoC), and
  its delivery failing longer than [alert] delivery_failing while KEN is
  down.
- A command that hangs is killed at [alert] timeout and counted in
  status and metrics.
- kill -9 between the commit and the run: with max_running = 1 and the
  slot held by a hanging command, a FLASH request is committed but its
  command has not run when FRA is killed; after the restart it runs
  exactly once, and a further restart does not run it again.
"""

import json
import os
import signal
import time

from tb import REPO, check, check_eq, envelope, run_test

RECORDER = os.path.join(REPO, "tests", "integration", "alert_recorder.py")


def runs(path, phase="done"):
    """The recorder's lines of phase, in order."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        lines = [json.loads(x) for x in f if x.strip()]
    return [x for x in lines if x["phase"] == phase]


def of(path, summary, phase="done"):
    return [r for r in runs(path, phase) if r["input"].get("summary") == summary]


def kill_pid(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def set_alert(tb, member, **keys):
    """Rewrites member's [alert] keys and restarts its pocd."""
    path = tb.info(member)["config"]
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    out, section = [], None
    for line in lines:
        s = line.strip()
        if s.startswith("["):
            section = s
        if section == "[alert]" and "=" in s and s.split("=")[0].strip() in keys:
            k = s.split("=")[0].strip()
            line = f"{k} = {keys[k]}"
        out.append(line)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    tb.stop(member)
    tb.start(member)


def test(tb):
    rec = os.path.join(tb.dir, "alerts.jsonl")
    tb.configure("FRA", f"""
[alert]
command = {RECORDER}
args = {rec}
timeout = 3
max_running = 4
retry = 1
attempts = 2
delivery_failing = 2

[deadlines]
flash = 2
""")

    # ---- an arrival at FLASH alerts once, with the event as JSON
    req = tb.send("AUS", envelope("FRA", "assistance_request",
                                  {"summary": "Grid SCADA down", "urgency": "FLASH"},
                                  tlp="AMBER"))
    r = tb.wait_until(lambda: of(rec, "Grid SCADA down"), 20, "the FLASH alert")
    ev, env = r[0]["input"], r[0]["env"]
    check_eq(ev.get("kind"), "ARRIVAL", "kind")
    check_eq(ev.get("message_id"), req["id"], "message_id")
    check_eq(ev.get("case_id"), req["thread_id"], "case_id")
    check_eq(ev.get("peer"), "AUS", "peer (the sender)")
    check_eq(ev.get("urgency"), "FLASH", "urgency")
    check_eq(ev.get("tlp"), "AMBER", "tlp")
    check_eq(ev.get("show"), f"pocctl show {req['id']}", "show")
    check(ev.get("alert") is True and not ev.get("exercise"), f"flags: {ev}")
    check_eq(env.get("POCD_ALERT_KIND"), "ARRIVAL", "POCD_ALERT_KIND")
    check_eq(env.get("POCD_CASE_ID"), req["thread_id"], "POCD_CASE_ID")
    check_eq(env.get("POCD_URGENCY"), "FLASH", "POCD_URGENCY")
    check_eq(env.get("POCD_EXERCISE"), "0", "POCD_EXERCISE")
    check_eq(env.get("POCD_MEMBER"), "FRA", "POCD_MEMBER")
    check_eq(r[0]["argv"], [rec], "the command's arguments")

    # ---- below the urgency: none; an exercise: marked
    tb.send("AUS", envelope("FRA", "notification",
                            {"summary": "Routine FYI", "urgency": "ROUTINE"}))
    tb.send("AUS", envelope("FRA", "assistance_request",
                            {"summary": "Drill request", "urgency": "IMMEDIATE"},
                            exercise=True))
    r = tb.wait_until(lambda: of(rec, "Drill request"), 20, "the exercise alert")
    check(r[0]["input"].get("exercise") is True, f"exercise flag: {r[0]['input']}")
    check(r[0]["env"]["POCD_ALERT_TITLE"].startswith("EXERCISE "),
          f"title: {r[0]['env']['POCD_ALERT_TITLE']!r}")
    check_eq(r[0]["env"]["POCD_EXERCISE"], "1", "POCD_EXERCISE of the exercise")
    check(tb.find("FRA", "inbox", tb.box("FRA", "inbox")[0]["id"]), "inbox readable")
    check_eq(of(rec, "Routine FYI", "start"), [], "a ROUTINE notification's alert")
    check_eq(len(of(rec, "Grid SCADA down", "start")), 1, "runs of the FLASH alert")

    # ---- acknowledgement and response to one of ours
    ours = tb.send("FRA", envelope("AUS", "assistance_request",
                                   {"summary": "Need help with C2", "urgency": "PRIORITY"}))
    tb.wait_until(lambda: tb.find("AUS", "inbox", ours["id"]), 20, "FRA's request at AUS")
    tb.pocctl("AUS", "ack", ours["id"])
    tb.pocctl("AUS", "respond", ours["id"], "--decision", "WILL_ASSIST")
    acked = tb.wait_until(lambda: [x for x in runs(rec)
                                   if x["input"].get("kind") == "ACKNOWLEDGED"], 20,
                          "the acknowledgement's alert")
    check_eq(acked[0]["input"].get("message_id"), ours["id"], "the ack's message_id")
    check_eq(acked[0]["input"].get("peer"), "AUS", "the ack's peer")
    resp = tb.wait_until(lambda: [x for x in runs(rec)
                                  if x["input"].get("kind") == "RESPONDED"], 20,
                         "the response's alert")
    check_eq(resp[0]["input"].get("message_id"), ours["id"], "the response's message_id")
    check("WILL_ASSIST" in resp[0]["input"].get("detail", ""),
          f"the decision in the detail: {resp[0]['input']}")
    check_eq(resp[0]["input"].get("summary"), "Need help with C2", "our request's summary")
    check_eq(resp[0]["input"].get("urgency"), "PRIORITY", "our request's urgency")
    check_eq(resp[0]["input"].get("case_id"), ours["thread_id"], "our case")

    # ---- an acknowledgement of FRA's request by KEN, to whom it was not
    # sent, is recorded but does not alert (a member cannot page FRA's
    # duty officer with acks of anything)
    tb.send("KEN", envelope("FRA", "acknowledgement", {"ack_of": ours["id"]}))
    tb.send("KEN", envelope("FRA", "notification",
                            {"summary": "KEN marker", "urgency": "FLASH"}))
    tb.wait_until(lambda: of(rec, "KEN marker"), 20, "KEN's marker alert")
    check_eq([x for x in runs(rec, "start") if x["input"].get("peer") == "KEN"
              and x["input"].get("kind") == "ACKNOWLEDGED"], [],
             "alerts for KEN's acknowledgement of a message not sent to KEN")

    # ---- overdue and delivery failing: KEN is down, FRA's FLASH waits
    tb.stop("KEN")
    late = tb.send("FRA", envelope("KEN", "assistance_request",
                                   {"summary": "KEN please look", "urgency": "FLASH"}))
    ov = tb.wait_until(lambda: [x for x in runs(rec)
                                if x["input"].get("kind") == "OVERDUE"], 20,
                       "the overdue alert")
    check_eq(ov[0]["input"].get("message_id"), late["id"], "overdue message_id")
    check_eq(ov[0]["input"].get("peer"), "KEN", "overdue peer")
    check("KEN" in ov[0]["input"].get("detail", ""),
          f"the next step in the detail: {ov[0]['input']}")
    fl = tb.wait_until(lambda: [x for x in runs(rec)
                                if x["input"].get("kind") == "DELIVERY_FAILING"], 30,
                       "the delivery-failing alert")
    check_eq(fl[0]["input"].get("message_id"), late["id"], "failing message_id")
    check_eq(len([x for x in runs(rec, "start")
                  if x["input"].get("kind") == "OVERDUE"]), 1, "overdue alerts")
    tb.start("KEN")

    # ---- a hanging command is killed at the timeout and counted
    tb.send("AUS", envelope("FRA", "assistance_request",
                            {"summary": "HANG first", "urgency": "FLASH"}))
    st = tb.wait_until(lambda: (lambda s: s if s.get("alerts_timed_out", 0) >= 1
                                else None)(tb.pocctl("FRA", "status")), 30,
                       "the timed-out run in status")
    check(st.get("alert_configured") is True, f"alert_configured: {st}")
    hung = of(rec, "HANG first", "start")
    check(hung, "the hanging run started")
    for h in hung:
        check(not os.path.exists(f"/proc/{h['pid']}") or
              open(f"/proc/{h['pid']}/stat").read().split()[2] == "Z",
              f"the hanging command {h['pid']} is still alive")
    check("killing it" in tb.log("FRA"), "the log names the kill")
    rc, metrics, err = tb.pocctl_text("FRA", "metrics")
    check(rc == 0 and "pocd_alert_timeouts" in metrics, f"metrics:\n{metrics}{err}")
    rc, text, err = tb.pocctl_text("FRA", "status")
    check(rc == 0 and "timed out" in text, f"status text:\n{text}{err}")
    # attempts = 2: it is given up after its second timeout
    tb.wait_until(lambda: tb.pocctl("FRA", "status").get("alerts_given_up", 0) >= 1,
                  30, "the alert given up")

    # ---- kill -9 between the commit and the run
    set_alert(tb, "FRA", timeout=120, max_running=1)
    tb.send("AUS", envelope("FRA", "assistance_request",
                            {"summary": "HANG slot", "urgency": "FLASH"}))
    h = tb.wait_until(lambda: of(rec, "HANG slot", "start"), 20, "the slot taken")
    crash = tb.send("AUS", envelope("FRA", "assistance_request",
                                    {"summary": "Crash test", "urgency": "FLASH"}))
    tb.wait_until(lambda: tb.find("FRA", "inbox", crash["id"]), 20, "committed at FRA")
    st = tb.pocctl("FRA", "status")
    check(st.get("alerts_pending", 0) >= 2, f"pending alerts before the kill: {st}")
    check_eq(of(rec, "Crash test", "start"), [], "the run before the kill")
    tb.kill("FRA")
    for x in h:
        kill_pid(x["pid"])
    open(rec + ".nohang", "w").close()
    tb.start("FRA")
    tb.wait_until(lambda: of(rec, "Crash test"), 30, "the alert after the restart")
    tb.wait_until(lambda: of(rec, "HANG slot"), 30, "the hanging one, run again")
    tb.wait_until(lambda: tb.pocctl("FRA", "status").get("alerts_pending") == 0, 20,
                  "no alert pending")
    tb.stop("FRA")
    tb.start("FRA")
    time.sleep(1.5)
    check_eq(tb.pocctl("FRA", "status").get("alerts_pending"), 0, "pending after restart")
    check_eq(len(of(rec, "Crash test", "start")), 1, "runs of the crash-test alert")
    check_eq(len(of(rec, "Grid SCADA down", "start")), 1,
             "runs of the first alert after two restarts")
    leaked = [(r["input"].get("kind"), r["inherited"]) for r in runs(rec, "start")
              if r["inherited"]]
    check_eq(leaked, [], "pocd's sockets or database open in the command")


if __name__ == "__main__":
    run_test(test)
