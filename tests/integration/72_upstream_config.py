#!/usr/bin/env python3
"""An empty [upstream CODE] section (no endpoint, no fingerprint) is a
configuration error, not a section silently skipped:

- on SIGHUP the file is refused: the log names file:line, the section
  and what is missing, and the node keeps running with its previous
  configuration (no upstream, the same log level);
- `pocd -n` reports it the same way and exits 1;
- pocd does not start with it (exit 1, the same message);
- with one of its keys the section is accepted again.
The golden file tests/golden/bad-upstream.conf covers the other cases
(an unknown empty section, a section of a bad code)."""

import os
import signal
import subprocess

from tb import REPO, check, check_eq, run, run_test

POCD = os.path.abspath(os.environ.get("POCD", os.path.join(REPO, "build", "pocd")))


def test(tb):
    aus = tb.info("AUS")
    conf = aus["config"]
    with open(conf, encoding="utf-8") as f:
        original = f.read()
    header_line = len(original.rstrip("\n").split("\n")) + 2
    with open(conf, "w", encoding="utf-8") as f:
        f.write(original.rstrip("\n") + "\n\n[upstream REG]\n; nothing here yet\n")
    want = (f"{conf}:{header_line}: [upstream REG] is empty: endpoint and "
            "fingerprint are both missing")

    # SIGHUP: refused, logged with the section, the old configuration stays.
    off = len(tb.log("AUS"))
    os.kill(aus["pid"], signal.SIGHUP)
    tb.wait_until(lambda: "SIGHUP: reload refused" in tb.log("AUS")[off:], 10,
                  "AUS refusing the reload")
    log = tb.log("AUS")[off:]
    check(want in log, f"the log names the empty section:\n{log}")
    st = tb.pocctl("AUS", "status")
    check_eq(st.get("upstreams", []), [], "AUS still has no upstream")

    # pocd -n and a start report it the same way.
    rc, out, err = run([POCD, "-n", "-c", conf])
    check(rc == 1 and want in err and out == "", f"pocd -n: {rc} {out!r} {err!r}")
    tb.stop("AUS")
    p = subprocess.Popen([POCD, "-c", conf], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise AssertionError("pocd started with an empty [upstream] section")
    check(p.returncode == 1 and want in err,
          f"pocd with the empty section: exit {p.returncode}: {err!r}")

    # One key is enough (the other may come from REG's record later).
    with open(conf, "w", encoding="utf-8") as f:
        f.write(original.rstrip("\n") + "\n\n[upstream REG]\nendpoint = 127.0.0.1:9\n")
    rc, out, err = run([POCD, "-n", "-c", conf])
    check(rc == 0 and "[upstream REG]\nendpoint = 127.0.0.1:9" in out,
          f"pocd -n with an endpoint: {rc} {err!r}")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(original)
    tb.start("AUS")


if __name__ == "__main__":
    run_test(test, members=("AUS",))
