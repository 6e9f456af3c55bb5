"""Fresh nodes for the joining tests (15-16): unlike tests/testbed, nothing
is imported; each node starts with its own certificate and the network CA
only, from deploy/pocd.conf.example with member, endpoint, ports and paths
set.  Processes are started in their own session and stopped by pid in
run_fresh's finally block (also on SIGTERM)."""

import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import traceback

from ports import free_port
from procs import register_pid
from tb import MKPKI, POCCTL, REPO, TestFailure, check, pb_field

POCD = os.path.abspath(os.environ.get("POCD", os.path.join(REPO, "build", "pocd")))

# PeerFrame oneof members (proto/poc.proto).
PF_HELLO, PF_ENVELOPE, PF_ERROR = 1, 2, 4
PF_DIGEST_REQ, PF_FETCH = 10, 12
PF_ENROLL_REQ, PF_ENROLL_ANSWER = 60, 61
# EnrollAnswer.State
NOT_ENROLLED, PENDING, APPROVED, REFUSED = 1, 2, 3, 4


def wait(pred, timeout, what, interval=0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    raise TestFailure(f"timed out after {timeout} s waiting for {what}")


class FreshNet:
    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix=f"pocd-{name}-")
        self.ca = os.path.join(self.dir, "ca")
        self.nodes = {}
        self.procs = {}

    def mkpki(self, *args):
        r = subprocess.run([MKPKI] + list(args), capture_output=True,
                           text=True, timeout=60, stdin=subprocess.DEVNULL)
        check(r.returncode == 0, f"mkpki {' '.join(args)}: {r.stdout}{r.stderr}")

    def fingerprint(self, pem):
        r = subprocess.run(["openssl", "x509", "-in", pem, "-noout",
                            "-fingerprint", "-sha256"], capture_output=True,
                           text=True, check=True)
        return r.stdout.strip().split("=", 1)[1].replace(":", "").lower()

    def configure(self, code, operator, extra=""):
        """Copies code's files from the CA and writes its pocd.conf and
        pocctl.conf (the example config, member/endpoint/ports/paths set)."""
        d = os.path.join(self.dir, code)
        os.makedirs(d)
        n = {"dir": d, "conf": os.path.join(d, "pocd.conf"),
             "pocctl": os.path.join(d, "pocctl.conf"),
             "log": os.path.join(d, "pocd.log"),
             "peer": free_port(), "op": free_port()}
        for src, dst in (("network-ca.pem", "network-ca.pem"),
                         ("network-ca.crl", "network-ca.crl"),
                         (f"{code}/node.pem", "node.pem"),
                         (f"{code}/node.key", "node.key"),
                         (f"{code}/operator-ca.pem", "operator-ca.pem"),
                         (f"{code}/operator-ca.crl", "operator-ca.crl"),
                         (f"{code}/operators/{operator}.pem", f"{operator}.pem"),
                         (f"{code}/operators/{operator}.key", f"{operator}.key")):
            shutil.copy(os.path.join(self.ca, src), os.path.join(d, dst))
        with open(os.path.join(REPO, "deploy", "pocd.conf.example"),
                  encoding="utf-8") as f:
            conf = f.read()
        conf = conf.split("\n[upstream ")[0]        # the example's own upstream
        conf = conf.replace("member = AUS", f"member = {code}")
        conf = re.sub(r"(?m)^endpoint = .*$", f"endpoint = 127.0.0.1:{n['peer']}", conf)
        conf = re.sub(r"(?m)^listen = 0\.0\.0\.0:7401$",
                      f"listen = 127.0.0.1:{n['peer']}", conf)
        conf = re.sub(r"(?m)^listen = 127\.0\.0\.1:7402$",
                      f"listen = 127.0.0.1:{n['op']}", conf)
        conf = conf.replace("/var/lib/pocd/", d + "/").replace("/etc/pocd/", d + "/")
        check(f"127.0.0.1:{n['peer']}" in conf and f"127.0.0.1:{n['op']}" in conf,
              "the example config's listen lines changed; update fresh.py")
        with open(n["conf"], "w", encoding="utf-8") as f:
            f.write(conf + extra)
        with open(n["pocctl"], "w", encoding="utf-8") as f:
            f.write(f"[pocctl]\nnode = 127.0.0.1:{n['op']}\nmember = {code}\n"
                    f"ca = {d}/network-ca.pem\ncert = {d}/{operator}.pem\n"
                    f"key = {d}/{operator}.key\n")
        self.nodes[code] = n
        return n

    def member_of(self, code, reg, reg_fp, operator="duty"):
        """configure() for a member whose one upstream is reg (already
        configured) with reg_fp pinned, pulling every second."""
        self.configure(code, operator, f"\n[upstream {reg}]\n"
                       f"endpoint = 127.0.0.1:{self.nodes[reg]['peer']}\n"
                       f"fingerprint = {reg_fp}\n")
        self.set_key(code, "sync_interval", 1)

    def append_conf(self, code, text):
        with open(self.nodes[code]["conf"], "a", encoding="utf-8") as f:
            f.write("\n" + text.strip() + "\n")

    def set_key(self, code, key, value):
        """Changes the one line "key = ..." of code's pocd.conf."""
        path = self.nodes[code]["conf"]
        with open(path, encoding="utf-8") as f:
            conf = f.read()
        conf, n = re.subn(rf"(?m)^{re.escape(key)} = .*$", f"{key} = {value}", conf)
        check(n == 1, f"{code}: {n} lines of {key} in pocd.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(conf)

    def start(self, code):
        """pocd -c CONFIG, as the systemd unit runs it; waits until it
        answers pocctl."""
        n = self.nodes[code]
        with open(n["log"], "ab") as log:
            self.procs[code] = subprocess.Popen(
                [POCD, "-c", n["conf"]], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        register_pid(self.procs[code].pid)
        wait(lambda: self.pocctl(code, "status")[0] == 0, 15,
             f"{code} answers pocctl")

    def signal(self, code, sig):
        os.kill(self.procs[code].pid, sig)

    def pocctl(self, code, *args):
        env = dict(os.environ, POCCTL_CONFIG=self.nodes[code]["pocctl"])
        r = subprocess.run([POCCTL] + [str(a) for a in args], env=env,
                           capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout, r.stderr

    def log(self, code):
        with open(self.nodes[code]["log"], encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_log(self, code, offset, pattern, what, timeout=15):
        rx = re.compile(pattern)
        return wait(lambda: rx.search(self.log(code)[offset:]), timeout,
                    f"{what}: /{pattern}/ in {code}'s log")

    def down(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)

    def dump_logs(self):
        for code, n in self.nodes.items():
            try:
                with open(n["log"], encoding="utf-8", errors="replace") as f:
                    tail = f.readlines()[-40:]
            except OSError:
                tail = []
            print(f"---- {code} log (last 40 lines)", file=sys.stderr)
            sys.stderr.write("".join(tail))


class RawPeer:
    """A member speaking the peer protocol by hand over TLS, to try what a
    well-behaved node never sends."""

    def __init__(self, port, ca, cert, key, member, source="127.0.0.1"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(ca)
        ctx.check_hostname = False
        ctx.load_cert_chain(cert, key)
        # Any 127/8 address is loopback: a source of its own per test step
        # keeps per-address limits apart.
        raw = socket.create_connection(("127.0.0.1", port), timeout=10,
                                       source_address=(source, 0))
        self.s = ctx.wrap_socket(raw)
        self.member = member

    def send(self, num, payload):
        body = pb_field(num, payload)
        self.s.sendall(struct.pack(">I", len(body)) + body)

    def read(self):
        """(oneof number, payload bytes), or None once the node closed."""
        def exact(n):
            b = b""
            while len(b) < n:
                try:
                    chunk = self.s.recv(n - len(b))
                except (ConnectionError, OSError, ssl.SSLError):
                    return None
                if not chunk:
                    return None
                b += chunk
            return b
        hdr = exact(4)
        if hdr is None:
            return None
        body = exact(struct.unpack(">I", hdr)[0])
        if body is None:
            return None
        num, val, _ = pb_read(body, 0)
        return num, val

    def hello_only(self):
        """Sends our Hello; returns what came back until the node closed
        or two frames arrived: [] or [Hello] means it was taken."""
        self.send(PF_HELLO, pb_field(1, 1) + pb_field(2, self.member) +
                  pb_field(3, "raw"))
        got = [self.read(), self.read_quiet(1.0)]
        return [g for g in got if g is not None]

    def read_quiet(self, seconds):
        """read(), but None after seconds of silence."""
        self.s.settimeout(seconds)
        try:
            return self.read()
        except (socket.timeout, TimeoutError):
            return None
        finally:
            self.s.settimeout(10)

    def hello(self):
        self.send(PF_HELLO, pb_field(1, 1) + pb_field(2, self.member) +
                  pb_field(3, "raw"))
        got = self.read()
        check(got is not None and got[0] == PF_HELLO, f"node's Hello: {got}")

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def pb_read(buf, i):
    """One field of buf at i: (number, value, next index); value is bytes
    for length-delimited fields, an int for varints."""
    def varint(j):
        n, shift = 0, 0
        while True:
            b = buf[j]
            n |= (b & 0x7F) << shift
            j += 1
            shift += 7
            if not b & 0x80:
                return n, j
    key, i = varint(i)
    if key & 7 == 0:
        v, i = varint(i)
        return key >> 3, v, i
    n, i = varint(i)
    return key >> 3, buf[i:i + n], i + n


def pb_fields(buf):
    """{number: [values]} of a message's fields."""
    out, i = {}, 0
    while i < len(buf):
        num, v, i = pb_read(buf, i)
        out.setdefault(num, []).append(v)
    return out


def run_fresh(name, test):
    """Runs test(net) on a FreshNet; exits 0 or 1; always stops the nodes."""
    def on_term(signum, frame):
        raise KeyboardInterrupt("SIGTERM")
    signal.signal(signal.SIGTERM, on_term)
    net = FreshNet(name)
    ok = False
    try:
        test(net)
        ok = True
    except TestFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
    except KeyboardInterrupt as e:
        print(f"FAIL: interrupted ({e})", file=sys.stderr)
    except Exception:
        print("FAIL: unexpected error", file=sys.stderr)
        traceback.print_exc()
    finally:
        net.down()
        if not ok:
            net.dump_logs()
            print(f"test directory kept: {net.dir}", file=sys.stderr)
        else:
            shutil.rmtree(net.dir, ignore_errors=True)
    sys.exit(0 if ok else 1)
