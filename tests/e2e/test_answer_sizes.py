"""Every answer fits nginx's FastCGI buffer: large claims, absurd `state`
values and piles of stale login-state cookies never turn into a 502/503.
And every copy of the session cookie is kept from the application."""

import base64
import hashlib

from harness.login import browser, get, set_cookie_headers
from harness.oidc_fcgi import SESSION_COOKIE, STATE_COOKIE_PREFIX
from harness.raw_http import raw_get


def well_formed_state(label: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(label.encode()).digest()).rstrip(b"=").decode()


def test_a_large_claim_within_the_limit_reaches_the_application_in_full(stack):
    # Over 4 KiB of headers in all: more than nginx's default FastCGI buffer.
    name = "N" * 4000
    sub = stack.new_user(name=name)
    session = browser()
    stack.log_in(session, sub)
    response = get(session, stack.url + "/big")
    assert response.status_code == 200, response.text
    assert stack.upstream.received()[-1].header("X-Remote-Name") == name


def test_a_claim_over_the_limit_is_sent_empty_never_an_error(stack):
    sub = stack.new_user(name="G" * 6000)
    session = browser()
    stack.log_in(session, sub)
    for _ in range(3):
        response = get(session, stack.url + "/groups")
        assert response.status_code == 200, response.text
        request = stack.upstream.received()[-1]
        assert request.header("X-Remote-User") == sub
        assert not request.header("X-Remote-Name")
        assert request.header("X-Remote-Email") == f"{sub}@example.test"


def test_an_absurd_state_is_refused_with_400(stack):
    response = raw_get(stack.url, "/oidc/callback?code=x&state=" + "s" * 7000)
    assert response.status == 400
    assert response.header_values("Set-Cookie") == []


def test_piles_of_stale_state_cookies_get_a_bounded_answer(stack):
    stale = "; ".join(f"{STATE_COOKIE_PREFIX}{well_formed_state(str(i))}=stale{i}" for i in range(100))
    response = raw_get(stack.url, "/reports", headers={"Cookie": stale})
    assert response.status == 302, response.lines
    cookies = response.header_values("Set-Cookie")
    assert 1 < len(cookies) <= 5, cookies  # a few deletions and the new login's cookie
    assert sum(len(c) for c in cookies) < 4096


def test_every_copy_of_the_session_cookie_is_kept_from_the_application(stack):
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    good = session.cookies.get(SESSION_COOKIE)
    cookie = f"{SESSION_COOKIE}={good}; site_pref=dark; {SESSION_COOKIE}=second-copy; {STATE_COOKIE_PREFIX}{well_formed_state('x')}=pending; lang=en"
    response = raw_get(stack.url, "/cookies", headers={"Cookie": cookie})
    assert response.status == 200
    request = stack.upstream.received()[-1]
    assert request.header("X-Remote-User") == sub
    assert request.cookie_names() == ["site_pref", "lang"]
    assert request.header("Cookie") == "site_pref=dark; lang=en"


def test_only_the_session_cookie_means_no_cookie_header_upstream(stack):
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    response = get(session, stack.url + "/alone")
    assert response.status_code == 200
    request = stack.upstream.received()[-1]
    assert request.header("Cookie") in (None, "")
