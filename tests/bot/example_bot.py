#!/usr/bin/env python3
"""A tiny example bot for hubgate's bot hook (README "The bot hook").

    example_bot.py SECRET PORTFILE [LOGFILE]

Listens on 127.0.0.1 (a free port, written to PORTFILE), checks each
request's Standard Webhooks signature (webhook-id, webhook-timestamp,
webhook-signature: "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>",
key = base64 of what follows "whsec_", else the secret's bytes), and
answers:

  "order NNN" (or params.order) -> the order's status, confidence 0.95
  "maybe ..."                    -> an answer with confidence 0.3
  "refund ..."                   -> handover: true with a reason
  "track NNN"                    -> a reply with buttons (a link, a postback)
  "overload"                     -> four buttons: one too many (escalates)
  "slow ..."                     -> no answer before hubgate's timeout
  "broken ..."                   -> HTTP 500
  anything else                  -> "Sorry, I only know about orders."

A request whose signature does not verify is answered 401.  Each request
is appended to LOGFILE as one JSON line {"verified", "body",
"webhook_id"}.
"""
import base64
import hashlib
import hmac
import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = sys.argv[1]
KEY = (base64.b64decode(SECRET[6:]) if SECRET.startswith("whsec_")
       else SECRET.encode())
LOG = sys.argv[3] if len(sys.argv) > 3 else None
STATUS = {"1": "shipped, arriving Thursday", "2": "being baked",
          "3": "delivered"}


def verified(headers, body):
    wid = headers.get("webhook-id", "")
    ts = headers.get("webhook-timestamp", "")
    sig = headers.get("webhook-signature", "")
    if not wid or not ts.isdigit() or abs(time.time() - int(ts)) > 300:
        return False
    mac = hmac.new(KEY, wid.encode() + b"." + ts.encode() + b"." + body,
                   hashlib.sha256).digest()
    want = "v1," + base64.b64encode(mac).decode()
    return any(hmac.compare_digest(want, s) for s in sig.split(" "))


def answer(req):
    text = (req.get("message") or {}).get("text") or ""
    order = (req.get("params") or {}).get("order")
    m = re.search(r"\border\s+(\d+)", text, re.I)
    if order or m:
        n = order or m.group(1)
        status = STATUS.get(n[-1], "being prepared")
        return 200, {"replies": [{"text": "Order %s: %s." % (n, status)}],
                     "tags": ["order"], "confidence": 0.95}
    word = text.split()[0].lower() if text.split() else ""
    if word == "maybe":
        return 200, {"replies": [{"text": "Perhaps?"}], "confidence": 0.3}
    if word == "refund":
        return 200, {"handover": True, "reason": "a refund needs a person"}
    if word == "slow":
        time.sleep(6)
        return 200, {"replies": [{"text": "Too late."}]}
    if word == "track":
        n = (text.split() + ["0"])[1]
        return 200, {"replies": [{"text": "Order %s is on its way." % n,
                                  "buttons": [{"title": "Track it",
                                               "url": "https://example.org/track/%s" % n},
                                              {"title": "Talk to us", "payload": "HUMAN"}]}],
                     "confidence": 0.9}
    if word == "overload":
        return 200, {"replies": [{"text": "Pick one",
                                  "buttons": [{"title": "B%d" % i, "payload": "P%d" % i}
                                              for i in range(4)]}],
                     "confidence": 0.9}
    if word == "broken":
        return 500, {"error": "broken"}
    return 200, {"replies": [{"text": "Sorry, I only know about orders."}],
                 "confidence": 0.9}


class Bot(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ok = verified(self.headers, body)
        try:
            req = json.loads(body)
        except ValueError:
            req = None
        if LOG:
            with open(LOG, "a") as f:
                f.write(json.dumps({"verified": ok, "body": req, "webhook_id":
                                    self.headers.get("webhook-id")}) + "\n")
        status, out = (401, {"error": "bad signature"}) if not ok else \
            answer(req or {})
        data = json.dumps(out).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", 0), Bot)
with open(sys.argv[2], "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
