#!/usr/bin/env python3
"""Loopback stand-ins for the receivers of smogd's notices.

One process serves, on 127.0.0.1 with ports chosen by the kernel:
  - HTTP: a webhook receiver that checks X-Smogd-Signature and counts event
    ids (POST /hook/<mode>), an SMS gateway stand-in (/sms/<mode>), and
    GET /_stats with everything received so far as JSON;
  - SMTP: a sink speaking enough SMTP for libcurl (EHLO/HELO, MAIL, RCPT,
    DATA, RSET, NOOP, QUIT) that stores and decodes each message.

Modes for /hook/ and /sms/: ok, 500, 400, 408, 429 (Retry-After: 7),
429date (Retry-After as an HTTP-date 60 s ahead), hang (never answers).
SMTP recipients starting with "busy" get 451, "nobody" 550.

Usage: receivers.py [--secret S]. Prints {"http": P, "smtp": P} on one line,
then serves until stdin reaches end of file (so it dies with its parent).
"""
import argparse
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import socketserver
import sys
import threading
import time
import urllib.parse
from email.utils import formatdate

LOCK = threading.Lock()
STATE = {"events": {}, "bad_signatures": 0, "hooks": [], "sms": [], "mail": []}
SECRET = b""
STOP = threading.Event()


class HttpHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def answer_mode(self, mode):
        if mode == "hang":
            STOP.wait(5)
            self.close_connection = True
            return
        if mode == "ok":
            self.reply(200, b'{"ok":true}', [("Content-Type", "application/json")])
        elif mode == "429":
            self.reply(429, headers=[("Retry-After", "7")])
        elif mode == "429date":
            self.reply(429, headers=[("Retry-After", formatdate(time.time() + 60, usegmt=True))])
        elif mode in ("500", "400", "408"):
            self.reply(int(mode))
        else:
            self.reply(404)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_stats":
            with LOCK:
                data = json.dumps(STATE, ensure_ascii=False).encode()
            self.reply(200, data, [("Content-Type", "application/json")])
        elif url.path.startswith("/sms/"):
            self.record_sms(url, b"")
        else:
            self.reply(404)

    def do_PUT(self):
        self.do_POST()

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/hook/"):
            self.webhook(url.path[len("/hook/"):])
        elif url.path.startswith("/sms/"):
            self.record_sms(url, self.body())
        else:
            self.reply(404)

    def webhook(self, mode):
        body = self.body()
        ts = self.headers.get("X-Smogd-Timestamp", "")
        sig = self.headers.get("X-Smogd-Signature", "")
        event_id = self.headers.get("X-Smogd-Event", "")
        want = "v1=" + hmac.new(SECRET, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        fresh = ts.isdigit() and abs(time.time() - int(ts)) <= 300
        if not fresh or not hmac.compare_digest(want, sig):
            with LOCK:
                STATE["bad_signatures"] += 1
            self.reply(401)
            return
        with LOCK:
            STATE["events"][event_id] = STATE["events"].get(event_id, 0) + 1
            STATE["hooks"].append({
                "mode": mode, "event_id": event_id,
                "kind": self.headers.get("X-Smogd-Kind"),
                "content_type": self.headers.get("Content-Type"),
                "body": json.loads(body.decode("utf-8")),
            })
        self.answer_mode(mode)

    def record_sms(self, url, body):
        mode = url.path[len("/sms/"):]
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            fields = json.loads(body.decode("utf-8"))
        elif body:
            fields = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("ascii"), strict_parsing=True).items()}
        else:
            fields = {}
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        with LOCK:
            STATE["sms"].append({"mode": mode, "method": self.command, "content_type": ctype,
                                 "fields": fields, "query": query,
                                 "auth": self.headers.get("Authorization")})
        self.answer_mode(mode)


class SmtpHandler(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.send("220 sink.localhost ESMTP")
        mail_from, rcpts = None, []
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.send("250-sink.localhost" if verb == "EHLO" else "250 sink.localhost")
                if verb == "EHLO":
                    self.send("250 8BITMIME")
            elif verb == "MAIL":
                mail_from, rcpts = line.split(":", 1)[1].strip(), []
                self.send("250 OK")
            elif verb == "RCPT":
                addr = line.split(":", 1)[1].strip().strip("<>")
                if addr.startswith("busy"):
                    self.send("451 4.3.0 mailbox busy, try later")
                elif addr.startswith("nobody"):
                    self.send("550 5.1.1 no such user")
                else:
                    rcpts.append(addr)
                    self.send("250 OK")
            elif verb == "DATA":
                if not rcpts:
                    self.send("503 5.5.1 no recipients")
                    continue
                self.send("354 end with <CRLF>.<CRLF>")
                data = []
                while True:
                    l = self.rfile.readline(1 << 20)
                    if not l or l in (b".\r\n", b".\n"):
                        break
                    data.append(l[1:] if l.startswith(b"..") else l)
                self.store(mail_from, rcpts, b"".join(data))
                self.send("250 OK queued")
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self.send("250 OK")
            elif verb == "NOOP":
                self.send("250 OK")
            elif verb == "QUIT":
                self.send("221 bye")
                return
            else:
                self.send("502 5.5.2 not implemented")

    def store(self, mail_from, rcpts, raw):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text, attachments = None, []
        for part in msg.walk():
            if part.is_multipart():
                continue
            if part.get_filename():
                attachments.append({"filename": part.get_filename(),
                                    "content_type": part.get_content_type(),
                                    "content": part.get_payload(decode=True).decode("utf-8")})
            elif part.get_content_type() == "text/plain":
                text = part.get_payload(decode=True).decode(part.get_content_charset() or "ascii")
        with LOCK:
            STATE["mail"].append({"from": mail_from, "rcpts": rcpts,
                                  "subject": str(msg["Subject"]), "to": str(msg["To"]),
                                  "event_id": msg["X-Smogd-Event"], "date": msg["Date"],
                                  "text": text, "attachments": attachments})


class ThreadingTcp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global SECRET
    ap = argparse.ArgumentParser()
    ap.add_argument("--secret", default="s3cret")
    SECRET = ap.parse_args().secret.encode()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HttpHandler)
    smtpd = ThreadingTcp(("127.0.0.1", 0), SmtpHandler)
    for srv in (httpd, smtpd):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    print(json.dumps({"http": httpd.server_address[1], "smtp": smtpd.server_address[1]}), flush=True)
    sys.stdin.read()
    STOP.set()
    httpd.shutdown()
    smtpd.shutdown()


if __name__ == "__main__":
    main()
