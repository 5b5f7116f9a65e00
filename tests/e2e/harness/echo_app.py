#!/usr/bin/env python3
"""The upstream application behind nginx: answers every request with the
request it received (method, path, headers) and appends the same record as
one JSON line to a log file, so tests can see exactly what reached it.

Browsers (Accept: text/html) get a small HTML page with the record in
<pre id="echo">; everyone else gets JSON.

    python3 echo_app.py --port 9000 --log requests.jsonl
"""

import argparse
import html
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class EchoHandler(BaseHTTPRequestHandler):
    server_version = "echo"
    protocol_version = "HTTP/1.1"

    def handle_any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = {
            "method": self.command,
            "path": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body_length": len(body),
        }
        line = json.dumps(record)
        with self.server.log_lock:
            with open(self.server.log_path, "a") as log:
                log.write(line + "\n")
        if "text/html" in (self.headers.get("Accept") or ""):
            user = html.escape(self.headers.get("X-Remote-User") or "(nobody)")
            email = html.escape(self.headers.get("X-Remote-Email") or "(none)")
            name = html.escape(self.headers.get("X-Remote-Name") or "(none)")
            payload = (
                "<!doctype html><title>echo</title>"
                f"<h1>Hello, <span id=\"user\">{user}</span></h1>"
                "<table id=\"identity\">"
                f"<tr><th>Signed in as</th><td id=\"signed-in-as\">{user}</td></tr>"
                f"<tr><th>Email</th><td id=\"email\">{email}</td></tr>"
                f"<tr><th>Name</th><td id=\"name\">{name}</td></tr>"
                "</table>"
                "<p>The application received this request (the headers oidc-fcgi set are X-Remote-*):</p>"
                f"<pre id=\"echo\">{html.escape(json.dumps(record, indent=2))}</pre>"
                "<p><a href=\"/oidc/logout\">Log out</a></p>"
            ).encode()
            ctype = "text/html; charset=utf-8"
        else:
            payload = line.encode()
            ctype = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    def do_HEAD(self) -> None:
        self.handle_any()

    def log_message(self, fmt, *args) -> None:
        sys.stderr.write("echo: " + (fmt % args) + "\n")


class EchoServer(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: with more concurrent requests
    # from nginx the kernel drops connection attempts, each retried after 1 s,
    # which looks like a 1 s stall of the system under test.
    request_queue_size = 128


def main() -> int:
    parser = argparse.ArgumentParser(description="echo upstream")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    server = EchoServer(("127.0.0.1", args.port), EchoHandler)
    server.daemon_threads = True
    server.log_path = args.log
    server.log_lock = threading.Lock()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"echo ready: http://127.0.0.1:{args.port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, SystemExit):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
