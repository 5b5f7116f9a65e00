"""Login links and third-party-initiated login (OpenID Connect Core §4):
/oidc/login?iss=…&target_link_uri=…&login_hint=… starts a login with the
provider `iss` names and lands on target_link_uri afterwards; a target off
this site, an unknown issuer or a malformed link is a 400 that starts nothing."""

import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from harness.login import (NAVIGATION_HEADERS, TIMEOUT, authorize_at_provider, browser, get, location,
                           set_cookie_headers, sets_session_cookie)
from harness.oidc_fcgi import CLIENT_ID, PARTNER_CLIENT_ID, STATE_COOKIE_PREFIX
from harness.stack import Stack


def finish_login(stack: Stack, session: requests.Session, start: requests.Response) -> requests.Response:
    """From the login link's 302 to the provider, through the callback; returns the callback's answer."""
    assert start.status_code == 302, (start.status_code, start.text[:300])
    assert location(start).startswith(stack.authorization_endpoint()), location(start)
    answer = authorize_at_provider(session, location(start), sub=stack.new_user())
    callback = get(session, location(answer))
    assert callback.status_code in (302, 303), (callback.status_code, callback.text[:300])
    assert sets_session_cookie(callback)
    return callback


def assert_refused(response: requests.Response) -> None:
    assert response.status_code == 400, (response.status_code, response.headers, response.text[:300])
    assert "Location" not in response.headers
    assert not any(STATE_COOKIE_PREFIX in c for c in set_cookie_headers(response)), "a refused link must not start a login"


def test_a_login_link_lands_on_its_target_after_login(stack: Stack):
    session = browser()
    target = f"/private/reports-{uuid.uuid4().hex[:6]}?year=2026&q=a%20b"
    start = get(session, stack.url + "/oidc/login?" + urlencode({"iss": stack.provider.issuer, "target_link_uri": target}))
    authorize = parse_qs(urlsplit(location(start)).query)
    assert authorize["client_id"] == [CLIENT_ID]
    assert authorize["code_challenge_method"] == ["S256"]
    callback = finish_login(stack, session, start)
    assert location(callback) == stack.url + target
    page = get(session, location(callback))
    assert page.status_code == 200
    assert any(r.path == target for r in stack.upstream.received())


def test_an_absolute_target_on_this_site_is_accepted(stack: Stack):
    session = browser()
    target = stack.url + "/private/absolute"
    start = get(session, stack.url + "/oidc/login?" + urlencode({"target_link_uri": target}))
    assert location(finish_login(stack, session, start)) == target


def test_the_login_hint_reaches_the_provider(stack: Stack):
    start = get(browser(), stack.url + "/oidc/login?" + urlencode({"iss": stack.provider.issuer, "login_hint": "alice@example.test"}))
    assert start.status_code == 302
    assert parse_qs(urlsplit(location(start)).query)["login_hint"] == ["alice@example.test"]


def test_without_a_target_the_login_lands_on_the_start_page(stack: Stack):
    session = browser()
    start = get(session, stack.url + "/oidc/login")
    assert location(finish_login(stack, session, start)) == stack.url + "/"


def test_a_third_party_can_post_the_login_initiation(stack: Stack):
    session = browser()
    target = "/private/posted"
    start = session.post(stack.url + "/oidc/login", data={"iss": stack.provider.issuer, "target_link_uri": target},
                         headers={**NAVIGATION_HEADERS, "Sec-Fetch-Site": "cross-site"}, allow_redirects=False, timeout=TIMEOUT)
    assert location(finish_login(stack, session, start)) == stack.url + target


def test_a_provider_is_picked_by_name(stack: Stack):
    start = get(browser(), stack.url + "/oidc/login?provider=partner&target_link_uri=/partner/x")
    assert start.status_code == 302
    assert parse_qs(urlsplit(location(start)).query)["client_id"] == [PARTNER_CLIENT_ID]


@pytest.mark.parametrize("query", [
    {"iss": "https://unknown-issuer.example"},
    {"iss": "http://127.0.0.1:1"},
    {"provider": "nobody"},
    {"iss": "ISSUER", "provider": "nobody"},
])
def test_an_unknown_provider_is_refused(stack: Stack, query):
    query = {k: (stack.provider.issuer if v == "ISSUER" else v) for k, v in query.items()}
    response = get(browser(), stack.url + "/oidc/login?" + urlencode(query))
    assert_refused(response)
    assert "identity provider" in response.text


OPEN_REDIRECTS = [
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "https://evil.example/",
    "http://evil.example/private",
    "HTTP://EVIL.EXAMPLE/",
    "https:/evil.example/",
    "evil.example/",
    "javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://127.0.0.1/",
    "http://127.0.0.1.evil.example/",
    "http://127.0.0.1:1/",
    "http://user@evil.example/",
    "http://NGINX@evil.example/",
    "http://evil.example\\@127.0.0.1/",
    "http://evil.example%2F@127.0.0.1/",
]


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_every_open_redirect_target_is_refused(stack: Stack, target):
    target = target.replace("NGINX", urlsplit(stack.url).netloc)
    for send in ("get", "post"):
        if send == "get":
            response = get(browser(), stack.url + "/oidc/login?" + urlencode({"target_link_uri": target}))
        else:
            response = browser().post(stack.url + "/oidc/login", data={"target_link_uri": target},
                                      allow_redirects=False, timeout=TIMEOUT)
        assert_refused(response)
        assert "outside this site" in response.text


def test_a_repeated_parameter_is_refused(stack: Stack):
    response = get(browser(), stack.url + "/oidc/login?target_link_uri=/private&target_link_uri=//evil.example/")
    assert_refused(response)


def test_a_login_hint_with_control_characters_is_refused(stack: Stack):
    assert_refused(get(browser(), stack.url + "/oidc/login?" + urlencode({"login_hint": "a\r\nSet-Cookie: x=y"})))
    assert_refused(get(browser(), stack.url + "/oidc/login?" + urlencode({"login_hint": "a" * 300})))


def test_other_methods_and_bodies_are_refused(stack: Stack):
    put = requests.put(stack.url + "/oidc/login", data="x", timeout=TIMEOUT, allow_redirects=False)
    assert put.status_code == 405
    post = requests.post(stack.url + "/oidc/login", data='{"target_link_uri":"/"}',
                         headers={"Content-Type": "application/json"}, timeout=TIMEOUT, allow_redirects=False)
    assert_refused(post)
