"""No request data can add or reshape a response header: CR, LF and NUL from
the query string, the URL or the Cookie header never reach a header line, and
request values never become header (or cookie) names. Checked through nginx
and straight over FastCGI (where a client can send any byte), for every action."""

import pytest

from harness.fastcgi_client import FastCGIConnection, cgi_params
from harness.login import browser
from harness.raw_http import raw_get

INJECTED_QUERY = [
    "abc%0D%0AX-Injected:%20yes",
    "abc%0AX-Injected:%20yes",
    "abc%0DX-Injected:%20yes",
    "abc%00X-Injected:%20yes",
    "%0D%0ASet-Cookie:%20oidc_session=attacker",
]

# What a raw FastCGI client can put in the params: any byte but NUL in names.
HOSTILE_COOKIES = [
    "oidc_state_abc\r\nX-Injected: yes=1",
    "oidc_state_x=1\r\nSet-Cookie: oidc_session=attacker",
    "oidc_session=\r\nX-Injected: yes; oidc_state_\nX-Injected: 2=v",
    "oidc_state_" + "A" * 43 + "\r\nX-Injected: yes=1",
]

ACTIONS = ["auth", "login", "callback", "logout"]


def assert_no_injection(lines: list[str]) -> None:
    for line in lines:
        name = line.split(":", 1)[0].strip().lower()
        assert name != "x-injected", f"injected header line: {line!r}"
        assert "attacker" not in line, f"attacker value reached a header: {line!r}"
        assert "\r" not in line and "\n" not in line and "\x00" not in line


@pytest.mark.parametrize("state", INJECTED_QUERY)
def test_callback_state_cannot_inject_through_nginx(stack, state):
    response = raw_get(stack.url, f"/oidc/callback?code=x&state={state}")
    assert response.status == 400
    assert_no_injection(response.lines)
    assert response.header_values("Set-Cookie") == [], "a malformed state names no cookie to clear"


@pytest.mark.parametrize("value", INJECTED_QUERY)
def test_logout_and_login_urls_cannot_inject_through_nginx(stack, value):
    logout = raw_get(stack.url, f"/oidc/logout?return_to=/{value}")
    assert logout.status in (302, 400)
    assert_no_injection(logout.lines)
    login = raw_get(stack.url, f"/page/{value}?next={value}")
    assert login.status in (302, 400)  # nginx itself refuses %00 in a path
    assert_no_injection(login.lines)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("cookie", HOSTILE_COOKIES)
def test_hostile_cookies_over_raw_fastcgi_cannot_inject(stack, action, cookie):
    uri = "/oidc/callback?code=x&state=" + "A" * 43 if action == "callback" else "/page"
    params = cgi_params(uri=uri, OIDC_ACTION=action, HTTP_COOKIE=cookie, HTTP_ACCEPT="text/html")
    with FastCGIConnection.unix(str(stack.oidc.socket_path)) as connection:
        response = connection.request(params)
    assert response.protocol_status == 0
    head = response.stdout.partition(b"\r\n\r\n")[0].decode("latin-1")
    assert_no_injection(head.split("\r\n"))
    for value in response.header_values("Set-Cookie"):
        name = value.split("=", 1)[0]
        assert "X-Injected" not in name and " " not in name


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("value", ["abc\r\nX-Injected: yes", "abc\nX-Injected: yes", "abc\x00X-Injected: yes"])
def test_raw_control_bytes_in_the_request_uri_cannot_inject(stack, action, value):
    uri = f"/oidc/callback?code=x&state={value}" if action == "callback" else f"/{value}?return_to=/{value}"
    params = cgi_params(uri=uri, OIDC_ACTION=action, HTTP_ACCEPT="text/html")
    params["QUERY_STRING"] = uri.partition("?")[2]
    with FastCGIConnection.unix(str(stack.oidc.socket_path)) as connection:
        response = connection.request(params)
    head = response.stdout.partition(b"\r\n\r\n")[0].decode("latin-1")
    assert_no_injection(head.split("\r\n"))


def test_session_fixation_through_the_callback_is_impossible(stack):
    """The attack from the report: a victim following a crafted callback link
    must not be given the attacker's session cookie."""
    attacker = browser()
    stack.log_in(attacker, stack.new_user())
    attacker_session = attacker.cookies.get("oidc_session")
    crafted = f"/oidc/callback?code=x&state=abc%0D%0ASet-Cookie:%20oidc_session={attacker_session}%3B%20Path=/"
    response = raw_get(stack.url, crafted)
    assert response.status == 400
    assert not any(attacker_session in line for line in response.lines)
