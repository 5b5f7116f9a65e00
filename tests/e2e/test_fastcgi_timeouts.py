"""A web server (or anything that can reach the FastCGI socket) that sends
half a request, trickles it byte by byte, never sends the body it announced,
or keeps an idle connection open cannot hold oidc-fcgi's workers: reading one
request takes at most `fastcgi.read_timeout` (1 s here) in all, and then the
connection is closed unanswered. `FCGI_WEB_SERVER_ADDRS` limits who may
connect over TCP, IPv6 peers included.

oidc-fcgi runs with 4 workers, so 4 stuck connections used to stop it for
good (the first report measured over 30 s)."""

from __future__ import annotations

import socket
import struct
import threading
import time
from pathlib import Path

import pytest
import requests

from harness.fastcgi_client import (
    FCGI_BEGIN_REQUEST,
    FCGI_PARAMS,
    FCGI_RESPONDER,
    FastCGIConnection,
    cgi_params,
    encode_params,
    record,
)
from harness.login import browser, get
from harness.oidc_fcgi import write_config
from harness.ports import can_connect, free_port
from harness.process import ManagedProcess
from harness.stack import Stack, StackOptions

WORKERS = 4
READ_TIMEOUT = 1.0
# Upper bounds that only catch a stuck worker; they are not performance claims.
CLOSED_WITHIN = READ_TIMEOUT + 2.0
ANSWERED_WITHIN = READ_TIMEOUT + 3.0


@pytest.fixture(scope="module")
def stack(request, oidc_fcgi_bin) -> Stack:
    s = Stack(StackOptions(store="memory", label="timeouts", extra_config={"fastcgi": {"read_timeout": "1s"}}))
    request.addfinalizer(s.stop)
    try:
        s.start()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"the stack did not start: {error}\n{s.logs()}", pytrace=False)
    return s


def auth(stack, **extra) -> dict[str, str]:
    return cgi_params(port=stack.nginx.port, host="127.0.0.1", OIDC_ACTION="auth", HTTP_ACCEPT="text/html", **extra)


def connect(stack) -> FastCGIConnection:
    return FastCGIConnection.unix(str(stack.oidc.socket_path), timeout=10)


def half_sent(stack) -> FastCGIConnection:
    """BEGIN_REQUEST and the first half of a PARAMS record, then nothing."""
    conn = connect(stack)
    params = record(FCGI_PARAMS, 1, encode_params(auth(stack)))
    conn.sock.sendall(record(FCGI_BEGIN_REQUEST, 1, struct.pack("!HB5x", FCGI_RESPONDER, 0)) + params[: len(params) // 2])
    return conn


def answer_time(stack) -> tuple[int, float]:
    started = time.monotonic()
    with connect(stack) as conn:
        status = conn.request(auth(stack)).status
    return status, time.monotonic() - started


def closed_within(conn: FastCGIConnection, started: float, bound: float) -> float:
    """Seconds from `started` until the server closed `conn` unanswered."""
    assert conn.closed_by_peer(timeout=max(0.1, started + bound - time.monotonic())), (
        f"connection still open (or answered) {bound:.1f}s after it stalled"
    )
    return time.monotonic() - started


def test_half_sent_requests_on_every_worker_do_not_stop_the_service(stack):
    started = time.monotonic()
    stuck = [half_sent(stack) for _ in range(WORKERS)]
    try:
        status, took = answer_time(stack)
        assert status == 401
        assert took < ANSWERED_WITHIN, f"a whole request waited {took:.2f}s behind {WORKERS} half-sent ones"
        closes = [closed_within(conn, started, CLOSED_WITHIN) for conn in stuck]
        print(f"\nvalid request answered after {took:.2f}s; half-sent connections closed after {max(closes):.2f}s")
        # And the workers are all free again: WORKERS requests at once are answered at once.
        results = []
        threads = [threading.Thread(target=lambda: results.append(answer_time(stack))) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(ANSWERED_WITHIN)
        assert [status for status, _ in results] == [401] * WORKERS
    finally:
        for conn in stuck:
            conn.close()


def test_a_request_trickled_byte_by_byte_is_cut_off_at_the_read_timeout(stack):
    """Each byte comes well within any per-read timeout; the whole request does not."""
    conn = connect(stack)
    data = record(FCGI_BEGIN_REQUEST, 1, struct.pack("!HB5x", FCGI_RESPONDER, 0)) + record(
        FCGI_PARAMS, 1, encode_params(auth(stack))
    )
    started = time.monotonic()
    sent = 0
    try:
        while time.monotonic() - started < CLOSED_WITHIN and sent < len(data):
            try:
                conn.sock.sendall(data[sent : sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                break  # closed by the server, as it should be
            sent += 1
            time.sleep(0.1)
        took = time.monotonic() - started
        assert sent < len(data), "the server kept reading a trickled request to its end"
        assert conn.closed_by_peer(timeout=1.0)
        print(f"\ntrickled request cut off after {took:.2f}s and {sent} bytes")
        assert took < CLOSED_WITHIN
    finally:
        conn.close()


def test_a_body_that_never_arrives_is_not_answered(stack):
    """The parameters announce a body that stops halfway: the connection is
    closed without an answer, never an answer based on half a body."""
    conn = connect(stack)
    try:
        conn.begin(1)
        conn.params(auth(stack, REQUEST_METHOD="POST", CONTENT_TYPE="application/x-www-form-urlencoded", CONTENT_LENGTH="100"))
        conn.stdin(b"field=val")
        started = time.monotonic()
        took = closed_within(conn, started, CLOSED_WITHIN)
        print(f"\nrequest with a missing body closed unanswered after {took:.2f}s")
    finally:
        conn.close()
    # The read deadline closes the socket before the worker logs why: wait for the line.
    deadline = time.monotonic() + 5
    while "body not received in time" not in stack.oidc.process.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "body not received in time" in stack.oidc.process.log_text()
    assert answer_time(stack)[0] == 401


def test_idle_kept_alive_connections_are_closed_and_free_their_workers(stack):
    idle = [connect(stack) for _ in range(WORKERS)]
    try:
        for conn in idle:
            assert conn.request(auth(stack), keep_conn=True).status == 401
        started = time.monotonic()
        # Every worker now sits on an idle kept connection; a new connection still gets an answer.
        status, took = answer_time(stack)
        assert status == 401 and took < ANSWERED_WITHIN, (status, took)
        for conn in idle:
            closed_within(conn, started, CLOSED_WITHIN)
        print(f"\nnew request answered after {took:.2f}s with {WORKERS} idle kept connections")
    finally:
        for conn in idle:
            conn.close()


def test_a_kept_connection_in_use_is_not_closed_early(stack):
    """Requests that follow each other faster than the read timeout keep
    using the same connection for longer than that timeout."""
    with connect(stack) as conn:
        started = time.monotonic()
        count = 0
        while time.monotonic() - started < 2.5 * READ_TIMEOUT:
            assert conn.request(auth(stack), keep_conn=True).status == 401, f"request {count} on the kept connection"
            count += 1
            time.sleep(READ_TIMEOUT / 4)
        assert count >= 8


def test_nginx_serves_valid_sessions_while_every_worker_is_held(stack):
    session = browser()
    stack.log_in(session, stack.new_user())
    started = time.monotonic()
    stuck = [half_sent(stack) for _ in range(WORKERS)]
    try:
        response = get(session, stack.url + "/private")
        took = time.monotonic() - started
        assert response.status_code == 200, response.status_code
        assert took < ANSWERED_WITHIN, took
        print(f"\nnginx answered a valid session in {took:.2f}s while {WORKERS} half-sent requests held the workers")
    finally:
        for conn in stuck:
            conn.close()


# -- FCGI_WEB_SERVER_ADDRS ----------------------------------------------------


def tcp_server(stack, tmp_path: Path, host: str, allowed: str) -> tuple[ManagedProcess, int]:
    port = free_port()
    listen = f"tcp:[{host}]:{port}" if ":" in host else f"tcp:{host}:{port}"
    config_path = write_config(tmp_path / f"tcp-{port}.yaml", dict(stack.oidc_config, listen=listen))
    process = ManagedProcess(
        "oidc-fcgi tcp",
        [stack.oidc.process.argv[0], "serve", "--config", config_path],
        tmp_path / "logs" / f"tcp-{port}.log",
        env={"FCGI_WEB_SERVER_ADDRS": allowed, "PATH": "/usr/bin:/bin"},
    ).start()
    process.wait_ready(lambda: can_connect(port, host), 10, f"listening on {listen}")
    return process, port


def tcp_answer(host: str, port: int, stack) -> int | None:
    """The status of an auth request over TCP, None when the connection is closed unanswered."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(5)
    sock.connect((host, port))
    with FastCGIConnection(sock, timeout=5) as conn:
        try:
            return conn.request(auth(stack)).status
        except (ConnectionError, OSError) as error:
            if "closed" in str(error) or isinstance(error, (ConnectionResetError, BrokenPipeError)):
                return None
            raise


@pytest.mark.parametrize(
    "allowed, expected",
    [("127.0.0.2", None), ("127.0.0.2, 127.0.0.1", 401), ("", 401), ("not-an-address", None)],
    ids=["not-listed", "listed", "unset", "malformed-list-refuses-all"],
)
def test_web_server_addresses_limit_tcp_peers(stack, tmp_path, allowed, expected):
    process, port = tcp_server(stack, tmp_path, "127.0.0.1", allowed)
    try:
        assert tcp_answer("127.0.0.1", port, stack) == expected
        if expected is None:
            assert "FCGI_WEB_SERVER_ADDRS" in process.log_text()
    finally:
        process.stop(timeout=10)


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_web_server_addresses_also_limit_ipv6_peers(stack, tmp_path):
    """libfcgi checks IPv4 peers only; an IPv6 peer not in the list is refused too."""
    process, port = tcp_server(stack, tmp_path, "::1", "127.0.0.1")
    try:
        assert tcp_answer("::1", port, stack) is None
    finally:
        process.stop(timeout=10)
    process, port = tcp_server(stack, tmp_path, "::1", "127.0.0.1,::1")
    try:
        assert tcp_answer("::1", port, stack) == 401
    finally:
        process.stop(timeout=10)
