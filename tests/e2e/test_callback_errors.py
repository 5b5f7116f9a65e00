"""The redirect URI refuses anything but the answer to a login this browser
started: no session cookie, no page, an error (4xx) or a fresh login."""

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from harness.login import authorize_at_provider, browser, get, location, sets_session_cookie, start_login


def assert_rejected(stack, response, *, allow_restart: bool = True):
    """4xx (an error page) - or, where the design allows it, a restarted
    login at the provider - and never a session cookie or the page."""
    restart = allow_restart and response.status_code in (302, 303) and location(response).startswith(
        stack.authorization_endpoint()
    )
    assert restart or 400 <= response.status_code < 500, (response.status_code, response.headers, response.text[:300])
    assert not sets_session_cookie(response), response.headers.get("Set-Cookie")


def provider_answer(stack, session, sub):
    """Start a login and let the provider answer; returns the callback URL."""
    start = start_login(session, stack.url + "/private", stack.authorization_endpoint())
    answer = authorize_at_provider(session, location(start), sub=sub)
    return location(answer)


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_callback_without_state_is_rejected(stack):
    session = browser()
    callback = provider_answer(stack, session, stack.new_user())
    assert_rejected(stack, get(session, with_query(callback, state=None)))


def test_callback_with_mismatched_state_is_rejected(stack):
    session = browser()
    callback = provider_answer(stack, session, stack.new_user())
    assert_rejected(stack, get(session, with_query(callback, state="not-the-state-we-sent")))


def test_callback_in_another_browser_is_rejected(stack):
    # The code and state reach a browser that never started this login
    # (login CSRF / a stolen callback URL).
    callback = provider_answer(stack, browser(), stack.new_user())
    assert_rejected(stack, get(browser(), callback))


def test_replayed_callback_is_rejected(stack):
    session = browser()
    trace = stack.log_in(session, stack.new_user())
    for replayer in (session, browser()):
        assert_rejected(stack, get(replayer, trace.callback_url))


def test_callback_without_code_is_rejected(stack):
    session = browser()
    callback = provider_answer(stack, session, stack.new_user())
    assert_rejected(stack, get(session, with_query(callback, code=None)))


def test_denied_at_the_provider_shows_an_error(stack):
    session = browser()
    start = start_login(session, stack.url + "/private", stack.authorization_endpoint())
    answer = authorize_at_provider(session, location(start), sub="", deny=True)
    callback = location(answer)
    assert callback.startswith(stack.url + "/oidc/callback")
    assert "error=access_denied" in callback
    before = stack.upstream.count()
    response = get(session, callback)
    # A restart would send the user straight back to the deny button.
    assert_rejected(stack, response, allow_restart=False)
    assert stack.upstream.count() == before


@pytest.mark.parametrize("query", ["", "code=abc", "error=server_error&state=x"])
def test_bare_callback_requests_are_rejected(stack, query):
    response = get(browser(), stack.url + "/oidc/callback" + ("?" + query if query else ""))
    assert_rejected(stack, response)
