#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/TARGET/):
small valid inputs of every kind and a few invalid ones, so that libFuzzer
starts from the shapes pocd really sees.  Run from the repository root:

    python3 fuzz/mkcorpus.py

The envelopes are encoded here with a few lines of protobuf (field numbers
from proto/poc.proto), not with the project's code, so that a bug there
cannot shape its own seeds.  The output is deterministic."""

import json
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
UUID1 = "8f4b1c2e-3a5d-4e6f-9a7b-1c2d3e4f5a6b"
UUID2 = "0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f"


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def fld(num, value):
    """One field: int -> varint, bytes/str -> length-delimited."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return varint(num << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(num << 3 | 2) + varint(len(value)) + value


def envelope(body_num, body, sender="AUS", recipient="FRA", eid=UUID1,
             thread=UUID1, reply="", tlp=3, lang="en", exercise=False,
             signature=b""):
    e = fld(1, eid) + fld(2, thread)
    if reply:
        e += fld(3, reply)
    e += fld(4, sender) + fld(5, recipient) + fld(6, 1764043200000) + fld(7, tlp)
    if lang:
        e += fld(8, lang)
    if exercise:
        e += fld(9, True)
    e += fld(body_num, body)
    if signature:
        e += fld(30, signature)
    return e


IND = fld(1, 1) + fld(2, "203.0.113.7") + fld(3, "C2 server")
BODIES = {
    "request": (20, fld(1, "Ransomware on a grid operator SCADA network")
                + fld(2, "Encrypted HMIs since 02:10 UTC") + fld(3, 4) + fld(4, 4)
                + fld(5, 2) + fld(5, 3) + fld(6, 1764040000000) + fld(7, IND)
                + fld(8, 2) + fld(8, 3)
                + fld(14, "contact") + fld(15, "respond_by")),
    "response": (21, fld(1, UUID2) + fld(2, 1) + fld(3, "within 4 hours")
                 + fld(4, "remote forensic analysis") + fld(5, "SCADA segment")
                 + fld(6, "TLP:AMBER") + fld(7, "CERT-FR duty") + fld(8, "note")),
    "notification": (22, fld(1, "Scanning from a host in your network")
                     + fld(3, 2) + fld(4, 6) + fld(5, 1764040000000) + fld(6, IND)
                     + fld(7, "please investigate") + fld(8, 2)),
    "ack": (23, fld(1, UUID2) + fld(2, 1764043100000) + fld(3, "duty officer")
            + fld(4, "Received; CERT-FR on it")),
    "update": (24, fld(1, 2) + fld(2, "mitigation under way")),
    "check": (25, fld(1, "check-1") + fld(2, 1764050000000)),
    "check_reply": (26, fld(1, "check-1") + fld(2, "duty officer")),
}


def envelopes():
    """(name, bytes) of valid and invalid envelopes."""
    out = []
    for name, (num, body) in BODIES.items():
        reply = UUID2 if name in ("response", "ack", "check_reply") else ""
        thread = UUID2 if reply else UUID1
        out.append((name, envelope(num, body, reply=reply, thread=thread)))
    out.append(("signed", envelope(*BODIES["notification"], signature=b"\x30\x44" + b"\x02\x20" + b"\x11" * 32 + b"\x02\x20" + b"\x22" * 32)))
    out.append(("exercise", envelope(*BODIES["request"], exercise=True, tlp=5)))
    out.append(("bad-enum", envelope(22, fld(1, "x") + fld(3, 99) + fld(4, 77))))
    out.append(("bad-utf8", envelope(22, fld(1, b"\xc3\x28 bad \xff"))))
    out.append(("long-summary", envelope(22, fld(1, "A" * 5000))))
    out.append(("no-body", fld(1, UUID1) + fld(2, UUID1) + fld(4, "AUS")
                + fld(5, "FRA") + fld(6, 1764043200000) + fld(7, 3)))
    out.append(("two-bodies", envelope(22, fld(1, "x")) + fld(23, fld(1, UUID2))))
    out.append(("bad-id", envelope(22, fld(1, "x"), eid="not-a-uuid")))
    out.append(("same-members", envelope(22, fld(1, "x"), recipient="AUS")))
    out.append(("unknown-field", envelope(22, fld(1, "x")) + fld(99, "future")))
    out.append(("withheld", envelope(22, fld(1, "x") + fld(14, "description")
                                     + fld(15, "severity") + fld(15, "nonsense"))))
    out.append(("truncated", envelope(*BODIES["request"])[:40]))
    return out


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def frames():
    """(name, fuzz_frame input): selector byte, 4 chunk sizes, stream."""
    hello = fld(1, fld(1, 1) + fld(2, "AUS") + fld(3, "pocd/0.1.0"))
    receipt = fld(3, fld(1, UUID1) + fld(2, 1))
    error = fld(4, fld(1, 3) + fld(2, "expected Hello first"))
    env = fld(2, envelope(*BODIES["request"]))
    peer = [("hello", hello), ("receipt", receipt), ("error", error),
            ("envelope", env)]
    op = [("status", fld(1, b"")), ("list", fld(3, fld(1, 1) + fld(2, 50))),
          ("show", fld(4, fld(1, "8f4b"))), ("thread", fld(5, fld(1, UUID1))),
          ("send", fld(2, fld(1, envelope(*BODIES["ack"])))),
          ("audit", fld(40, fld(1, 0) + fld(2, 1000)))]
    out = []
    for name, p in peer:
        out.append(("peer-" + name, bytes([0x0E, 0, 0, 0, 0]) + frame(p)))
    for name, p in op:
        out.append(("op-" + name, bytes([0x0F, 0, 0, 0, 0]) + frame(p)))
    # Several frames in one stream, delivered in odd-sized pieces.
    out.append(("peer-stream", bytes([0x0E, 2, 6, 0, 250])
                + frame(hello) + frame(env) + frame(receipt)))
    out.append(("op-stream", bytes([0x0F, 1, 3, 7, 0])
                + b"".join(frame(p) for _, p in op)))
    # Hostile prefixes: zero, oversize, partial, garbage payload.
    out.append(("zero-length", bytes([0x0E, 0, 0, 0, 0]) + b"\0\0\0\0"))
    out.append(("oversize", bytes([0x08, 0, 0, 0, 0]) + b"\xff\xff\xff\xff"))
    out.append(("partial", bytes([0x0E, 0, 0, 0, 0]) + frame(env)[:30]))
    out.append(("garbage", bytes([0x0E, 3, 3, 3, 3]) + frame(b"\xff" * 12)))
    out.append(("small-max", bytes([0x02, 0, 0, 0, 0]) + frame(hello)))
    return out


def templates():
    """(name, JSON text) of templates as pocctl send reads them."""
    base = {"id": "", "thread_id": "", "in_reply_to": "", "sender": "",
            "recipient": "FRA", "created_at": 0, "tlp": "AMBER",
            "language": "en", "exercise": False}
    bodies = {
        "assistance_request": {"summary": "Ransomware on a grid operator",
                               "description": "", "severity": "HIGH",
                               "urgency": "FLASH", "sectors": ["ENERGY"],
                               "observed_since": 0,
                               "indicators": [{"type": "IPV4", "value": "203.0.113.7",
                                               "note": "C2"}],
                               "assistance_types": ["TECHNICAL_ANALYSIS"],
                               "respond_by": 0, "contact": "",
                               "unavailable": ["observed_since"],
                               "withheld": ["contact"]},
        "assistance_response": {"request_id": UUID2, "decision": "WILL_ASSIST",
                                "timeframe": "4 hours", "nature": "forensics",
                                "scope": "SCADA", "terms": "TLP:AMBER",
                                "contact": "", "note": "", "unavailable": [],
                                "withheld": []},
        "notification": {"summary": "Scanning from your network", "severity": "LOW",
                         "sectors": ["TELECOM"], "activity_since": 0,
                         "indicators": [], "requested_action": "investigate",
                         "urgency": "ROUTINE"},
        "acknowledgement": {"ack_of": UUID2, "received_at": 0,
                            "acknowledged_by": "", "note": "Received"},
        "status_update": {"status": "IN_PROGRESS", "text": "mitigating"},
        "communication_check": {"check_id": "c1", "reply_by": 0},
        "check_reply": {"check_id": "c1", "replied_by": "duty"},
    }
    out = []
    for name, body in bodies.items():
        t = dict(base)
        if name in ("assistance_response", "acknowledgement", "check_reply"):
            t["in_reply_to"] = UUID2
        t[name] = body
        out.append((name, json.dumps(t, indent=2)))
    t = dict(base, notification=bodies["notification"])
    out.append(("with-local-keys", json.dumps(dict(t, state="received", direction="in",
                                                   received_at=1, acknowledged_by=[]))))
    out.append(("help-key", json.dumps(dict(t, _help={"id": "Id"}))))
    out.append(("bad-enum", json.dumps(dict(base, notification={"summary": "x",
                                                                "severity": "HUGE"}))))
    out.append(("wrong-type", json.dumps(dict(base, created_at="yesterday",
                                              notification={"summary": 5}))))
    out.append(("two-bodies", json.dumps(dict(base, notification={"summary": "x"},
                                              status_update={"status": "OPEN"}))))
    out.append(("unknown-key", json.dumps(dict(base, colour="red",
                                               notification={"summary": "x"}))))
    out.append(("big-int", '{"created_at": 99999999999999999999, "notification": {}}'))
    out.append(("neg-int", '{"created_at": -1, "notification": {"activity_since": -5}}'))
    out.append(("duplicate-key", '{"tlp": "RED", "tlp": "CLEAR", "notification": {}}'))
    out.append(("escaped-nul", '{"recipient": "FR\\u0000A", "notification": {"summary": "x"}}'))
    out.append(("surrogate", '{"notification": {"summary": "\\ud800"}}'))
    out.append(("nested-array", '{"notification": {"sectors": [["ENERGY"]], "indicators": [1]}}'))
    out.append(("null-body", '{"notification": null}'))
    out.append(("not-object", '["notification"]'))
    out.append(("empty", '{}'))
    return out


def template_dict():
    """libFuzzer dictionary for the template reader: JSON punctuation, and
    every field and enum value name of proto/poc.proto (read from it)."""
    import re
    proto = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "proto", "poc.proto")
    words = set()
    with open(proto, encoding="utf-8") as f:
        for line in f:
            line = line.split("//")[0]
            m = re.match(r"\s*(?:repeated\s+)?[A-Za-z0-9_.]+\s+([a-z_0-9]+)\s*=\s*\d+;", line)
            if m:
                words.add('"%s"' % m.group(1))
            m = re.match(r"\s*([A-Z][A-Z0-9_]+)\s*=\s*\d+;", line)
            if m:
                words.add('"%s"' % m.group(1))
    words |= {'"{"', '"}"', '"["', '"]"', '":"', '","', '"true"', '"false"',
              '"null"', '"\\\\u0000"', '"\\\\ud800"', '"-1"', '"9223372036854775807"'}
    lines = ["# Generated by fuzz/mkcorpus.py from proto/poc.proto."]
    lines += ["kw%d=%s" % (i, w) for i, w in enumerate(sorted(words))]
    return "\n".join(lines) + "\n"


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(*path):
    with open(os.path.join(ROOT, *path), "rb") as f:
        return f.read()


def dir_record(code="FRA", pocs=True, cert=b""):
    """A DirectoryRecord (fields of proto/poc.proto) as a peer sends it."""
    channel = fld(1, 2) + fld(2, "+33 1 71 75 84 68") + fld(3, 1)
    hours = fld(1, 1) + fld(2, 540) + fld(3, 1020)
    poc = (fld(1, 3) + fld(2, "Duty officer") + fld(3, "Permanence")
           + fld(4, "ANSSI") + fld(5, channel) + fld(7, "Europe/Paris")
           + fld(8, hours) + fld(9, "fr") + fld(9, "en"))
    r = (fld(1, "5f1c0a") + fld(2, code) + fld(3, "CERT-" + code)
         + fld(4, "EU") + fld(4, "OSCE") + fld(5, "pocd.cert.example:7443")
         + fld(6, "ab" * 32) + fld(7, 1798761600000) + fld(8, 7)
         + fld(9, 1764921600000))
    if pocs:
        r += fld(10, poc) + fld(10, fld(1, 1) + fld(3, "Policy") + fld(6, True))
    if cert:
        r += fld(11, cert)
    return r + fld(12, b"\x30\x44" + b"\x02\x20" + b"\x11" * 32 + b"\x02\x20" + b"\x22" * 32)


def dirrecs():
    """(name, fuzz_dirrec input): byte 0 even = a PeerFrame, odd = JSON."""
    def records(*recs):
        return b"\x00" + fld(13, b"".join(fld(1, r) for r in recs))
    member = read("tests", "golden", "interop", "member.json")
    return [
        ("frame-one", records(dir_record())),
        ("frame-three", records(dir_record("FRA"), dir_record("AUS", False),
                                dir_record("KEN", cert=b"\x30\x82\x01\x00"))),
        ("frame-bad-level", records(dir_record()[:-70] + fld(10, fld(1, 9)))),
        ("frame-empty", records()),
        ("json-member", b"\x01" + b'{"records": [' + member + b"]}"),
        ("json-array", b"\x01[" + member + b"]"),
        ("json-bad-hours", b"\x01" + member.replace(b'"pocs": [',
                                                    b'"pocs": [{"hours": "Mon-Sun 25:00-26:00"},', 1)),
    ]


def configs():
    """(name, pocd.conf text) of fuzz_config: the shipped example and
    a few sections written the way operators get them wrong."""
    example = read("deploy", "pocd.conf.example").decode()
    return [
        ("example", example),
        ("minimal", "[node]\nmember = AUS\n"),
        ("upstream", "[node]\nmember = KEN\n\n[upstream AU]\nendpoint = "
         "registry.au.example:7443\nfingerprint = " + "ab" * 32 + "\n"),
        ("bad-int", "[limits]\nmax_connections = many\n"),
        ("no-section", "member = AUS\n"),
        ("unknown", "[nodes]\nmember = AUS\n[node]\nmembre = AUS\n"),
        ("long-line", "[node]\nmember = " + "A" * 5000 + "\n"),
        ("crlf", "[node]\r\nmember = AUS\r\n"),
    ]


def interops():
    """(name, bytes) of fuzz_interop: the golden exports and hostile
    documents of the kinds the importers must refuse."""
    out = [(n, read("tests", "golden", "interop", "case." + n))
           for n in ("misp.json", "stix.json", "iodef.xml")]
    out += [
        ("laughs.xml", b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">'
         b'<!ENTITY b "&a;&a;&a;&a;">]><IODEF-Document>&b;</IODEF-Document>'),
        ("xxe.xml", b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM '
         b'"file:///etc/passwd">]><IODEF-Document>&x;</IODEF-Document>'),
        ("deep.json", b'{"Event": ' + b"[" * 100 + b"]" * 100 + b"}"),
        ("wrong-type.json", b'{"Event": {"info": 7, "Attribute": "x"}}'),
        ("stix-empty.json", b'{"type": "bundle", "id": "bundle--1", "objects": []}'),
    ]
    return out


def write(target, items, binary):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    for name, data in items:
        with open(os.path.join(d, name), "wb") as f:
            f.write(data if binary else data.encode())


def main():
    write("envelope", envelopes(), True)
    write("frame", frames(), True)
    write("template", templates(), False)
    write("dirrec", dirrecs(), True)
    write("config", configs(), False)
    write("interop", interops(), True)
    with open(os.path.join(os.path.dirname(OUT), "template.dict"), "w",
              encoding="utf-8") as f:
        f.write(template_dict())


if __name__ == "__main__":
    main()
