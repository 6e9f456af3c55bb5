"""Free loopback TCP ports for the test beds, safe when tests run at the
same time (tests/integration/run.py -j).

A port picked by binding port 0 and closing the socket is free only until
someone else takes it, and the daemon binds it later.  With tests running
side by side, two things could take it in between: another test's pick
(the kernel may hand the same port out again), and any outgoing
connection (its source port comes from the same ephemeral range).  So
under run.py, which sets POCD_IT_PORTS=COUNTER:LO:HI, ports come from
LO..HI instead: a block below the ephemeral range, which no connection
ever takes as its source port, locked by that run.py for its lifetime
(hold_block), so that no other run on the machine uses it.  Every test of
the run takes its ports from one counter (COUNTER, under flock), so no
two tests, nor two picks of one test, are handed the same port until the
block wraps; a port something is bound to (TIME_WAIT included) is skipped.

Without POCD_IT_PORTS (a test run by hand, tests/testbed, sim/) the
kernel picks, as it always did.
"""

import fcntl
import os
import socket
import tempfile

ENV = "POCD_IT_PORTS"
BLOCK = 2000            # ports per run.py
LOWEST = 10000          # blocks start here, up to the ephemeral range


def _bindable(port):
    """True if nothing is bound to 127.0.0.1:port (no SO_REUSEADDR: a
    TIME_WAIT connection on it counts as bound)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _kernel_ports(n):
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def free_ports(n):
    """n distinct free loopback TCP ports."""
    spec = os.environ.get(ENV)
    if not spec:
        return _kernel_ports(n)
    counter, lo, hi = spec.rsplit(":", 2)
    lo, hi = int(lo), int(hi)
    ports = []
    with open(counter, "a+", encoding="ascii") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        text = f.read().strip()
        nxt = int(text) if text else lo
        for _ in range(hi - lo):
            if len(ports) == n:
                break
            port, nxt = nxt, (nxt + 1 if nxt + 1 < hi else lo)
            if _bindable(port):
                ports.append(port)
        f.seek(0)
        f.truncate()
        f.write(f"{nxt}\n")
    if len(ports) < n:
        raise OSError(f"{ENV}: fewer than {n} free ports in {lo}..{hi - 1}")
    return ports


def free_port():
    return free_ports(1)[0]


def hold_block(counter):
    """For run.py: locks a block of BLOCK ports below the ephemeral range
    that no other run.py holds, and returns (the lock's file, the value
    for POCD_IT_PORTS); the block is held until the file is closed or the
    process ends.  (None, None) if there is no room below the ephemeral
    range or every block is taken: the tests then take the kernel's ports."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            ephemeral = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None, None
    uid = os.getuid()
    for lo in range(LOWEST, ephemeral - BLOCK + 1, BLOCK):
        path = os.path.join(tempfile.gettempdir(), f"pocd-it-ports-{uid}-{lo}.lock")
        f = open(path, "a", encoding="ascii")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        return f, f"{counter}:{lo}:{lo + BLOCK}"
    return None, None
