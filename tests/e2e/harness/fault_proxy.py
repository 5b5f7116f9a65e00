"""A fault injector in front of the test identity provider: an HTTP proxy on
127.0.0.1 (port chosen at run time), run as threads of the test process.

Each request is forwarded with its `Host` header unchanged, so the provider
(which builds its issuer and endpoint URLs from `Host`) describes itself as
the proxy: configured with the proxy's URL as issuer, oidc-fcgi and the
browser both reach every endpoint through it. `hang(path, ...)` makes the
proxy accept requests for those paths and never answer them (until `passing`
or `stop`); everything else passes. `hits(path)` counts requests seen."""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

DISCOVERY = "/.well-known/openid-configuration"
JWKS = "/jwks"
TOKEN = "/oauth2/token"

# Hop-by-hop headers (RFC 9110 7.6.1) are not forwarded.
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}


class FaultProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._hanging: frozenset[str] = frozenset()
        self._released = threading.Condition()
        self._stopping = False
        self._hits: Counter[str] = Counter()
        self._held = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _serve(self) -> None:
                path = urlsplit(self.path).path
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy._released:
                    proxy._hits[path] += 1
                if proxy._hold(path):
                    self.close_connection = True
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                try:
                    upstream.request(self.command, self.path, body=body or None, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                    self.send_response(answer.status, answer.reason)
                    for name, value in answer.getheaders():
                        if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    self.close_connection = True
                    try:
                        self.send_error(502)
                    except OSError:
                        pass
                finally:
                    upstream.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FaultProxy":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"fault-proxy-{self.port}", daemon=True)
        self._thread.start()
        return self

    def hang(self, *paths: str) -> None:
        """Requests for these paths are accepted and never answered (others pass)."""
        with self._released:
            self._hanging = frozenset(paths)
            self._released.notify_all()

    def passing(self) -> None:
        """Every request passes again; requests held so far are closed unanswered."""
        self.hang()

    def hits(self, path: str) -> int:
        with self._released:
            return self._hits[path]

    def held(self) -> int:
        """Requests being held unanswered right now."""
        with self._released:
            return self._held

    def _hold(self, path: str) -> bool:
        """Blocks while `path` hangs; True when the request was held (and must get no answer)."""
        with self._released:
            if path not in self._hanging:
                return False
            self._held += 1
            try:
                while path in self._hanging and not self._stopping:
                    self._released.wait()
            finally:
                self._held -= 1
            return True

    def stop(self) -> None:
        with self._released:
            self._stopping = True
            self._released.notify_all()
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(5)
