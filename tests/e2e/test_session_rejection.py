"""Without a valid session cookie the page is never served: a missing,
tampered, unknown or expired session sends the user to the provider."""

import base64
import secrets
import time

import pytest

from harness.login import browser, get, is_redirect_to, session_cookie
from harness.oidc_fcgi import SESSION_COOKIE


def assert_sent_to_login(stack, session, path="/private"):
    before = stack.upstream.count()
    response = get(session, stack.url + path)
    assert is_redirect_to(response, stack.authorization_endpoint()), (response.status_code, response.headers)
    assert stack.upstream.count() == before, "the application must not be reached"
    return response


def with_cookie(value: str):
    session = browser()
    session.cookies.set(SESSION_COOKIE, value, domain="127.0.0.1", path="/")
    return session


def test_missing_cookie_is_sent_to_login(stack):
    assert_sent_to_login(stack, browser())


def flip(value: str, index: int) -> str:
    c = value[index]
    return value[:index] + ("A" if c != "A" else "B") + value[index + 1 :]


def test_tampered_cookie_is_sent_to_login(stack):
    session = browser()
    stack.log_in(session, stack.new_user())
    good = session_cookie(session)
    assert good
    for tampered in (flip(good, 0), flip(good, len(good) // 2), flip(good, len(good) - 1), good[:-4], good + "AAAA"):
        assert_sent_to_login(stack, with_cookie(tampered))
    # The real cookie still works: tampering did not break the session.
    assert get(session, stack.url + "/private").status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x",
        base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode(),  # well formed, unknown
        "A" * 4000,
        "../../etc/passwd",
        "%00%0d%0a",
    ],
    ids=["empty", "short", "unknown-id", "huge", "path", "control"],
)
def test_invalid_cookie_is_sent_to_login(stack, value):
    assert_sent_to_login(stack, with_cookie(value))


def test_idle_session_expires(short_session_stack):
    stack = short_session_stack  # inactivity_timeout: 2s
    session = browser()
    stack.log_in(session, stack.new_user())
    assert get(session, stack.url + "/private").status_code == 200
    time.sleep(3.5)
    assert_sent_to_login(stack, session)


def test_active_session_ends_at_max_lifetime(short_session_stack):
    stack = short_session_stack  # inactivity_timeout: 2s, max_lifetime: 5s
    session = browser()
    stack.log_in(session, stack.new_user())
    logged_in_at = time.monotonic()
    seen = []
    while time.monotonic() - logged_in_at < 8:
        response = get(session, stack.url + "/private")
        seen.append((round(time.monotonic() - logged_in_at, 1), response.status_code))
        time.sleep(0.5)
    # Activity every 0.5 s keeps it past the 2 s inactivity limit ...
    assert all(status == 200 for t, status in seen if t < 3.5), seen
    # ... but not past the 5 s lifetime (plus a second of timer granularity).
    late = [status for t, status in seen if t > 6.5]
    assert late and all(status == 302 for status in late), seen
    first_out = next(i for i, (_, status) in enumerate(seen) if status != 200)
    assert all(status == 302 for _, status in seen[first_out:]), f"an ended session came back: {seen}"
