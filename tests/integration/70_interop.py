#!/usr/bin/env python3
"""Interop (issue 14, docs/interop.md) with real nodes: KEN notifies AUS
and asks for assistance in the same case; AUS exports the case as MISP,
STIX 2.1 and IODEF v2.  The IODEF is well formed and has the elements RFC
7970 requires (xmllint --xpath); each export fills a template again with
the same summary, TLP and indicators (pocctl template --from), and that
template is accepted by pocctl send.  Hostile files are refused with a
clear message; the directory exports an RFC 2350 description."""

import json
import os
import subprocess

from tb import check, check_eq, envelope, now_ms, run_test

NS = "urn:ietf:params:xml:ns:iodef-2.0"
INDICATORS = [
    {"type": "IPV4", "value": "203.0.113.9", "note": "C2"},
    {"type": "IPV6", "value": "2001:db8::9", "note": ""},
    {"type": "DOMAIN", "value": "c2.example.net", "note": "resolves to C2"},
    {"type": "URL", "value": "https://c2.example.net/gate.php", "note": "panel"},
    {"type": "SHA256", "value": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
     "note": "dropper"},
    {"type": "EMAIL", "value": "ops@phish.example.org", "note": "lures"},
    {"type": "CVE", "value": "CVE-2024-3400", "note": "initial access"},
    {"type": "ASN", "value": "AS64500", "note": "hosting"},
    {"type": "OTHER", "value": "User-Agent: pocbot <&>", "note": "beacon"},
]
# RFC 7970: IODEF-Document/@version, Incident/@purpose, IncidentID/@name,
# GenerationTime, Contact/@role and @type, and for an Indicator its
# IndicatorID with @name and @version.
XPATHS = [
    "/*[local-name()='IODEF-Document' and namespace-uri()='%s']/@version" % NS,
    "//*[local-name()='Incident']/@purpose",
    "//*[local-name()='Incident']/*[local-name()='IncidentID']/@name",
    "//*[local-name()='Incident']/*[local-name()='GenerationTime']",
    "//*[local-name()='Incident']/*[local-name()='Contact']/@role",
    "//*[local-name()='Incident']/*[local-name()='Contact']/@type",
    "//*[local-name()='Indicator']/*[local-name()='IndicatorID']/@version",
]


def xpath_count(path, expr):
    r = subprocess.run(["xmllint", "--xpath", "count(%s)" % expr, path],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, f"xmllint --xpath {expr}: {r.stderr}")
    return int(float(r.stdout.strip() or 0))


def key(i):
    return (i["type"], i["value"], i.get("note", ""))


def test(tb):
    t0 = now_ms()
    body = {"summary": "Botnet C2 in AUS address space targets KEN banks",
            "description": "DDoS against three KEN banks.",
            "severity": "HIGH", "urgency": "IMMEDIATE", "sectors": ["FINANCE"],
            "indicators": INDICATORS, "unavailable": ["activity_since"],
            "withheld": ["requested_action"]}
    n = tb.send("KEN", envelope("AUS", "notification", body, tlp="AMBER_STRICT",
                                exercise=True))
    nid = n["id"]
    tb.wait_until(lambda: tb.find("AUS", "inbox", nid), 20,
                  f"notification {nid} at AUS")
    req = {"summary": "Take the C2 server offline", "urgency": "PRIORITY",
           "observed_since": t0 - 3600000,
           "indicators": [{"type": "IPV4", "value": "198.51.100.7", "note": ""}],
           "assistance_types": ["TAKEDOWN"]}
    r = tb.send("KEN", envelope("AUS", "assistance_request", req,
                                tlp="AMBER_STRICT", exercise=True,
                                in_reply_to=nid))
    tb.wait_until(lambda: tb.find("AUS", "inbox", r["id"]), 20,
                  f"request {r['id']} at AUS")

    out = {}
    for fmt in ("misp", "stix", "iodef"):
        path = os.path.join(tb.dir, f"case.{fmt}")
        rc, _, err = tb.pocctl_text("AUS", "export", nid, "--thread",
                                    "--format", fmt, "-o", path)
        check(rc == 0, f"pocctl export --format {fmt} exited {rc}: {err}")
        out[fmt] = path
        # Deterministic: the same case gives the same bytes.
        rc, again, err = tb.pocctl_text("AUS", "export", nid[:8], "--thread",
                                        "--format", fmt)
        check(rc == 0, f"export to stdout exited {rc}: {err}")
        with open(path, encoding="utf-8") as f:
            check_eq(again, f.read(), f"second {fmt} export")

    with open(out["misp"], encoding="utf-8") as f:
        ev = json.load(f)["Event"]
    check_eq(ev["info"], body["summary"], "MISP info")
    check_eq(ev["distribution"], "0", "MISP distribution for AMBER+STRICT")
    tags = {t["name"] for t in ev["Tag"]}
    check({"tlp:amber+strict", "exercise"} <= tags, f"MISP tags: {tags}")
    with open(out["stix"], encoding="utf-8") as f:
        bundle = json.load(f)
    types = [o["type"] for o in bundle["objects"]]
    check(types.count("indicator") == 8 and "vulnerability" in types
          and "incident" in types, f"STIX objects: {types}")

    check(subprocess.run(["xmllint", "--noout", out["iodef"]],
                         capture_output=True, timeout=30).returncode == 0,
          "IODEF is not well-formed XML")
    for expr in XPATHS:
        check(xpath_count(out["iodef"], expr) > 0,
              f"IODEF lacks {expr}")
    check_eq(xpath_count(out["iodef"], "//*[local-name()='Incident']"), 2,
             "IODEF incidents")
    check_eq(xpath_count(out["iodef"], "//*[local-name()='Incident' and "
                         "@purpose='mitigation']"), 1, "IODEF request")

    # Round trip: each export fills a notification template again.
    want = sorted(key(i) for i in INDICATORS + req["indicators"])
    for fmt, path in out.items():
        rc, text, err = tb.pocctl_text("KEN", "template", "notification",
                                       "--from", path)
        check(rc == 0, f"template --from {fmt} exited {rc}: {err}")
        t = json.loads(text)
        nb = t["notification"]
        check_eq(t["tlp"], "AMBER_STRICT", f"{fmt}: TLP")
        check_eq(t["exercise"], True, f"{fmt}: exercise")
        check_eq(nb["summary"], body["summary"], f"{fmt}: summary")
        got = sorted(key(i) for i in nb["indicators"])
        expect = want if fmt != "iodef" else sorted(key(i) for i in INDICATORS)
        check_eq(got, expect, f"{fmt}: indicators")
        check("not mapped" in err, f"{fmt}: nothing listed as not mapped:\n{err}")
        # The filled template is one the node accepts.
        t["recipient"] = "FRA"
        tb.send("KEN", t)

    # Hostile files: refused, with the reason.
    hostile = {
        "laughs.xml": ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">'
                       '<!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
                       "document type declaration"),
        "xxe.xml": ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM '
                    '"file:///etc/passwd">]><d>&x;</d>', "document type declaration"),
        "deep.json": ('{"Event": ' + "[" * 5000 + "]" * 5000 + "}",
                      "nested deeper"),
        "types.json": ('{"Event": {"info": 42}}', "Event.info: a string"),
    }
    for name, (content, why) in hostile.items():
        path = tb.tmpfile(name, content)
        rc, _, err = tb.pocctl_text("KEN", "template", "request", "--from", path)
        check(rc == 1 and why in err, f"{name}: rc {rc}, stderr: {err}")
    big = os.path.join(tb.dir, "big.json")
    with open(big, "wb") as f:
        f.truncate(100 * 1000 * 1000)
    rc, _, err = tb.pocctl_text("KEN", "template", "request", "--from", big)
    check(rc == 1 and "larger than the 16 MiB" in err,
          f"100 MB file: rc {rc}, stderr: {err}")
    os.unlink(big)

    rc, text, err = tb.pocctl_text("AUS", "directory", "export", "--format",
                                   "rfc2350", "KEN")
    check(rc == 0, f"directory export rfc2350 exited {rc}: {err}")
    check("2.1 Name of the Team" in text and "KEN" in text,
          f"RFC 2350 text:\n{text}")


if __name__ == "__main__":
    run_test(test)
