"""A raw HTTP/1.1 client for tests that must see the answer's header lines
exactly as sent (one request per connection, bounded in time)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class RawResponse:
    status: int
    lines: list[str]  # every header line as received, without CRLF
    body: bytes

    def header_values(self, name: str) -> list[str]:
        prefix = name.lower() + ":"
        return [line.split(":", 1)[1].strip() for line in self.lines if line.lower().startswith(prefix)]


def raw_get(url: str, path: str, headers: dict[str, str] | None = None, timeout: float = 10.0,
            extra_lines: list[str] | None = None) -> RawResponse:
    """GET `path` (sent byte for byte, not re-encoded) from the server of `url`;
    `extra_lines` are header lines sent as they are (a header sent twice)."""
    parts = urlsplit(url)
    lines = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close", "Accept: text/html"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines += extra_lines or []
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split()[1])
    return RawResponse(status=status, lines=head_lines[1:], body=body)
