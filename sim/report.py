"""The results of make sim as a table for people and an SVG of the share of
nodes holding the change (or the message) against time, per scenario.
The SVG is written directly: no plotting package is needed."""

from xml.sax.saxutils import escape

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
          "#e377c2", "#17becf"]


def _figure(name, r):
    """(what was measured, the figure, the target) of one scenario."""
    if r.get("status") == "skipped":
        return "-", "-", "-"
    if name == "join":
        return ("rounds / time to all records",
                f"{r.get('rounds')} rounds, {r.get('converge_seconds')} s",
                "<= 3 rounds")
    if name in ("rss", "pss", "uss"):
        what = {"rss": "RSS per idle member node (shared libraries in full)",
                "pss": "PSS per idle member node (shared libraries shared out)",
                "uss": "USS per idle member node (its own memory)"}[name]
        return (what, f"median {r.get('median', 0) / 1024:.1f}, "
                f"max {r.get('max', 0) / 1024:.1f} MiB", "<= 8 MiB")
    if name in ("change", "regional_down"):
        return ("rounds / time to every node", f"{r.get('rounds')} rounds, "
                f"{r.get('converge_seconds')} s", "<= 3 rounds" if name == "change" else
                "converges")
    if name == "check":
        res = r.get("results", {})
        return ("node-level result for all; replies",
                f"{r.get('all_reached_seconds')} s; " + ", ".join(
                    f"{k} {v}" for k, v in sorted(res.items())), "<= 10 s")
    if name == "notify":
        return ("member receipts; acks after send",
                f"{r.get('member_receipts_seconds')} s ({r.get('member_recipients')}); "
                f"{r.get('acks_seconds_after_send')} s", "<= 10 s")
    if name == "notify_faults":
        return ("lost / duplicated", f"{r.get('lost')} / {r.get('duplicated')} "
                f"({r.get('stopped')} stopped)", "0 / 0")
    if name == "revoked":
        return ("nodes refusing the revoked certificate",
                f"{r.get('refused')} of {r.get('nodes')}", "all")
    if name == "rotation":
        return ("new key taken / old key taken after",
                f"{r.get('new_key_accepted')} / {r.get('old_key_accepted_after')} "
                f"of {r.get('nodes')}", "all / 0")
    return "", "", ""


def table(results):
    rows = [("SCENARIO", "STATUS", "MEASURED", "FIGURE", "TARGET", "MET")]
    items = list(results.get("scenarios", {}).items())
    j = results.get("scenarios", {}).get("join", {})
    for k, key in enumerate(("rss", "pss", "uss")):
        m = j.get("memory_idle_member_kib", {}).get(key)
        if m:
            items.insert(1 + k, (key, dict(m, status="measured",
                                           target_met=m["max"] <= 8192)))
    for name, r in items:
        what, fig, target = _figure(name, r)
        met = r.get("target_met")
        rows.append((name, r.get("status", "?"), what, fig, target,
                     "-" if met is None else ("yes" if met else "NO")))
    w = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    out = [f"make sim: {results.get('members')} members, {results.get('registries')} "
           f"registries, {results.get('total_seconds', '?')} s"]
    cpu, la = results.get("cpu_seconds"), results.get("loadavg_start")
    if cpu and la:
        out.append(f"load average {la[0]} at the start, "
                   f"{(results.get('loadavg_end') or ['?'])[0]} at the end; CPU seconds: "
                   f"nodes {cpu['nodes']}, pocctl/pocpeer/mkpki {cpu['tools']}, "
                   f"driver {cpu['driver']}")
    for row in rows:
        out.append("  ".join(str(c).ljust(w[i]) for i, c in enumerate(row)).rstrip())
    for name, r in results.get("scenarios", {}).items():
        if r.get("status") != "passed" and (r.get("error") or r.get("reason")):
            out.append(f"{name}: {r['status']}: {r.get('error') or r.get('reason')}")
    return "\n".join(out)


def check_lines(results):
    """One PASS/FAIL/SKIP line per scenario and the totals, as make check's
    steps print them (a scenario that did not run because join failed is a
    failure too)."""
    out, passed, failed = [], 0, 0
    names = ["join", "change", "check", "notify", "notify_faults",
             "regional_down", "revoked", "rotation"]
    got = results.get("scenarios", {})
    for name in names:
        r = got.get(name, {"status": "failed", "error": "did not run"})
        if r["status"] == "passed":
            passed += 1
            out.append(f"PASS sim/{name}")
        elif r["status"] == "skipped":
            out.append(f"SKIP sim/{name}: {r.get('reason', '')}")
        else:
            failed += 1
            out.append(f"FAIL sim/{name}\n    {r.get('error', '')}")
    # The memory guard: an idle member's RSS more than a margin above
    # the target fails (docs/simulation.md, memory per idle member node).
    j = got.get("join", {})
    rss = j.get("memory_idle_member_kib", {}).get("rss")
    if rss is None:
        failed += 1
        out.append("FAIL sim/memory\n    not measured (join did not pass)")
    elif rss["max"] <= j["memory_guard_kib"]:
        passed += 1
        out.append(f"PASS sim/memory (idle member RSS max {rss['max']} KiB)")
    else:
        failed += 1
        out.append(f"FAIL sim/memory\n    idle member RSS max {rss['max']} KiB "
                   f"(median {rss['median']}) > {j['memory_guard_kib']} KiB: "
                   "the target plus the margin")
    out.append(f"{passed} passed, {failed} failed")
    return "\n".join(out)


def svg(results, width=860, height=480):
    """One line per scenario with a curve: share of nodes (0-1) against
    seconds since the change or the send, on a shared axis."""
    curves = [(n, r["curve"]) for n, r in results.get("scenarios", {}).items()
              if r.get("curve")]
    left, right, top, bottom = 60, 200, 40, 50
    pw, ph = width - left - right, height - top - bottom
    tmax = max([p[0] for _, c in curves for p in c] + [1.0])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="14">make sim: share of nodes holding '
           f'the change or the message ({results.get("members")} members, '
           f'{results.get("registries")} registries)</text>']
    for i in range(6):
        y = top + ph - ph * i / 5
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" '
                   f'stroke="#ddd"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">'
                   f'{i * 20}%</text>')
    for i in range(6):
        x = left + pw * i / 5
        out.append(f'<text x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">'
                   f'{tmax * i / 5:.1f}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 12}" text-anchor="middle">'
               f'seconds since the change or the send</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
               f'stroke="#333"/>')
    for k, (name, c) in enumerate(curves):
        col = COLORS[k % len(COLORS)]
        pts, last = [], 0.0
        for t, share in c:
            x, y0, y1 = (left + pw * t / tmax, top + ph - ph * last,
                         top + ph - ph * share)
            pts.append(f"{x:.1f},{y0:.1f} {x:.1f},{y1:.1f}")   # steps
            last = share
        out.append(f'<polyline fill="none" stroke="{col}" stroke-width="2" '
                   f'points="{" ".join(pts)}"/>')
        ly = top + 14 + 18 * k
        out.append(f'<line x1="{left + pw + 12}" y1="{ly - 4}" x2="{left + pw + 32}" '
                   f'y2="{ly - 4}" stroke="{col}" stroke-width="2"/>')
        out.append(f'<text x="{left + pw + 38}" y="{ly}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
