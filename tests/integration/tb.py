"""Shared helpers for the integration tests: a Testbed driven through
tests/testbed, pocctl and pocpeer runners, bounded polling and checks.

A test is a function of one Testbed, run by run_test(), which brings the test
bed up in a fresh temporary directory and always brings it down (by pid) in a
finally block, also when the test is stopped with SIGTERM:

    def test(tb):
        sent = tb.send("AUS", envelope("FRA", ...))
        tb.wait_until(lambda: tb.find("FRA", "inbox", sent["id"]), 10, "delivered")

    if __name__ == "__main__":
        run_test(test)
"""

import hashlib
import json
import os
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
import uuid

from procs import register

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
TESTBED = os.path.join(REPO, "tests", "testbed")
MKPKI = os.path.join(REPO, "certs", "mkpki")
POCCTL = os.path.abspath(os.environ.get("POCCTL", os.path.join(REPO, "build", "pocctl")))
POCPEER = os.path.abspath(os.environ.get("POCPEER", os.path.join(REPO, "build", "pocpeer")))
CMD_TIMEOUT = 30


class TestFailure(AssertionError):
    pass


def check(cond, msg):
    """Fails the test with msg unless cond."""
    if not cond:
        raise TestFailure(msg)


def check_eq(got, want, what):
    if got != want:
        raise TestFailure(f"{what}: got {got!r}, want {want!r}")


def now_ms():
    return int(time.time() * 1000)


def run(argv, input=None, timeout=CMD_TIMEOUT):
    """Runs argv; returns (rc, stdout, stderr).  A hang is a test failure."""
    try:
        r = subprocess.run(argv, input=input, capture_output=True, text=True,
                           timeout=timeout,
                           stdin=None if input is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise TestFailure(f"timed out after {timeout} s: {' '.join(argv)}\n"
                          f"stdout: {e.stdout}\nstderr: {e.stderr}")
    return r.returncode, r.stdout, r.stderr


class Testbed:
    """A federation of pocd nodes on loopback in its own temporary directory."""

    def __init__(self, members=("AUS", "FRA", "KEN"), name="pocd-it"):
        self.members = list(members)
        self.dir = tempfile.mkdtemp(prefix=name + "-")
        self.state = None
        self._n = 0
        register(self.dir)      # run.py brings it down if it has to kill the test

    # ----------------------------------------------------------- test bed

    def _testbed(self, *args):
        rc, out, err = run([TESTBED] + list(args), timeout=60)
        if rc != 0:
            raise TestFailure(f"tests/testbed {' '.join(args)} failed (exit {rc}):\n{out}{err}")
        self.reload()
        return out

    def reload(self):
        path = os.path.join(self.dir, "testbed.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                self.state = json.load(f)

    def up(self):
        self._testbed("up", self.dir, *self.members)

    def down(self):
        if os.path.exists(os.path.join(self.dir, "testbed.json")):
            rc, out, err = run([TESTBED, "down", self.dir], timeout=60)
            if rc != 0:
                sys.stderr.write(f"tests/testbed down failed: {out}{err}")

    def stop(self, member):
        self._testbed("stop", self.dir, member)

    def start(self, member):
        self._testbed("start", self.dir, member)

    def kill(self, member):
        self._testbed("kill", self.dir, member)

    def configure(self, member, text):
        """Appends text (INI sections) to member's pocd.conf and restarts
        its pocd, so that the sections take effect."""
        with open(self.info(member)["config"], "a", encoding="utf-8") as f:
            f.write("\n" + text.strip() + "\n")
        self.stop(member)
        self.start(member)

    def info(self, member):
        """The member's entry of testbed.json (ports, paths, pid)."""
        return self.state["members"][member]

    def log(self, member):
        with open(self.info(member)["log"], encoding="utf-8", errors="replace") as f:
            return f.read()

    def tmpfile(self, name, content):
        """Writes content (str, or an object written as JSON) to a new file in
        the test directory and returns its path."""
        self._n += 1
        path = os.path.join(self.dir, f"{self._n:03d}-{name}")
        with open(path, "w", encoding="utf-8") as f:
            f.write(content if isinstance(content, str) else json.dumps(content, indent=2))
        return path

    # ------------------------------------------------------------- pocctl

    def pocctl_text(self, member, *args, input=None, config=None):
        """Runs pocctl for member's duty officer; returns (rc, stdout, stderr)."""
        cfg = config or self.info(member)["pocctl_config"]
        return run([POCCTL, "-c", cfg] + [str(a) for a in args], input=input)

    def pocctl(self, member, *args, input=None):
        """Runs pocctl --json; returns the parsed output, or fails the test
        if pocctl fails or prints something that is not JSON."""
        argv = ["--json"] + list(args)
        rc, out, err = self.pocctl_text(member, *argv, input=input)
        if rc != 0:
            raise TestFailure(f"{member}: pocctl {' '.join(map(str, argv))} "
                              f"exited {rc}\nstdout: {out}\nstderr: {err}")
        try:
            return json.loads(out)
        except ValueError as e:
            raise TestFailure(f"{member}: pocctl {' '.join(map(str, argv))}: "
                              f"output is not JSON ({e}):\n{out}")

    def template(self, member, kind):
        rc, out, err = self.pocctl_text(member, "template", kind)
        check(rc == 0, f"pocctl template {kind} exited {rc}: {err}")
        try:
            return json.loads(out)
        except ValueError as e:
            raise TestFailure(f"pocctl template {kind}: not JSON ({e}):\n{out}")

    def send(self, member, envelope):
        """Sends envelope (a dict) as member's operator; returns {id, thread_id}."""
        path = self.tmpfile("send.json", envelope)
        r = self.pocctl(member, "send", path)
        check(isinstance(r, dict) and r.get("id"), f"pocctl send: no id in {r!r}")
        return r

    def box(self, member, which):
        r = self.pocctl(member, which)
        check(isinstance(r, list), f"pocctl {which} --json: not an array: {r!r}")
        return r

    def find(self, member, which, msg_id):
        """The messages with msg_id in member's inbox or outbox."""
        return [m for m in self.box(member, which) if m.get("id") == msg_id]

    def show(self, member, msg_id):
        return self.pocctl(member, "show", msg_id)

    # ------------------------------------------------------------ pocpeer

    def pocpeer(self, as_member, to_member, *args, cert=None, key=None,
                ca=None, port=None, timeout=CMD_TIMEOUT):
        """Runs pocpeer speaking as as_member (its node certificate unless
        cert/key are given) to to_member's peer listener; returns
        (rc, stdout, stderr)."""
        check(os.access(POCPEER, os.X_OK),
              f"{POCPEER}: not built (the peer-protocol test tool; set POCPEER)")
        me, peer = self.info(as_member), self.info(to_member)
        argv = [POCPEER, "--connect", f"127.0.0.1:{port or peer['peer_port']}",
                "--ca", ca or me["network_ca"], "--cert", cert or me["node_cert"],
                "--key", key or me["node_key"], "--expect-cn", to_member]
        return run(argv + [str(a) for a in args], timeout=timeout)

    # ------------------------------------------------------------ polling

    @staticmethod
    def wait_until(predicate, timeout=10.0, what="condition", interval=0.1):
        """Polls predicate until it returns something true (returned) or
        timeout seconds pass (test failure naming what)."""
        deadline = time.monotonic() + timeout
        last_err = None
        while True:
            try:
                v = predicate()
                if v:
                    return v
            except TestFailure as e:
                last_err = e
            if time.monotonic() > deadline:
                extra = f"; last error: {last_err}" if last_err else ""
                raise TestFailure(f"timed out after {timeout} s waiting for {what}{extra}")
            time.sleep(interval)

    def dump_logs(self, out=sys.stderr, lines=40):
        for m in self.members:
            try:
                text = self.log(m).splitlines()[-lines:]
            except (OSError, KeyError, TypeError):
                continue
            out.write(f"---- {m} pocd.log (last {len(text)} lines)\n")
            out.write("\n".join(text) + "\n")


def envelope(recipient, body_name, body, tlp="AMBER", language="en", **extra):
    """A template envelope for pocctl send; the node fills id, sender,
    created_at and thread_id."""
    e = {"recipient": recipient, "tlp": tlp, "language": language, body_name: body}
    e.update(extra)
    return e


def bound_thread(sender, nonce):
    """The thread id that sender's thread_nonce (32 hex digits) makes for a
    case sent to many, written here from docs/directory.md, apart from
    common/threadid.c."""
    h = bytearray(hashlib.sha256(b"pocd shared thread v1" + sender.encode()
                                 + b"\0" + bytes.fromhex(nonce)).digest()[:16])
    h[6] = (h[6] & 0x0F) | 0x80
    h[8] = (h[8] & 0x1F) | 0xC0     # variant 110: never an envelope id
    return str(uuid.UUID(bytes=bytes(h)))


def bound_id(sender, nonce, head):
    """The message id that sender's id_nonce (32 hex digits) makes, with
    the first 8 hex digits of head (the time and counter the sender put
    there), written here from docs/guarantees.md, apart from
    common/msgid.c."""
    h = bytearray(hashlib.sha256(b"pocd message id v1" + sender.encode()
                                 + b"\0" + bytes.fromhex(nonce)).digest()[:16])
    h[0:4] = bytes.fromhex(head[:8])
    h[6] = (h[6] & 0x0F) | 0x80
    h[8] = (h[8] & 0x1F) | 0xE0     # variant 111: an id bound to its sender
    return str(uuid.UUID(bytes=bytes(h)))


def wire_envelope(summary, sender="AUS", recipient="FRA", tlp="GREEN",
                  **notification):
    """A whole envelope as pocpeer sends it: a new case (its id is its
    thread) holding a notification with summary and the given fields."""
    eid = str(uuid.uuid4())
    body = {"summary": summary}
    body.update(notification)
    return {"id": eid, "thread_id": eid, "in_reply_to": "", "sender": sender,
            "recipient": recipient, "created_at": now_ms(), "tlp": tlp,
            "language": "en", "exercise": False, "notification": body}


def receipts(out):
    """The JSON lines (receipts) pocpeer printed on stdout."""
    rs = []
    for line in out.splitlines():
        try:
            rs.append(json.loads(line))
        except ValueError:
            pass
    return rs


def body_of(msg):
    """(oneof name, body) of a message as printed by pocctl --json."""
    for k in ("assistance_request", "assistance_response", "notification",
              "acknowledgement", "status_update", "communication_check", "check_reply"):
        if isinstance(msg.get(k), dict):
            return k, msg[k]
    return None, None


# ------------------------------------------------------------ raw wire
#
# Just enough protobuf and framing to speak to a listener without the
# project's own code: a 4-byte big-endian length, then the message.

def pb_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_field(num, value):
    """One field: int -> varint, bytes/str -> length-delimited."""
    if isinstance(value, int):
        return pb_varint(num << 3) + pb_varint(value)
    if isinstance(value, str):
        value = value.encode()
    return pb_varint(num << 3 | 2) + pb_varint(len(value)) + value


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def peer_hello(member, version=1, audit_heads=False):
    """PeerFrame{hello: Hello{protocol_version, member, software}}, and
    audit_heads (200) when it speaks as a node that takes audit heads."""
    hello = pb_field(1, version) + pb_field(2, member) + pb_field(3, "pocd-it")
    if audit_heads:
        hello += pb_field(200, 1)
    return pb_field(1, hello)


def op_status_request():
    """OpRequest{status: OpStatusRequest{}}."""
    return pb_field(1, b"")


def tls_client(ca, cert=None, key=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def recv_exact(sock, n):
    """n bytes from sock, or fewer if the other side closed first."""
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(min(65536, n - len(buf)))
        if not chunk:
            break
        buf += chunk
    return buf


def tls_exchange(port, ctx, payload, timeout=5.0):
    """Connects over TLS to 127.0.0.1:port, sends payload as one frame and
    reads one frame back.  Returns ("reply", first payload byte and bytes),
    or ("refused", why) if the handshake fails or the connection is closed
    or reset before a complete frame, or ("silent", why) if nothing happens
    within timeout."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s = ctx.wrap_socket(raw, server_hostname="localhost")
        except ssl.SSLError as e:
            return "refused", f"handshake: {e}"
        except (ConnectionError, OSError) as e:
            if isinstance(e, socket.timeout):
                return "silent", "handshake timed out"
            return "refused", f"handshake: {e}"
        try:
            s.sendall(frame(payload))
            hdr = recv_exact(s, 4)
            if len(hdr) < 4:
                return "refused", "closed before any reply"
            n = struct.unpack(">I", hdr)[0]
            body = recv_exact(s, n)
            if len(body) < n:
                return "refused", f"closed inside a {n}-byte reply"
            try:
                s.unwrap()      # close_notify, so the node logs a clean close
            except (ssl.SSLError, OSError):
                pass
            return "reply", body
        except socket.timeout:
            return "silent", f"no reply and no close within {timeout} s"
        except ssl.SSLError as e:
            return "refused", f"after handshake: {e}"
        except (ConnectionError, OSError) as e:
            return "refused", f"after handshake: {e}"
        finally:
            s.close()
    finally:
        raw.close()


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


def run_test(test, members=("AUS", "FRA", "KEN")):
    """Runs test(tb) on a fresh test bed and exits 0 (pass) or 1 (fail).
    The test bed is always brought down; its directory is kept on failure
    (or if POCD_IT_KEEP is set) for the logs."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    tb = Testbed(members, name="pocd-" + name)
    ok = False
    try:
        tb.up()
        test(tb)
        ok = True
    except TestFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
    except KeyboardInterrupt as e:
        print(f"FAIL: interrupted ({e})", file=sys.stderr)
    except Exception:
        print("FAIL: unexpected error", file=sys.stderr)
        traceback.print_exc()
    finally:
        try:
            tb.down()
        finally:
            if not ok:
                tb.dump_logs()
                print(f"test directory kept: {tb.dir}", file=sys.stderr)
            elif os.environ.get("POCD_IT_KEEP"):
                print(f"test directory kept: {tb.dir}")
            else:
                shutil.rmtree(tb.dir, ignore_errors=True)
    sys.exit(0 if ok else 1)
