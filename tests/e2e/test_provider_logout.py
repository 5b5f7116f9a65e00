"""Logout started by the identity provider: back-channel logout tokens and
front-channel iframes end sessions wherever they live — on every oidc-fcgi
instance that shares the session store — and bad requests end nothing."""

import json
import time
from urllib.parse import urlencode

import pytest
import requests

from harness.login import browser, get, logged_in
from harness.peer import PeerInstance
from harness.stack import Stack, StackOptions
from test_browser import WAIT, By, EC, WebDriverWait, driver  # noqa: F401 - the headless Chromium fixture

BACKCHANNEL = "/oidc/backchannel-logout"
FRONTCHANNEL = "/oidc/frontchannel-logout"


@pytest.fixture(scope="module", params=["memcached-two-instances", "memory-one-instance"])
def site(request, oidc_fcgi_bin):
    """(first, second): two instances sharing memcached, or the memory store's
    one instance twice."""
    store = "memcached" if request.param.startswith("memcached") else "memory"
    stack = Stack(StackOptions(store=store, label="provider-logout"))
    try:
        stack.start()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"the {store} stack did not start: {error}\n{stack.logs()}", pytrace=False)
    request.addfinalizer(stack.stop)
    if store == "memory":
        return stack, stack
    peer = PeerInstance(stack)
    try:
        peer.start()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"the second instance did not start: {error}\n{peer.logs()}", pytrace=False)
    request.addfinalizer(peer.stop)
    return stack, peer


def everywhere(stack: Stack, session, site) -> list[bool]:
    return [logged_in(stack, session, instance) for instance in site]


def new_login(stack: Stack, via, sub: str):
    """A fresh browser logged in as `sub` through instance `via`, and its provider sid."""
    session = browser()
    via.log_in(session, sub)
    return session, stack.provider.sids(sub)[-1]


def send(stack: Stack, via, **token) -> dict:
    return stack.provider.send_backchannel_logout(via.url + BACKCHANNEL, **token)


def assert_refused(answer: dict) -> None:
    assert answer["status"] == 400, answer
    assert answer["headers"].get("cache-control") == "no-store", answer["headers"]
    assert answer["headers"].get("content-type", "").startswith("application/json")
    assert json.loads(answer["body"])["error"] == "invalid_request", answer["body"]


def test_logout_by_sub_ends_every_session_of_the_user_on_every_instance(site):
    stack, second = site
    sub = stack.new_user()
    laptop, _ = new_login(stack, stack, sub)
    phone, _ = new_login(stack, second, sub)
    bystander, _ = new_login(stack, second, stack.new_user())
    assert everywhere(stack, laptop, site) == [True, True], "a session is valid on every instance"
    assert everywhere(stack, phone, site) == [True, True]

    answer = send(stack, stack, sub=sub)
    assert answer["status"] == 200, answer
    assert answer["headers"].get("cache-control") == "no-store"
    assert everywhere(stack, laptop, site) == [False, False]
    assert everywhere(stack, phone, site) == [False, False]
    assert everywhere(stack, bystander, site) == [True, True]
    # The user can log in again afterwards.
    again, _ = new_login(stack, second, sub)
    assert everywhere(stack, again, site) == [True, True]


def test_logout_by_sid_ends_only_that_session(site):
    stack, second = site
    sub = stack.new_user()
    laptop, _ = new_login(stack, stack, sub)
    phone, phone_sid = new_login(stack, second, sub)
    answer = send(stack, stack, sid=phone_sid)
    assert answer["status"] == 200, answer
    assert everywhere(stack, phone, site) == [False, False]
    assert everywhere(stack, laptop, site) == [True, True]


def test_a_replayed_logout_token_is_refused_by_every_instance(site):
    stack, second = site
    sub = stack.new_user()
    first, _ = new_login(stack, stack, sub)
    answer = send(stack, stack, sub=sub)
    assert answer["status"] == 200, answer
    assert everywhere(stack, first, site) == [False, False]
    fresh, _ = new_login(stack, stack, sub)
    for instance in (second, stack):
        assert_refused(send(stack, instance, token=answer["logout_token"]))
    assert everywhere(stack, fresh, site) == [True, True], "a replay must not end the user's new session"


BAD_TOKENS = {
    "nonce": dict(claims={"nonce": "n-1"}),
    "foreign-key": dict(key="foreign"),
    "alg-none": dict(alg="none"),
    "wrong-aud": dict(aud="someone-else"),
    "wrong-iss": dict(claims={"iss": "http://evil.example"}),
    "iat-far-past": None,  # computed at run time below
    "iat-future": None,
    "no-events": dict(claims={"events": None}),
    "other-event": dict(claims={"events": {"urn:example:other": {}}}),
    "no-jti": dict(claims={"jti": None}),
    "access-token-typ": dict(header={"typ": "at+jwt"}),
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_a_bad_logout_token_is_refused_and_ends_nothing(site, kind):
    stack, second = site
    sub = stack.new_user()
    session, sid = new_login(stack, stack, sub)
    options = dict(BAD_TOKENS[kind] or {})
    if kind == "iat-far-past":
        options = dict(claims={"iat": int(time.time()) - 3600, "exp": None})
    elif kind == "iat-future":
        options = dict(claims={"iat": int(time.time()) + 3600})
    assert_refused(send(stack, second, sub=sub, sid=sid, **options))
    assert everywhere(stack, session, site) == [True, True], f"a {kind} token ended the session"


def test_malformed_requests_are_refused(site):
    stack, second = site
    url = second.url + BACKCHANNEL
    assert requests.get(url, timeout=10).status_code == 405
    assert requests.post(url, json={"logout_token": "x"}, timeout=10).status_code == 400
    assert requests.post(url, data={"other": "x"}, timeout=10).status_code == 400
    big = requests.post(url, data={"logout_token": "a" * 40_000}, timeout=10)
    assert big.status_code in (400, 413), big.status_code


def test_a_token_signed_with_a_new_key_is_accepted_after_a_rotation(oidc_fcgi_bin):
    """Keys rotate at the provider between logins and the logout: the unknown
    kid makes oidc-fcgi fetch the key set again, once."""
    with Stack(StackOptions(label="logout-rotation")) as stack:
        sub = stack.new_user()
        session, sid = new_login(stack, stack, sub)
        requests.post(stack.provider.issuer + "/test/rotate-key", json={}, timeout=5).raise_for_status()
        answer = send(stack, stack, sid=sid)
        assert answer["status"] == 200, (answer, stack.logs())
        assert logged_in(stack, session, stack) is False


def front_channel(via, iss: str, sid: str, session=None) -> requests.Response:
    return get(session or browser(), via.url + FRONTCHANNEL + "?" + urlencode({"iss": iss, "sid": sid}))


def test_front_channel_with_the_cookie_ends_the_session(site):
    stack, second = site
    session, sid = new_login(stack, stack, stack.new_user())
    page = front_channel(second, stack.provider.issuer, sid, session)
    assert page.status_code == 200, page.text
    assert page.headers.get("Cache-Control") == "no-cache, no-store"
    assert page.headers.get("Content-Type", "").startswith("text/html")
    assert everywhere(stack, session, site) == [False, False]


def test_front_channel_without_a_cookie_ends_the_session(site):
    stack, second = site
    session, sid = new_login(stack, second, stack.new_user())
    other, _ = new_login(stack, second, stack.new_user())
    page = front_channel(stack, stack.provider.issuer, sid)
    assert page.status_code == 200, page.text
    assert everywhere(stack, session, site) == [False, False]
    assert everywhere(stack, other, site) == [True, True]


def test_front_channel_with_a_wrong_sid_or_iss_ends_nothing(site):
    stack, second = site
    sub = stack.new_user()
    session, sid = new_login(stack, stack, sub)
    _, other_sid = new_login(stack, stack, stack.new_user())
    assert front_channel(second, stack.provider.issuer, other_sid, session).status_code == 200
    assert front_channel(second, stack.provider.issuer, "no-such-sid", session).status_code == 200
    assert front_channel(second, "http://evil.example", sid, session).status_code == 400
    missing = get(session, second.url + FRONTCHANNEL + "?" + urlencode({"iss": stack.provider.issuer}))
    assert missing.status_code == 400
    assert everywhere(stack, session, site) == [True, True]


@pytest.mark.parametrize("stack", ["memory"], indirect=True)
def test_the_providers_logout_page_logs_the_browser_out_in_chromium(stack, driver):
    """The provider's page frames the front-channel URI; the real browser loads it
    (with its cookie: provider and site are same-site here) and the session ends."""
    sub = stack.new_user()
    driver.get(stack.url + "/inbox")
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.NAME, "sub")))
    field = driver.find_element(By.NAME, "sub")
    field.send_keys(sub)
    field.submit()
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "user")))
    sid = stack.provider.sids(sub)[-1]

    driver.get(stack.provider.frontchannel_logout_page(stack.url + FRONTCHANNEL, sid))
    frame = WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "rp")))
    driver.switch_to.frame(frame)
    WebDriverWait(driver, WAIT).until(lambda d: "logged out" in d.find_element(By.TAG_NAME, "body").text)
    driver.switch_to.default_content()

    driver.get(stack.url + "/inbox")
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.NAME, "sub")))
    assert driver.current_url.startswith(stack.authorization_endpoint())
