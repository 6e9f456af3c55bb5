#!/usr/bin/env python3
"""Witnessed audit heads (issue 15, item 1; docs/witness.md): a log cut at
its end is detected.  AUS and FRA exchange notifications with heads every
second; FRA holds AUS's head of all its entries, signed, and exports it;
`pocctl audit verify --witness` on AUS accepts its log against it.  Then,
with AUS stopped, the last three rows of its audit table are deleted with
sqlite3 (the chain itself still verifies: a cut at the end breaks no
link).  After the restart:

- `audit verify --witness` on AUS fails (exit 1): the log is shorter than
  what AUS once signed;
- AUS's next connection to FRA carries a shorter head: FRA keeps its own
  (never replaced by a lower count), keeps the shorter one beside it as a
  conflict, logs it loudly, and tells AUS, which logs it loudly too and
  shows it in `pocctl status` (JSON audit_alarm and the text's Audit log
  line), naming FRA; each side records one AUDIT_CONFLICT event for
  people (the [alert] command and `pocctl watch` hear of it)."""

from tb import check, check_eq, run_test
from rel import sql, wait_log
from witness_tb import (audit_count, exchange, export_head, fast_heads,
                        heads, sqlite, status, verify_witness, wait_held)


def test(tb):
    fast_heads(tb, "AUS", "FRA")
    exchange(tb, 3, tag="before the cut")
    n = audit_count(tb, "AUS")
    check(n >= 6, f"AUS has {n} audit entries, want 3 queued + 3 delivered")
    held = wait_held(tb, "FRA", "AUS", n)
    check_eq(len(held["last_hash"]), 64, "held head's hash (hex)")
    path, head = export_head(tb, "FRA", "AUS", "before")
    check_eq(head["count"], n, "exported head's count")
    check(head["time"].endswith("Z") and "T" in head["time"],
          f"head time not RFC 3339: {head['time']!r}")
    rc, docs, err = verify_witness(tb, "AUS", path)
    check(rc == 0 and docs and docs[-1].get("ok") is True,
          f"AUS's intact log against FRA's head: {rc} {docs} {err}")

    # --- the cut: the last three entries deleted behind AUS's back
    tb.stop("AUS")
    sqlite(tb.info("AUS")["db"], f"DELETE FROM audit WHERE seq > {n - 3};")
    offset_aus = len(tb.log("AUS"))
    offset_fra = len(tb.log("FRA"))
    tb.start("AUS")
    check_eq(audit_count(tb, "AUS"), n - 3, "entries left after the cut")

    rc, docs, err = verify_witness(tb, "AUS", path)
    check(rc == 1, f"verify --witness of the cut log exited {rc}: {docs} {err}")
    check(docs[0].get("ok") is True, f"the cut chain itself still verifies: {docs}")
    w = docs[-1]
    check(w.get("ok") is False and w.get("count") == n and w.get("entries") == n - 3
          and "cut" in w.get("reason", ""), f"witness verdict: {w}")
    rc, out, _ = tb.pocctl_text("AUS", "audit", "verify", "--witness", path)
    check(rc == 1 and "CONTRADICTED" in out, f"text verdict: {rc} {out}")

    # --- the next connection: FRA detects it, keeps both, tells AUS
    exchange(tb, 1, tag="after the cut")
    wait_log(tb, "FRA", offset_fra, r"AUDIT LOG OF AUS CONTRADICTS ITS SIGNED HEAD "
             r"\(shorter\)", "FRA detects the shorter head", timeout=20)
    wait_log(tb, "AUS", offset_aus, r"AUDIT LOG CUT OR ROLLED BACK: witness FRA",
             "AUS is told", timeout=20)
    hs = heads(tb, "FRA", "AUS")
    latest = [h for h in hs if h["conflict"] == ""]
    conflicts = [h for h in hs if h["conflict"] != ""]
    check(len(latest) == 1 and latest[0]["count"] == n and
          latest[0]["last_hash"] == head["last_hash"],
          f"FRA still holds the head of {n} entries: {latest}")
    check(conflicts and all(c["count"] < n for c in conflicts),
          f"FRA keeps the shorter head as a conflict: {hs}")
    st = status(tb, "AUS")
    check(st.get("audit_alarm") and st.get("audit_alarm_from") == "FRA",
          f"AUS status: audit_alarm {st.get('audit_alarm')!r} from "
          f"{st.get('audit_alarm_from')!r}")
    rc, out, _ = tb.pocctl_text("AUS", "status")
    check(rc == 0 and "CUT OR ROLLED BACK" in out, f"status text: {out}")
    st = status(tb, "FRA")
    check(st.get("witness_conflicts", 0) >= 1, f"FRA status conflicts: {st}")
    rc, out, _ = tb.pocctl_text("FRA", "audit", "heads")
    check(rc == 0 and "CONFLICT" in out and "latest" in out, f"heads text: {out}")
    for member, peer in (("FRA", "AUS"), ("AUS", "FRA")):
        rows = sql(tb.info(member)["db"], "SELECT peer, summary FROM events "
                   "WHERE kind = 200;")     # NodeEvent.AUDIT_CONFLICT
        check(rows and all(r[0] == peer for r in rows),
              f"{member}: AUDIT_CONFLICT events naming {peer}: {rows}")


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA"))
