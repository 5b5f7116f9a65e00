"""Step-up and freshness through real nginx and the test provider: a location
with `set $oidc_max_age 0;` makes the user sign in again at the provider (its
form is shown although the provider session would do) and then serves the
page; one with `set $oidc_acr_values "urn:mfa urn:hwk";` refuses a session
signed in with a weaker acr and accepts one after a stronger sign-in; an ID
token without auth_time is refused when max_age was sent; API requests are
answered 401, never redirected."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from harness.login import API_HEADERS, authorize_at_provider, browser, get, location, session_cookie, sets_session_cookie
from harness.stack import Stack, StackOptions


@pytest.fixture(scope="module")
def sstack(oidc_fcgi_bin):
    stack = Stack(StackOptions(label="stepup"))
    try:
        stack.start()
    except BaseException:
        print(stack.logs())
        raise
    yield stack
    stack.stop()


def to_provider(stack: Stack, session: requests.Session, path: str) -> tuple[str, dict]:
    """The navigation to `path` goes to the provider; its authorization request and query."""
    first = get(session, stack.url + path)
    assert first.status_code == 302, (first.status_code, first.headers, first.text[:300])
    authorize = location(first)
    assert authorize.startswith(stack.authorization_endpoint()), authorize
    return authorize, parse_qs(urlsplit(authorize).query)


def sign_in_at_form(session: requests.Session, authorize: str, sub: str, acr: str | None = None) -> requests.Response:
    """The provider's form is shown, the user signs in; returns the callback's answer."""
    form = get(session, authorize)
    assert form.status_code == 200 and "<form" in form.text, (form.status_code, form.headers)
    answer = authorize_at_provider(session, authorize, sub=sub, acr=acr)
    return get(session, location(answer))


def signed_in(stack: Stack, acr: str | None = None) -> tuple[requests.Session, str]:
    session, sub = browser(), stack.new_user()
    authorize, _ = to_provider(stack, session, "/private/start")
    callback = sign_in_at_form(session, authorize, sub, acr)
    assert callback.status_code == 302 and sets_session_cookie(callback), (callback.status_code, callback.text[:300])
    assert get(session, stack.url + "/private/start").status_code == 200
    return session, sub


def test_max_age_zero_forces_a_fresh_sign_in_and_then_serves_the_page(sstack):
    session, sub = signed_in(sstack)
    old_cookie = session_cookie(session)
    # The provider session is live and recent: a max_age=300 location's login would
    # pass without the form, but this session needs no login there at all.
    assert get(session, sstack.url + "/recent/report").status_code == 200

    authorize, query = to_provider(sstack, session, "/fresh/transfer")
    assert query["max_age"] == ["0"]
    # The form is shown although the provider session exists.
    callback = sign_in_at_form(session, authorize, sub)
    assert callback.status_code == 302 and location(callback) == sstack.url + "/fresh/transfer", (callback.status_code, callback.text[:300])
    page = get(session, location(callback))
    assert page.status_code == 200, (page.status_code, page.headers)
    assert sstack.upstream.received()[-1].header("X-Remote-User") == sub
    assert session_cookie(session) != old_cookie, "the new sign-in replaces the session"
    # The replaced session does not stay usable.
    stale = browser()
    stale.cookies.set("oidc_session", old_cookie)
    assert get(stale, sstack.url + "/private/start").status_code == 302


def test_a_recent_provider_session_is_reused_for_max_age(sstack):
    session, sub = signed_in(sstack)
    # A new browser session at the site, the same provider session: max_age 300 is
    # met by it, so the provider answers without its form, keeping the sign-in time.
    session.cookies.clear(domain=urlsplit(sstack.url).hostname, path="/", name="oidc_session")
    authorize, query = to_provider(sstack, session, "/recent/report")
    assert query["max_age"] == ["300"]
    answer = get(session, authorize)
    assert answer.status_code == 302 and "code=" in location(answer), (answer.status_code, answer.text[:200])
    callback = get(session, location(answer))
    assert callback.status_code == 302
    assert get(session, location(callback)).status_code == 200


def test_an_acr_location_refuses_a_weaker_sign_in_and_accepts_a_stronger_one(sstack):
    session, sub = signed_in(sstack, acr="urn:password")
    authorize, query = to_provider(sstack, session, "/mfa/keys")
    assert query["acr_values"] == ["urn:mfa urn:hwk"]
    # Signing in again with the same weak method is refused with a clear page.
    refused = sign_in_at_form(session, authorize, sub, acr="urn:password")
    assert refused.status_code == 401, (refused.status_code, refused.text[:300])
    assert "Stronger sign-in required" in refused.text
    # The session from before is untouched: other pages still pass, this one still asks.
    assert get(session, sstack.url + "/private/start").status_code == 200
    authorize, _ = to_provider(sstack, session, "/mfa/keys")
    callback = sign_in_at_form(session, authorize, sub, acr="urn:mfa")
    assert callback.status_code == 302 and location(callback) == sstack.url + "/mfa/keys"
    page = get(session, location(callback))
    assert page.status_code == 200 and sstack.upstream.received()[-1].header("X-Remote-User") == sub
    assert get(session, sstack.url + "/mfa/other").status_code == 200


def test_an_id_token_without_auth_time_is_refused_when_max_age_was_sent(sstack):
    sstack.provider.set_id_token_options(omit_auth_time=True)
    try:
        session, sub = browser(), sstack.new_user()
        authorize, _ = to_provider(sstack, session, "/fresh/transfer")
        refused = sign_in_at_form(session, authorize, sub)
        assert refused.status_code == 401, (refused.status_code, refused.text[:300])
        assert "did not say when you signed in" in refused.text
        assert session_cookie(session) is None
        # Without max_age the same token is fine.
        authorize, query = to_provider(sstack, session, "/private/start")
        assert "max_age" not in query
        assert sign_in_at_form(session, authorize, sub).status_code == 302
        assert get(session, sstack.url + "/private/start").status_code == 200
    finally:
        sstack.provider.set_id_token_options(omit_auth_time=False)


def test_api_requests_are_answered_401_never_redirected(sstack):
    session, _ = signed_in(sstack)
    for path in ("/fresh/api", "/mfa/api"):
        answer = get(session, sstack.url + path, headers=API_HEADERS)
        assert answer.status_code == 401, (path, answer.status_code, answer.headers)
        assert "Location" not in answer.headers
