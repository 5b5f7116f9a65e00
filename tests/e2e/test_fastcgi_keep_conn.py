"""FastCGI keep-conn: oidc-fcgi answers several requests on one connection
when the web server asks it to keep the connection (FCGI_KEEP_CONN), closes
it after the answer when it does not, and works behind nginx with
`fastcgi_keep_conn on;` + `keepalive` in the `oidc_fcgi` upstream."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.fastcgi_client import FastCGIConnection, cgi_params, connected_unix_sockets
from harness.login import NAVIGATION_HEADERS, browser, get, session_cookie
from harness.nginx import PROTECT_CONF, SERVER_CONF
from harness.oidc_fcgi import SESSION_COOKIE
from harness.stack import Stack, StackOptions

STORES = ["memory", "memcached"]


@pytest.fixture(scope="module", params=STORES)
def keep_conn_stack(request, oidc_fcgi_bin) -> Stack:
    """nginx with `keepalive 2;` in the oidc_fcgi upstream and
    `fastcgi_keep_conn on;` in the server; everything else as usual."""
    stack = Stack(StackOptions(store=request.param, label="keepconn", fastcgi_keep_conn=True))
    try:
        stack.start()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"the keep-conn {request.param} stack did not start: {error}\n{stack.logs()}", pytrace=False)
    request.addfinalizer(stack.stop)
    return stack


def logged_in_cookie(stack: Stack) -> tuple[str, str]:
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    cookie = session_cookie(session)
    assert cookie, "the login left no session cookie"
    return sub, cookie


def auth_params(stack: Stack, cookie: str | None = None, uri: str = "/private/page") -> dict[str, str]:
    extra = {"OIDC_ACTION": "auth", "HTTP_ACCEPT": "text/html"}
    if cookie:
        extra["HTTP_COOKIE"] = f"{SESSION_COOKIE}={cookie}"
    return cgi_params(uri=uri, port=stack.nginx.port, host="127.0.0.1", **extra)


def login_params(stack: Stack, uri: str = "/private/page") -> dict[str, str]:
    headers = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in NAVIGATION_HEADERS.items()}
    return cgi_params(uri=uri, port=stack.nginx.port, host="127.0.0.1", OIDC_ACTION="login", **headers)


# -- at the protocol level, without nginx ------------------------------------


def test_one_connection_serves_many_requests_with_keep_conn(stack):
    sub, cookie = logged_in_cookie(stack)
    authorization_endpoint = stack.authorization_endpoint()

    with FastCGIConnection.unix(str(stack.oidc.socket_path)) as conn:
        for round_ in range(3):
            request_id = 1 + round_ * 3
            anonymous = conn.request(auth_params(stack), keep_conn=True, request_id=request_id)
            assert anonymous.status == 401, anonymous.stdout
            assert anonymous.header("X-Remote-User") is None
            assert (anonymous.app_status, anonymous.protocol_status) == (0, 0)

            known = conn.request(auth_params(stack, cookie), keep_conn=True, request_id=request_id + 1)
            assert known.status == 200, known.stdout
            assert known.header("X-Remote-User") == sub
            assert known.header("X-Remote-Email") == f"{sub}@example.test"

            login = conn.request(login_params(stack), keep_conn=True, request_id=request_id + 2)
            assert login.status == 302, login.stdout
            assert login.header("Location").startswith(authorization_endpoint), login.headers

        # The server keeps the connection open for the next request.
        assert not conn.closed_by_peer(timeout=1.0), "oidc-fcgi closed a FCGI_KEEP_CONN connection"
        last = conn.request(auth_params(stack, cookie), keep_conn=True, request_id=42)
        assert last.status == 200 and last.header("X-Remote-User") == sub


def test_kept_connection_survives_input_the_answer_did_not_need(stack):
    """The end of STDIN arriving after oidc-fcgi has answered, and a body larger than
    oidc-fcgi reads (64 KiB): the next request on the connection is still
    answered. (Both left unread input on the socket, which libfcgi took for a
    protocol error on the next request and closed the connection.)"""
    sub, cookie = logged_in_cookie(stack)
    with FastCGIConnection.unix(str(stack.oidc.socket_path)) as conn:
        for request_id in range(1, 4):
            conn.begin(request_id, keep_conn=True)
            conn.params(auth_params(stack, cookie), request_id)
            time.sleep(0.2)  # oidc-fcgi has the parameters and answers before STDIN ends
            conn.end_stdin(request_id)
            answer = conn.read_response(request_id)
            assert answer.status == 200 and answer.header("X-Remote-User") == sub

        big = b"x" * 150_000
        params = dict(auth_params(stack, cookie), REQUEST_METHOD="POST", CONTENT_LENGTH=str(len(big)))
        conn.begin(7, keep_conn=True)
        conn.params(params, 7)
        conn.stdin(big, 7)
        conn.end_stdin(7)
        answer = conn.read_response(7)
        assert answer.status == 200 and answer.header("X-Remote-User") == sub

        for request_id in (8, 9):
            again = conn.request(auth_params(stack, cookie), keep_conn=True, request_id=request_id)
            assert again.status == 200 and again.header("X-Remote-User") == sub


def test_connection_without_keep_conn_is_closed_after_the_answer(stack):
    sub, cookie = logged_in_cookie(stack)
    with FastCGIConnection.unix(str(stack.oidc.socket_path)) as conn:
        answer = conn.request(auth_params(stack, cookie), keep_conn=False)
        assert answer.status == 200 and answer.header("X-Remote-User") == sub
        assert conn.closed_by_peer(timeout=5.0), "the connection stayed open without FCGI_KEEP_CONN"


def test_keep_conn_then_last_request_without_it_closes(stack):
    """A web server may end a kept connection by sending its last request without the flag."""
    _, cookie = logged_in_cookie(stack)
    with FastCGIConnection.unix(str(stack.oidc.socket_path)) as conn:
        assert conn.request(auth_params(stack, cookie), keep_conn=True).status == 200
        assert conn.request(auth_params(stack), keep_conn=True).status == 401
        assert conn.request(auth_params(stack, cookie), keep_conn=False).status == 200
        assert conn.closed_by_peer(timeout=5.0)


# -- through nginx ------------------------------------------------------------
#
# nginx keeps a FastCGI connection only after reading the answer up to
# FCGI_END_REQUEST. It does not for auth_request subrequests (it finalizes
# them after the headers and closes the connection), so kept connections are
# visible on the other FastCGI locations: @oidc_login, /oidc/callback,
# /oidc/logout. Each auth subrequest still works on a kept connection it
# takes from nginx's cache (it closes it afterwards).


def fetch_as(stack: Stack, users, count: int, parallel: int) -> list[tuple[str, int, dict | str]]:
    def fetch(i):
        sub, session = users[i % len(users)]
        response = get(session, f"{stack.url}/who/{sub}/{i}", headers={"Accept": "application/json"})
        return sub, response.status_code, response.json() if response.status_code == 200 else response.text

    if parallel <= 1:
        return [fetch(i) for i in range(count)]
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(fetch, range(count)))


def assert_served_as_themselves(results) -> None:
    for sub, status, body in results:
        assert status == 200, body
        headers = {k.lower(): v for k, v in body["headers"]}
        assert headers["x-remote-user"] == sub, (sub, headers)
        assert headers["x-remote-email"] == f"{sub}@example.test"


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def log_in_users(stack: Stack, n: int):
    users = []
    for _ in range(n):
        sub = stack.new_user()
        session = browser()
        stack.log_in(session, sub)
        users.append((sub, session))
    return users


def anonymous_visits(stack: Stack, n: int) -> None:
    """Navigations without a session: auth says 401, @oidc_login redirects."""
    endpoint = stack.authorization_endpoint()
    for i in range(n):
        response = get(browser(), f"{stack.url}/anonymous/{i}")
        assert response.status_code == 302, response.text
        assert response.headers["Location"].startswith(endpoint)


def logouts(stack: Stack, n: int) -> list[set[int]]:
    """/oidc/logout without a session, n times; the connected oidc-fcgi
    sockets after each answer."""
    socket_path = str(stack.oidc.socket_path)
    seen = []
    for _ in range(n):
        response = get(browser(), f"{stack.url}/oidc/logout")
        assert response.status_code in (302, 303), response.text
        seen.append(connected_unix_sockets(socket_path))
    return seen


def nginx_upstream_errors(stack: Stack) -> list[str]:
    return [
        line for line in stack.nginx.error_log().splitlines()
        if "upstream prematurely closed" in line or "recv() failed" in line or "upstream timed out" in line
        or "while reading response header from upstream" in line
    ]


def test_nginx_config_asks_for_keep_conn(keep_conn_stack):
    conf = keep_conn_stack.nginx.conf_path.read_text()
    upstream = conf.split("upstream oidc_fcgi {", 1)[1].split("}", 1)[0]
    assert "keepalive 2;" in upstream
    assert "fastcgi_keep_conn on;" in conf
    # The repository's includes are used as they are, from the repository.
    assert f"include {SERVER_CONF};" in conf
    assert f"include {PROTECT_CONF};" in conf


def test_nginx_reuses_one_kept_connection(keep_conn_stack):
    stack = keep_conn_stack
    seen = logouts(stack, 8)
    assert all(len(inodes) == 1 for inodes in seen), seen
    assert len(set().union(*seen)) == 1, f"not one connection for all requests: {seen}"
    # Still open a moment later: it is nginx's idle kept connection.
    time.sleep(1.0)
    assert connected_unix_sockets(str(stack.oidc.socket_path)) == seen[-1]


def test_kept_connections_serve_many_sequential_and_concurrent_requests(keep_conn_stack):
    stack = keep_conn_stack
    socket_path = str(stack.oidc.socket_path)
    users = log_in_users(stack, 3)

    assert_served_as_themselves(fetch_as(stack, users, 30, parallel=1))
    anonymous_visits(stack, 5)

    # More requests at once than oidc-fcgi has workers (4), while nginx holds
    # kept connections: protected pages, login redirects and logouts mixed.
    def mixed(i):
        if i % 5 == 3:
            anonymous_visits(stack, 1)
            return None
        if i % 5 == 4:
            logouts(stack, 1)
            return None
        return fetch_as(stack, [users[i % len(users)]], 1, parallel=1)[0]

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = [r for r in pool.map(mixed, range(150)) if r is not None]
    assert len(results) == 90
    assert_served_as_themselves(results)
    assert_served_as_themselves(fetch_as(stack, users, 10, parallel=1))

    # Afterwards nginx keeps at most `keepalive 2` idle connections open.
    logouts(stack, 1)
    assert 1 <= len(connected_unix_sockets(socket_path))
    assert wait_for(lambda: len(connected_unix_sockets(socket_path)) <= 2, 5), connected_unix_sockets(socket_path)
    # nginx never found a kept connection dead or cut short.
    assert not nginx_upstream_errors(stack), nginx_upstream_errors(stack)


def test_without_keep_conn_no_connection_stays_open(stack):
    """The contrast: the usual stack (no fastcgi_keep_conn) closes every
    connection after its answer, so the checks above do detect kept ones."""
    socket_path = str(stack.oidc.socket_path)
    users = log_in_users(stack, 2)
    assert_served_as_themselves(fetch_as(stack, users, 10, parallel=1))
    assert_served_as_themselves(fetch_as(stack, users, 40, parallel=8))
    for _ in range(3):
        get(browser(), f"{stack.url}/oidc/logout")
        assert wait_for(lambda: not connected_unix_sockets(socket_path), 3), (
            f"FastCGI connections {connected_unix_sockets(socket_path)} still open without keep-conn"
        )
