"""A location open to several providers (`set $oidc_provider "main corp";`),
through real nginx with two real provider processes (different issuers, keys
and users): a browser without a session chooses on a page and lands on the
page it wanted; a session of either opens it, but not a location bound only to
the other; the application learns the provider from X-Remote-Issuer and never
from the client."""

import html
import time
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from harness.login import (API_HEADERS, authorize_at_provider, browser, get, location, set_cookie_headers,
                           sets_session_cookie)
from harness.oidc_fcgi import CLIENT_ID, STATE_COOKIE_PREFIX
from harness.stack import CORP_CLIENT_ID, CORP_DISPLAY_NAME, Stack, StackOptions

LINK = re.compile(r'<a href="(/oidc/login\?[^"]*)">Sign in with ([^<]*)</a>')


@pytest.fixture(scope="module", params=["memory", "memcached"])
def cstack(request, oidc_fcgi_bin):
    stack = Stack(StackOptions(store=request.param, label="choice", second_provider=True))
    try:
        stack.start()
    except BaseException:
        print(stack.logs())
        raise
    yield stack
    stack.stop()


def provider(stack: Stack, name: str):
    return stack.corp_provider if name == "corp" else stack.provider


def new_user(stack: Stack, name: str) -> str:
    """A user who exists only at provider `name`."""
    sub = f"{name}-user-" + uuid.uuid4().hex[:8]
    provider(stack, name).set_user(sub, {"email": f"{sub}@{name}.test", "name": f"Test {sub}"})
    return sub


def choices(page: requests.Response) -> dict[str, str]:
    """Display name (as shown) → the link's URL, from the choice page."""
    return {html.unescape(label): html.unescape(href) for href, label in LINK.findall(page.text)}


def log_in_at(stack: Stack, session: requests.Session, start: requests.Response, name: str) -> tuple[str, requests.Response]:
    """From a 302 to provider `name` through its login form and the callback; the callback's answer."""
    assert start.status_code == 302, (start.status_code, start.text[:300])
    assert location(start).startswith(stack.authorization_endpoint(name)), location(start)
    sub = new_user(stack, name)
    callback = get(session, location(authorize_at_provider(session, location(start), sub=sub)))
    assert callback.status_code in (302, 303), (callback.status_code, callback.text[:300])
    assert sets_session_cookie(callback)
    return sub, callback


def test_the_providers_are_two_processes_with_their_own_issuers(cstack: Stack):
    assert cstack.corp_provider.issuer != cstack.provider.issuer
    assert cstack.corp_provider.discovery()["jwks_uri"] != cstack.provider.discovery()["jwks_uri"]


def test_a_location_open_to_both_offers_the_choice(cstack: Stack):
    wanted = f"/choice/report-{uuid.uuid4().hex[:6]}?q=a%20b"
    page = get(browser(), cstack.url + wanted)
    assert page.status_code == 401, (page.status_code, page.text[:300])
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "Location" not in page.headers
    assert not any(STATE_COOKIE_PREFIX in c for c in set_cookie_headers(page)), "choosing starts no login yet"
    assert "<h1>Choose how to sign in</h1>" in page.text
    links = choices(page)
    assert list(links) == ["main", CORP_DISPLAY_NAME], links
    # The display name is text, never markup.
    assert "Corp &lt;Staff&gt; &amp; &quot;Partners&quot;" in page.text and "<Staff>" not in page.text
    for name, href in zip(["main", "corp"], links.values()):
        query = parse_qs(urlsplit(href).query)
        assert query["provider"] == [name]
        assert query["target_link_uri"] == [cstack.url + wanted]


@pytest.mark.parametrize("name, client_id", [("main", CLIENT_ID), ("corp", CORP_CLIENT_ID)])
def test_each_choice_logs_in_at_its_provider_and_lands_on_the_wanted_page(cstack: Stack, name: str, client_id: str):
    session = browser()
    wanted = f"/choice/{name}-{uuid.uuid4().hex[:6]}?year=2026"
    page = get(session, cstack.url + wanted)
    href = list(choices(page).values())[0 if name == "main" else 1]
    start = get(session, cstack.url + href)
    assert parse_qs(urlsplit(location(start)).query)["client_id"] == [client_id]
    sub, callback = log_in_at(cstack, session, start, name)
    assert location(callback) == cstack.url + wanted
    served = get(session, location(callback))
    assert served.status_code == 200, (served.status_code, served.text[:300])
    seen = [r for r in cstack.upstream.received() if r.path == wanted][-1]
    assert seen.header("X-Remote-User") == sub
    assert seen.header_values("X-Remote-Issuer") == [provider(cstack, name).issuer]


def test_a_session_of_one_provider_does_not_open_a_location_bound_to_the_other(cstack: Stack):
    session = browser()
    sub, callback = log_in_at(cstack, session, get(session, cstack.url + "/corp/home"), "corp")
    assert get(session, location(callback)).status_code == 200
    assert get(session, cstack.url + "/choice/x").status_code == 200
    # `/` is the main provider's only: the corp session is no session there.
    other = get(session, cstack.url + "/private/main-only")
    assert other.status_code == 302
    assert location(other).startswith(cstack.authorization_endpoint("main"))
    assert not any(r.path == "/private/main-only" for r in cstack.upstream.received())

    session = browser()
    _, callback = log_in_at(cstack, session, get(session, cstack.url + "/private/start"), "main")
    assert get(session, location(callback)).status_code == 200
    refused = get(session, cstack.url + "/corp/secret")
    assert refused.status_code == 302 and location(refused).startswith(cstack.authorization_endpoint("corp"))
    assert not any(r.path == "/corp/secret" for r in cstack.upstream.received())


def test_a_client_sent_issuer_never_reaches_the_application(cstack: Stack):
    session = browser()
    _, callback = log_in_at(cstack, session, get(session, cstack.url + "/corp/in"), "corp")
    path = f"/choice/forged-{uuid.uuid4().hex[:6]}"
    served = get(session, cstack.url + path, headers={"X-Remote-Issuer": cstack.provider.issuer})
    assert served.status_code == 200
    seen = [r for r in cstack.upstream.received() if r.path == path][-1]
    assert seen.header_values("X-Remote-Issuer") == [cstack.corp_provider.issuer]
    # Nor where no one signed in: the public location drops it.
    public = f"/public/forged-{uuid.uuid4().hex[:6]}"
    assert get(browser(), cstack.url + public, headers={"X-Remote-Issuer": "https://evil.example"}).status_code == 200
    assert [r for r in cstack.upstream.received() if r.path == public][-1].header_values("X-Remote-Issuer") == []


def test_api_requests_get_401_json_never_the_page(cstack: Stack):
    answer = requests.get(cstack.url + "/choice/data.json", headers=API_HEADERS, allow_redirects=False, timeout=10)
    assert answer.status_code == 401
    assert answer.headers["Content-Type"].startswith("application/json")
    assert "oidc/login" not in answer.text


RECHECK_INTERVAL = 2


@pytest.fixture(scope="module", params=["memory", "memcached"])
def recheck_stack(request, oidc_fcgi_bin):
    stack = Stack(StackOptions(store=request.param, label="choice-recheck", second_provider=True))
    stack.oidc_config["session"]["recheck_interval"] = f"{RECHECK_INTERVAL}s"
    try:
        stack.start()
    except BaseException:
        print(stack.logs())
        raise
    yield stack
    stack.stop()


def test_a_silent_recheck_at_a_location_open_to_both_asks_the_sessions_own_provider(recheck_stack: Stack):
    stack = recheck_stack
    session = browser()
    path = f"/choice/recheck-{uuid.uuid4().hex[:6]}"
    href = list(choices(get(session, stack.url + path)).values())[1]
    _, callback = log_in_at(stack, session, get(session, stack.url + href), "corp")
    assert get(session, location(callback)).status_code == 200
    # The interval is the configuration's, in whole seconds: wait it out, plus the rounding.
    time.sleep(RECHECK_INTERVAL + 1.1)
    due = get(session, stack.url + path)
    assert due.status_code == 302, (due.status_code, due.text[:300])
    assert location(due).startswith(stack.authorization_endpoint("corp")), location(due)
    assert parse_qs(urlsplit(location(due)).query)["prompt"] == ["none"]
    back = get(session, location(due))  # the provider answers at once: no login form
    assert back.status_code == 302, (back.status_code, back.text[:300])
    callback = get(session, location(back))
    assert callback.status_code == 302 and location(callback) == stack.url + path
    assert get(session, location(callback)).status_code == 200
    seen = [r for r in stack.upstream.received() if r.path == path][-1]
    assert seen.header_values("X-Remote-Issuer") == [stack.corp_provider.issuer]
