"""Line charts as a standalone SVG file, for the long runs' reports (the
soak): panels stacked one above the other on a shared time axis, each with
its own y scale and legend, optional vertical marks (restarts) and a
shaded warm-up.  Written by hand so that no plotting package is needed.
"""

from xml.sax.saxutils import escape

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
W, LEFT, RIGHT = 900, 70, 130
PANEL_H, GAP, TOP = 150, 40, 50


def _nice(hi):
    """A round upper bound >= hi for an axis starting at 0."""
    if hi <= 0:
        return 1
    step = 10 ** (len(str(int(hi))) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if hi <= m * step:
            return m * step
    return 10 * step


def write(path, title, xlabel, panels, marks=(), shade_until=None):
    """panels: [(y label, [(series name, xs, ys), ...]), ...]; marks:
    [(x, label)]; shade_until: x up to which the background is shaded."""
    xs_all = [x for _, series in panels for _, xs, _ in series for x in xs]
    x0, x1 = (min(xs_all), max(xs_all)) if xs_all else (0, 1)
    x1 = x1 if x1 > x0 else x0 + 1
    pw = W - LEFT - RIGHT
    height = TOP + len(panels) * (PANEL_H + GAP) + 20

    def sx(x):
        return LEFT + (x - x0) / (x1 - x0) * pw

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{height}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="14">'
           f'{escape(title)}</text>']
    for i, (ylabel, series) in enumerate(panels):
        top = TOP + i * (PANEL_H + GAP)
        bottom = top + PANEL_H
        ys_all = [y for _, _, ys in series for y in ys]
        hi = _nice(max(ys_all) if ys_all else 1)

        def sy(y, bottom=bottom, hi=hi):
            return bottom - y / hi * PANEL_H
        if shade_until is not None and shade_until > x0:
            out.append(f'<rect x="{LEFT}" y="{top}" width="{sx(min(shade_until, x1)) - LEFT:.1f}" '
                       f'height="{PANEL_H}" fill="#eeeeee"/>')
        out.append(f'<rect x="{LEFT}" y="{top}" width="{pw}" height="{PANEL_H}" '
                   f'fill="none" stroke="#888"/>')
        for k in range(5):
            v = hi * k / 4
            y = sy(v)
            out.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{LEFT + pw}" y2="{y:.1f}" '
                       f'stroke="#ddd"/>')
            out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                       f'{v:g}</text>')
        out.append(f'<text x="{LEFT}" y="{top - 6}">{escape(ylabel)}</text>')
        for x, label in marks:
            if x0 <= x <= x1:
                out.append(f'<line x1="{sx(x):.1f}" y1="{top}" x2="{sx(x):.1f}" y2="{bottom}" '
                           f'stroke="#bbb" stroke-dasharray="3,3"><title>{escape(label)}'
                           f'</title></line>')
        for j, (name, xs, ys) in enumerate(series):
            colour = COLOURS[j % len(COLOURS)]
            pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys))
            out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" '
                       f'stroke-width="1.5"/>')
            ly = top + 14 + 16 * j
            out.append(f'<line x1="{LEFT + pw + 10}" y1="{ly - 4}" x2="{LEFT + pw + 30}" '
                       f'y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>')
            out.append(f'<text x="{LEFT + pw + 35}" y="{ly}">{escape(name)}</text>')
        for k in range(6):
            x = x0 + (x1 - x0) * k / 5
            out.append(f'<text x="{sx(x):.1f}" y="{bottom + 14}" text-anchor="middle">'
                       f'{x:.0f}</text>')
    out.append(f'<text x="{LEFT + pw / 2}" y="{height - 4}" text-anchor="middle">'
               f'{escape(xlabel)}</text>')
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
