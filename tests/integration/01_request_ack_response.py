#!/usr/bin/env python3
"""AUS asks FRA for assistance (para 54, norm 13(h)): the request arrives with
every field intact, FRA acknowledges and responds WILL_ASSIST, and AUS sees
request, acknowledgement and response in one thread, in order.  A second
request leaves two fields empty, one named unavailable and one withheld
(para 77(b)), and they arrive as sent."""

import re

from tb import body_of, check, check_eq, envelope, now_ms, run_test

ENVELOPE_KEYS = ("id", "thread_id", "in_reply_to", "sender", "recipient",
                 "created_at", "tlp", "language", "exercise")


def empty(v):
    return v in (None, "", 0, [], False, {})


def check_body(got, sent, what):
    """Every field sent is received equal; fields not sent are empty."""
    check(isinstance(got, dict), f"{what}: no body in {got!r}")
    for k, v in sent.items():
        if empty(v):
            check(empty(got.get(k)), f"{what}.{k}: sent empty, got {got.get(k)!r}")
        else:
            check_eq(got.get(k), v, f"{what}.{k}")
    for k, v in got.items():
        check(k in sent or empty(v), f"{what}.{k}: not sent, got {v!r}")


def full_request(tb, t0):
    tpl = tb.template("AUS", "assistance_request")
    check(isinstance(tpl.get("assistance_request"), dict),
          f"template has no assistance_request body: {tpl!r}")
    body = {
        "summary": "Ransomware on grid operator SCADA jump hosts",
        "description": "Since 02:10 UTC three transmission operators report "
                       "encrypted jump hosts; C2 traffic leads to hosts in FRA.",
        "severity": "HIGH",
        "urgency": "FLASH",
        "sectors": ["ENERGY", "HEALTH"],
        "observed_since": t0 - 3 * 3600 * 1000,
        "indicators": [
            {"type": "IPV4", "value": "192.0.2.45", "note": "C2 server, hosted in FRA"},
            {"type": "DOMAIN", "value": "update-check.example.net", "note": "staging domain"},
        ],
        "assistance_types": ["TECHNICAL_ANALYSIS", "MITIGATION_AT_SOURCE"],
        "respond_by": t0 + 2 * 3600 * 1000,
        "contact": "AUS national CERT duty officer, +61 2 5550 0100",
        "unavailable": [],
        "withheld": [],
    }
    # Every field of the template is filled, so a field added to the
    # template later must be added here too.
    missing = [k for k in tpl["assistance_request"]
               if k not in ("unavailable", "withheld") and k not in body]
    check(not missing, f"template fields this test does not fill: {missing}")
    env = dict(tpl)
    env.update(envelope("FRA", "assistance_request", body, tlp="AMBER", language="en"))
    return env, body


def test(tb):
    t0 = now_ms()
    env, body = full_request(tb, t0)
    sent = tb.send("AUS", env)
    req_id = sent["id"]
    check(sent.get("thread_id") in (req_id, None, ""),
          f"a new case's thread_id should be its own id: {sent!r}")

    # --- FRA receives it with every field intact
    got = tb.wait_until(lambda: tb.find("FRA", "inbox", req_id), 20,
                        f"request {req_id} in FRA's inbox")
    check_eq(len(got), 1, "copies of the request in FRA's inbox")
    m = got[0]
    check_eq(m.get("direction"), "in", "FRA inbox direction")
    check_eq(m.get("state"), "received", "FRA inbox state")
    check_eq(m.get("sender"), "AUS", "sender")
    check_eq(m.get("recipient"), "FRA", "recipient")
    check_eq(m.get("tlp"), "AMBER", "tlp")
    check_eq(m.get("language"), "en", "language")
    check(m.get("exercise") in (False, None), f"exercise: {m.get('exercise')!r}")
    check_eq(m.get("thread_id"), req_id, "thread_id of a new case")
    check(empty(m.get("in_reply_to")), f"in_reply_to: {m.get('in_reply_to')!r}")
    check(t0 - 60000 <= (m.get("created_at") or 0) <= now_ms() + 60000,
          f"created_at {m.get('created_at')!r} not near {t0}")
    check((m.get("received_at") or 0) >= t0 - 60000, f"received_at {m.get('received_at')!r}")
    name, got_body = body_of(m)
    check_eq(name, "assistance_request", "body kind")
    check_body(got_body, body, "assistance_request")
    # and equal to the sender's own copy, envelope field by envelope field
    out = tb.find("AUS", "outbox", req_id)
    check_eq(len(out), 1, "copies of the request in AUS's outbox")
    for k in ENVELOPE_KEYS:
        check_eq(m.get(k), out[0].get(k), f"FRA inbox vs AUS outbox: {k}")
    check_eq(got_body, out[0].get("assistance_request"), "FRA inbox vs AUS outbox: body")

    # --- FRA acknowledges; AUS sees it
    ack = tb.pocctl("FRA", "ack", req_id, "--note", "Received; analysts assigned.")
    ack_id = ack.get("id")
    check(ack_id, f"pocctl ack printed no id: {ack!r}")
    check_eq(ack.get("thread_id"), req_id, "thread_id of the acknowledgement")
    # acknowledged_by: the people, each with the ack's id and time.
    by = tb.wait_until(lambda: [a for a in tb.show("AUS", req_id).get("acknowledged_by") or []
                                if a.get("id") == ack_id],
                       20, "the acknowledgement in acknowledged_by of the request at AUS")[0]
    check(by.get("by") and by.get("at", 0) > 0, f"acknowledged_by entry: {by}")
    check_eq(tb.show("AUS", req_id).get("state"), "acknowledged", "state of the acked request")
    # One word in every view (issue 13 item 4): FRA's inbox table, show,
    # thread and JSON all say "acknowledged" (the table once said "acked").
    short = req_id[:8]
    rc, inbox, err = tb.pocctl_text("FRA", "inbox")
    row = [ln for ln in inbox.splitlines() if ln.startswith(short)]
    check(rc == 0 and len(row) == 1 and " acknowledged " in row[0], f"FRA inbox row: {row}")
    rc, shown, err = tb.pocctl_text("FRA", "show", req_id)
    state = [ln for ln in shown.splitlines() if ln.startswith("State:")]
    check(rc == 0 and state and state[0].split()[1:] == ["acknowledged"], f"FRA show: {state}")
    check(re.search(r"Acknowledged by: +\S.* \(ack %s, \d{4}-\d\d-\d\d \d\d:\d\dZ, "
                    r"\d+ (s|min|h|d) ago\)" % ack_id[:8], shown), f"FRA show:\n{shown}")
    rc, thread, err = tb.pocctl_text("FRA", "thread", req_id)
    head = [ln for ln in thread.splitlines() if short in ln and "ASSISTANCE REQUEST" in ln]
    check(rc == 0 and head and head[0].endswith("acknowledged  TLP:AMBER"), f"FRA thread: {head}")
    check_eq(tb.show("FRA", req_id).get("state"), "acknowledged", "FRA show --json state")
    check_eq(tb.find("FRA", "inbox", req_id)[0].get("state"), "acknowledged",
             "FRA inbox --json state")
    a = tb.wait_until(lambda: tb.find("AUS", "inbox", ack_id), 10,
                      f"acknowledgement {ack_id} in AUS's inbox")[0]
    check_eq(a.get("sender"), "FRA", "acknowledgement sender")
    check_eq(a.get("in_reply_to"), req_id, "acknowledgement in_reply_to")
    name, ab = body_of(a)
    check_eq(name, "acknowledgement", "body kind of the acknowledgement")
    check_eq(ab.get("ack_of"), req_id, "acknowledgement.ack_of")
    check_eq(ab.get("note"), "Received; analysts assigned.", "acknowledgement.note")

    # --- FRA responds WILL_ASSIST
    terms = {"timeframe": "within 4 hours", "nature": "sinkholing of the C2 domain, "
             "takedown of 192.0.2.45 at the hosting provider",
             "scope": "the two indicators given; no data leaves FRA's CERT",
             "terms": "TLP:AMBER; results shared with AUS CERT only"}
    resp = tb.pocctl("FRA", "respond", req_id, "--decision", "WILL_ASSIST",
                     "--timeframe", terms["timeframe"], "--nature", terms["nature"],
                     "--scope", terms["scope"], "--terms", terms["terms"])
    resp_id = resp.get("id")
    check(resp_id, f"pocctl respond printed no id: {resp!r}")
    r = tb.wait_until(lambda: tb.find("AUS", "inbox", resp_id), 20,
                      f"response {resp_id} in AUS's inbox")[0]
    name, rb = body_of(r)
    check_eq(name, "assistance_response", "body kind of the response")
    check_eq(rb.get("request_id"), req_id, "assistance_response.request_id")
    check_eq(rb.get("decision"), "WILL_ASSIST", "assistance_response.decision")
    for k, v in terms.items():
        check_eq(rb.get(k), v, f"assistance_response.{k}")

    # --- AUS's thread: request, acknowledgement, response, in that order
    thread = tb.pocctl("AUS", "thread", req_id)
    check(isinstance(thread, list), f"thread --json is not an array: {thread!r}")
    check_eq([x.get("id") for x in thread], [req_id, ack_id, resp_id], "thread order")
    check_eq([body_of(x)[0] for x in thread],
             ["assistance_request", "acknowledgement", "assistance_response"],
             "thread kinds")
    for x in thread:
        check_eq(x.get("thread_id"), req_id, f"thread_id of {x.get('id')}")

    # --- the request is delivered in AUS's outbox; FRA acknowledged it, so
    # its state is "acknowledged" (this asserted "delivered", the word the
    # outbox used whatever the acknowledgements); delivered_at stays.
    out = tb.wait_until(lambda: [o for o in tb.find("AUS", "outbox", req_id)
                                 if o.get("state") == "acknowledged"], 10,
                        "the request acknowledged in AUS's outbox")[0]
    check((out.get("delivered_at") or 0) >= t0 - 60000,
          f"delivered_at {out.get('delivered_at')!r}")

    # --- para 77(b): a request with a field unknown and one withheld
    partial = {"summary": "Scanning of water utility HMIs from FRA address space",
               "severity": "MEDIUM", "urgency": "PRIORITY", "sectors": ["WATER"],
               "indicators": [{"type": "IPV4", "value": "198.51.100.7", "note": "scanner"}],
               "assistance_types": ["INFORMATION"],
               "unavailable": ["observed_since"], "withheld": ["contact"]}
    p = tb.send("AUS", envelope("FRA", "assistance_request", partial, tlp="GREEN"))
    pm = tb.wait_until(lambda: tb.find("FRA", "inbox", p["id"]), 20,
                       "the partial request in FRA's inbox")[0]
    check_body(body_of(pm)[1], partial, "partial assistance_request")
    check_eq(pm.get("tlp"), "GREEN", "partial request tlp")
    # The rendering says which fields are unknown and which withheld.
    rc, text, err = tb.pocctl_text("FRA", "show", p["id"])
    check(rc == 0, f"FRA pocctl show {p['id']} exited {rc}: {err}")
    check(re.search(r"(?im)^\s*observed since:.*unknown", text),
          f"show does not say that observed_since is unknown:\n{text}")
    check(re.search(r"(?im)^\s*contact:.*withheld", text),
          f"show does not say that contact is withheld:\n{text}")


if __name__ == "__main__":
    run_test(test)
