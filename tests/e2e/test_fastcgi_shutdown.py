"""SIGTERM (systemctl stop, a deploy): oidc-fcgi stops taking new
connections at once, finishes the requests it is serving, and exits 0."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import pytest
import requests

from harness.fastcgi_client import FastCGIConnection, cgi_params
from harness.login import browser

SIGTERM_EXIT_WITHIN = 5.0  # well below the server's 10 s grace period


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


def test_sigterm_closes_an_idle_kept_connection_and_exits_at_once(memory_stack):
    """A web server holding a kept-alive connection open (and idle) does not
    delay the exit: no request is waiting on it, so it is closed."""
    stack = memory_stack
    oidc = stack.oidc.process
    conn = FastCGIConnection.unix(str(stack.oidc.socket_path), timeout=10)
    try:
        params = cgi_params(port=stack.nginx.port, host="127.0.0.1", OIDC_ACTION="auth", HTTP_ACCEPT="text/html")
        assert conn.request(params, keep_conn=True).status == 401
        started = time.monotonic()
        oidc.popen.send_signal(15)
        status = wait_exit(oidc, SIGTERM_EXIT_WITHIN)
        elapsed = time.monotonic() - started
        assert status == 0, f"exit status {status} after {elapsed:.1f}s\n{oidc.log_tail()}"
        assert elapsed < 2.0, f"an idle kept connection delayed the exit by {elapsed:.1f}s"
        assert conn.closed_by_peer(timeout=2), "the idle connection outlived the process"
    finally:
        conn.close()


HELD = 4  # the stack's workers, each held by a request whose body is not sent yet
QUEUED = 12  # complete requests waiting in the listen queue behind them


def listen_queue_length(socket_path: str) -> int:
    """Connections waiting to be accepted on a listening unix socket (the
    kernel's own count, `ss -xl` Recv-Q), so the test waits on a fact."""
    out = subprocess.run(["ss", "-xlnH"], capture_output=True, text=True, timeout=5, check=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if socket_path in fields:
            return int(fields[2])
    return -1


def wait_queued(socket_path: str, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while (found := listen_queue_length(socket_path)) < count:
        assert time.monotonic() < deadline, f"only {found} of {count} connections reached the listen queue"
        time.sleep(0.05)


def hold_every_worker(stack, body: bytes) -> list[FastCGIConnection]:
    held = []
    for request_id in range(HELD):
        conn = FastCGIConnection.unix(str(stack.oidc.socket_path), timeout=20)
        conn.begin(1)
        conn.params(auth_params(stack, len(body)))
        conn.stdin(body[:3])
        held.append(conn)
    return held


def release(held: list[FastCGIConnection], body: bytes) -> list[int]:
    statuses = []
    for conn in held:
        conn.stdin(body[3:])
        conn.end_stdin()
        statuses.append(conn.read_response(1).status)
    return statuses


def test_sigterm_answers_the_requests_queued_behind_busy_workers(memory_stack):
    """16 requests at once on 4 workers: 4 being served, 12 waiting in the
    listen queue when SIGTERM arrives. All 16 are answered, none dropped."""
    stack = memory_stack
    oidc = stack.oidc.process
    socket_path = str(stack.oidc.socket_path)
    body = b"field=value&other=1"
    held = hold_every_worker(stack, body)
    queued: list[FastCGIConnection] = []
    try:
        params = cgi_params(port=stack.nginx.port, host="127.0.0.1", OIDC_ACTION="auth", HTTP_ACCEPT="text/html")
        for _ in range(QUEUED):
            conn = FastCGIConnection.unix(socket_path, timeout=20)
            conn.begin(1)
            conn.params(params)
            conn.end_stdin()
            queued.append(conn)
        wait_queued(socket_path, QUEUED)

        oidc.popen.send_signal(15)
        deadline = time.monotonic() + 5
        while stack.oidc.socket_path.exists():
            assert time.monotonic() < deadline, "the socket path outlived SIGTERM by 5 s"
            time.sleep(0.02)
        assert isinstance(connect_fails(socket_path), (ConnectionRefusedError, FileNotFoundError))
        assert oidc.alive(), f"oidc-fcgi exited with requests queued\n{oidc.log_tail()}"

        assert release(held, body) == [401] * HELD
        answers = [conn.read_response(1) for conn in queued]
        assert [a.status for a in answers] == [401] * QUEUED, [a.stdout[:80] for a in answers]
    finally:
        for conn in held + queued:
            conn.close()
    status = wait_exit(oidc, SIGTERM_EXIT_WITHIN)
    assert status == 0, f"exit status {status}\n{oidc.log_tail()}"
    assert "still unfinished" not in oidc.log_text()


def test_sigterm_under_load_through_nginx_drops_no_request(memory_stack):
    """The same through nginx: users with a session who are waiting for an
    answer when oidc-fcgi is told to stop get their page, not a 503."""
    stack = memory_stack
    oidc = stack.oidc.process
    socket_path = str(stack.oidc.socket_path)
    session = browser()
    stack.log_in(session, stack.new_user())
    cookies = dict(session.cookies)
    body = b"field=value&other=1"
    held = hold_every_worker(stack, body)
    results: list[int] = []
    lock = threading.Lock()

    def fetch() -> None:
        try:
            status = requests.get(stack.url + "/private/page", cookies=cookies, allow_redirects=False, timeout=20).status_code
        except requests.RequestException as error:
            status = repr(error)
        with lock:
            results.append(status)

    threads = [threading.Thread(target=fetch) for _ in range(QUEUED)]
    try:
        for thread in threads:
            thread.start()
        wait_queued(socket_path, QUEUED)
        oidc.popen.send_signal(15)
        time.sleep(0.2)  # not a wait for a fact: only lets SIGTERM arrive before the workers free up
        assert release(held, body) == [401] * HELD
        for thread in threads:
            thread.join(20)
    finally:
        for conn in held:
            conn.close()
    assert sorted(map(str, results)) == ["200"] * QUEUED, results
    assert wait_exit(oidc, SIGTERM_EXIT_WITHIN) == 0, oidc.log_tail()
