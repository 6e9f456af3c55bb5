#!/usr/bin/env python3
"""The example [alert] commands of deploy/ (issue 13 item 1), run as pocd
runs them: the event's JSON on standard input, the POCD_* variables.

- alert-sendmail hands sendmail (here a recorder, $SENDMAIL) a message to
  the given addresses with the alert's title as subject, the EXERCISE
  banner for an exercise and the event itself; an argument that is not an
  address (an option such as -oQ/tmp) is refused, and so is a failing
  sendmail (exit non-zero, so that pocd retries).
- alert-webhook posts the JSON byte for byte over HTTPS to a local server
  (a certificate made here, trusted through CURL_CA_BUNDLE) with the bearer
  token read from a file; a 500 answer is a failure; an http:// URL is
  refused before anything is sent.
"""

import http.server
import json
import os
import ssl
import subprocess
import threading

from tb import REPO, check, check_eq, run, run_test

SENDMAIL = os.path.join(REPO, "deploy", "alert-sendmail")
WEBHOOK = os.path.join(REPO, "deploy", "alert-webhook")

EVENT = {"seq": 7, "kind": "ARRIVAL", "message_id": "5f2c1e0a-1111-4111-8111-111111111111",
         "case_id": "5f2c1e0a-1111-4111-8111-111111111111", "peer": "AUS",
         "urgency": "FLASH", "tlp": "AMBER", "exercise": True, "summary": "Grid down",
         "alert": True, "show": "pocctl show 5f2c1e0a-1111-4111-8111-111111111111"}
ENV = {"PATH": "/usr/bin:/bin", "POCD_MEMBER": "FRA", "POCD_ALERT_KIND": "ARRIVAL",
       "POCD_ALERT_TITLE": "EXERCISE ARRIVAL FLASH (AUS): Grid down",
       "POCD_MESSAGE_ID": EVENT["message_id"], "POCD_CASE_ID": EVENT["case_id"],
       "POCD_EXERCISE": "1", "POCD_PEER": "AUS", "POCD_URGENCY": "FLASH"}


def run_env(argv, stdin, env):
    r = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=30,
                       env=env)
    return r.returncode, r.stdout, r.stderr


def test_sendmail(tb):
    out = os.path.join(tb.dir, "mail.txt")
    fake = tb.tmpfile("sendmail", f"#!/bin/sh\necho \"ARGS $*\" > {out}\ncat >> {out}\n"
                      "exit ${FAKE_EXIT:-0}\n")
    os.chmod(fake, 0o755)
    env = dict(ENV, SENDMAIL=fake)
    rc, o, e = run_env([SENDMAIL, "duty@cert.example", "oncall@cert.example"],
                       json.dumps(EVENT) + "\n", env)
    check_eq(rc, 0, f"alert-sendmail exit ({e})")
    mail = open(out, encoding="utf-8").read()
    check(mail.startswith("ARGS -oi -- duty@cert.example oncall@cert.example\n"),
          f"sendmail's arguments:\n{mail}")
    check("To: duty@cert.example, oncall@cert.example\n" in mail, f"To:\n{mail}")
    check("Subject: [pocd FRA] EXERCISE ARRIVAL FLASH (AUS): Grid down\n" in mail,
          f"Subject:\n{mail}")
    check("*** EXERCISE - NOT A REAL INCIDENT ***" in mail, f"banner:\n{mail}")
    check(f"pocctl show {EVENT['message_id']}" in mail, f"show:\n{mail}")
    check(json.dumps(EVENT) in mail, f"the event:\n{mail}")

    os.unlink(out)
    rc, o, e = run_env([SENDMAIL, "-oQ/tmp/x"], json.dumps(EVENT), env)
    check(rc == 2 and not os.path.exists(out), f"an option as address: exit {rc}")
    rc, o, e = run_env([SENDMAIL, "duty@cert.example"], json.dumps(EVENT),
                       dict(env, FAKE_EXIT="75"))
    check(rc != 0, "a failing sendmail must fail the alert")
    rc, o, e = run_env([SENDMAIL], json.dumps(EVENT), env)
    check_eq(rc, 2, "no recipients")


class Hook(http.server.BaseHTTPRequestHandler):
    got = []
    status = 200

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        Hook.got.append((dict(self.headers), self.rfile.read(n)))
        self.send_response(Hook.status)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook(tb):
    cert, key = os.path.join(tb.dir, "hook.pem"), os.path.join(tb.dir, "hook.key")
    rc, o, e = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1",
                    "-keyout", key, "-out", cert])
    check(rc == 0, f"openssl req: {e}")
    srv = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        url = f"https://127.0.0.1:{srv.server_address[1]}/pocd"
        token = tb.tmpfile("token", "s3cret-token\n")
        body = json.dumps(EVENT) + "\n"
        env = dict(ENV, CURL_CA_BUNDLE=cert)
        rc, o, e = run_env([WEBHOOK, url, token], body, env)
        check_eq(rc, 0, f"alert-webhook exit ({e})")
        check_eq(len(Hook.got), 1, "posts")
        hdrs, got = Hook.got[0]
        check_eq(got.decode(), body, "the body")
        check_eq(hdrs.get("Authorization"), "Bearer s3cret-token", "the token")
        check_eq(hdrs.get("Content-Type"), "application/json", "Content-Type")
        check_eq(hdrs.get("X-Pocd-Event"), "ARRIVAL", "X-Pocd-Event")

        Hook.status = 500
        rc, o, e = run_env([WEBHOOK, url], body, env)
        check(rc != 0, "a 500 answer must fail the alert")
        n = len(Hook.got)
        rc, o, e = run_env([WEBHOOK, url.replace("https:", "http:")], body, env)
        check(rc == 2 and len(Hook.got) == n, f"an http URL: exit {rc}")
        # An untrusted server certificate fails too.
        rc, o, e = run_env([WEBHOOK, url], body, dict(ENV))
        check(rc != 0 and len(Hook.got) == n, "an untrusted certificate")
    finally:
        srv.shutdown()
        srv.server_close()


def test(tb):
    test_sendmail(tb)
    test_webhook(tb)


if __name__ == "__main__":
    run_test(test, members=("AUS",))
