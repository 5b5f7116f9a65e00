"""What a location does without a session (`$oidc_unauthenticated`):
`pass` lets the request through with no identity, `401` never redirects, and
neither lets a client-sent identity header or a failure through."""

import requests

from harness.login import API_HEADERS, browser, get, is_redirect_to
from harness.oidc_fcgi import STATE_COOKIE_PREFIX
from harness.stack import Stack


def test_pass_location_without_a_session_reaches_the_app_with_no_identity(stack: Stack):
    before = stack.upstream.count()
    page = get(browser(), stack.url + "/optional/news",
               headers={"X-Remote-User": "admin", "X-Remote-Email": "boss@example.test", "Cookie": "theme=dark"})
    assert page.status_code == 200, (page.status_code, page.headers)
    assert stack.upstream.count() == before + 1
    seen = stack.upstream.received()[-1]
    # nginx drops a header set to "": the application sees none of them.
    assert seen.header("X-Remote-User") is None
    assert seen.header("X-Remote-Email") is None
    assert seen.header("Cookie") == "theme=dark", "the site's own cookies still reach the application"


def test_pass_location_with_a_session_gets_the_identity(stack: Stack):
    session, sub = browser(), stack.new_user()
    stack.log_in(session, sub, "/private")
    assert get(session, stack.url + "/optional/news", headers={"X-Remote-User": "admin"}).status_code == 200
    seen = stack.upstream.received()[-1]
    assert seen.header_values("X-Remote-User") == [sub]
    assert seen.header("X-Remote-Email") == f"{sub}@example.test"


def test_pass_location_with_a_dead_or_forged_session_passes_without_identity(stack: Stack):
    forged = browser()
    forged.cookies.set("oidc_session", "A" * 43 + "." + "B" * 22)
    assert get(forged, stack.url + "/optional/news").status_code == 200
    assert stack.upstream.received()[-1].header("X-Remote-User") is None


def test_401_location_never_redirects_a_browser(stack: Stack):
    before = stack.upstream.count()
    page = get(browser(), stack.url + "/no-redirect/data")
    assert page.status_code == 401, (page.status_code, page.headers)
    assert "Location" not in page.headers
    assert not any(c.strip().startswith(STATE_COOKIE_PREFIX) for c in page.headers.get("Set-Cookie", "").split(", ")), page.headers
    assert get(requests.Session(), stack.url + "/no-redirect/data", headers=API_HEADERS).status_code == 401
    assert stack.upstream.count() == before
    session, sub = browser(), stack.new_user()
    stack.log_in(session, sub, "/private")
    assert get(session, stack.url + "/no-redirect/data").status_code == 200
    assert stack.upstream.received()[-1].header_values("X-Remote-User") == [sub]


def test_default_location_still_redirects(stack: Stack):
    assert is_redirect_to(get(browser(), stack.url + "/private"), stack.authorization_endpoint())
