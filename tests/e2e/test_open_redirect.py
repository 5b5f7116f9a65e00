"""The return URL after login can never send the user to another site,
whatever the request path looked like (//host, /\\host, encoded forms)."""

import http.client
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from harness.login import authorize_at_provider, browser, get, location

VECTORS = [
    "//evil.example/",
    "//evil.example/%2e%2e",
    "///evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "/%5Cevil.example/",
    "/%2F%2Fevil.example/",
    "/%2F/evil.example/",
    "//evil.example@127.0.0.1/",
    "/.//evil.example/",
    "/%09/evil.example/",
]


def assert_same_origin(stack, raw_location: str):
    value = raw_location.strip()
    assert not value.startswith(("//", "/\\", "\\")), f"off-origin Location: {raw_location!r}"
    assert not value[:2].replace("\\", "/").startswith("//"), raw_location
    target = urlsplit(urljoin(stack.url + "/", value))
    assert (target.scheme, target.netloc) == ("http", urlsplit(stack.url).netloc), f"off-origin Location: {raw_location!r}"
    assert "\\" not in target.path[:2]


def raw_get(stack, target: str, headers: dict) -> tuple[int, dict, list[str]]:
    """One request with the exact request target (no client-side cleanup)."""
    conn = http.client.HTTPConnection("127.0.0.1", stack.nginx.port, timeout=10)
    try:
        conn.putrequest("GET", target, skip_host="Host" in headers, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.getheaders()), response.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()


@pytest.mark.parametrize("target", VECTORS)
def test_return_url_stays_on_this_site(stack, target):
    session = browser()
    status, headers, set_cookies = raw_get(stack, target, dict(session.headers))
    if status not in (301, 302, 303, 307, 308):
        assert status >= 400, f"{target!r} answered {status} without a login"
        return
    login_location = headers["Location"]
    if not login_location.startswith(stack.authorization_endpoint()):
        assert_same_origin(stack, login_location)
        return
    # The redirect_uri sent to the provider is ours, whatever the path was.
    query = parse_qs(urlsplit(login_location).query)
    assert query["redirect_uri"] == [stack.url + "/oidc/callback"]
    for header in set_cookies:
        for morsel in SimpleCookie(header).values():
            session.cookies.set(morsel.key, morsel.value, domain="127.0.0.1", path=morsel["path"] or "/")

    answer = authorize_at_provider(session, login_location, sub=stack.new_user())
    callback = get(session, location(answer))
    if callback.status_code in (301, 302, 303, 307, 308):
        assert_same_origin(stack, callback.headers["Location"])
    else:
        assert callback.status_code < 500, callback.status_code


@pytest.mark.parametrize("target", ["/oidc/logout?post_logout_redirect_uri=//evil.example/",
                                    "/oidc/logout?return=https://evil.example/",
                                    "/oidc/logout?rd=//evil.example/&next=//evil.example/&redirect_uri=https://evil.example/"])
def test_logout_does_not_redirect_off_site(stack, target):
    response = get(browser(), stack.url + target)
    if response.status_code in (301, 302, 303, 307, 308):
        raw = response.headers["Location"]
        if raw.startswith(stack.provider.issuer + "/"):
            # The provider's end_session; where it sends the user next is ours.
            for key in ("post_logout_redirect_uri",):
                for value in parse_qs(urlsplit(raw).query).get(key, []):
                    assert_same_origin(stack, value)
        else:
            assert_same_origin(stack, raw)


def test_a_forged_host_header_does_not_change_where_login_returns(stack):
    session = browser()
    status, headers, set_cookies = raw_get(stack, "/private", {**dict(session.headers), "Host": "evil.example"})
    assert status == 302
    login_location = headers["Location"]
    assert login_location.startswith(stack.authorization_endpoint())
    assert parse_qs(urlsplit(login_location).query)["redirect_uri"] == [stack.url + "/oidc/callback"]
    for header in set_cookies:
        for morsel in SimpleCookie(header).values():
            session.cookies.set(morsel.key, morsel.value, domain="127.0.0.1", path=morsel["path"] or "/")
    answer = authorize_at_provider(session, login_location, sub=stack.new_user())
    callback = get(session, location(answer))
    assert callback.status_code in (302, 303)
    assert_same_origin(stack, callback.headers["Location"])
