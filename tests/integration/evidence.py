"""A third party's check of one envelope's signature, written from
docs/signatures.md alone: no pocd code, only the stored (or exported)
envelope bytes, the sender's certificate and the `openssl` command.

check_envelope(envelope_bytes, cert_pem_path, workdir) returns (ok, why)."""

import hashlib
import os
import subprocess

LEAF_DOMAIN = b"pocd envelope v1\x00"
CTX_SINGLE = b"pocd envelope v1\x00"
CTX_BATCH = b"pocd envelope batch v1\x00"
SIGNATURE, BATCH = 30, 120


def _varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def fields(buf):
    """(number, value, raw bytes of the whole field) of each top-level field."""
    i = 0
    while i < len(buf):
        start = i
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = _varint(buf, i)
        elif wt == 2:
            n, i = _varint(buf, i)
            val, i = buf[i:i + n], i + n
        elif wt == 1:
            val, i = buf[i:i + 8], i + 8
        elif wt == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wt}")
        yield num, val, buf[start:i]


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_path(leaf, index, size, path):
    """RFC 9162 section 2.1.3.2; None if the path does not fit."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def _openssl_verify(cert_pem, data, sig, workdir):
    pub = os.path.join(workdir, "tp-pub.pem")
    dat = os.path.join(workdir, "tp-data.bin")
    sgf = os.path.join(workdir, "tp-sig.der")
    r = subprocess.run(["openssl", "x509", "-in", cert_pem, "-pubkey",
                        "-noout", "-out", pub], capture_output=True, timeout=30)
    if r.returncode != 0:
        return False
    with open(dat, "wb") as f:
        f.write(data)
    with open(sgf, "wb") as f:
        f.write(sig)
    r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub,
                        "-signature", sgf, dat], capture_output=True, timeout=30)
    return r.returncode == 0 and b"Verified OK" in r.stdout


def check_envelope(env, cert_pem, workdir):
    canonical, sig, proof = b"", None, None
    for num, val, raw in fields(env):
        if num == SIGNATURE:
            sig = val
        elif num == BATCH:
            proof = val
        else:
            canonical += raw
    if proof is None:
        if not sig:
            return False, "no signature"
        return (_openssl_verify(cert_pem, CTX_SINGLE + canonical, sig, workdir),
                "single signature")
    if sig:
        return False, "both a single signature and a batch proof"
    index = size = 0
    path, rsig = [], b""
    for num, val, _ in fields(proof):
        if num == 1:
            index = val
        elif num == 2:
            size = val
        elif num == 3:
            if len(val) != 32:
                return False, "path hash not 32 bytes"
            path.append(val)
        elif num == 4:
            rsig = val
    leaf = hashlib.sha256(b"\x00" + LEAF_DOMAIN + canonical).digest()
    root = root_from_path(leaf, index, size, path)
    if root is None:
        return False, "path does not fit"
    data = CTX_BATCH + size.to_bytes(8, "big") + root
    return (_openssl_verify(cert_pem, data, rsig, workdir),
            f"leaf {index} of {size}")
