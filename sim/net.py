"""The simulated network's nodes: PKI, configurations, processes and the
ways the scenarios look at them.

Processes are started and stopped with tests/testbed's functions (spawn,
is_ours, stop by pid and start time, so a recycled pid is never hit).
The scenarios act through pocctl, as operators would; to measure, they
read each node's own store read-only (SQLite allows readers beside the
writer), which is cheaper than 199 pocctl calls per sample and reads
exactly what the node has committed.
"""

import concurrent.futures
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import signal
import sqlite3
import ssl
import subprocess
import time

REPO = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
MKPKI = os.path.join(REPO, "certs", "mkpki")
POCCTL = os.path.abspath(os.environ.get("POCCTL", os.path.join(REPO, "build", "pocctl")))
POCPEER = os.path.abspath(os.environ.get("POCPEER", os.path.join(REPO, "build", "pocpeer")))


def _load_testbed():
    path = os.path.join(REPO, "tests", "testbed")
    loader = importlib.machinery.SourceFileLoader("testbed", path)
    spec = importlib.util.spec_from_loader("testbed", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


testbed = _load_testbed()

# Lean settings for 199 nodes on one 2-core machine (docs/simulation.md),
# added to tests/testbed's configuration ([node] synchronous = normal too).
LEAN = """
[store]
verify_threads = 0
checkpoint_pages = 0
batch_wait_ms = 0

[limits]
max_connections = 1024
max_connections_per_address = 1024
tls_session_cache = 64

[delivery]
retry_initial = 1
retry_max = 2
window = 64

[checks]
reply_within = 20

[deadlines]
none = 3600
"""

# [directory]: pulls only when a round asks; a registry keeps enrollment
# manual (its scripted operator approves) without the per-address rate
# limit, since every one of the 193 members enrolls from 127.0.0.1.
DIRECTORY = """
[directory]
sync_interval = 0
"""
REGISTRY_DIRECTORY = DIRECTORY + """enrollment = manual
enrollment_rate = 0
"""

SYNC_END = re.compile(r"directory sync (\S+): "
                      r"(done|connection ended|no endpoint|enrollment \w+)")


class SimError(Exception):
    pass


def run(argv, timeout=60, input=None):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                       input=input, stdin=None if input else subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


def pmap(fn, items, workers=8):
    """fn over items with a small pool; results in order.  Each call is a
    pocctl or pocpeer process, which spends its time in its TLS handshake
    and waiting on the node: a few more workers than cores keep both
    cores busy."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(fn, items))


def cert_fingerprint(pem_path):
    """SHA-256 of the certificate's DER, as pocd -F prints it (in Python:
    199 openssl processes took seconds of the set-up)."""
    try:
        with open(pem_path, encoding="ascii") as f:
            der = ssl.PEM_cert_to_DER_cert(f.read())
    except (OSError, ValueError) as e:
        raise SimError(f"{pem_path}: {e}") from e
    return hashlib.sha256(der).hexdigest()


class Net:
    """Members and registries on loopback, in directory d."""

    def __init__(self, d, members, registries, home, log=print):
        self.dir = d
        self.members = list(members)
        self.registries = list(registries)       # global first
        self.home = dict(home)
        self.log = log
        self.codes = self.registries + self.members
        self.nodes = {}
        self.log_offsets = {}
        self.revoked = set()        # members whose certificate was revoked
        self.started_members = False
        self.ever_ready = set()
        self.second_upstream = set()    # members given a second registry
        self.node_cpu = 0.0             # CPU seconds of the nodes stopped so far

    # ------------------------------------------------------------ set-up

    def upstreams(self, code):
        """A member pulls from its home regional registry (the one it joins
        through) and, once given one (second_upstream), one other registry
        (the next regional, or the global one if there is no other); a
        regional pulls from the global registry; the global one from every
        regional."""
        g, regs = self.registries[0], self.registries[1:]
        if code == g:
            return list(regs)
        if code in regs:
            return [g]
        h = self.home[code]
        if code not in self.second_upstream:
            return [h]
        others = [r for r in regs if r != h]
        second = others[regs.index(h) % len(others)] if others else g
        return [h, second]

    def pki(self, cache):
        """The PKI of every node in self.dir: copied from cache if a run
        before made it for the same codes, else made there by certs/mkpki
        (minutes for 199 nodes on 2 busy cores) and then copied.  A copy,
        because the scenarios revoke and issue certificates."""
        t0 = time.monotonic()
        key = hashlib.sha256(" ".join(self.codes).encode()).hexdigest()[:16]
        src = os.path.join(cache, key) if cache else None
        if src is None or not os.path.exists(os.path.join(src, "complete")):
            dst = src or self.dir
            if src:
                shutil.rmtree(src, ignore_errors=True)
            os.makedirs(dst, exist_ok=True)
            rc, out, err = run([MKPKI, "all", dst] + self.codes, timeout=3600)
            if rc != 0:
                raise SimError(f"mkpki all: {out}{err}")
            if src:
                with open(os.path.join(src, "complete"), "w", encoding="ascii") as f:
                    f.write(" ".join(self.codes) + "\n")
            self.log(f"PKI for {len(self.codes)} nodes made in "
                     f"{time.monotonic() - t0:.1f} s")
        if src:
            shutil.copytree(src, self.dir, symlinks=True, dirs_exist_ok=True)
            self.log(f"PKI for {len(self.codes)} nodes from {src}")

    def setup(self, pki_cache=None):
        os.makedirs(self.dir, exist_ok=True)
        self.pki(pki_cache)
        ports = testbed.free_ports(2 * len(self.codes))
        for i, code in enumerate(self.codes):
            info = testbed.member_paths(self.dir, code)
            info.update(peer_port=ports[2 * i], operator_port=ports[2 * i + 1],
                        pid=0, pid_start=None)
            self.nodes[code] = info
        for code in self.codes:
            info = self.nodes[code]
            info["fingerprint"] = cert_fingerprint(info["node_cert"])
        for code in self.codes:
            self.write_config(code)
            testbed.write_file(self.nodes[code]["pocctl_config"],
                               testbed.pocctl_config(code, self.nodes[code]))

    def write_config(self, code):
        info = self.nodes[code]
        base = testbed.pocd_config(code, info, self.nodes)
        # The lean keys replace the test bed's [delivery] section.
        base = base[:base.index("[delivery]")]
        text = base.replace(f"log_level = {testbed.LOG_LEVEL}\n",
                            f"log_level = {testbed.LOG_LEVEL}\n"
                            "synchronous = normal\n") + LEAN
        text += REGISTRY_DIRECTORY if code in self.registries else DIRECTORY
        # A member starts with what joining needs: the network CA and its
        # certificate (above), one registry's endpoint and fingerprint.  A
        # second registry is added later by endpoint only: its certificate
        # is pinned by its record, which the member then holds.
        for i, up in enumerate(self.upstreams(code)):
            u = self.nodes[up]
            text += f"\n[upstream {up}]\nendpoint = 127.0.0.1:{u['peer_port']}\n"
            if code in self.registries or i == 0:
                text += f"fingerprint = {u['fingerprint']}\n"
        testbed.write_file(info["config"], text)

    def save(self):
        testbed.save_state(self.dir, {"dir": self.dir, "members": self.nodes})

    # --------------------------------------------------------- processes

    def start(self, codes, timeout=120):
        """Starts codes and waits until each is ready.  A node that finds
        its port taken at its first start (the ports were free when
        chosen, but this machine is shared) gets new ones and is started
        again; the registries go first, before anyone dials them."""
        codes = list(codes)
        for attempt in range(4):
            for code in codes:
                self.log_offsets[code] = self.log_size(code)
                testbed.spawn(self.nodes[code])
                self.save()
            failed = self._wait_ready(codes, timeout)
            if not failed:
                return
            # A node that ran before has its endpoint in records others
            # hold; a registry is dialled by the members once they run.
            if attempt == 3 or any(c in self.ever_ready or (
                    c in self.registries and self.started_members) for c in failed):
                raise SimError(f"nodes did not start, port taken: {failed}")
            self.log(f"ports taken meanwhile for {failed}: new ports, started again")
            for code in failed:
                ports = testbed.free_ports(2)
                self.nodes[code].update(peer_port=ports[0], operator_port=ports[1])
            for code in self.codes:
                if code in failed or set(self.upstreams(code)) & set(failed):
                    self.write_config(code)
                    testbed.write_file(self.nodes[code]["pocctl_config"],
                                       testbed.pocctl_config(code, self.nodes[code]))
            codes = failed

    def _wait_ready(self, codes, timeout):
        """Waits for "ready" in each log; returns the nodes that exited
        because their port was taken (any other failure raises)."""
        rx = re.compile(r"member \S+ ready")
        pending, taken = set(codes), []
        deadline = time.monotonic() + timeout
        while pending:
            for code in list(pending):
                text = self.log_since(code, self.log_offsets.get(code, 0))
                if rx.search(text):
                    pending.discard(code)
                    self.ever_ready.add(code)
                    if code in self.members:
                        self.started_members = True
                elif not testbed.is_ours(self.nodes[code]["pid"], self.nodes[code]):
                    pending.discard(code)
                    if "Address already in use" not in text:
                        raise SimError(f"{code}: pocd exited at start:\n{text[-800:]}")
                    taken.append(code)
            if pending and time.monotonic() > deadline:
                raise SimError(f"not ready within {timeout} s: {sorted(pending)[:10]}")
            time.sleep(0.2)
        return taken

    def stop(self, codes, sig=signal.SIGTERM):
        for code in codes:
            self.node_cpu += self.cpu_seconds(code)
        testbed.stop_members({"members": self.nodes}, list(codes), sig)

    def cpu_seconds(self, code):
        """User + system CPU seconds code's running pocd has used (0 if it
        is not running): the run adds them up as nodes stop."""
        info = self.nodes[code]
        if not testbed.is_ours(info.get("pid"), info):
            return 0.0
        try:
            with open(f"/proc/{info['pid']}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop_all(self):
        running = [c for c, i in self.nodes.items() if testbed.is_ours(i.get("pid"), i)]
        if running:
            self.stop(running)

    def add_second_upstream(self, codes, timeout=120):
        """codes (members) get their second registry as an operator gives
        it: a new configuration and SIGHUP, no restart.  Waits until each
        node logged the upstream added; with sync_interval = 0 its first
        pull is the next sync round's."""
        codes = [c for c in codes if c not in self.revoked]
        offs = {c: self.log_size(c) for c in codes}
        for c in codes:
            self.second_upstream.add(c)
            self.write_config(c)
        self.hup(codes)
        self.wait_logged(codes, re.compile(r"directory sync \S+: upstream added"),
                         timeout, "the second upstream added by SIGHUP",
                         offsets=offs)

    def hup(self, codes):
        for code in codes:
            testbed.signal_pid(self.nodes[code], signal.SIGHUP)

    def memory_kib(self, code):
        """{rss, pss, uss} of code's pocd in KiB (smaps_rollup), or None.
        RSS counts the shared libraries' pages in full in every process;
        PSS shares them out among the processes mapping them; USS is the
        node's own memory, what one more node costs."""
        info = self.nodes[code]
        if not testbed.is_ours(info["pid"], info):
            return None
        v = {}
        with open(f"/proc/{info['pid']}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                k, _, rest = line.partition(":")
                if k in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                    v[k] = int(rest.split()[0])
        return {"rss": v["Rss"], "pss": v["Pss"],
                "uss": v["Private_Clean"] + v["Private_Dirty"]}

    # ---------------------------------------------------------------- logs

    def log_size(self, code):
        try:
            return os.path.getsize(self.nodes[code]["log"])
        except OSError:
            return 0

    def log_since(self, code, offset):
        with open(self.nodes[code]["log"], "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    def wait_logged(self, codes, rx, timeout, what, count=None, offsets=None,
                    interval=0.2):
        """Waits until each node's log, since offsets[code] (else its
        offset when started), holds count[code] (default 1) lines matching
        rx.  Each log is read once, from where the last look stopped (at a
        line's end), so a poll costs what was written since.  Fails naming
        the nodes that did not."""
        pending = set(codes)
        pos = {c: (offsets or self.log_offsets).get(c, 0) for c in codes}
        seen = dict.fromkeys(codes, 0)
        deadline = time.monotonic() + timeout
        while pending:
            for code in list(pending):
                with open(self.nodes[code]["log"], "rb") as f:
                    f.seek(pos[code])
                    chunk = f.read()
                end = chunk.rfind(b"\n") + 1
                if end:
                    pos[code] += end
                    seen[code] += len(rx.findall(chunk[:end].decode("utf-8", "replace")))
                if seen[code] >= (count[code] if count else 1):
                    pending.discard(code)
            if not pending:
                return
            if time.monotonic() > deadline:
                raise SimError(f"{what}: {len(pending)} nodes did not log /{rx.pattern}/ "
                               f"within {timeout} s: {sorted(pending)[:10]}")
            time.sleep(interval)

    # -------------------------------------------------------------- pocctl

    def pocctl(self, code, *args, timeout=60, input=None):
        return run([POCCTL, "-c", self.nodes[code]["pocctl_config"]] +
                   [str(a) for a in args], timeout=timeout, input=input)

    def pocctl_json(self, code, *args, timeout=60):
        rc, out, err = self.pocctl(code, "--json", *args, timeout=timeout)
        if rc != 0:
            raise SimError(f"{code}: pocctl {' '.join(map(str, args))}: exit {rc}: {err}")
        return json.loads(out)

    def pocpeer_hello(self, as_code, to_code, cert, key, wait=3):
        """Whether to_code's peer listener takes a Hello from as_code with
        this certificate: a refusal is an Error right after the Hello (or
        a failed handshake), acceptance is wait seconds of silence."""
        me, peer = self.nodes[as_code], self.nodes[to_code]
        rc, out, err = run([POCPEER, "--connect", f"127.0.0.1:{peer['peer_port']}",
                            "--ca", me["network_ca"], "--cert", cert, "--key", key,
                            "--expect-cn", to_code, "--timeout", str(wait), "hello"],
                           timeout=30)
        return rc == 0

    # --------------------------------------------------------------- store

    def query(self, code, sql, args=()):
        """Rows of a read-only query on code's store."""
        uri = f"file:{self.nodes[code]['db']}?mode=ro"
        for attempt in range(20):
            try:
                con = sqlite3.connect(uri, uri=True, timeout=5)
                try:
                    return con.execute(sql, args).fetchall()
                finally:
                    con.close()
            except sqlite3.OperationalError:
                if attempt == 19:
                    raise
                time.sleep(0.1)
        return []

    def serials(self, code):
        return dict(self.query(code, "SELECT code, serial FROM directory"))

    # --------------------------------------------------------- sync rounds

    def sync_tier(self, codes, timeout=300):
        """Every node of codes pulls once from each of its upstreams; waits
        until each pull has ended (done or failed)."""
        offsets = {c: self.log_size(c) for c in codes}

        def go(c):
            rc, out, err = self.pocctl(c, "directory", "sync")
            if rc != 0:
                raise SimError(f"{c}: pocctl directory sync: {err}")
        pmap(go, codes)
        self.wait_logged(codes, SYNC_END, timeout, "sync round",
                         count={c: len(self.upstreams(c)) for c in codes},
                         offsets=offsets)

    def sync_round(self, after_tier=None):
        """One round: the members pull, then the regionals, then the global
        registry (the order that needs the most rounds for a record to go
        member -> regional -> global -> regional -> member)."""
        g, regs = self.registries[0], self.registries[1:]
        for tier in (self.members, regs, [g]):
            live = [c for c in tier if testbed.is_ours(self.nodes[c]["pid"], self.nodes[c])]
            if live:
                self.sync_tier(live)
            if after_tier:
                after_tier()
