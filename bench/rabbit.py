"""bench/rabbit.py: the RabbitMQ of `make bench`, started and stopped by PID.

One RabbitMQ node (Debian's rabbitmq-server) with everything of its own in
a directory of the bench's temporary tree: its Mnesia and quorum data, its
logs, its configuration, its Erlang cookie (HOME) and its own epmd on a
free port.  Nothing of a system instance is read or touched: another
node name, other ports (AMQPS, distribution, epmd), other files.  If the
Debian package's postinst started the system service, it keeps running;
it only costs its idle CPU (docs/performance.md says so).

The listener is AMQP 0-9-1 over TLS only, with the bench's throwaway PKI,
verify_peer and fail_if_no_peer_cert, and SASL EXTERNAL: the user is the
client certificate's CN, as pocd and Mosquitto (use_identity_as_username)
take it.  The settings are those that keep RabbitMQ's guarantee (a
publisher confirm only after the message is fsync'ed); docs/performance.md
names them and why.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import time

RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
START_TIMEOUT = 300
STOP_TIMEOUT = 30


def free_ports(n):
    """n distinct free loopback TCP ports (all held until all are read)."""
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


def children(pid):
    """PIDs of the direct children of pid."""
    out = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            out = [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm", encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return ""


def version():
    """The installed rabbitmq-server's version, from dpkg."""
    try:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}",
                            "rabbitmq-server"], capture_output=True,
                           text=True, timeout=10)
        return f"RabbitMQ {r.stdout.strip()}" if r.returncode == 0 else "unknown"
    except OSError:
        return "unknown"


class RabbitMQ:
    """RabbitMQ with FRA's node certificate and the network CA; the load
    generator logs in as AUS with AUS's node certificate."""

    def __init__(self, d, server, client, user):
        """server, client: {"ca", "cert", "key"} paths; user: the client
        certificate's CN."""
        self.d = os.path.join(d, "rabbitmq")
        for sub in ("mnesia", "log", "home"):
            os.makedirs(os.path.join(self.d, sub), exist_ok=True)
        self.port, self.dist_port, self.epmd_port = free_ports(3)
        self.node = f"pocbench{os.getpid()}x{secrets.token_hex(4)}@localhost"
        self._write_config(server, user)
        self.args = ["--proto", "amqp", "--port", self.port, "--ca",
                     client["ca"], "--cert", client["cert"], "--key",
                     client["key"]]
        self.script = self.epmd = None
        self.pid = None            # beam.smp: the server whose CPU is counted
        try:
            self.start()
        except BaseException:
            self.stop()            # what did start, by its PID
            raise

    def _write_config(self, server, user):
        p = lambda name: os.path.join(self.d, name)
        defs = {"vhosts": [{"name": "/"}],
                "users": [{"name": user, "password_hash": "", "tags": "",
                           "hashing_algorithm": "rabbit_password_hashing_sha256"}],
                "permissions": [{"user": user, "vhost": "/", "configure": ".*",
                                 "write": ".*", "read": ".*"}]}
        with open(p("definitions.json"), "w", encoding="utf-8") as f:
            json.dump(defs, f)
        with open(p("rabbitmq.conf"), "w", encoding="utf-8") as f:
            f.write(f"""\
# written by bench/rabbit.py
listeners.tcp = none
listeners.ssl.1 = 127.0.0.1:{self.port}
ssl_options.cacertfile = {server['ca']}
ssl_options.certfile = {server['cert']}
ssl_options.keyfile = {server['key']}
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = true
ssl_options.versions.1 = tlsv1.3
ssl_options.versions.2 = tlsv1.2
auth_mechanisms.1 = EXTERNAL
ssl_cert_login_from = common_name
load_definitions = {p('definitions.json')}
# Version 1: 3.10's version 2 confirms before its fsync.  Bodies below
# 4 KiB go into the queue index, so a confirm waits for one fsync.
classic_queue.default_version = 1
queue_index_embed_msgs_below = 4096
collect_statistics = none
disk_free_limit.absolute = 50MB
vm_memory_high_watermark.relative = 0.6
log.console = false
log.file.level = warning
""")
        with open(p("advanced.config"), "w", encoding="utf-8") as f:
            # The quorum queues' WAL: fdatasync before a confirm (Ra's
            # default, written out; "none" would not keep the guarantee).
            f.write("[{ra, [{wal_sync_method, datasync}]}].\n")
        with open(p("enabled_plugins"), "w", encoding="utf-8") as f:
            f.write("[rabbitmq_auth_mechanism_ssl].\n")
        with open(p("rabbitmq-env.conf"), "w", encoding="utf-8") as f:
            f.write("# empty: /etc/rabbitmq/rabbitmq-env.conf is not read\n")

    def env(self):
        p = lambda name: os.path.join(self.d, name)
        e = dict(os.environ)
        e.update({
            "HOME": p("home"),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_USE_LONGNAME": "false",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONF_ENV_FILE": p("rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": p("rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": p("advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": p("enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": p("mnesia"),
            "RABBITMQ_LOG_BASE": p("log"),
            "RABBITMQ_PID_FILE": p("rabbitmq.pid"),
            # Distribution on the loopback only.  (No busy-waiting
            # schedulers, +sbwt none, is already RabbitMQ's default.)
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS":
                "-kernel inet_dist_use_interface {127,0,0,1}",
        })
        return e

    def start(self):
        env = self.env()
        # Our own epmd in the foreground, so that it is our child and is
        # stopped by its PID; the node finds it on ERL_EPMD_PORT.
        self.epmd = subprocess.Popen(["epmd", "-port", str(self.epmd_port)],
                                     env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self._wait(lambda: listening(self.epmd_port), 10, "epmd")
        with open(os.path.join(self.d, "log", "console.log"), "ab") as out:
            self.script = subprocess.Popen([RABBITMQ_SERVER], env=env,
                                           stdin=subprocess.DEVNULL,
                                           stdout=out, stderr=out,
                                           start_new_session=True)
        self._wait(lambda: listening(self.port), START_TIMEOUT,
                   "RabbitMQ's TLS listener")
        self.pid = self._find_beam()

    def _wait(self, ready, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            for proc in (self.epmd, self.script):
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"{what}: a process exited at "
                                       f"start-up; see {self.d}/log/")
            time.sleep(0.1)
        raise RuntimeError(f"{what} not listening within {timeout} s; see "
                           f"{self.d}/log/")

    def _find_beam(self):
        """The beam.smp under the rabbitmq-server script (a child, or the
        script itself once it has exec'ed)."""
        todo, seen = [self.script.pid], set()
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            if comm(pid).startswith("beam"):
                return pid
            todo.extend(children(pid))
        raise RuntimeError("no beam.smp under the rabbitmq-server script")

    def stop(self):
        """SIGTERM to the script (which stops the node), the node itself
        if it is still there, then our epmd: each by its PID."""
        if self.script is not None and self.script.poll() is None:
            self.script.send_signal(signal.SIGTERM)
            try:
                self.script.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        if self.pid is not None and comm(self.pid).startswith("beam"):
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.script is not None and self.script.poll() is None:
            self.script.kill()
            self.script.wait()
        if self.epmd is not None and self.epmd.poll() is None:
            self.epmd.terminate()
            try:
                self.epmd.wait(10)
            except subprocess.TimeoutExpired:
                self.epmd.kill()
                self.epmd.wait()
        self.script = self.epmd = self.pid = None
