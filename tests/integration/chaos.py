"""A fault-injecting TCP proxy for the broken-network test (48_chaos.py):
it stands on a node's published peer port and forwards to the port the
node really listens on, misbehaving at random from a seed.

Each accepted connection draws one fault, in the order connections come,
from random.Random(seed):

- pass:      forwards both ways, untouched, for a lifetime of 0.5 to 3 s
             (then closes both sides, so that new connections keep
             drawing; for ever once calm);
- cut:       forwards N bytes (in either direction, so usually mid-frame
             or mid-TLS-record), then closes both sides;
- stall:     forwards N bytes, then forwards nothing more for `stall`
             seconds (longer than the nodes' timeouts), then closes;
- trickle:   forwards one byte at a time, `trickle_gap` apart, up to N
             bytes, then as pass;
- halfclose: forwards N bytes, then shuts down writing toward the node
             that dialled (it sees EOF) while still forwarding its bytes;
- reset:     forwards N bytes, then resets both sides (SO_LINGER 0: RST).

`calm()` makes every later connection `pass`, so that a test can warm up
or drain what the faults held back; `calm(False)` brings the faults back.  `counts` says what was drawn.

Not a test itself (run.py runs only NN_*.py).
"""

import asyncio
import random
import socket
import struct
import threading

FAULTS = ("pass", "cut", "stall", "trickle", "halfclose", "reset")
CHUNK = 16384


class ChaosProxy:
    """Proxies 127.0.0.1:listen_port -> 127.0.0.1:target_port for each
    (listen_port, target_port) of routes, on one asyncio loop in a thread
    of its own."""

    def __init__(self, routes, seed, weights=None, stall=4.0, trickle_gap=0.002,
                 max_cut=4096):
        self.routes = list(routes)
        self.rng = random.Random(seed)
        self.weights = weights or {"pass": 3, "cut": 2, "stall": 1, "trickle": 1,
                                   "halfclose": 1, "reset": 2}
        self.stall, self.trickle_gap, self.max_cut = stall, trickle_gap, max_cut
        self.counts = {f: 0 for f in FAULTS}
        self.open = 0                   # connections being proxied now
        self._calm = False
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._servers = []
        self._tasks = set()
        self._ready = threading.Event()
        self._error = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    # ---------------------------------------------------------- control

    def start(self):
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("chaos proxy did not start")
        if self._error:
            raise self._error
        return self

    def calm(self, on=True):
        """From now on every new connection passes (on), or draws its
        fault again (not on)."""
        with self._lock:
            self._calm = on
        if not on:
            # Connections made while calm would pass for ever: end them.
            self._loop.call_soon_threadsafe(self._cut_all)

    def close(self):
        if not self._thread.is_alive():
            return
        fut = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        try:
            fut.result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def _draw(self):
        """(fault, byte budget, lifetime in s or None) for a new
        connection.  Under faults even a passing connection lives only a
        while, so that new connections keep drawing."""
        with self._lock:
            if self._calm:
                fault, n, life = "pass", 0, None
            else:
                names = list(self.weights)
                fault = self.rng.choices(names, [self.weights[f] for f in names])[0]
                n = self.rng.randint(1, self.max_cut)
                life = self.rng.uniform(0.5, 3.0)
            self.counts[fault] += 1
            return fault, n, life

    def _cut_all(self):
        for t in list(self._tasks):
            t.cancel()

    # ------------------------------------------------------------- loop

    def _run(self):
        asyncio.set_event_loop(self._loop)
        try:
            for lport, tport in self.routes:
                srv = self._loop.run_until_complete(asyncio.start_server(
                    lambda r, w, t=tport: self._accepted(r, w, t),
                    "127.0.0.1", lport, reuse_address=True))
                self._servers.append(srv)
        except Exception as e:          # reported by start()
            self._error = e
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _shutdown(self):
        for srv in self._servers:
            srv.close()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _accepted(self, reader, writer, tport):
        t = self._loop.create_task(self._proxy(reader, writer, tport))
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)

    async def _proxy(self, creader, cwriter, tport):
        fault, n, life = self._draw()
        self.open += 1
        swriter = None
        try:
            try:
                sreader, swriter = await asyncio.open_connection("127.0.0.1", tport)
            except OSError:
                return                  # the node is down: the dialler sees EOF
            budget = [n]                # bytes left before the fault strikes
            done = asyncio.Event()
            up = self._loop.create_task(self._pump(creader, swriter, fault, budget, done))
            down = self._loop.create_task(self._pump(sreader, cwriter, fault, budget, done))
            if fault in ("pass", "trickle"):
                both = asyncio.gather(up, down, return_exceptions=True)
                try:
                    await asyncio.wait_for(both, life)
                except asyncio.TimeoutError:
                    pass                # wait_for cancelled both pumps
                return
            await done.wait()
            for t in (up, down):
                t.cancel()
            await asyncio.gather(up, down, return_exceptions=True)
            if fault == "stall":
                await asyncio.sleep(self.stall)
            elif fault == "halfclose":
                # The dialler hears EOF; its own bytes still flow on.
                if cwriter.can_write_eof():
                    cwriter.write_eof()
                rest = self._loop.create_task(
                    self._pump(creader, swriter, "pass", [0], asyncio.Event()))
                await asyncio.wait([rest], timeout=self.stall)
                rest.cancel()
                await asyncio.gather(rest, return_exceptions=True)
            elif fault == "reset":
                for w in (cwriter, swriter):
                    _reset(w)
        except asyncio.CancelledError:
            pass
        finally:
            self.open -= 1
            for w in (cwriter, swriter):
                if w is not None:
                    w.close()

    async def _pump(self, reader, writer, fault, budget, done):
        """Copies reader to writer until EOF or until the shared byte
        budget of a faulty connection is spent (then sets done)."""
        try:
            while True:
                want = CHUNK
                if fault == "trickle" and budget[0] > 0:
                    want = 1
                elif fault not in ("pass", "trickle"):
                    if budget[0] <= 0:
                        done.set()
                        return
                    want = min(CHUNK, budget[0])
                data = await reader.read(want)
                if not data:
                    break
                if fault not in ("pass", "trickle") and budget[0] <= 0:
                    break               # the other way spent it meanwhile
                if fault != "pass":
                    budget[0] -= len(data)
                writer.write(data)
                await writer.drain()
                if fault == "trickle" and budget[0] > 0:
                    await asyncio.sleep(self.trickle_gap)
            if fault in ("pass", "trickle") and writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError):
            pass
        done.set()


def _reset(writer):
    """Closes the transport's socket with an RST instead of a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()
