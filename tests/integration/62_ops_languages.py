#!/usr/bin/env python3
"""The six UN languages end to end (issue 6, item 1): a notification made
from `pocctl template notification --lang xx` (with its "_help" labels) is
accepted by `send` as it is; the recipient's `show` and `thread` render it
and its acknowledgement in Arabic, Chinese, French, Russian and Spanish
with no English label and the para 30(c)/30(d) statements translated;
free text stays as written; the language comes from --lang or, without
it, from the locale (LANG naming a locale that is not installed)."""

import json
import os
import subprocess

from tb import POCCTL, check, run_test

EN_LABELS = ("Summary:", "Severity:", "Urgency:", "Sectors:", "Requested action:",
             "From:", "To:", "Created:", "State:", "Thread:", "Language:")
STATEMENT_30D = "Notice is not attribution"
STATEMENT_30C = "Receipt is not concurrence"
TITLES = {"ar": "إخطار", "zh": "通知", "fr": "NOTIFICATION", "ru": "УВЕДОМЛЕНИЕ",
          "es": "NOTIFICACIÓN"}
LABEL_SEVERITY = {"ar": "درجة الخطورة:", "zh": "严重程度:", "fr": "Gravité:",
                  "ru": "Степень серьезности:", "es": "Gravedad:"}


def test(tb):
    rc, out, err = tb.pocctl_text("KEN", "template", "notification", "--lang", "fr")
    check(rc == 0, f"template --lang fr: {err}")
    tpl = json.loads(out)
    check(tpl["_help"]["notification"]["severity"].startswith("Gravité"),
          f"_help not in French: {tpl['_help']['notification']}")
    check(tpl["language"] == "fr", "template language is not fr")
    tpl.update(recipient="AUS", tlp="AMBER", language="en")
    tpl["notification"].update(summary="Botnet C2 hosted in AUS address space",
                               severity="HIGH", urgency="PRIORITY", sectors=["ENERGY"],
                               requested_action="Take down 203.0.113.7")
    sent = tb.send("KEN", tpl)  # "_help" included: send ignores it
    tb.wait_until(lambda: tb.find("AUS", "inbox", sent["id"]), 15, "the notification at AUS")
    ack = tb.pocctl("AUS", "ack", sent["id"][:8])
    tb.wait_until(lambda: tb.find("KEN", "inbox", ack["id"]), 15, "the acknowledgement at KEN")

    for lang in ("ar", "zh", "fr", "ru", "es"):
        rc, show, err = tb.pocctl_text("AUS", "--lang", lang, "show", sent["id"][:8])
        check(rc == 0, f"{lang}: show failed: {err}")
        check(show.startswith(TITLES[lang] + "\n"), f"{lang}: title: {show[:40]!r}")
        check(LABEL_SEVERITY[lang] in show, f"{lang}: no translated severity label:\n{show}")
        for label in EN_LABELS:
            if lang == "fr" and label == "Language:":
                continue
            check(f"\n{label}" not in show, f"{lang}: English label {label}\n{show}")
        check(STATEMENT_30D not in show and "30" in show.split("\n\n")[-1],
              f"{lang}: para 30(d) statement not translated:\n{show}")
        check("HIGH" not in show and "ENERGY" not in show, f"{lang}: English enum values:\n{show}")
        check("Botnet C2 hosted in AUS address space" in show and "Take down 203.0.113.7" in show,
              f"{lang}: free text changed:\n{show}")
        rc, thread, err = tb.pocctl_text("KEN", "thread", sent["id"][:8], "--lang", lang)
        check(rc == 0, f"{lang}: thread failed: {err}")
        check(STATEMENT_30C not in thread and STATEMENT_30D not in thread,
              f"{lang}: statements in English in the thread:\n{thread}")

    # The locale chooses when --lang is not given (the locale itself need
    # not be installed); --lang wins over it.
    cfg = tb.info("AUS")["pocctl_config"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANGUAGE"}
    for lang, loc in (("ru", "ru_RU.UTF-8"), ("es", "es_ES.UTF-8"), ("zh", "zh_CN.UTF-8")):
        r = subprocess.run([POCCTL, "-c", cfg, "show", sent["id"][:8]], capture_output=True,
                           text=True, timeout=30, env=dict(env, LANG=loc))
        check(r.returncode == 0 and r.stdout.startswith(TITLES[lang]),
              f"LANG={loc}: not rendered in {lang}: {r.stdout[:60]!r} {r.stderr}")
    r = subprocess.run([POCCTL, "-c", cfg, "--lang", "en", "show", sent["id"][:8]],
                       capture_output=True, text=True, timeout=30, env=dict(env, LANG="fr_FR.UTF-8"))
    check(r.stdout.startswith("NOTIFICATION\n") and "Severity:" in r.stdout,
          f"--lang en did not win over LANG=fr_FR.UTF-8: {r.stdout[:80]!r}")


if __name__ == "__main__":
    run_test(test, members=("KEN", "AUS"))
