"""A small FastCGI client (the web server's side of the protocol), in pure
Python, to talk to `oidc-fcgi serve` without nginx in between.

    with FastCGIConnection.unix(path) as conn:
        answer = conn.request(cgi_params(OIDC_ACTION="auth"), keep_conn=True)
        answer.status   # 401
        answer = conn.request(cgi_params(OIDC_ACTION="auth", HTTP_COOKIE=...), keep_conn=True)

A request can also be sent step by step (begin / params / stdin / end_stdin /
read_response) to hold a request open while something else happens.
Every socket operation has a timeout.
"""

from __future__ import annotations

import select
import socket
import struct
from dataclasses import dataclass, field

FCGI_VERSION_1 = 1
FCGI_BEGIN_REQUEST = 1
FCGI_ABORT_REQUEST = 2
FCGI_END_REQUEST = 3
FCGI_PARAMS = 4
FCGI_STDIN = 5
FCGI_STDOUT = 6
FCGI_STDERR = 7
FCGI_RESPONDER = 1
FCGI_KEEP_CONN = 1
FCGI_REQUEST_COMPLETE = 0

HEADER = struct.Struct("!BBHHBx")  # version, type, request id, content length, padding length
MAX_CONTENT = 65535


class FastCGIError(RuntimeError):
    pass


class ConnectionClosed(FastCGIError):
    """The server closed the connection before the answer was complete."""


def record(record_type: int, request_id: int, content: bytes = b"") -> bytes:
    padding = (-len(content)) % 8
    return HEADER.pack(FCGI_VERSION_1, record_type, request_id, len(content), padding) + content + b"\0" * padding


def stream_records(record_type: int, request_id: int, data: bytes) -> bytes:
    """A stream's data in records of at most 64 KiB (no terminating empty record)."""
    return b"".join(
        record(record_type, request_id, data[i : i + MAX_CONTENT]) for i in range(0, len(data), MAX_CONTENT)
    )


def encode_length(n: int) -> bytes:
    return bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)


def encode_params(params: dict[str, str]) -> bytes:
    out = bytearray()
    for name, value in params.items():
        n, v = str(name).encode(), str(value).encode()
        out += encode_length(len(n)) + encode_length(len(v)) + n + v
    return bytes(out)


def cgi_params(
    *, method: str = "GET", uri: str = "/", host: str = "localhost", port: int = 80, **extra: str
) -> dict[str, str]:
    """What nginx's fastcgi_params sends for a request, plus `extra`
    (OIDC_ACTION, HTTP_COOKIE, HTTP_ACCEPT, ...)."""
    path, _, query = uri.partition("?")
    params = {
        "QUERY_STRING": query,
        "REQUEST_METHOD": method,
        "CONTENT_TYPE": "",
        "CONTENT_LENGTH": "",
        "SCRIPT_NAME": path,
        "REQUEST_URI": uri,
        "DOCUMENT_URI": path,
        "DOCUMENT_ROOT": "/var/www",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REQUEST_SCHEME": "http",
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_SOFTWARE": "fastcgi_client.py",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "SERVER_ADDR": "127.0.0.1",
        "SERVER_PORT": str(port),
        "SERVER_NAME": host,
        "HTTP_HOST": f"{host}:{port}",
    }
    params.update({k: str(v) for k, v in extra.items()})
    return params


@dataclass
class FastCGIResponse:
    request_id: int
    stdout: bytes
    stderr: bytes
    app_status: int
    protocol_status: int
    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


def parse_cgi_response(raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """'Status: 302 Found\\r\\nName: value\\r\\n\\r\\nbody' -> (302, headers, body).
    Without a Status header the answer is 200 (CGI rule)."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    if not sep:
        raise FastCGIError(f"no end of the header block in {raw[:300]!r}")
    headers: list[tuple[str, str]] = []
    status = 200
    for line in head.decode("latin-1").splitlines():
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise FastCGIError(f"malformed header line {line!r}")
        name, value = name.strip(), value.strip()
        if name.lower() == "status":
            status = int(value.split()[0])
        headers.append((name, value))
    return status, headers, body


class FastCGIConnection:
    def __init__(self, sock: socket.socket, timeout: float = 10.0) -> None:
        self.sock = sock
        self.sock.settimeout(timeout)
        self._buffer = bytearray()

    @classmethod
    def unix(cls, path: str, timeout: float = 10.0) -> "FastCGIConnection":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except BaseException:
            sock.close()
            raise
        return cls(sock, timeout)

    @classmethod
    def tcp(cls, host: str, port: int, timeout: float = 10.0) -> "FastCGIConnection":
        return cls(socket.create_connection((host, port), timeout=timeout), timeout)

    # -- sending ----------------------------------------------------------
    def begin(self, request_id: int = 1, *, keep_conn: bool = False) -> None:
        flags = FCGI_KEEP_CONN if keep_conn else 0
        self.sock.sendall(record(FCGI_BEGIN_REQUEST, request_id, struct.pack("!HB5x", FCGI_RESPONDER, flags)))

    def params(self, params: dict[str, str], request_id: int = 1) -> None:
        """All parameters, then the empty PARAMS record that ends them."""
        self.sock.sendall(stream_records(FCGI_PARAMS, request_id, encode_params(params)) + record(FCGI_PARAMS, request_id))

    def stdin(self, data: bytes, request_id: int = 1) -> None:
        if data:
            self.sock.sendall(stream_records(FCGI_STDIN, request_id, data))

    def end_stdin(self, request_id: int = 1) -> None:
        self.sock.sendall(record(FCGI_STDIN, request_id))

    # -- receiving --------------------------------------------------------
    def _read_exact(self, n: int) -> bytes:
        while len(self._buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionClosed(f"connection closed after {len(self._buffer)} of {n} bytes")
            self._buffer += chunk
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    def read_record(self) -> tuple[int, int, bytes]:
        version, record_type, request_id, length, padding = HEADER.unpack(self._read_exact(HEADER.size))
        if version != FCGI_VERSION_1:
            raise FastCGIError(f"unexpected FastCGI version {version}")
        content = self._read_exact(length + padding)[:length]
        return record_type, request_id, content

    def read_response(self, request_id: int = 1) -> FastCGIResponse:
        """STDOUT/STDERR records until END_REQUEST for `request_id`."""
        stdout, stderr = bytearray(), bytearray()
        while True:
            record_type, rid, content = self.read_record()
            if rid != request_id:
                raise FastCGIError(f"record type {record_type} for request {rid}, expected {request_id}")
            if record_type == FCGI_STDOUT:
                stdout += content
            elif record_type == FCGI_STDERR:
                stderr += content
            elif record_type == FCGI_END_REQUEST:
                app_status, protocol_status = struct.unpack("!IB3x", content)
                response = FastCGIResponse(rid, bytes(stdout), bytes(stderr), app_status, protocol_status)
                if stdout:
                    response.status, response.headers, response.body = parse_cgi_response(bytes(stdout))
                return response
            else:
                raise FastCGIError(f"unexpected record type {record_type}")

    def request(
        self, params: dict[str, str], body: bytes = b"", *, keep_conn: bool = False, request_id: int = 1
    ) -> FastCGIResponse:
        """One whole request on this connection and its answer."""
        self.begin(request_id, keep_conn=keep_conn)
        self.params(params, request_id)
        self.stdin(body, request_id)
        self.end_stdin(request_id)
        return self.read_response(request_id)

    def closed_by_peer(self, timeout: float = 5.0) -> bool:
        """True when the server closes the connection (EOF) within `timeout`
        without sending anything more; False when it stays open."""
        if self._buffer:
            return False
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1)
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        if data:
            self._buffer += data
            return False
        return True

    def nothing_received(self, timeout: float) -> bool:
        """True when the server sends nothing (no data, no close) for `timeout` seconds."""
        if self._buffer:
            return False
        readable, _, _ = select.select([self.sock], [], [], timeout)
        return not readable

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "FastCGIConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connected_unix_sockets(path: str) -> set[int]:
    """The inodes of the connected stream sockets bound to `path` right now,
    from /proc/net/unix: the server ends of the connections that a listener
    at `path` accepted and that are still open (the listening socket itself
    is not connected). The same inode over time means the same connection."""
    inodes = set()
    with open("/proc/net/unix") as table:
        next(table)  # Num RefCount Protocol Flags Type St Inode Path
        for line in table:
            fields = line.split()
            if len(fields) >= 8 and fields[7] == str(path) and fields[5] == "03":  # SS_CONNECTED
                inodes.add(int(fields[6]))
    return inodes
