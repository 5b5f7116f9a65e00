"""Login state: one cookie per login in progress, capped so abandoned logins
do not pile up (the 400/431 failure mode), good for a limited time."""

import time

import pytest

from harness.login import authorize_at_provider, browser, get, is_redirect_to, location, sets_session_cookie, start_login
from harness.oidc_fcgi import STATE_COOKIE_PREFIX


def test_login_state_cookies_are_capped(stack):
    session = browser()
    for i in range(12):
        response = get(session, stack.url + f"/tab/{i}")
        assert is_redirect_to(response, stack.authorization_endpoint())
    names = [c.name for c in session.cookies if c.name.startswith(STATE_COOKIE_PREFIX) and c.value]
    assert 1 <= len(names) <= stack.oidc_config["login"]["max_pending"], names


def test_login_state_cookie_is_http_only(stack):
    response = get(browser(), stack.url + "/private")
    assert is_redirect_to(response, stack.authorization_endpoint())
    headers = [h for h in response.raw.headers.getlist("Set-Cookie") if h.startswith(STATE_COOKIE_PREFIX)]
    assert headers, response.headers
    for header in headers:
        lowered = header.lower()
        assert "httponly" in lowered
        assert "samesite=lax" in lowered or "samesite=none" not in lowered


def test_two_tabs_logging_in_at_once_both_finish(stack):
    sub = stack.new_user()
    session = browser()
    endpoint = stack.authorization_endpoint()
    first = start_login(session, stack.url + "/tab/one", endpoint)
    second = start_login(session, stack.url + "/tab/two", endpoint)
    # The second tab finishes first; each returns to its own page.
    for start, path in ((second, "/tab/two"), (first, "/tab/one")):
        answer = authorize_at_provider(session, location(start), sub=sub)
        callback = get(session, location(answer))
        assert callback.status_code in (302, 303), (callback.status_code, callback.text[:300])
        assert location(callback) == stack.url + path
        assert get(session, stack.url + path).status_code == 200


# Login state lives in a cookie, not in the session store: one store will do.
@pytest.mark.parametrize("short_session_stack", ["memory"], indirect=True)
def test_a_login_finished_too_late_is_not_accepted(short_session_stack):
    stack = short_session_stack  # login.timeout: 10s
    session = browser()
    start = start_login(session, stack.url + "/slow", stack.authorization_endpoint())
    time.sleep(11.5)
    answer = authorize_at_provider(session, location(start), sub=stack.new_user())
    callback = get(session, location(answer))
    assert not sets_session_cookie(callback), callback.headers.get("Set-Cookie")
    restarted = callback.status_code in (302, 303) and location(callback).startswith(stack.authorization_endpoint())
    assert restarted or 400 <= callback.status_code < 500, (callback.status_code, callback.headers)
