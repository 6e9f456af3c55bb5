"""bench/table.py: the one table of `make bench`, from bench/run.py's results.

Each row holds pocd's figure, Mosquitto's, RabbitMQ's for its two queue
types (each a summary: median, min, max and every run), pocd's ratio to
Mosquitto (xM) and to the better of RabbitMQ's two (xR), and the issue's
targets, each checked apart.  The large-store rows of issue 11 come from
bench/store-results.json when its own target has written it (see
large_store_rows()).
"""

import json
import os

SIDES = ("pocd", "mosquitto", "rabbitmq_classic", "rabbitmq_quorum")
RABBITS = ("rabbitmq_classic", "rabbitmq_quorum")
STORE_RESULTS = os.path.join(os.path.dirname(os.path.realpath(__file__)),
                             "store-results.json")


def median(s):
    return s["median"] if isinstance(s, dict) and "median" in s else None


def best(cells, higher):
    """The better RabbitMQ cell (higher or lower median), or None."""
    got = [c for c in cells if median(c) is not None]
    if not got:
        return None
    return (max if higher else min)(got, key=median)


def ratio(p, other):
    if median(p) is None or not median(other):
        return None
    return median(p) / median(other)


# The RabbitMQ queue types that may stand for RabbitMQ in the ratios:
# those bench/fsynccheck.py found confirming only after an fsync (set by
# build(); all of them if the check did not run).
ELIGIBLE = list(RABBITS)


def row(label, cells, higher=True, targets=()):
    """cells: {side: summary or str}; targets: [(text, test(p, m, r))]
    where p, m, r are the medians of pocd, Mosquitto and RabbitMQ's
    better queue type."""
    p, m = cells.get("pocd"), cells.get("mosquitto")
    r = best([cells.get(k) for k in ELIGIBLE], higher)
    checks = []
    for text, test in targets:
        try:
            ok = bool(test(median(p), median(m), median(r)))
        except TypeError:      # a figure is missing (its section failed)
            ok = None
        checks.append({"target": text, "met": ok})
    return {"row": label, "cells": cells, "x_mosquitto": ratio(p, m),
            "x_rabbitmq": ratio(p, r), "targets": checks}


def build(res, n_drain, idle_counts):
    """The rows, in the issue's order."""
    rows = []
    g = res.get("guarantee")
    if g:
        ELIGIBLE[:] = [f"rabbitmq_{qt}" for qt in ("classic", "quorum")
                       if g.get(qt) and g[qt]["after_fsync"] == g[qt]["messages"]]
        v2 = g.get("classic-v2") or {}
        rows.append(row("confirms after an fsync (strace)",
                        {f"rabbitmq_{qt}": f"{g[qt]['after_fsync']} of "
                         f"{g[qt]['messages']}" for qt in ("classic", "quorum")
                         if g.get(qt)},
                        targets=[(f"all (classic v2: {v2.get('after_fsync')} "
                                  f"of {v2.get('messages')})",
                                  lambda p, m, r: True)]))
        rows[-1]["targets"][0]["met"] = (len(ELIGIBLE) == 2 and
                                         v2.get("after_fsync", 1) == 0)
    tp = res.get("throughput") or {}
    t1, t8 = tp.get("1") or {}, tp.get("8") or {}
    rows.append(row("throughput, 1 peer (msg/s)", t1))
    rows.append(row("throughput, 8 peers (msg/s)", t8, targets=[
        (">= 0.7x M", lambda p, m, r: p >= 0.7 * m),
        (">= 1.0x R", lambda p, m, r: p >= r)]))
    cpu = t8.get("cpu_us") or {}
    for side, limit in (("server", 2.0), ("client", 1.3)):
        cells = {k: (cpu.get(k) or {}).get(side) for k in SIDES}
        rows.append(row(f"{side} CPU per msg, 8 peers (us)", cells,
                        higher=False, targets=[
                            (f"<= {limit}x M",
                             lambda p, m, r, limit=limit: p <= limit * m)]))
    lat = res.get("latency") or {}
    fs = res.get("fsync_p99_ms") or {}
    for k in ("p50_ms", "p99_ms", "max_ms"):
        cells = {s: (lat.get(s) or {}).get(k) for s in SIDES}
        targets = ()
        if k == "p99_ms":
            allow = median(fs)
            targets = [
                (f"<= M + {allow or 0:.2f} + 0.10",
                 lambda p, m, r, a=allow: p <= m + a + 0.10),
                ("<= R", lambda p, m, r: p <= r)]
        rows.append(row(f"latency {k[:-3]} (ms)", cells, higher=False,
                        targets=targets))
    st = res.get("storm") or {}
    rows.append(row("handshakes/s, full", {"pocd": st.get("pocd"),
                                           "mosquitto": st.get("mosquitto")},
                    targets=[(">= 0.9x M", lambda p, m, r: p >= 0.9 * m)]))
    rows.append(row("handshakes/s, resumed (vs M full)",
                    {"pocd": st.get("pocd_resumed"),
                     "mosquitto": st.get("mosquitto")},
                    targets=[(">= 3x M", lambda p, m, r: p >= 3 * m)]))
    idle = res.get("idle") or {}
    for n in idle_counts:
        i = idle.get(str(n)) or {}
        rows.append(row(f"RSS per idle conn @{n} (KiB)",
                        {"pocd": i.get("pocd"), "mosquitto": i.get("mosquitto")},
                        higher=False,
                        targets=[("<= 20 KiB", lambda p, m, r: p <= 20)]))
    dr = res.get("drain") or {}
    rows.append(row(f"drain of {n_drain:,} (msg/s)",
                    {s: (dr.get(s) or {}).get("rate") for s in SIDES},
                    targets=[(">= 0.3x M", lambda p, m, r: p >= 0.3 * m),
                             (">= 1.0x R", lambda p, m, r: p >= r)]))
    rows.append(row("  window used in the drain",
                    {s: (dr.get(s) or {}).get("window_text") for s in SIDES}))
    rows.append(row("SQLite WAL fsync commit p99 (ms)", {"pocd": fs or None},
                    targets=[("(reference)", lambda p, m, r: True)]))
    rows[-1]["targets"][0]["met"] = None
    return rows


def large_store_rows():
    """The large-store rows (issue 11, "A store that stays fast after
    years"), written by their own bench target to bench/store-results.json
    as {"generated_at": "...", "rows": [{"row": label, "value": summary or
    str, "target": text, "met": true|false|null}, ...]}.  [] if absent."""
    try:
        with open(STORE_RESULTS, encoding="utf-8") as f:
            doc = json.load(f)
        return [r for r in doc.get("rows", []) if isinstance(r, dict)]
    except (OSError, ValueError):
        return []


def fmt(v):
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def short(v):
    return f"{v / 1000:.1f}k" if v >= 10000 else fmt(v)


def cell(s):
    if s is None:
        return "-"
    if isinstance(s, str):
        return s
    return f"{fmt(s['median'])} [{short(s['min'])}-{short(s['max'])}]"


def met_text(checks):
    out = []
    for c in checks:
        if c["met"] is None:
            continue
        out.append("yes" if c["met"] else "NO")
    return " ".join(out)


def render(rows, title, failed):
    """The table as text: the title line, the header, the rows, the
    large-store rows, then what failed."""
    heads = ("pocd", "Mosquitto", "RabbitMQ classic", "RabbitMQ quorum")
    w = max(len(r["row"]) for r in rows)
    cw = max([len(h) for h in heads] +
             [len(cell(r["cells"].get(s))) for r in rows for s in SIDES])
    lines = [title, ""]
    hdr = (f"{'':{w}}  " + "  ".join(f"{h:>{cw}}" for h in heads) +
           f"  {'xM':>5}  {'xR':>5}  {'target':<24}  met")
    lines += [hdr, "-" * len(hdr)]
    for r in rows:
        cells = "  ".join(f"{cell(r['cells'].get(s)):>{cw}}" for s in SIDES)
        xm = f"{r['x_mosquitto']:.2f}" if r["x_mosquitto"] is not None else "-"
        xr = f"{r['x_rabbitmq']:.2f}" if r["x_rabbitmq"] is not None else "-"
        tgt = ", ".join(c["target"] for c in r["targets"])
        lines.append(f"{r['row']:{w}}  {cells}  {xm:>5}  {xr:>5}  "
                     f"{tgt:<24}  {met_text(r['targets'])}")
    store = large_store_rows()
    lines.append("")
    if store:
        lines.append("large store (bench/store-results.json):")
        for r in store:
            met = "" if r.get("met") is None else ("yes" if r["met"] else "NO")
            lines.append(f"  {r.get('row', '?'):{w}}  "
                         f"{cell(r.get('value')):>{cw}}  "
                         f"{r.get('target', ''):<24}  {met}")
    else:
        lines.append("large store: no bench/store-results.json yet "
                     "(written by the large-store bench)")
    for name, why in failed.items():
        lines.append(f"FAILED {name}: {why.splitlines()[0] if why else ''}")
    lines.append("xM, xR: pocd's median over Mosquitto's, over the better "
                 "of RabbitMQ's two queue types")
    return "\n".join(lines) + "\n"
