"""bench/fsynccheck.py: does RabbitMQ confirm a publish only after an fsync?

Issue 11 lets only settings that keep pocd's guarantee count: a publisher
confirm is sent only once the message is on disk.  This checks it on the
running node instead of believing the documentation: strace follows every
thread of beam.smp while pocbench publishes messages one at a time (the
next only after the confirm of the last), and for each publish read from
the client's socket it asks whether an fsync or fdatasync returned before
the next write to that socket (the confirm) began.

Each queue type of the bench is checked, and classic queue version 2 as
the control: RabbitMQ 3.10's version 2 writes its index and confirms
without an fsync, so the check must find it unsynced, or it proves
nothing.
"""

import os
import re
import signal
import subprocess
import time

SYSCALLS = "fsync,fdatasync,recvfrom,read,readv,recvmsg,writev,write,sendmsg,sendto"
LINE = re.compile(r"^(\d+)\s+\S+\s+(.*)$")
CALL = re.compile(r"^(\w+)\((\d+)\b")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>.*=\s+(-?\d+)")
DONE = re.compile(r"=\s+(-?\d+)(?:\s|$)")
READS = ("recvfrom", "read", "readv", "recvmsg")
WRITES = ("writev", "write", "sendmsg", "sendto")
SYNCS = ("fsync", "fdatasync")


def events(path):
    """(kind, fd, result) in the order strace saw them: a call that did
    not finish at once gives its result on its "resumed" line, with the fd
    remembered per thread."""
    pending = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            tid, rest = m.group(1), m.group(2)
            r = RESUMED.match(rest)
            if r:
                name, fd = pending.pop((tid, r.group(1)), (r.group(1), None))
                yield name, fd, int(r.group(2)), "end"
                continue
            c = CALL.match(rest)
            if not c:
                continue
            name, fd = c.group(1), int(c.group(2))
            if "<unfinished ...>" in rest:
                pending[(tid, name)] = (name, fd)
                yield name, fd, None, "start"
                continue
            d = DONE.search(rest)
            yield name, fd, int(d.group(1)) if d else None, "start"
            yield name, fd, int(d.group(1)) if d else None, "end"


def verdicts(path, min_read=1024):
    """For each publish (a read of at least min_read bytes from a socket),
    True if a sync returned before the next write to that socket began."""
    out, sock, waiting, synced = [], None, False, False
    for name, fd, res, when in events(path):
        if name in READS and when == "end" and res is not None and res >= min_read:
            if sock is None or fd is None or fd == sock:
                sock = fd if fd is not None else sock
                if waiting:          # a publish without a confirm yet
                    continue
                waiting, synced = True, False
        elif name in SYNCS and when == "end" and res == 0 and waiting:
            synced = True
        elif name in WRITES and when == "start" and waiting and fd == sock:
            out.append(synced)
            waiting = False
    return out


def check(pocbench, rq, qt, qtype, d, n=20):
    """Publishes n messages one at a time to a fresh queue of qtype under
    strace; {"messages": n, "after_fsync": how many were confirmed only
    after a sync}."""
    pocbench("amqsetup", *rq.args, "--queue", qt, "--queue-type", qtype,
             "--conns", 1, timeout=120)
    out = os.path.join(d, f"strace-{qt}.txt")
    st = subprocess.Popen(["strace", "-f", "-tt", "-qq", "-e",
                           f"trace={SYSCALLS}", "-o", out, "-p", str(rq.pid)],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)          # attached to every thread
        if st.poll() is not None:
            raise RuntimeError(f"strace: {st.stderr.read().strip()}")
        pocbench("lat", *rq.args, "--queue", qt, "--count", n,
                 "--interval-ms", 5)
    finally:
        if st.poll() is None:
            st.send_signal(signal.SIGINT)
            try:
                st.wait(30)
            except subprocess.TimeoutExpired:
                st.kill()
                st.wait()
    # The client's certificate flight in the handshake is a large read
    # too: the publishes are the last n.
    v = verdicts(out)[-n:]
    if len(v) < n:
        raise RuntimeError(f"strace saw {len(v)} publishes of {n} ({out})")
    return {"messages": n, "after_fsync": sum(v)}
