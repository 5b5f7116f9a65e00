"""Sessions stay current with the provider (`session.recheck_interval`): after
the interval a browser navigation goes to the provider with prompt=none and
comes back with fresh claims (a user removed from a group loses access; one
added gains it), `login_required` ends the session and a normal login
follows, and API/XHR requests are never redirected for a re-check."""

import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from harness.login import API_HEADERS, authorize_at_provider, browser, get, location, session_cookie
from harness.oidc_fcgi import SESSION_COOKIE
from harness.stack import Stack, StackOptions

INTERVAL = 2


@pytest.fixture(scope="module", params=["memory", "memcached"])
def rstack(request, oidc_fcgi_bin):
    stack = Stack(StackOptions(store=request.param, label="recheck"))
    stack.oidc_config["session"]["recheck_interval"] = f"{INTERVAL}s"
    try:
        stack.start()
    except BaseException:
        print(stack.logs())
        raise
    yield stack
    stack.stop()


def signed_in(stack: Stack, **claims) -> tuple[requests.Session, str]:
    session, sub = browser(), stack.new_user(**claims)
    stack.log_in(session, sub, "/private")
    return session, sub


def let_the_interval_pass():
    # The interval is the configuration's, in whole seconds: wait it out, plus the rounding.
    time.sleep(INTERVAL + 1.1)


def silent_round_trip(stack: Stack, session: requests.Session, path: str) -> requests.Response:
    """A navigation due for a re-check: to the provider with prompt=none, back
    through the callback without any form, and to the page; returns the page."""
    first = get(session, stack.url + path)
    assert first.status_code == 302, (first.status_code, first.text[:300])
    authorize = location(first)
    assert authorize.startswith(stack.authorization_endpoint()), authorize
    assert parse_qs(urlsplit(authorize).query)["prompt"] == ["none"]
    back = get(session, authorize)  # the provider answers at once: no login form
    assert back.status_code == 302, (back.status_code, back.text[:300])
    callback = get(session, location(back))
    assert callback.status_code == 302 and location(callback) == stack.url + path, (callback.status_code, callback.headers)
    return get(session, location(callback))


def test_a_user_removed_from_the_group_loses_access_at_the_next_recheck(rstack):
    session, sub = signed_in(rstack, groups=["staff", "admins"], email_verified=True)
    path = f"/admins/{uuid.uuid4().hex[:6]}"
    assert get(session, rstack.url + path).status_code == 200
    # Within the interval nothing goes to the provider.
    rstack.provider.reset_counters()
    assert get(session, rstack.url + path).status_code == 200
    assert rstack.provider.silent_count() == 0

    rstack.provider.set_user(sub, {"email": f"{sub}@example.test", "name": f"Test {sub}", "groups": ["staff"], "email_verified": True})
    let_the_interval_pass()
    page = silent_round_trip(rstack, session, path)
    assert page.status_code == 403, (page.status_code, page.headers, page.text[:300])
    assert "Location" not in page.headers
    assert rstack.provider.silent_count() == 1
    # The session lives on with its fresh claims: other locations still pass.
    assert get(session, rstack.url + "/private/after").status_code == 200


def test_a_user_added_to_the_group_gains_access_and_the_old_cookie_is_gone(rstack):
    session, sub = signed_in(rstack, groups=["staff"], email_verified=True)
    old_cookie = session_cookie(session)
    path = f"/admins/{uuid.uuid4().hex[:6]}"
    assert get(session, rstack.url + path).status_code == 403
    rstack.provider.set_user(sub, {"email": f"{sub}@example.test", "groups": ["admins"], "email_verified": True})
    let_the_interval_pass()
    assert silent_round_trip(rstack, session, path).status_code == 200
    assert session_cookie(session) != old_cookie, "a re-check replaces the session"
    stale = browser()
    stale.cookies.set(SESSION_COOKIE, old_cookie)
    assert get(stale, rstack.url + "/private").status_code == 302, "the replaced session must not stay usable"


def test_login_required_ends_the_session_and_a_normal_login_follows(rstack):
    session, sub = signed_in(rstack)
    rstack.provider.end_provider_sessions(sub)
    let_the_interval_pass()
    first = get(session, rstack.url + "/private/x")
    authorize = location(first)
    assert parse_qs(urlsplit(authorize).query)["prompt"] == ["none"]
    back = get(session, authorize)
    callback_url = location(back)
    assert parse_qs(urlsplit(callback_url).query)["error"] == ["login_required"]
    callback = get(session, callback_url)
    assert callback.status_code == 302 and location(callback) == rstack.url + "/private/x"
    assert session_cookie(session) is None, "the session cookie is cleared"
    # The page the user wanted now starts a normal, interactive login.
    again = get(session, rstack.url + "/private/x")
    assert again.status_code == 302
    normal = location(again)
    assert normal.startswith(rstack.authorization_endpoint()) and "prompt" not in parse_qs(urlsplit(normal).query)
    answer = authorize_at_provider(session, normal, sub=sub)
    assert get(session, location(answer)).status_code == 302
    assert get(session, rstack.url + "/private/x").status_code == 200


def test_api_and_xhr_requests_are_never_redirected_for_a_recheck(rstack):
    session, _ = signed_in(rstack)
    let_the_interval_pass()
    rstack.provider.reset_counters()
    # What fetch(), XMLHttpRequest and an image or script load send (the session's
    # navigation headers are replaced, as a browser does for these).
    for headers in (API_HEADERS, {"Accept": "application/json", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"},
                    {"Accept": "*/*", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}):
        answer = get(session, rstack.url + "/private/api", headers=headers)
        assert answer.status_code == 200, (headers, answer.status_code, answer.headers)
    assert rstack.provider.silent_count() == 0
    # The next navigation still re-checks.
    assert silent_round_trip(rstack, session, "/private/nav").status_code == 200
