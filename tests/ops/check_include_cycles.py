#!/usr/bin/env python3
"""Fails if two modules of daemon/, cli/ or common/ include each other's
headers, directly or through a chain (STYLE.md rule 14: data flows one way).

A module is a file stem within its folder: daemon/peer.c and daemon/peer.h
are the module daemon:peer, and daemon/store_int.h belongs to daemon:store.
Modules of different folders are different even if their stems agree.  An
`#include "..."` line is resolved the way the compiler does with the
project's -I flags: a path that names a folder ("cli/output.h") from ROOT,
a bare name first beside the including file, then in common/ (-Icommon),
then in the other folders.  System headers (<...>) and the generated
proto/poc.pb-c.h are not modules and are ignored.

Every strongly connected component of more than one module is a cycle; the
report names its modules and one concrete cycle through them, each step
with the line that makes it.  Exit 1 if there is one, else 0 with
"no include cycles (N modules)".

--api also holds every module's API to its own header (issue 10 item 5):
a header that declares functions another module defines (its .c has them
at column 0, style(9)) is that module's header too, so including it is an
edge to that module as well, and each such header is listed.  It fails
if any header declares another module's functions or there is a cycle.
This finds the pairs a shared header hides (cmd.h declaring pocctl.c's
functions, included by both).

Run: tests/ops/check_include_cycles.py [--api] [ROOT]   (ROOT: the repo)
"""

import collections
import os
import re
import sys

FOLDERS = ("daemon", "cli", "common")
SEARCH = ("common",)  # the -I folders a bare name is looked up in
IGNORED = {"proto/poc.pb-c.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
# A definition: the name at column 0 (its type on the line before), the
# parameters, the body.  A declaration: at column 0, a type, the name, the
# parameters, attributes, ';' (not typedefs, statics or macros).
DEFINITION = re.compile(r"^([a-z_]\w*)\(([^;{}]*)\)\s*\{", re.M)
DECLARATION = re.compile(r"^(?!typedef\b|static\b|extern\s+\"C\")[A-Za-z_][^;{}()#\n]*?"
                         r"\b([a-z_]\w*)\s*\([^;{}]*?\)\s*(?:__attribute__\s*\(\(.*?\)\)\s*)?;",
                         re.M | re.S)


def module_of(folder, filename):
    """(folder, stem) for a .c/.h file; X_int.h counts as module X."""
    stem = os.path.splitext(filename)[0]
    if filename.endswith("_int.h"):
        stem = stem[: -len("_int")]
    return (folder, stem)


def scan(root):
    """{(folder, filename): [(lineno, included path)]} for every .c/.h file
    in the folders (a sub-folder's files belong to folder/sub)."""
    files = {}
    for top in FOLDERS:
        base = os.path.join(root, top)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            folder = os.path.relpath(dirpath, root).replace(os.sep, "/")
            for fn in sorted(filenames):
                if not fn.endswith((".c", ".h")):
                    continue
                incs = []
                with open(os.path.join(dirpath, fn), encoding="utf-8", errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if m:
                            incs.append((n, m.group(1)))
                files[(folder, fn)] = incs
    return files


def resolve(files, folder, path):
    """(folder, filename) the include names, or None if it is not one of
    the scanned files (generated, system, or outside the folders)."""
    if path in IGNORED:
        return None
    if "/" in path:
        d, fn = path.rsplit("/", 1)
        # Relative to the including file first, then to ROOT (-I.).
        near = os.path.normpath(os.path.join(folder, d)).replace(os.sep, "/")
        for cand in ((near, fn), (d, fn)):
            if cand in files:
                return cand
        return None
    for d in (folder,) + SEARCH:
        if (d, path) in files:
            return (d, path)
    found = sorted(k for k in files if k[1] == path)
    return found[0] if found else None


def source(root, key):
    with open(os.path.join(root, *key), encoding="utf-8", errors="replace") as f:
        return COMMENT.sub(" ", f.read())


def foreign_declarations(root, files):
    """{header: {module: [function]}}: the functions each header declares
    that a module other than the header's own defines."""
    defined = {}
    for key in sorted(files):
        if not key[1].endswith(".c"):
            continue
        text = source(root, key)
        for m in DEFINITION.finditer(text):
            before = text[:m.start()].rstrip(" \t\n").rsplit("\n", 1)[-1]
            if before and not before.startswith("static") and not before.endswith((";", "}", "{")):
                defined.setdefault(m.group(1), module_of(*key))
    out = {}
    for key in sorted(files):
        if not key[1].endswith(".h"):
            continue
        own = module_of(*key)
        for m in DECLARATION.finditer(source(root, key)):
            owner = defined.get(m.group(1))
            if owner is not None and owner != own:
                out.setdefault(key, {}).setdefault(owner, []).append(m.group(1))
    return out


def graph(files, foreign=None):
    """Module graph: {module: {module: (file, lineno, include, via)}}, the
    value being the first include line that makes the edge (via: the
    functions of that module the header declares, if it is not the
    header's own); self edges dropped."""
    g = {module_of(*k): {} for k in files}
    for (folder, fn), incs in sorted(files.items()):
        src = module_of(folder, fn)
        for lineno, path in incs:
            target = resolve(files, folder, path)
            if target is None:
                continue
            dsts = [(module_of(*target), None)]
            for owner, names in sorted((foreign or {}).get(target, {}).items()):
                dsts.append((owner, names))
            for dst, via in dsts:
                if dst != src and dst not in g[src]:
                    g[src][dst] = (f"{folder}/{fn}", lineno, path, via)
    return g


def sccs(g):
    """Strongly connected components (Tarjan, iterative), each sorted."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(sorted(comp))
    return out


def cycle_in(g, comp):
    """One shortest cycle through the component's first module, as a list
    of modules starting and ending with it (breadth-first within comp)."""
    members = set(comp)
    start = comp[0]
    prev = {start: None}
    queue = collections.deque([start])
    while queue:
        v = queue.popleft()
        for w in sorted(g[v]):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return path[::-1] + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    raise AssertionError("a component of several modules has a cycle")


def name(m, folder=None):
    return m[1] if folder else f"{m[0]}/{m[1]}"


def render(g, comp, cyc):
    folders = {m[0] for m in comp}
    one = folders.pop() if len(folders) == 1 else None
    lines = []
    head = f"{one}: " if one else ""
    lines.append(f"include cycle of {len(comp)} modules: {head}"
                 + ", ".join(name(m, one) for m in comp))
    lines.append(f"  e.g. {head}" + " -> ".join(name(m, one) for m in cyc))
    for a, b in zip(cyc, cyc[1:]):
        f, n, path, via = g[a][b]
        lines.append(f"    {f}:{n}: #include \"{path}\""
                     + (f", which declares {b[0]}/{b[1]}.c's {names(via)}" if via else ""))
    return lines


def names(fns):
    return ", ".join(sorted(fns)[:3]) + (f" (+{len(fns) - 3})" if len(fns) > 3 else "")


def check(root, api=False):
    """(exit status, report lines) for the tree at root."""
    files = scan(root)
    foreign = foreign_declarations(root, files) if api else {}
    g = graph(files, foreign)
    bad = [c for c in sccs(g) if len(c) > 1]
    out = []
    for (folder, fn), owners in sorted(foreign.items()):
        for (ofolder, ostem), fns in sorted(owners.items()):
            out.append(f"{folder}/{fn} declares {ofolder}/{ostem}.c's {names(fns)}")
    if not bad and not out:
        return 0, [f"no include cycles ({len(g)} modules)"
                   + (", every API in its own header" if api else "")]
    bad.sort(key=lambda c: (-len(c), c))
    for comp in bad:
        out += render(g, comp, cycle_in(g, comp))
    out.append(f"{len(bad)} include cycle{'s' if len(bad) != 1 else ''} "
               f"among {len(g)} modules"
               + (f", {len(foreign)} header{'s' if len(foreign) != 1 else ''} "
                  "declaring another module's functions" if api else ""))
    return 1, out


def main(argv):
    api = "--api" in argv[1:]
    args = [a for a in argv[1:] if a != "--api"]
    root = args[0] if args else \
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    if not any(os.path.isdir(os.path.join(root, d)) for d in FOLDERS):
        print(f"{root}: none of {', '.join(FOLDERS)} is there", file=sys.stderr)
        return 2
    status, lines = check(root, api)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
