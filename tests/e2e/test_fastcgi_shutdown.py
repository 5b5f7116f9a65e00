"""SIGTERM (systemctl stop, a deploy): oidc-fcgi stops taking new
connections at once, finishes the requests it is serving, and exits 0."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
import requests

from harness.fastcgi_client import FastCGIConnection, cgi_params

SIGTERM_EXIT_WITHIN = 5.0  # well below the server's 10 s grace for idle kept-alive connections


def auth_params(stack, body_length: int) -> dict[str, str]:
    # A body announced but not yet sent: the worker waits for it, so the
    # request is in flight for as long as the test wants.
    return cgi_params(
        method="POST",
        uri="/private/form",
        port=stack.nginx.port,
        host="127.0.0.1",
        OIDC_ACTION="auth",
        HTTP_ACCEPT="text/html",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(body_length),
    )


def connect_fails(path: str) -> OSError | None:
    """The error a new connection gets, or None when it was accepted."""
    try:
        FastCGIConnection.unix(path, timeout=2).close()
    except OSError as error:
        return error
    return None


def wait_exit(process, timeout: float) -> int | None:
    try:
        return process.popen.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


@pytest.mark.parametrize("keep_conn", [False, True], ids=["plain", "keep-conn"])
def test_sigterm_finishes_the_request_in_flight_then_exits_0(memory_stack, keep_conn):
    stack = memory_stack
    oidc = stack.oidc.process
    socket_path = str(stack.oidc.socket_path)
    body = b"field=value&other=1"

    conn = FastCGIConnection.unix(socket_path, timeout=10)
    try:
        conn.begin(1, keep_conn=keep_conn)
        conn.params(auth_params(stack, len(body)))
        conn.stdin(body[:6])  # the rest is held back
        time.sleep(0.5)  # a worker has the request and waits for the body

        oidc.popen.send_signal(15)  # SIGTERM, by PID
        # The request is neither answered early (with half a body) nor dropped.
        assert conn.nothing_received(0.5), "the request in flight was cut short by SIGTERM"
        assert oidc.alive(), f"oidc-fcgi exited with a request in flight\n{oidc.log_tail()}"

        # No new connections once the shutdown has begun.
        refused = connect_fails(socket_path)
        assert isinstance(refused, (ConnectionRefusedError, FileNotFoundError)), (
            f"a new connection during shutdown got {refused!r} instead of being refused"
        )

        # The request in flight is finished and answered completely.
        conn.stdin(body[6:])
        conn.end_stdin()
        answer = conn.read_response(1)
        assert answer.protocol_status == 0 and answer.app_status == 0
        assert answer.status == 401, answer.stdout
        assert answer.header("X-Remote-User") is None
    finally:
        conn.close()

    started = time.monotonic()
    status = wait_exit(oidc, SIGTERM_EXIT_WITHIN)
    assert status is not None, f"oidc-fcgi still running {SIGTERM_EXIT_WITHIN}s after its last request\n{oidc.log_tail()}"
    assert status == 0, f"exit status {status}\n{oidc.log_tail()}"
    assert time.monotonic() - started < SIGTERM_EXIT_WITHIN
    assert "oidc-fcgi stopped" in oidc.log_text()

    # Stopped: nothing listens any more, and the socket file is gone.
    assert isinstance(connect_fails(socket_path), (ConnectionRefusedError, FileNotFoundError))
    assert not stack.oidc.socket_path.exists()

    # nginx, still running, fails closed: a 503, never the page.
    response = requests.get(stack.url + "/private", allow_redirects=False, timeout=10)
    assert response.status_code == 503, response.text


def test_sigterm_with_idle_server_exits_0_at_once(memory_stack):
    oidc = memory_stack.oidc.process
    started = time.monotonic()
    oidc.popen.send_signal(15)
    status = wait_exit(oidc, SIGTERM_EXIT_WITHIN)
    assert status == 0, f"exit status {status}\n{oidc.log_tail()}"
    assert time.monotonic() - started < 2.0
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        with pytest.raises(OSError):
            s.connect(str(memory_stack.oidc.socket_path))


def test_sigterm_does_not_wait_forever_for_an_idle_kept_connection(memory_stack):
    """A web server holding a kept-alive connection open (and idle) delays
    the exit by at most the 10 s grace period; the status is still 0."""
    stack = memory_stack
    oidc = stack.oidc.process
    conn = FastCGIConnection.unix(str(stack.oidc.socket_path), timeout=10)
    try:
        params = cgi_params(port=stack.nginx.port, host="127.0.0.1", OIDC_ACTION="auth", HTTP_ACCEPT="text/html")
        assert conn.request(params, keep_conn=True).status == 401
        # The answer's last record leaves before the worker is back waiting on
        # this connection for the next request; give it that moment, or the
        # SIGTERM can find it between the two and it simply stops at once.
        time.sleep(0.5)
        started = time.monotonic()
        oidc.popen.send_signal(15)
        status = wait_exit(oidc, 15)
        elapsed = time.monotonic() - started
        assert status == 0, f"exit status {status} after {elapsed:.1f}s\n{oidc.log_tail()}"
        assert elapsed < 13, elapsed
        assert "idle kept-alive" in oidc.log_text()
        assert conn.closed_by_peer(timeout=2), "the idle connection outlived the process"
    finally:
        conn.close()
