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
import subprocess

from fresh import POCD, run_fresh, wait
from tb import REPO, TestFailure, check

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
    dropped, in order."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    start = text.index("## Install and first deployment")
    end = text.index("\n## ", start + 10)
    cmds = []
    for block in re.findall(r"```sh\n(.*?)```", text[start:end], re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#\s.*$", "", line.strip()).strip()
            if line and not line.startswith("#"):
                cmds.append(line)
    return cmds


class Readme:
    """The README's commands run on a FreshNet, as written."""

    def __init__(self, net):
        self.net = net
        self.cmds = section_commands()
        self.ran = []           # (node, command) in the order run

    def sh(self, node, cmd):
        """Runs one README command for node (None: the CA holder)."""
        check(cmd in self.cmds, f"not a command of the README: {cmd!r}")
        self.ran.append((node, cmd))
        real = cmd.replace("/srv/pocd-ca", self.net.ca)
        env = dict(os.environ, PATH=BUILD + os.pathsep + os.environ["PATH"])
        if node is not None:
            real = real.replace("/etc/pocd/pocd.conf", self.net.nodes[node]["conf"])
            env["POCCTL_CONFIG"] = self.net.nodes[node]["pocctl"]
        r = subprocess.run(["bash", "-o", "pipefail", "-c", real], cwd=REPO,
                           env=env, capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        check(r.returncode == 0, f"{node or 'CA'}: {cmd}: exit "
              f"{r.returncode}\n{r.stdout}{r.stderr}")
        return r.stdout

    def start(self, node):
        """systemctl enable --now pocd: pocd -c CONFIG, as the unit runs."""
        cmd = "systemctl enable --now pocd"
        check(cmd in self.cmds, f"the README no longer says {cmd!r}")
        self.ran.append((node, cmd))
        self.net.start(node)


def test(net):
    d = Readme(net)
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
        net.configure(code, op)
    d.sh("REG", "pocd -n -c /etc/pocd/pocd.conf")
    # 3. REG first; its operator reads the fingerprint.
    d.start("REG")
    out = d.sh("REG", "pocctl directory show REG | grep fingerprint")
    m = re.search(r"fingerprint:\s+([0-9a-f]{64})", out)
    check(m, f"no fingerprint in {out!r}")
    reg_ep = f"127.0.0.1:{net.nodes['REG']['peer']}"
    for code in ("AUS", "FRA"):
        net.append_conf(code, f"[upstream REG]\nendpoint = {reg_ep}\n"
                        f"fingerprint = {m.group(1)}")
        d.sh(code, "pocd -n -c /etc/pocd/pocd.conf")
        d.start(code)

    # 4. Join: both requests reach REG at the members' first pull.
    def pending():
        out = d.sh("REG", "pocctl directory pending")
        return "AUS" in out and "FRA" in out and out
    out = wait(pending, 20, "AUS and FRA pending at REG")
    for code in ("AUS", "FRA"):
        fp = re.search(rf"(?m)^  {code}: .*\n    certificate: ([0-9a-f]{{64}})$",
                       out)
        check(fp, f"{code}'s fingerprint in pending: {out}")
        node_fp = net.fingerprint(os.path.join(net.ca, code, "node.pem"))
        check(fp.group(1) == node_fp,
              f"{code}: pending fingerprint {fp.group(1)} is not its node "
              f"certificate's {node_fp}")
        check("127.0.0.1:" in out, f"source address in pending: {out}")
    # Before approval the members say so in their status.
    for code in ("AUS", "FRA"):
        out = d.sh(code, "pocctl status")
        check(re.search(r"Upstream REG .*\n  joining: +pending at REG since", out),
              f"{code} status before approval:\n{out}")
    d.sh("REG", "pocctl directory approve AUS")
    d.sh("REG", "pocctl directory approve FRA")
    # Both approvals came first, so each member's pull brings the other's
    # record (stored at REG by its approval) along with REG's.
    for code in ("AUS", "FRA"):
        d.sh(code, "pocctl directory sync --wait")
        out = d.sh(code, "pocctl status")
        check(re.search(r"Upstream REG .*\n  joining: +enrolled \(holds serial 1\)",
                        out),
              f"{code} status after approval:\n{out}")
    for code in ("AUS", "FRA"):
        out = d.sh(code, "pocctl directory")
        for other in ("REG", "AUS", "FRA"):
            check(re.search(rf"(?m)^{other}  ", out),
                  f"{code} holds no record of {other}:\n{out}")
    # 5. First check, from REG: both members reached.
    d.sh("REG", "pocctl check --all")

    def reached():
        out = d.sh("REG", "pocctl checks")
        return re.search(r"\b2 reached\b", out) and out
    wait(reached, 20, "REG's check reaching AUS and FRA")

    # Every command of the section ran, or is named in NOT_RUN.
    ran = {c for _, c in d.ran}
    for cmd in d.cmds:
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
                cursor = d.cmds.index(c, cursor)
            except ValueError:
                raise TestFailure(f"{node or 'CA'}: {c!r} runs out of the "
                                  f"README's order")


if __name__ == "__main__":
    run_fresh("first-deployment", test)
