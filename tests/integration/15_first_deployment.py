#!/usr/bin/env python3
"""The README's "Install and first deployment", step by step, on three
fresh nodes: a registry REG and two members AUS and FRA that start with
nothing but the network CA, their own node certificate and REG's endpoint
and fingerprint.  No record is exported or imported by hand.

Every shell command of the section is either run here, as written, or
named in NOT_RUN with the reason (installing, systemd); a command that
changes in the README without changing here fails the test.  The only
changes made to a command before it runs are the paths: /srv/pocd-ca and
/etc/pocd/pocd.conf become files of this test's directory, pocctl finds
its node through $POCCTL_CONFIG, and `systemctl enable --now pocd` starts
pocd -c CONFIG as the unit does.  The README's order holds: per node, the
commands run here appear in the README in the order they are run."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

from tb import REPO, TestFailure, check

POCD = os.path.abspath(os.environ.get("POCD", os.path.join(REPO, "build", "pocd")))
BUILD = os.path.dirname(POCD)
README = os.path.join(REPO, "README.md")

# Shell lines of the section that this test does not run, and why.
NOT_RUN = {
    "make PREFIX=/usr && make install PREFIX=/usr": "installs into /usr",
    "useradd --system --home-dir /var/lib/pocd --shell /usr/sbin/nologin pocd":
        "creates a system user",
    "systemctl status pocd; journalctl -u pocd": "systemd only",
    "systemctl reload pocd": "systemd only (SIGHUP: tests/integration/60_ops_reload.py)",
}


def section_commands():
    """The shell lines of the README's first-deployment section, comments
    and continuation lines dropped, in order."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    start = text.index("## Install and first deployment")
    end = text.index("\n## ", start + 10)
    cmds = []
    for block in re.findall(r"```sh\n(.*?)```", text[start:end], re.S):
        for line in block.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            line = re.sub(r"\s+#\s.*$", "", line).strip()
            cmds.append(line)
    return cmds


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Deployment:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pocd-first-deployment-")
        self.ca = os.path.join(self.dir, "ca")
        self.nodes = {}
        self.procs = {}
        self.readme = section_commands()
        self.ran = []           # (node, command) in the order run

    # -- the README's commands, as written --------------------------------
    def sh(self, node, cmd, ok=True, timeout=60):
        """Runs one README command for node; returns (rc, out, err)."""
        check(cmd in self.readme, f"not a command of the README: {cmd!r}")
        self.ran.append((node, cmd))
        real = cmd.replace("/srv/pocd-ca", self.ca)
        if node is not None:
            real = real.replace("/etc/pocd/pocd.conf", self.nodes[node]["conf"])
        env = dict(os.environ, PATH=BUILD + os.pathsep + os.environ["PATH"])
        if node is not None:
            env["POCCTL_CONFIG"] = self.nodes[node]["pocctl"]
        r = subprocess.run(["bash", "-o", "pipefail", "-c", real], cwd=REPO,
                           env=env, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        if ok:
            check(r.returncode == 0, f"{node or 'CA'}: {cmd}: exit "
                  f"{r.returncode}\n{r.stdout}{r.stderr}")
        return r.returncode, r.stdout, r.stderr

    def start(self, node):
        """systemctl enable --now pocd: pocd -c CONFIG, as the unit runs."""
        cmd = "systemctl enable --now pocd"
        check(cmd in self.readme, f"the README no longer says {cmd!r}")
        self.ran.append((node, cmd))
        n = self.nodes[node]
        log = open(n["log"], "ab")
        self.procs[node] = subprocess.Popen(
            [POCD, "-c", n["conf"]], stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.wait(lambda: self.pocctl_ok(node), 15, f"{node} answers pocctl")

    def pocctl_ok(self, node):
        env = dict(os.environ, POCCTL_CONFIG=self.nodes[node]["pocctl"])
        r = subprocess.run([os.path.join(BUILD, "pocctl"), "status"], env=env,
                           capture_output=True, timeout=10,
                           stdin=subprocess.DEVNULL)
        return r.returncode == 0

    @staticmethod
    def wait(pred, timeout, what):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            v = pred()
            if v:
                return v
            time.sleep(0.2)
        raise TestFailure(f"timed out after {timeout} s waiting for {what}")

    # -- what the README asks the operator to write -----------------------
    def configure(self, code, operator):
        d = os.path.join(self.dir, code)
        os.makedirs(d)
        peer, op = free_port(), free_port()
        n = {"dir": d, "conf": os.path.join(d, "pocd.conf"),
             "pocctl": os.path.join(d, "pocctl.conf"),
             "log": os.path.join(d, "pocd.log"), "peer": peer, "op": op}
        # Step 1: copy the CA holder's files to the node.
        for src, dst in (("network-ca.pem", "network-ca.pem"),
                         ("network-ca.crl", "network-ca.crl"),
                         (f"{code}/node.pem", "node.pem"),
                         (f"{code}/node.key", "node.key"),
                         (f"{code}/operator-ca.pem", "operator-ca.pem"),
                         (f"{code}/operator-ca.crl", "operator-ca.crl"),
                         (f"{code}/operators/{operator}.pem", f"{operator}.pem"),
                         (f"{code}/operators/{operator}.key", f"{operator}.key")):
            shutil.copy(os.path.join(self.ca, src), os.path.join(d, dst))
        # Step 2: the example config with member, endpoint and paths set.
        with open(os.path.join(REPO, "deploy", "pocd.conf.example"),
                  encoding="utf-8") as f:
            conf = f.read()
        conf = conf.split("\n[upstream ")[0]        # the example's own upstream
        conf = conf.replace("member = AUS", f"member = {code}")
        conf = re.sub(r"(?m)^endpoint = .*$", f"endpoint = 127.0.0.1:{peer}", conf)
        conf = re.sub(r"(?m)^listen = 0\.0\.0\.0:7401$",
                      f"listen = 127.0.0.1:{peer}", conf)
        conf = re.sub(r"(?m)^listen = 127\.0\.0\.1:7402$",
                      f"listen = 127.0.0.1:{op}", conf)
        conf = conf.replace("/var/lib/pocd/", d + "/").replace("/etc/pocd/", d + "/")
        check(f"127.0.0.1:{peer}" in conf and f"127.0.0.1:{op}" in conf,
              "the example config's listen lines changed; update this test")
        with open(n["conf"], "w", encoding="utf-8") as f:
            f.write(conf)
        with open(n["pocctl"], "w", encoding="utf-8") as f:
            f.write(f"[pocctl]\nnode = 127.0.0.1:{op}\nmember = {code}\n"
                    f"ca = {d}/network-ca.pem\ncert = {d}/{operator}.pem\n"
                    f"key = {d}/{operator}.key\n")
        self.nodes[code] = n

    def add_upstream(self, code, endpoint, fingerprint):
        with open(self.nodes[code]["conf"], "a", encoding="utf-8") as f:
            f.write(f"\n[upstream REG]\nendpoint = {endpoint}\n"
                    f"fingerprint = {fingerprint}\n")

    def down(self):
        for node, p in self.procs.items():
            if p.poll() is None:
                os.kill(p.pid, signal.SIGTERM)
        for node, p in self.procs.items():
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait(5)

    def logs(self):
        for node, n in self.nodes.items():
            try:
                with open(n["log"], encoding="utf-8", errors="replace") as f:
                    tail = f.readlines()[-40:]
            except OSError:
                tail = []
            print(f"---- {node} log (last 40 lines)", file=sys.stderr)
            sys.stderr.write("".join(tail))


def test(d):
    # 1. PKI, as the CA holder.
    for cmd in ("certs/mkpki init /srv/pocd-ca",
                "certs/mkpki member /srv/pocd-ca REG",
                "certs/mkpki member /srv/pocd-ca AUS",
                "certs/mkpki member /srv/pocd-ca FRA",
                "certs/mkpki operator /srv/pocd-ca REG rita",
                "certs/mkpki operator /srv/pocd-ca AUS alice",
                "certs/mkpki operator /srv/pocd-ca FRA felix"):
        d.sh(None, cmd)
    # 2. Configure each node.
    for code, op in (("REG", "rita"), ("AUS", "alice"), ("FRA", "felix")):
        d.configure(code, op)
    d.sh("REG", "pocd -n -c /etc/pocd/pocd.conf")
    # 3. REG first; its operator reads the fingerprint.
    d.start("REG")
    rc, out, _ = d.sh("REG", "pocctl directory show REG | grep fingerprint")
    m = re.search(r"fingerprint:\s+([0-9a-f]{64})", out)
    check(m, f"no fingerprint in {out!r}")
    reg_ep = f"127.0.0.1:{d.nodes['REG']['peer']}"
    for code in ("AUS", "FRA"):
        d.add_upstream(code, reg_ep, m.group(1))
        d.sh(code, "pocd -n -c /etc/pocd/pocd.conf")
        d.start(code)

    # 4. Join: both requests reach REG at the members' first pull.
    def pending():
        rc, out, _ = d.sh("REG", "pocctl directory pending")
        return "AUS" in out and "FRA" in out and out
    out = d.wait(pending, 20, "AUS and FRA pending at REG")
    for code in ("AUS", "FRA"):
        fp = re.search(rf"(?m)^  {code}: .*\n    certificate: ([0-9a-f]{{64}})$",
                       out)
        check(fp, f"{code}'s fingerprint in pending: {out}")
        node_fp = subprocess.run(
            ["openssl", "x509", "-in", os.path.join(d.ca, code, "node.pem"),
             "-noout", "-fingerprint", "-sha256"], capture_output=True,
            text=True, check=True).stdout.split("=")[1].strip()
        check(fp.group(1) == node_fp.replace(":", "").lower(),
              f"{code}: pending fingerprint {fp.group(1)} is not its node "
              f"certificate's {node_fp}")
        check("127.0.0.1:" in out, f"source address in pending: {out}")
    # Before approval the members say so in their status.
    for code in ("AUS", "FRA"):
        rc, out, _ = d.sh(code, "pocctl status")
        check(re.search(r"Upstream REG .*\n  joining: +pending at REG since", out),
              f"{code} status before approval:\n{out}")
    d.sh("REG", "pocctl directory approve AUS")
    d.sh("REG", "pocctl directory approve FRA")
    # Both approvals came first, so each member's pull brings the other's
    # record (stored at REG by its approval) along with REG's.
    for code in ("AUS", "FRA"):
        d.sh(code, "pocctl directory sync --wait")
        rc, out, _ = d.sh(code, "pocctl status")
        check(re.search(r"Upstream REG .*\n  joining: +enrolled \(holds serial 1\)",
                        out),
              f"{code} status after approval:\n{out}")
    for code in ("AUS", "FRA"):
        rc, out, _ = d.sh(code, "pocctl directory")
        for other in ("REG", "AUS", "FRA"):
            check(re.search(rf"(?m)^{other}  ", out),
                  f"{code} holds no record of {other}:\n{out}")
    # 5. First check, from REG: both members reached.
    d.sh("REG", "pocctl check --all")

    def reached():
        rc, out, _ = d.sh("REG", "pocctl checks")
        return re.search(r"\b2 reached\b", out) and out
    d.wait(reached, 20, "REG's check reaching AUS and FRA")

    # Every command of the section ran, or is named in NOT_RUN.
    ran = {c for _, c in d.ran}
    for cmd in d.readme:
        check(cmd in ran or cmd in NOT_RUN,
              f"README command not followed by this test: {cmd!r}")
    # Per node, in the README's order (a command written twice, such as
    # pocctl status, matches its next occurrence).
    for node in (None, "REG", "AUS", "FRA"):
        cursor = 0
        for n, c in d.ran:
            if n != node:
                continue
            try:
                cursor = d.readme.index(c, cursor)
            except ValueError:
                raise TestFailure(f"{node or 'CA'}: {c!r} runs out of the "
                                  f"README's order")


def main():
    signal.signal(signal.SIGTERM, lambda s, f: (_ for _ in ()).throw(
        KeyboardInterrupt("SIGTERM")))
    d = Deployment()
    ok = False
    try:
        test(d)
        ok = True
    except TestFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
    except KeyboardInterrupt as e:
        print(f"FAIL: interrupted ({e})", file=sys.stderr)
    except Exception:
        print("FAIL: unexpected error", file=sys.stderr)
        traceback.print_exc()
    finally:
        d.down()
        if not ok:
            d.logs()
            print(f"test directory kept: {d.dir}", file=sys.stderr)
        else:
            shutil.rmtree(d.dir, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
