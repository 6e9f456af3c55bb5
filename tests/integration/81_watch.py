#!/usr/bin/env python3
"""pocctl watch (issue 13 item 2) on FRA:

- it starts with the backlog: AUS's request that FRA has not acknowledged;
- it then sees, in order and each once: the arrival of a new request from
  AUS, the delivery of FRA's acknowledgement of it, the delivery of FRA's
  own request to AUS, and AUS's acknowledgement of that one;
- FRA is killed (kill -9) and restarted while AUS sends another request:
  watch connects again by itself and prints its arrival exactly once;
- a second watch in text mode, filtered with --urgency FLASH --kind
  ARRIVAL, prints an aligned header and only the FLASH arrival;
- SIGINT ends both with status 0.
"""

import json
import os
import signal
import subprocess
import threading
import time

from tb import POCCTL, check, check_eq, envelope, run_test


class Watch:
    """pocctl watch in the background; its lines collected by a thread."""

    def __init__(self, tb, member, *args):
        cfg = tb.info(member)["pocctl_config"]
        self.p = subprocess.Popen([POCCTL, "-c", cfg, "watch"] + list(args),
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.lines, self.err = [], []
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()
        self.e = threading.Thread(target=self._read_err, daemon=True)
        self.e.start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.append(line.rstrip("\n"))

    def _read_err(self):
        for line in self.p.stderr:
            self.err.append(line.rstrip("\n"))

    def events(self):
        return [json.loads(x) for x in list(self.lines)]

    def stop(self):
        """SIGINT; returns the exit status (killed by pid if it hangs)."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
        try:
            return self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None


def test(tb):
    old = tb.send("AUS", envelope("FRA", "assistance_request",
                                  {"summary": "Still waiting", "urgency": "IMMEDIATE"}))
    tb.wait_until(lambda: tb.find("FRA", "inbox", old["id"]), 20, "the old request")

    w = Watch(tb, "FRA", "--json")
    text = Watch(tb, "FRA", "--urgency", "FLASH", "--kind", "ARRIVAL")
    try:
        b = tb.wait_until(lambda: [e for e in w.events() if e.get("backlog")], 15,
                          "the backlog")
        check_eq(b[0].get("kind"), "ARRIVAL", "backlog kind")
        check_eq(b[0].get("message_id"), old["id"], "backlog message")

        new = tb.send("AUS", envelope("FRA", "assistance_request",
                                      {"summary": "Live one", "urgency": "FLASH"}))
        tb.wait_until(lambda: [e for e in w.events()
                               if e.get("message_id") == new["id"]], 20, "the arrival")
        ack = tb.pocctl("FRA", "ack", new["id"])
        ours = tb.send("FRA", envelope("AUS", "assistance_request",
                                       {"summary": "From FRA", "urgency": "PRIORITY"}))
        tb.wait_until(lambda: tb.find("AUS", "inbox", ours["id"]), 20, "FRA's request at AUS")
        tb.pocctl("AUS", "ack", ours["id"])
        tb.wait_until(lambda: [e for e in w.events() if e.get("kind") == "ACKNOWLEDGED"],
                      20, "AUS's acknowledgement")
        live = [e for e in w.events() if not e.get("backlog")]
        seqs = [e["seq"] for e in live]
        check_eq(seqs, sorted(set(seqs)), "seq of the live events (in order, once)")
        got = [(e["kind"], e.get("message_id")) for e in live]
        want = [("ARRIVAL", new["id"]), ("DELIVERED", ack["id"]),
                ("DELIVERED", ours["id"]), ("ACKNOWLEDGED", ours["id"])]
        check_eq([g for g in got if g in want], want, "the sequence of events")

        # ---- kill -9 and restart: watch comes back, misses nothing
        tb.kill("FRA")
        during = tb.send("AUS", envelope("FRA", "notification",
                                         {"summary": "During restart",
                                          "urgency": "PRIORITY"}))
        tb.start("FRA")
        tb.wait_until(lambda: [e for e in w.events()
                               if e.get("message_id") == during["id"]], 40,
                      "the arrival after the restart")
        after = tb.send("AUS", envelope("FRA", "assistance_request",
                                        {"summary": "After restart", "urgency": "FLASH"}))
        tb.wait_until(lambda: [e for e in w.events()
                               if e.get("message_id") == after["id"]], 30,
                      "a live event after the restart")
        live = [e for e in w.events() if not e.get("backlog")]
        seqs = [e["seq"] for e in live]
        check_eq(seqs, sorted(set(seqs)), "seq across the restart (in order, once)")
        check_eq(len([e for e in live if e.get("message_id") == during["id"]]), 1,
                 "arrivals of the request sent during the restart")
        check(any("connecting again" in x for x in w.err),
              f"no reconnect notice on stderr: {w.err}")

        # ---- the filtered text watch
        tb.wait_until(lambda: any(after["id"][:8] in x for x in text.lines), 30,
                      "the text watch's FLASH arrival")
        lines = list(text.lines)
        check(lines and lines[0].split()[:3] == ["TIME", "KIND", "URGENCY"],
              f"header: {lines[:1]}")
        body = [x for x in lines[1:] if x.strip()]
        check(all("ARRIVAL" in x and "FLASH" in x for x in body),
              f"lines beside FLASH arrivals:\n" + "\n".join(body))
        check(any(new["id"][:8] in x for x in body), f"the first FLASH arrival:\n{body}")
        check(not any(old["id"][:8] in x for x in body), "the IMMEDIATE backlog shown")
        col = body[0].index("ARRIVAL")
        check(all(x.index("ARRIVAL") == col for x in body), f"not aligned:\n{body}")
    finally:
        rc, rc2 = w.stop(), text.stop()
    check_eq(rc, 0, "exit status of watch --json on SIGINT")
    check_eq(rc2, 0, "exit status of watch on SIGINT")


if __name__ == "__main__":
    run_test(test)
