"""Helpers for the directory tests (10-19): the own record through pocctl,
records as the node holds them, config changes between restarts."""

import base64
import json
import os
import re
import subprocess

from tb import TestFailure, check, pb_field


def add_config(tb, member, text):
    """Appends text (sections and keys) to member's pocd.conf; it takes
    effect at the member's next start."""
    with open(tb.info(member)["config"], "a", encoding="utf-8") as f:
        f.write("\n" + text.strip() + "\n")


def restart_with(tb, member, text):
    tb.stop(member)
    add_config(tb, member, text)
    tb.start(member)


def record(tb, at, code):
    """code's record as node `at` holds it (dict), or None."""
    rc, out, err = tb.pocctl_text(at, "--json", "directory", "show", code)
    if rc != 0:
        return None
    members = json.loads(out)["members"]
    return members[0]["record"] if members else None


def serial(tb, at, code):
    r = record(tb, at, code)
    return int(r.get("serial", 0)) if r else 0


def export(tb, at, code=None):
    """The JSON export of node at (all records, or code's)."""
    args = ["directory", "export", "--format", "json"] + ([code] if code else [])
    rc, out, err = tb.pocctl_text(at, *args)
    check(rc == 0, f"{at}: pocctl directory export: {err}")
    return json.loads(out)


def import_records(tb, at, records, name="import.json"):
    """pocctl directory import of {"records": records} on at; (rc, out, err)."""
    path = tb.tmpfile(name, {"records": records})
    return tb.pocctl_text(at, "directory", "import", path)


def fingerprint(tb, member):
    r = record(tb, member, member)
    check(r is not None, f"{member} has no own record")
    return r["fingerprints"][0]


def log_after(tb, member, offset):
    return tb.log(member)[offset:]


def wait_log(tb, member, offset, pattern, what, timeout=10.0):
    rx = re.compile(pattern)
    return tb.wait_until(lambda: rx.search(log_after(tb, member, offset)),
                         timeout, f"{what}: /{pattern}/ in {member}'s log")


def pack_record(r, signature=True):
    """A DirectoryRecord without PoCs, packed as protobuf-c packs it
    (fields in number order, defaults left out); without its signature
    (signature=False) it is the record's canonical bytes."""
    out = b""
    for num, key in ((1, "network"), (2, "code"), (3, "name")):
        if r.get(key):
            out += pb_field(num, r[key])
    for num, key in ((4, "networks"), (5, "endpoints"), (6, "fingerprints")):
        for v in r.get(key, []):
            out += pb_field(num, v)
    for num, key in ((7, "expires"), (8, "serial"), (9, "signed_at")):
        if r.get(key):
            out += pb_field(num, int(r[key]))
    check(not r.get("pocs"), "pack_record handles records without PoCs only")
    out += pb_field(11, base64.b64decode(r["certificate"]))
    if signature:
        out += pb_field(12, base64.b64decode(r["signature"]))
    if r.get("shared_threads"):
        out += pb_field(320, 1)
    return out


def sign_record(r, key_path, workdir):
    """Signs r (a dict as exported) with the PEM key at key_path as a node
    signs its record (docs/directory.md: the canonical bytes under context
    `pocd record v1`), with openssl; sets r["signature"]."""
    data = os.path.join(workdir, "record.canonical")
    sig = os.path.join(workdir, "record.sig")
    with open(data, "wb") as f:
        f.write(b"pocd record v1\x00" + pack_record(r, signature=False))
    p = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_path,
                        "-out", sig, data], capture_output=True, text=True,
                       check=False)
    check(p.returncode == 0, f"openssl dgst -sign: {p.stderr}")
    with open(sig, "rb") as f:
        r["signature"] = base64.b64encode(f.read()).decode()
    return r
