#!/usr/bin/env python3
"""bench/run.py: pocd side by side with Mosquitto and RabbitMQ on loopback
(`make bench`).

Starts two pocd nodes (AUS sends, FRA receives) through tests/testbed, one
Mosquitto on a free port with the same throwaway PKI (require_certificate,
persistence, QoS 1, the same in-flight window) and one RabbitMQ
(bench/rabbit.py: TLS with verify_peer and fail_if_no_peer_cert, durable
queues, persistent messages, publisher confirms), runs bench/pocbench
against each, and prints one table (bench/table.py): pocd's figure,
Mosquitto's, RabbitMQ's with a classic and with a quorum queue, pocd's
ratios and the targets, each the median of RUNS runs with min and max.
bench/results.json gets the same with every run's figure.

Environment: POCD, POCCTL, POCBENCH (binaries), BENCH_QUICK=1 (a short run
with small counts, for trying the bench itself), BENCH_RUNS (default 3),
BENCH_KEEP=1 (keep the work directory), BENCH_DRAIN=N (messages in the
drain rows, default 50,000), BENCH_ROWS (the sections to run, comma
separated, of guarantee, throughput, latency, storm, idle, drain; default
all),
BENCH_POCD_WINDOW, BENCH_MQ_INFLIGHT, BENCH_RABBIT_PREFETCH (the drain's
window for each side; defaults are each side's best on the development
machine, docs/performance.md).  A section that fails is reported as failed
(with the reason) and the others still run.
"""

import json
import os
import platform
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

import fsynccheck
import rabbit
import table

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(HERE)
TESTBED = os.path.join(REPO, "tests", "testbed")
POCBENCH = os.environ.get("POCBENCH", os.path.join(REPO, "build", "pocbench"))
QUICK = os.environ.get("BENCH_QUICK") == "1"
RUNS = int(os.environ.get("BENCH_RUNS", "3"))

N_TPUT = 2000 if QUICK else 20000       # messages per throughput run, in all
N_LAT = 100 if QUICK else 300           # messages per latency run
LAT_GAP_MS = 5                          # "low rate": one every 5 ms at most
STORM_S = 1 if QUICK else 3             # seconds per connection-storm run
IDLE = (200, 500) if QUICK else (1000, 5000)
N_DRAIN = int(os.environ.get("BENCH_DRAIN", 2000 if QUICK else 50000))
WINDOW = 64
QUEUE_TYPES = ("classic", "quorum")
SECTIONS = ("guarantee", "throughput", "latency", "storm", "idle", "drain")
ROWS = [x for x in os.environ.get("BENCH_ROWS", ",".join(SECTIONS)).split(",") if x]
# Each side at its best in the drain (issue 11): pocd's [delivery] window
# at AUS, Mosquitto's max_inflight_messages (0: unlimited), the RabbitMQ
# consumer's prefetch (basic.qos).
POCD_DRAIN_WINDOW = int(os.environ.get("BENCH_POCD_WINDOW", "1024"))
MQ_DRAIN_INFLIGHT = int(os.environ.get("BENCH_MQ_INFLIGHT", "0"))
RABBIT_PREFETCH = int(os.environ.get("BENCH_RABBIT_PREFETCH", "1000"))
BENCH_LIMITS = """
# ---- added by bench/run.py: room for the idle-connection rows
[limits]
max_connections = 12000
max_connections_per_address = 12000
idle_timeout = 3600
"""


def say(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def sh(argv, timeout=900, input=None):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                       input=input)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} exited {r.returncode}:\n"
                           f"{r.stdout}{r.stderr}")
    return r.stdout


def pocbench(*args, timeout=900, input=None):
    out = sh([POCBENCH] + [str(a) for a in args], timeout=timeout, input=input)
    return json.loads(out.strip().splitlines()[-1])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_s(pid):
    """CPU seconds (user + system) used so far by process pid."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_s():
    """CPU seconds used by the waited-for children (pocbench runs)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "mosquitto": mosquitto_version(), "rabbitmq": rabbit.version(),
            "load_average": os.getloadavg()}


def mosquitto_version():
    try:
        r = subprocess.run(["mosquitto", "-h"], capture_output=True, text=True,
                           timeout=10)
        for line in (r.stdout + r.stderr).splitlines():
            if "version" in line:
                return line.strip()
    except OSError:
        pass
    return "unknown"


def summary(vals):
    return {"median": statistics.median(vals), "min": min(vals),
            "max": max(vals), "runs": vals}


class Bed:
    """The pocd side: AUS and FRA through tests/testbed, bench limits."""

    def __init__(self, d):
        self.d = d
        sh([TESTBED, "up", d, "AUS", "FRA"], timeout=120)
        for m in ("AUS", "FRA"):
            with open(self.info(m)["config"], "a", encoding="utf-8") as f:
                f.write(BENCH_LIMITS)
                if m == "AUS":      # the sender of the drain
                    f.write(f"[delivery]\nwindow = {POCD_DRAIN_WINDOW}\n")
            self.restart(m)

    def state(self):
        with open(os.path.join(self.d, "testbed.json"), encoding="utf-8") as f:
            return json.load(f)

    def info(self, m):
        return self.state()["members"][m]

    def stop(self, m):
        sh([TESTBED, "stop", self.d, m], timeout=60)

    def start(self, m):
        sh([TESTBED, "start", self.d, m], timeout=60)

    def restart(self, m):
        self.stop(m)
        self.start(m)

    def down(self):
        subprocess.run([TESTBED, "down", self.d], capture_output=True, timeout=120)

    def peer_args(self):
        """pocbench arguments: AUS's node certificate to FRA's peer listener."""
        fra, aus = self.info("FRA"), self.info("AUS")
        return ["--proto", "poc", "--port", fra["peer_port"], "--ca",
                aus["network_ca"], "--cert", aus["node_cert"], "--key",
                aus["node_key"], "--member", "AUS", "--to", "FRA"]

    def count_in(self, since_ms=0):
        return query(self.info("FRA")["db"], "SELECT count(*) FROM messages "
                     "WHERE direction = 'in' AND received_at >= ?", (since_ms,))[0]


def query(db, sql, args=()):
    """One row from db, opened read-only (the node keeps writing)."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return c.execute(sql, args).fetchone()
    finally:
        c.close()


class Mosquitto:
    """Mosquitto with the same PKI, its best settings for this workload."""

    def __init__(self, d, bed):
        self.d = os.path.join(d, "mosquitto")
        os.makedirs(os.path.join(self.d, "store"), exist_ok=True)
        self.port = free_port()
        fra, aus = bed.info("FRA"), bed.info("AUS")
        self.conf = os.path.join(self.d, "mosquitto.conf")
        self.fra = fra
        self.inflight = None
        self.write_conf(WINDOW)
        self.args = ["--proto", "mqtt", "--port", self.port, "--ca",
                     aus["network_ca"], "--cert", aus["node_cert"], "--key",
                     aus["node_key"]]
        self.p = None
        self.start()

    def write_conf(self, inflight):
        """max_inflight_messages: what Mosquitto sends a subscriber before
        its PUBACKs (0: unlimited); it matters in the drain only."""
        fra = self.fra
        self.inflight = inflight
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(f"""\
# written by bench/run.py
listener {self.port} 127.0.0.1
require_certificate true
use_identity_as_username true
cafile {fra['network_ca']}
certfile {fra['node_cert']}
keyfile {fra['node_key']}
persistence true
persistence_location {self.d}/store/
max_inflight_messages {inflight}
max_queued_messages 0
set_tcp_nodelay true
user root
log_dest file {self.d}/mosquitto.log
log_type error
log_type warning
""")

    def start(self):
        self.p = subprocess.Popen(["mosquitto", "-c", self.conf],
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if self.p.poll() is not None:
                    raise RuntimeError("mosquitto exited at start-up; see "
                                       f"{self.d}/mosquitto.log")
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not listen within 10 s")

    def stop(self):
        if self.p is not None and self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.p = None


def fsync_p99(d, n=1000):
    """p99 of one committed single-row WAL transaction (synchronous=FULL)
    on the disk under d, in ms."""
    path = os.path.join(d, "fsync.db")
    for ext in ("", "-wal", "-shm"):
        if os.path.exists(path + ext):
            os.unlink(path + ext)
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=FULL")
    c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)")
    blob = b"x" * 1200
    lat = []
    for _ in range(n):
        t = time.perf_counter()
        c.execute("BEGIN")
        c.execute("INSERT INTO t (b) VALUES (?)", (blob,))
        c.execute("COMMIT")
        lat.append((time.perf_counter() - t) * 1000)
    c.close()
    lat.sort()
    return lat[int(n * 0.99)]


def sides(bed, mq, rq):
    """The servers measured in the throughput and latency rows: (name,
    pocbench arguments, its server's PID, what to do before each run)."""
    out = [("pocd", bed.peer_args(), lambda: bed.info("FRA")["pid"], None),
           ("mosquitto", mq.args, lambda: mq.p.pid, None)]
    if rq is not None:
        for qt in QUEUE_TYPES:
            out.append((f"rabbitmq_{qt}", rq.args + ["--queue", qt],
                        lambda: rq.pid,
                        lambda conns, qt=qt: rabbit_setup(rq, qt, conns)))
    return out


def rabbit_setup(rq, qt, conns):
    """Declares the durable queues qt-0 .. qt-(conns-1) of type qt, empty."""
    pocbench("amqsetup", *rq.args, "--queue", qt, "--queue-type", qt,
             "--conns", conns, timeout=120)


def bench_throughput(bed, mq, rq, conns):
    """Rates, and the CPU each side spent per message: the server's (FRA,
    Mosquitto or RabbitMQ's beam.smp) and the load generator's, so that
    the figures can be read apart from how busy the machine was."""
    per = max(1, N_TPUT // conns)
    res = {"cpu_us": {}}
    for name, args, pidf, prepare in sides(bed, mq, rq):
        vals, srv, cli = [], [], []
        try:
            for _ in range(RUNS):
                if prepare:
                    prepare(conns)
                before = bed.count_in() if name == "pocd" else 0
                pid = pidf()
                s0, c0 = cpu_s(pid), children_cpu_s()
                r = pocbench("tput", *args, "--conns", conns, "--count", per,
                             "--window", WINDOW)
                s1, c1 = cpu_s(pid), children_cpu_s()
                if name == "pocd":
                    got = bed.count_in() - before
                    if got != per * conns:
                        raise RuntimeError(f"FRA committed {got}, want {per * conns}")
                vals.append(r["rate"])
                srv.append((s1 - s0) * 1e6 / (per * conns))
                cli.append((c1 - c0) * 1e6 / (per * conns))
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
            failed(f"throughput, {conns} peer(s), {name}", e)
            continue
        res[name] = summary(vals)
        res["cpu_us"][name] = {"server": summary(srv), "client": summary(cli)}
    return res


def bench_latency(bed, mq, rq, d):
    """Each run: the p99 of a single-row fsync'd commit on the disk under d
    (the target's allowance), then each side's latency, so that all see
    the disk and the machine of the same minute."""
    res = {"fsync": []}
    for _ in range(RUNS):
        res["fsync"].append(fsync_p99(d))
        for name, args, _, prepare in sides(bed, mq, rq):
            try:
                if prepare:
                    prepare(1)
                r = pocbench("lat", *args, "--count", N_LAT, "--interval-ms",
                             LAT_GAP_MS)
            except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
                failed(f"latency, {name}", e)
                continue
            res.setdefault(name, []).append(r)
    out = {name: {k: summary([r[k] for r in runs])
                  for k in ("p50_ms", "p99_ms", "max_ms")}
           for name, runs in res.items() if name != "fsync"}
    out["fsync_p99_ms"] = summary(res["fsync"])
    return out


def bench_storm(bed, mq):
    res = {}
    for name, args, extra in (("pocd", bed.peer_args(), []),
                              ("pocd_resumed", bed.peer_args(), ["--resume"]),
                              ("mosquitto", mq.args, [])):
        vals = []
        for _ in range(RUNS):
            r = pocbench("storm", *args, "--seconds", STORM_S, "--threads", 2,
                         *extra)
            if extra and r["resumed"] < r["connections"] * 0.9:
                raise RuntimeError(f"only {r['resumed']} of {r['connections']} "
                                   "handshakes resumed")
            vals.append(r["rate"])
        res[name] = summary(vals)
    return res


def idle_once(args, pid, n):
    """RSS growth of pid per connection while n idle authenticated
    connections are held (KiB)."""
    # One connection first, so that what every connection shares (TLS
    # tables, the first allocations) is in the baseline.
    pocbench("idle", *args, "--conns", 1, input="")
    time.sleep(0.3)
    base = rss_kib(pid)
    p = subprocess.Popen([POCBENCH, "idle"] + [str(a) for a in args] +
                         ["--conns", str(n)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        if not line.startswith('{"ready"'):
            raise RuntimeError(f"pocbench idle: {line}{p.stderr.read()}")
        time.sleep(1.0)
        held = rss_kib(pid)
    finally:
        p.stdin.close()
        p.wait(120)
    time.sleep(1.0)     # let the server see the closes
    return (held - base) / n


def bench_idle(bed, mq, n):
    """Each run on a freshly started server: memory freed by an earlier
    run would otherwise be reused and hide the cost."""
    res = {}
    for name, args, pidf, restart in (
            ("pocd", bed.peer_args(), lambda: bed.info("FRA")["pid"],
             lambda: bed.restart("FRA")),
            ("mosquitto", mq.args, lambda: mq.p.pid,
             lambda: (mq.stop(), mq.start()))):
        vals = []
        for _ in range(RUNS):
            restart()
            vals.append(idle_once(args, pidf(), n))
        res[name] = summary(vals)
    return res


def drain_pocd(bed):
    """AUS holds N_DRAIN envelopes for FRA (stopped); FRA starts.  Rate from
    the first commit at FRA to the last receipt recorded at AUS."""
    aus, fra = bed.info("AUS"), bed.info("FRA")
    bed.stop("FRA")
    say(f"queueing {N_DRAIN} envelopes at AUS for FRA (operator RPC)")
    q = pocbench("queue", "--port", aus["operator_port"], "--ca", aus["network_ca"],
                 "--cert", aus["operator_cert"], "--key", aus["operator_key"],
                 "--to", "FRA", "--count", N_DRAIN, "--conns", 4, "--window", 16)
    say(f"queued at {q['rate']:.0f}/s")
    bed.stop("AUS")
    # The nodes' own files, copied while both are stopped: every run
    # starts from exactly what AUS wrote.
    for info in (aus, fra):
        for ext in ("", "-wal", "-shm"):
            if os.path.exists(info["db"] + ext):
                shutil.copy2(info["db"] + ext, info["db"] + ext + ".pristine")
    vals = []
    for i in range(RUNS):
        if i > 0:
            bed.stop("AUS")
            bed.stop("FRA")
            for info in (aus, fra):
                for ext in ("", "-wal", "-shm"):
                    if os.path.exists(info["db"] + ext):
                        os.unlink(info["db"] + ext)
                    if os.path.exists(info["db"] + ext + ".pristine"):
                        shutil.copy2(info["db"] + ext + ".pristine", info["db"] + ext)
        t_wall = int(time.time() * 1000)
        bed.start("FRA")
        bed.start("AUS")
        deadline = time.monotonic() + 600
        while query(aus["db"], "SELECT count(*) FROM outbox")[0] > 0:
            if time.monotonic() > deadline:
                raise RuntimeError("AUS's outbox did not drain within 600 s")
            time.sleep(0.2)
        n, first = query(fra["db"], "SELECT count(*), min(received_at) FROM "
                         "messages WHERE direction = 'in' AND received_at >= ?",
                         (t_wall,))
        last = query(aus["db"], "SELECT max(delivered_at) FROM messages WHERE "
                     "direction = 'out' AND delivered_at >= ?", (t_wall,))[0]
        if n != N_DRAIN:
            raise RuntimeError(f"FRA committed {n} in the drain, want {N_DRAIN}")
        vals.append(N_DRAIN / max(0.001, (last - first) / 1000.0))
    return {"rate": summary(vals), "window": POCD_DRAIN_WINDOW,
            "window_text": f"window {POCD_DRAIN_WINDOW}"}


def drain_mosquitto(mq):
    """A persistent QoS 1 session subscribes and leaves, N_DRAIN messages
    are published, the session comes back: rate until it has them all
    (PUBACK each), with max_inflight_messages MQ_DRAIN_INFLIGHT."""
    mq.stop()
    mq.write_conf(MQ_DRAIN_INFLIGHT)
    mq.start()
    try:
        vals = []
        for i in range(RUNS):
            cid = f"drain{i}"
            pocbench("mqsub", *mq.args, "--client-id", cid)
            pocbench("tput", *mq.args, "--count", N_DRAIN, "--window", WINDOW,
                     "--client-id", f"fill{i}")
            r = pocbench("mqdrain", *mq.args, "--client-id", cid, "--count",
                         N_DRAIN)
            vals.append(r["rate"])
    finally:
        mq.stop()
        mq.write_conf(WINDOW)
        mq.start()
    text = ("max_inflight 0 (unlimited)" if MQ_DRAIN_INFLIGHT == 0 else
            f"max_inflight {MQ_DRAIN_INFLIGHT}")
    return {"rate": summary(vals), "window": MQ_DRAIN_INFLIGHT,
            "window_text": text}


def drain_rabbit(rq, qt):
    """A durable queue of type qt filled with N_DRAIN persistent messages
    (publisher confirms, window 64), then one consumer with a prefetch of
    RABBIT_PREFETCH that acknowledges each: rate until it has them all."""
    vals = []
    for _ in range(RUNS):
        rabbit_setup(rq, qt, 1)
        pocbench("tput", *rq.args, "--queue", qt, "--count", N_DRAIN,
                 "--window", WINDOW)
        r = pocbench("amqdrain", *rq.args, "--queue", qt, "--count", N_DRAIN,
                     "--window", RABBIT_PREFETCH)
        vals.append(r["rate"])
    return {"rate": summary(vals), "window": RABBIT_PREFETCH,
            "window_text": f"prefetch {RABBIT_PREFETCH}"}


ERRORS = {}


def failed(name, e):
    say(f"{name}: FAILED: {e}")
    ERRORS[name] = str(e)


RESULTS_JSON = os.path.join(HERE, "results.json")


def save(res):
    """Writes what is measured so far, so that a run stopped half-way
    still leaves its figures ("complete": false until the end)."""
    tmp = RESULTS_JSON + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(res, f, indent=2)
    os.replace(tmp, RESULTS_JSON)


def section(name, fn):
    say(name)
    try:
        return fn()
    except (RuntimeError, subprocess.TimeoutExpired, ValueError, OSError) as e:
        failed(name, e)
        return None


def start_rabbit(d, bed):
    """RabbitMQ with FRA's certificate; pocbench logs in as AUS."""
    fra, aus = bed.info("FRA"), bed.info("AUS")
    return rabbit.RabbitMQ(
        d, {"ca": fra["network_ca"], "cert": fra["node_cert"],
            "key": fra["node_key"]},
        {"ca": aus["network_ca"], "cert": aus["node_cert"],
         "key": aus["node_key"]}, "AUS")


def guarantee(rq, d):
    """bench/fsynccheck.py for each queue type, and classic version 2 as
    the control that must fail it."""
    return {qt: fsynccheck.check(pocbench, rq, f"fsync-{qt}", qt, d)
            for qt in QUEUE_TYPES + ("classic-v2",)}


def run_sections(res, d, bed, mq, rq):
    """Each section in turn; results.json is rewritten after each."""
    if "guarantee" in ROWS and rq is not None:
        res["guarantee"] = section("RabbitMQ: a confirm only after an fsync?",
                                   lambda: guarantee(rq, d))
        save(res)
    if "throughput" in ROWS:
        res["throughput"] = {}
        for c in (1, 8):
            res["throughput"][str(c)] = section(
                f"throughput, {c} peer(s)",
                lambda c=c: bench_throughput(bed, mq, rq, c))
            save(res)
    if "latency" in ROWS:
        res["latency"] = section("latency, and the fsync p99 of the same minutes",
                                 lambda: bench_latency(bed, mq, rq, d))
        res["fsync_p99_ms"] = (res["latency"] or {}).pop("fsync_p99_ms", None)
        save(res)
    if "storm" in ROWS:
        res["storm"] = section("connection storm", lambda: bench_storm(bed, mq))
        save(res)
    if "idle" in ROWS:
        res["idle"] = {}
        for n in IDLE:
            res["idle"][str(n)] = section(f"{n} idle connections",
                                          lambda n=n: bench_idle(bed, mq, n))
            save(res)
    if "drain" in ROWS:
        res["drain"] = {}
        res["drain"]["mosquitto"] = section("drain: Mosquitto",
                                            lambda: drain_mosquitto(mq))
        save(res)
        if rq is not None:
            for qt in QUEUE_TYPES:
                res["drain"][f"rabbitmq_{qt}"] = section(
                    f"drain: RabbitMQ {qt}", lambda qt=qt: drain_rabbit(rq, qt))
                save(res)
        res["drain"]["pocd"] = section("federation drain: pocd",
                                       lambda: drain_pocd(bed))
        save(res)


def main():
    # SIGTERM (make interrupted, a timeout) unwinds like an error, so that
    # the finally below stops every server by its PID.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < max(IDLE) + 200:
        say(f"fd limit {hard} is below {max(IDLE) + 200}: idle rows will fail")
    for b in (POCBENCH, os.environ.get("POCD", ""), os.environ.get("POCCTL", "")):
        if b and not os.access(b, os.X_OK):
            sys.exit(f"bench: {b}: not built (make bin)")
    for b, where in (("mosquitto", "mosquitto"),
                     (rabbit.RABBITMQ_SERVER, "rabbitmq-server"),
                     ("strace", "strace")):
        if shutil.which(b) is None:
            sys.exit(f"bench: {b} is not installed (make bench installs "
                     f"the {where} package)")
    unknown = set(ROWS) - set(SECTIONS)
    if unknown:
        sys.exit(f"bench: BENCH_ROWS: unknown {', '.join(sorted(unknown))} "
                 f"(known: {', '.join(SECTIONS)})")
    os.environ.setdefault("TESTBED_LOG_LEVEL", "warning")
    d = tempfile.mkdtemp(prefix="pocd-bench-")
    bed = mq = rq = None
    ok = False
    try:
        res = {"machine": machine(), "quick": QUICK, "runs": RUNS,
               "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "counts": {"throughput": N_TPUT, "latency": N_LAT,
                          "storm_seconds": STORM_S, "idle": list(IDLE),
                          "drain": N_DRAIN, "window": WINDOW, "body_bytes": 1024},
               "errors": ERRORS, "complete": False}
        say(f"work directory {d}")
        bed = Bed(d)
        mq = Mosquitto(d, bed)
        rq = section("starting RabbitMQ", lambda: start_rabbit(d, bed))
        run_sections(res, d, bed, mq, rq)
        res["machine"]["load_average_end"] = os.getloadavg()
        rows = table.build(res, N_DRAIN, IDLE)
        res["table"] = rows
        m = res["machine"]
        title = (f"pocd vs Mosquitto and RabbitMQ on loopback, {m['cores']} "
                 f"cores, {m['cpu']}; {m['mosquitto']}; {m['rabbitmq']}; "
                 f"median [min-max] of {RUNS} runs; load average "
                 f"{m['load_average'][0]:.1f} at the start"
                 f"{' (BENCH_QUICK)' if QUICK else ''}")
        print("\n" + table.render(rows, title, ERRORS))
        res["complete"] = True
        save(res)
        say(f"wrote {RESULTS_JSON}")
        ok = True
    finally:
        for server in (rq, mq):
            if server is not None:
                server.stop()
        if bed is not None:
            bed.down()
        if ok and not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(d, ignore_errors=True)
        else:
            say(f"work directory kept: {d}")


if __name__ == "__main__":
    main()
