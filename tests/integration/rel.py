"""Helpers of the reliability and attack tests (30-39): editing a member's
pocd.conf, reading a store with the sqlite3 command, hand-built protobuf
for the peer protocol (so that a test can send what pocd's own encoder
never would), a raw TLS peer session, a small protobuf reader for the
node's answers, and operators who keep a case going while a test breaks
things.

Not a test itself (run.py runs only NN_*.py).
"""

import json
import os
import re
import socket
import ssl
import struct
import subprocess
import threading
import time
import uuid

import tb

from tb import (POCCTL, TestFailure, check, frame, now_ms, pb_field, pb_varint,
                peer_hello, run)

# PeerFrame kinds (proto/poc.proto)
PF_HELLO, PF_ENVELOPE, PF_RECEIPT, PF_ERROR = 1, 2, 3, 4
RECEIPT_STATUS = {1: "ACCEPTED", 2: "DUPLICATE", 3: "REJECTED"}
ERROR_CODE = {1: "MALFORMED", 2: "TOO_LARGE", 3: "PROTOCOL", 4: "VERSION",
              5: "IDENTITY", 6: "LIMIT", 7: "INTERNAL"}


# ------------------------------------------------------------ config

def set_config(tb, member, section, key, value):
    """Sets key = value in [section] of member's pocd.conf (replacing the
    key if the section has it, else adding it to the section, else adding
    the section).  Takes effect at the member's next start."""
    path = tb.info(member)["config"]
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    cur, sec_end, done = None, None, False
    out = []
    for line in lines:
        m = re.match(r"^\s*\[([^\]]+)\]\s*$", line)
        if m:
            if cur == section and not done:
                out.append(f"{key} = {value}")
                done = True
            cur = m.group(1).strip()
        elif cur == section and re.match(rf"^\s*{re.escape(key)}\s*=", line):
            line = f"{key} = {value}"
            done = True
        out.append(line)
    if not done:
        if cur == section:
            out.append(f"{key} = {value}")
        else:
            out += ["", f"[{section}]", f"{key} = {value}"]
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    os.replace(path + ".tmp", path)


def reconfigure(tb, member, settings):
    """Stops member, applies settings [(section, key, value)...], starts it."""
    tb.stop(member)
    for section, key, value in settings:
        set_config(tb, member, section, key, value)
    tb.start(member)


# ------------------------------------------------------------ store

def sql(db, query, timeout=30):
    """Runs query on the SQLite file db with the sqlite3 command (read-only
    use; WAL lets it read while pocd writes); returns rows as lists of
    strings (tab-separated output)."""
    r = subprocess.run(["sqlite3", "-batch", "-separator", "\t", "-cmd",
                        ".timeout 5000", db, query],
                       capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise TestFailure(f"sqlite3 {db} {query!r}: exit {r.returncode}: {r.stderr}")
    return [line.split("\t") for line in r.stdout.splitlines() if line != ""]


def integrity_check(db):
    rows = sql(db, "PRAGMA integrity_check;")
    check(rows == [["ok"]], f"PRAGMA integrity_check on {db}: {rows!r}")


def message_count(tb, member):
    return int(sql(tb.info(member)["db"], "SELECT count(*) FROM messages;")[0][0])


# ------------------------------------------------------------ protobuf

def pb_raw(num, data):
    """A length-delimited field with raw bytes (no encoding applied)."""
    return pb_varint(num << 3 | 2) + pb_varint(len(data)) + data


def notification_body(summary=b"Scan from a host in your network", severity=2,
                      sectors=(6,), extra=b""):
    """Notification bytes; summary may be any bytes (for bad UTF-8).
    Encoded as protobuf-c packs it (repeated enums packed), so that a
    signature over these bytes is one over the canonical bytes."""
    b = pb_raw(1, summary if isinstance(summary, bytes) else summary.encode())
    if severity is not None:
        b += pb_field(3, severity)
    if sectors:
        b += pb_raw(4, b"".join(pb_varint(x) for x in sectors))
    return b + extra


SIG_CTX_ENVELOPE = b"pocd envelope v1"     # common/sig.h


def sign(key, data, ctx=SIG_CTX_ENVELOPE):
    """ECDSA P-256/SHA-256 signature (DER) by the PEM key over
    ctx || 0x00 || data, as common/sig.c's sig_sign, made with the openssl
    command."""
    r = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                       input=ctx + b"\0" + data, capture_output=True, timeout=30)
    if r.returncode != 0:
        raise TestFailure(f"openssl dgst -sign {key}: {r.stderr.decode(errors='replace')}")
    return r.stdout


def der_of(pem_path):
    """The DER bytes of the first certificate of a PEM file (openssl)."""
    r = subprocess.run(["openssl", "x509", "-in", pem_path, "-outform", "DER"],
                       capture_output=True, timeout=30)
    check(r.returncode == 0, f"openssl x509 {pem_path}: {r.stderr!r}")
    return r.stdout


def envelope_bytes(sender, recipient, body=None, body_field=22, tlp=2,
                   eid=None, thread_id=None, language=b"en", created_at=None,
                   extra=b"", key=None):
    """Envelope bytes built by hand in canonical order (fields by number,
    defaults omitted): tlp and body are not checked here.  With key (the
    sender's node key), signed as the node signs (field 30)."""
    eid = eid or str(uuid.uuid4())
    e = (pb_field(1, eid) + pb_field(2, thread_id or eid) +
         pb_field(4, sender) + pb_field(5, recipient) +
         pb_field(6, created_at or now_ms()) + pb_field(7, tlp) +
         pb_raw(8, language))
    body = notification_body() if body is None else body
    e += pb_raw(body_field, body) + extra
    if key:
        e += pb_raw(30, sign(key, e))
    return eid, e


def peer_envelope(env):
    return pb_raw(PF_ENVELOPE, env)


def pb_parse(data):
    """A flat protobuf message -> {field: [values]} (varint ints, bytes for
    length-delimited).  Raises ValueError on bad input."""
    out, i = {}, 0

    def varint():
        nonlocal i
        n = shift = 0
        while True:
            if i >= len(data) or shift > 63:
                raise ValueError("truncated varint")
            b = data[i]
            i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return n
    while i < len(data):
        key = varint()
        num, wt = key >> 3, key & 7
        if wt == 0:
            v = varint()
        elif wt == 2:
            n = varint()
            v = data[i:i + n]
            if len(v) != n:
                raise ValueError("truncated field")
            i += n
        elif wt == 1:
            v, i = data[i:i + 8], i + 8
        elif wt == 5:
            v, i = data[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wt}")
        out.setdefault(num, []).append(v)
    return out


def describe_peer_frame(payload):
    """("hello", member) / ("receipt", status, id, reason) /
    ("error", code, message) / ("other", payload)."""
    f = pb_parse(payload)
    if PF_HELLO in f:
        h = pb_parse(f[PF_HELLO][0])
        return ("hello", h.get(2, [b""])[0].decode(errors="replace"))
    if PF_RECEIPT in f:
        r = pb_parse(f[PF_RECEIPT][0])
        return ("receipt", RECEIPT_STATUS.get(r.get(2, [0])[0], "?"),
                r.get(1, [b""])[0].decode(errors="replace"),
                r.get(3, [b""])[0].decode(errors="replace"))
    if PF_ERROR in f:
        e = pb_parse(f[PF_ERROR][0])
        return ("error", ERROR_CODE.get(e.get(1, [0])[0], "?"),
                e.get(2, [b""])[0].decode(errors="replace"))
    return ("other", payload)


# ------------------------------------------------------------ raw TLS

def read_frame(sock):
    """The next frame's payload on sock, or None if the other side closed
    first.  A timeout is raised, not taken for a close."""
    try:
        hdr = tb.recv_exact(sock, 4)
        if len(hdr) < 4:
            return None
        n = struct.unpack(">I", hdr)[0]
        body = tb.recv_exact(sock, n)
        return body if len(body) == n else None
    except (ssl.SSLError, ConnectionError) as e:
        if isinstance(e, ssl.SSLError) and "timed out" in str(e):
            raise
        return None


class RawPeer:
    """One TLS connection to a listener that the test drives byte by byte."""

    def __init__(self, port, ctx, timeout=5.0):
        self.raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.s = ctx.wrap_socket(self.raw, server_hostname="localhost")
        self.s.settimeout(timeout)

    def send(self, data):
        self.s.sendall(data)

    def recv_frame(self):
        """The next frame's payload, or None if the node closed first."""
        return read_frame(self.s)

    def frames_until_close(self, limit=16):
        """Every frame (described) until the node closes; a node that
        neither answers nor closes within the timeout fails the test."""
        out = []
        for _ in range(limit):
            try:
                p = self.recv_frame()
            except (socket.timeout, TimeoutError):
                raise TestFailure(f"no close within the timeout; frames so far {out!r}")
            if p is None:
                return out
            out.append(describe_peer_frame(p))
        raise TestFailure(f"more than {limit} frames without a close: {out!r}")

    def hello(self, member, audit_heads=False):
        """Sends our Hello and reads the node's."""
        self.send(frame(peer_hello(member, audit_heads=audit_heads)))
        p = self.recv_frame()
        check(p is not None, "node closed instead of sending its Hello")
        d = describe_peer_frame(p)
        check(d[0] == "hello", f"expected the node's Hello, got {d!r}")
        return d

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass
        try:
            self.raw.close()
        except OSError:
            pass


# ------------------------------------------------------------ raw TCP

def tcp_from(src, port, timeout=10.0):
    """A TCP connection to 127.0.0.1:port from the local address src."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def is_closed(s):
    """True if the node has closed s (EOF or reset), without waiting."""
    s.setblocking(False)
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except (ConnectionError, OSError):
        return True
    finally:
        s.setblocking(True)


def log_since(tb, member, offset):
    return tb.log(member)[offset:]


def wait_log(tb, member, offset, pattern, what, timeout=5.0):
    """Waits until member's pocd.log, after offset, matches the regular
    expression pattern; returns the match."""
    rx = re.compile(pattern, re.I)

    def found():
        return rx.search(log_since(tb, member, offset))
    return tb.wait_until(found, timeout, f"{what}: /{pattern}/ in {member}'s pocd.log")


# ------------------------------------------------------------ operators

class CaseOperator(threading.Thread):
    """One operator of `sender` working one case with `recipient` (a
    notification opens it, status updates follow in its thread): sends
    with pocctl until told to stop, and records the ids pocctl confirmed
    "queued", in order.  A failed send is counted if `tolerate` (the node
    may be down or killed mid-command), else it ends the operator with
    the error, for the main thread to report."""

    def __init__(self, tb, sender, recipient, n, stop, tolerate=False, pause=0.0):
        super().__init__(daemon=True)
        self.tb, self.sender, self.recipient, self.n = tb, sender, recipient, n
        self.stop, self.tolerate, self.pause = stop, tolerate, pause
        self.confirmed = []         # ids, in queue order
        self.case = None            # id of the case's first message
        self.failed = 0
        self.error = None
        self.dir = os.path.join(tb.dir, f"operator-{sender}-{n}")
        os.makedirs(self.dir)

    def envelope(self, k):
        e = {"recipient": self.recipient, "tlp": "GREEN", "language": "en"}
        if self.case is None:
            e["notification"] = {"summary": f"{self.sender} case {self.n}: opened",
                                 "severity": "LOW", "sectors": ["TELECOM"]}
        else:
            e["in_reply_to"] = self.case
            e["status_update"] = {"status": "IN_PROGRESS",
                                  "text": f"case {self.n}: update {k}"}
        return e

    def run(self):
        cfg = self.tb.info(self.sender)["pocctl_config"]
        k = 0
        try:
            while not self.stop.is_set():
                k += 1
                path = os.path.join(self.dir, f"{k}.json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(self.envelope(k), f)
                try:
                    rc, out, err = run([POCCTL, "-c", cfg, "--json", "send", path],
                                       timeout=15)
                except TestFailure as e:
                    rc, err = -1, str(e)
                if rc == 0:
                    self.confirmed.append(json.loads(out)["id"])
                    self.case = self.case or self.confirmed[0]
                    time.sleep(self.pause)
                elif self.tolerate:
                    self.failed += 1
                    time.sleep(0.1)
                else:
                    raise TestFailure(f"{self.sender}: pocctl send: exit {rc}: {err}")
        except Exception as e:          # reported by the main thread
            self.error = e


def drained(tb, members):
    """Whether every member's outbox is empty."""
    return all(sql(tb.info(m)["db"], "SELECT count(*) FROM outbox;")[0][0] == "0"
               for m in members)


def check_delivered(tb, ops, sender, recipient):
    """Each envelope sender's CaseOperators ops were told "queued" is
    stored once by the recipient, in queue order per case, and delivered
    at the sender; the recipient stored nothing from sender that sender
    did not queue.  Returns how many were confirmed."""
    rdb, sdb = tb.info(recipient)["db"], tb.info(sender)["db"]
    received = sql(rdb, f"SELECT id FROM messages WHERE direction = 'in' "
                        f"AND sender = '{sender}' ORDER BY seq;")
    position = {}
    for pos, (mid,) in enumerate(received):
        check(mid not in position, f"{mid} stored twice at {recipient}")
        position[mid] = pos
    sent = {r[0]: r[1] for r in sql(sdb, "SELECT id, state FROM messages "
                                         "WHERE direction = 'out';")}
    strangers = [m for m in position if m not in sent]
    check(not strangers, f"{recipient} stored envelopes {sender} never queued: {strangers[:3]}")
    confirmed = 0
    for op in ops:
        missing = [m for m in op.confirmed if m not in position]
        check(not missing, f"{sender} case {op.n}: {len(missing)} confirmed envelopes "
                           f"not stored at {recipient}: {missing[:3]}")
        order = [position[m] for m in op.confirmed]
        check(order == sorted(order),
              f"{sender} case {op.n}: {recipient} stored them out of queue order")
        late = [m for m in op.confirmed if sent.get(m) != "delivered"]
        check(not late, f"{sender}: not 'delivered' in its outbox: {late[:3]}")
        confirmed += len(op.confirmed)
    return confirmed
