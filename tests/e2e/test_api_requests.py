"""Requests that are not page navigations (XHR, fetch, API clients) get a 401
they can act on, never a redirect to a login page they cannot show."""

import pytest

from harness.login import API_HEADERS, browser, get
from harness.oidc_fcgi import STATE_COOKIE_PREFIX


def state_cookies_set(response) -> list[str]:
    return [c.name for c in response.cookies if c.name.startswith(STATE_COOKIE_PREFIX)]


@pytest.mark.parametrize(
    "headers",
    [
        API_HEADERS,
        {"Accept": "application/json"},
        {"Accept": "text/html", "X-Requested-With": "XMLHttpRequest"},
        {"Accept": "*/*", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"},
    ],
    ids=["xhr-json", "accept-json", "x-requested-with", "fetch"],
)
def test_unauthenticated_api_request_gets_401(stack, headers):
    before = stack.upstream.count()
    session = browser()
    for name in ("Sec-Fetch-Mode", "Sec-Fetch-Dest", "Sec-Fetch-User", "Sec-Fetch-Site", "Upgrade-Insecure-Requests"):
        session.headers.pop(name, None)
    response = get(session, stack.url + "/api/items", headers=headers)
    assert response.status_code == 401, (response.status_code, response.headers)
    assert "Location" not in response.headers
    assert state_cookies_set(response) == [], "no login state for a request that cannot log in"
    assert stack.upstream.count() == before


def test_unauthenticated_json_answer_is_json(stack):
    response = get(browser(), stack.url + "/api/items", headers=API_HEADERS)
    assert response.status_code == 401
    assert "json" in response.headers.get("Content-Type", "")
    assert isinstance(response.json(), dict)


def test_unauthenticated_post_body_never_reaches_the_application(stack):
    before = stack.upstream.count()
    response = browser().post(
        stack.url + "/api/items", json={"delete": "everything"}, headers=API_HEADERS, allow_redirects=False, timeout=10
    )
    assert response.status_code == 401
    assert stack.upstream.count() == before


def test_authenticated_api_request_passes(stack):
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    response = session.post(
        stack.url + "/api/items", json={"name": "x"}, headers=API_HEADERS, allow_redirects=False, timeout=10
    )
    assert response.status_code == 200
    request = stack.upstream.received()[-1]
    assert request.method == "POST"
    assert request.header("X-Remote-User") == sub
