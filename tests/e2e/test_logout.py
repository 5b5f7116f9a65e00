"""Logout ends the session on the server, not just in the browser."""

from harness.login import browser, deletes_session_cookie, get, is_redirect_to, location, session_cookie
from harness.oidc_fcgi import SESSION_COOKIE


def test_logout_ends_the_session(stack):
    session = browser()
    stack.log_in(session, stack.new_user())
    old_cookie = session_cookie(session)
    assert get(session, stack.url + "/private").status_code == 200

    response = get(session, stack.url + "/oidc/logout")
    assert response.status_code in (302, 303), (response.status_code, response.text[:300])
    target = location(response)
    end_session = stack.provider.discovery()["end_session_endpoint"]
    assert target.startswith(end_session) or target.startswith(stack.url + "/"), target
    assert deletes_session_cookie(response), response.headers.get("Set-Cookie")

    before = stack.upstream.count()
    assert is_redirect_to(get(session, stack.url + "/private"), stack.authorization_endpoint())
    # The old cookie, kept by someone, is worthless now.
    replay = browser()
    replay.cookies.set(SESSION_COOKIE, old_cookie, domain="127.0.0.1", path="/")
    assert is_redirect_to(get(replay, stack.url + "/private"), stack.authorization_endpoint())
    assert stack.upstream.count() == before


def test_logout_without_session_is_harmless(stack):
    response = get(browser(), stack.url + "/oidc/logout")
    assert response.status_code in (302, 303)
    target = location(response)
    assert target.startswith(stack.url + "/") or target.startswith(stack.provider.issuer + "/"), target


def test_logging_in_again_after_logout_works(stack):
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    get(session, stack.url + "/oidc/logout")
    stack.log_in(session, sub)
    assert stack.upstream.received()[-1].header("X-Remote-User") == sub
