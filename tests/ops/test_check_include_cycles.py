#!/usr/bin/env python3
"""Unit test of check_include_cycles.py on small trees made in a temporary
directory: it must find a 2-cycle, a 3-cycle through a chain, a cycle made
through an X_int.h, a cycle through a folder-qualified include, keep
same-stem modules of different folders apart, and pass acyclic trees;
with --api, find the cycle a header declaring another module's functions
hides, and pass when each API is in its own header.

Run: python3 tests/ops/test_check_include_cycles.py   (make ops-check runs it)
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
import check_include_cycles as cic  # noqa: E402

SCRIPT = os.path.join(HERE, "check_include_cycles.py")


class Tree:
    """A temporary ROOT with daemon/, cli/, common/ files given as
    {"daemon/peer.c": ["outbox.h", ...]} (the quoted includes), and
    optionally the rest of a file's text as {"daemon/peer.c": "..."}."""

    def __init__(self, files, text=None):
        self.root = tempfile.mkdtemp(prefix="cic-")
        for path, incs in files.items():
            full = os.path.join(self.root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as f:
                f.write("/* test */\n#include <stdio.h>\n")
                f.writelines(f'#include "{i}"\n' for i in incs)
                f.write((text or {}).get(path, ""))

    def run(self, *opts):
        r = subprocess.run([sys.executable, SCRIPT, *opts, self.root],
                           capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


class TestCycles(unittest.TestCase):
    def check(self, files):
        t = Tree(files)
        self.addCleanup(t.close)
        return t.run()

    def test_two_cycle(self):
        rc, out = self.check({
            "daemon/peer.c": ["peer.h", "outbox.h"],
            "daemon/peer.h": [],
            "daemon/outbox.c": ["outbox.h", "peer.h"],
            "daemon/outbox.h": ["proto/poc.pb-c.h"],
        })
        self.assertEqual(rc, 1, out)
        self.assertIn("include cycle of 2 modules: daemon: outbox, peer", out)
        self.assertIn("e.g. daemon: outbox -> peer -> outbox", out)
        self.assertIn('daemon/outbox.c:4: #include "peer.h"', out)
        self.assertIn('daemon/peer.c:4: #include "outbox.h"', out)
        self.assertTrue(out.rstrip().endswith("1 include cycle among 2 modules"), out)

    def test_three_cycle_through_chain(self):
        # a -> b -> c -> a, with d hanging off the cycle and e a leaf.
        rc, out = self.check({
            "daemon/a.c": ["b.h", "e.h"],
            "daemon/b.c": ["c.h"],
            "daemon/b.h": [],
            "daemon/c.h": ["a.h"],
            "daemon/a.h": [],
            "daemon/d.c": ["a.h"],
            "daemon/e.h": [],
        })
        self.assertEqual(rc, 1, out)
        self.assertIn("include cycle of 3 modules: daemon: a, b, c", out)
        self.assertIn("e.g. daemon: a -> b -> c -> a", out)
        self.assertNotIn("d ->", out)
        self.assertNotIn("e ->", out)

    def test_int_header_is_its_module(self):
        # store_int.h is module store: store_msg -> store (via store_int.h)
        # and store.c -> store_msg.h close a cycle.
        rc, out = self.check({
            "daemon/store.c": ["store.h", "store_int.h", "store_msg.h"],
            "daemon/store.h": [],
            "daemon/store_int.h": ["store.h"],
            "daemon/store_msg.c": ["store_int.h", "store_msg.h"],
            "daemon/store_msg.h": [],
        })
        self.assertEqual(rc, 1, out)
        self.assertIn("include cycle of 2 modules: daemon: store, store_msg", out)
        self.assertIn('#include "store_int.h"', out)
        self.assertNotIn("store_int ", out)

    def test_int_header_alone_is_no_cycle(self):
        rc, out = self.check({
            "daemon/store.c": ["store.h", "store_int.h"],
            "daemon/store.h": [],
            "daemon/store_int.h": ["store.h"],
            "daemon/store_msg.c": ["store_int.h"],
        })
        self.assertEqual((rc, out), (0, "no include cycles (2 modules)\n"))

    def test_qualified_include_and_folders(self):
        # cli/cmd.c -> cli/pocctl.h -> cli/cmd.h through "cli/..." paths;
        # common/ is reached by a bare name from cli/.
        rc, out = self.check({
            "cli/cmd.c": ["cli/cmd.h", "cli/pocctl.h", "util.h"],
            "cli/cmd.h": [],
            "cli/pocctl.h": ["cli/cmd.h"],
            "common/util.c": ["util.h"],
            "common/util.h": [],
        })
        self.assertEqual(rc, 1, out)
        self.assertIn("include cycle of 2 modules: cli: cmd, pocctl", out)
        self.assertNotIn("util", out)

    def test_same_stem_in_two_folders_kept_apart(self):
        # daemon/audit.c includes common's audit.h only by the -Icommon
        # path if there is no daemon/audit.h; with one, it is its own.
        # common/audit -> common/log and daemon/log -> daemon/audit would
        # be a cycle only if the two audits (or logs) were merged.
        rc, out = self.check({
            "common/audit.c": ["audit.h", "log.h"],
            "common/audit.h": [],
            "common/log.h": [],
            "daemon/log.c": ["log.h", "audit.h"],
            "daemon/log.h": [],
            "daemon/audit.c": ["audit.h", "x.h"],
            "daemon/audit.h": [],
            "daemon/x.h": [],
        })
        self.assertEqual((rc, out), (0, "no include cycles (5 modules)\n"))

    def test_cross_folder_cycle_named_by_folder(self):
        rc, out = self.check({
            "common/conn.c": ["conn.h", "daemon/log.h"],
            "common/conn.h": [],
            "daemon/log.c": ["log.h", "conn.h"],
            "daemon/log.h": [],
        })
        self.assertEqual(rc, 1, out)
        self.assertIn("include cycle of 2 modules: common/conn, daemon/log", out)
        self.assertIn("e.g. common/conn -> daemon/log -> common/conn", out)

    def test_acyclic_and_ignored(self):
        rc, out = self.check({
            "daemon/pocd.c": ["pocd.h", "peer.h", "store.h", "proto/poc.pb-c.h", "missing.h"],
            "daemon/pocd.h": ["config.h"],
            "daemon/config.h": ["tls.h"],
            "daemon/peer.c": ["peer.h", "store.h", "log.h"],
            "daemon/peer.h": ["proto/poc.pb-c.h"],
            "daemon/store.c": ["store.h", "log.h"],
            "daemon/store.h": [],
            "daemon/log.h": [],
            "common/tls.c": ["tls.h"],
            "common/tls.h": [],
            "cli/pocctl.c": ["cli/cmd.h"],
            "cli/cmd.h": [],
        })
        self.assertEqual((rc, out), (0, "no include cycles (8 modules)\n"))

    def test_two_components_reported_larger_first(self):
        rc, out = self.check({
            "daemon/a.c": ["b.h"], "daemon/b.h": ["a.h"], "daemon/a.h": [],
            "cli/x.c": ["y.h"], "cli/y.c": ["z.h"], "cli/y.h": [],
            "cli/z.h": ["x.h"], "cli/x.h": [],
        })
        self.assertEqual(rc, 1, out)
        lines = [ln for ln in out.splitlines() if ln.startswith("include cycle")]
        self.assertEqual(lines, ["include cycle of 3 modules: cli: x, y, z",
                                 "include cycle of 2 modules: daemon: a, b"])
        self.assertTrue(out.rstrip().endswith("2 include cycles among 5 modules"), out)

    # A header that declares another module's functions (cmd.h declaring
    # pocctl.c's cmd_help) hides a cycle from the include lines alone.
    API_FILES = {
        "cli/cmd.h": [],
        "cli/cmd.c": ["cli/cmd.h"],
        "cli/pocctl.c": ["cli/cmd.h"],
        "cli/output.h": [],
        "cli/output.c": ["cli/output.h"],
    }
    API_TEXT = {
        "cli/cmd.h": "int\tcmd_run(int, char **);\n"
                     "void\t cmd_help(const char *)\n\t    __attribute__((noreturn));\n"
                     "typedef int (*cmd_fn)(int, char **);\n"
                     "#define CMD_MAX(a) (a)\n",
        "cli/cmd.c": "/* Runs a command. */\nint\ncmd_run(int argc, char **argv)\n{\n"
                     "\treturn cmd_local(argc, argv);\n}\n"
                     "static int\ncmd_local(int argc, char **argv)\n{\n\treturn 0;\n}\n",
        "cli/pocctl.c": "void\ncmd_help(const char *topic)\n{\n\texit(2);\n}\n"
                        "int\nmain(int argc, char **argv)\n{\n\treturn cmd_run(argc, argv);\n}\n",
        "cli/output.h": "/* output_help(void); is only a comment */\n"
                        "const char\t*output_name(int);\n",
        "cli/output.c": "const char *\noutput_name(int n)\n{\n\treturn \"\";\n}\n",
    }

    def test_api_shared_header(self):
        t = Tree(self.API_FILES, self.API_TEXT)
        self.addCleanup(t.close)
        self.assertEqual(t.run(), (0, "no include cycles (3 modules)\n"))
        rc, out = t.run("--api")
        self.assertEqual(rc, 1, out)
        lines = out.splitlines()
        self.assertEqual(lines[0], "cli/cmd.h declares cli/pocctl.c's cmd_help")
        self.assertIn("include cycle of 2 modules: cli: cmd, pocctl", out)
        self.assertIn('cli/cmd.c:3: #include "cli/cmd.h", which declares cli/pocctl.c\'s cmd_help', out)
        self.assertNotIn("output", out)
        self.assertTrue(lines[-1].endswith(
            "1 include cycle among 3 modules, 1 header declaring another module's functions"), out)

    def test_api_own_headers_pass(self):
        files = dict(self.API_FILES, **{"cli/pocctl.h": []})
        files["cli/pocctl.c"] = ["cli/cmd.h", "cli/pocctl.h"]
        files["cli/cmd.c"] = ["cli/cmd.h", "cli/pocctl.h"]
        text = dict(self.API_TEXT)
        text["cli/cmd.h"] = "int\tcmd_run(int, char **);\n"
        text["cli/pocctl.h"] = "void\t cmd_help(const char *);\n"
        t = Tree(files, text)
        self.addCleanup(t.close)
        # pocctl.h holds pocctl.c's API: cmd -> pocctl -> cmd is a real
        # include cycle now, seen without --api too.
        rc, out = t.run()
        self.assertEqual(rc, 1, out)
        self.assertIn("include cycle of 2 modules: cli: cmd, pocctl", out)
        # Once cmd.c no longer includes pocctl.h, both modes pass.
        files["cli/cmd.c"] = ["cli/cmd.h"]
        t2 = Tree(files, text)
        self.addCleanup(t2.close)
        self.assertEqual(t2.run(), (0, "no include cycles (3 modules)\n"))
        self.assertEqual(t2.run("--api"),
                         (0, "no include cycles (3 modules), every API in its own header\n"))

    def test_module_of(self):
        self.assertEqual(cic.module_of("daemon", "store_int.h"), ("daemon", "store"))
        self.assertEqual(cic.module_of("daemon", "store_sig.c"), ("daemon", "store_sig"))
        self.assertEqual(cic.module_of("cli", "int.h"), ("cli", "int"))


if __name__ == "__main__":
    unittest.main(verbosity=1)
