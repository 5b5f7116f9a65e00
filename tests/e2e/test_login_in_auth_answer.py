"""A browser without a session is sent to the provider by nginx itself: the
401 auth answer carries the redirect and its login-state cookies, and the
shipped `@oidc_login` sends them with `return 302` and `add_header`. What the
browser gets must be what the login location would have sent."""

from urllib.parse import parse_qs, urlsplit

from harness.login import browser, get, is_redirect_to, location, set_cookie_headers
from harness.oidc_fcgi import CLIENT_ID, STATE_COOKIE_PREFIX


def test_the_redirect_nginx_sends_is_a_complete_login_start(stack):
    response = get(browser(), stack.url + "/reports/q3?year=2026")
    assert is_redirect_to(response, stack.authorization_endpoint()), response.headers
    assert response.headers.get("Cache-Control") == "no-store"
    query = parse_qs(urlsplit(location(response)).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [stack.url + "/oidc/callback"]
    cookies = set_cookie_headers(response)
    # One login-state cookie, named for this login's state; no empty Set-Cookie lines.
    assert len(cookies) == 1, cookies
    assert cookies[0].startswith(STATE_COOKIE_PREFIX + query["state"][0] + "=")
    assert "httponly" in cookies[0].lower()
    # nginx's headers only: nothing of the auth answer's own leaks to the browser.
    assert not [name for name in response.headers if name.lower().startswith("oidc-")], response.headers


def test_the_redirect_carries_every_cookie_of_the_answer(stack):
    session = browser()
    pending = stack.oidc_config["login"]["max_pending"]
    for i in range(pending):
        assert is_redirect_to(get(session, stack.url + f"/tab/{i}"), stack.authorization_endpoint())
    # One login too many: the same answer deletes the oldest state and sets the new one.
    response = get(session, stack.url + "/tab/last")
    assert is_redirect_to(response, stack.authorization_endpoint())
    cookies = set_cookie_headers(response)
    deleted = [c for c in cookies if "max-age=0" in c.lower()]
    assert len(deleted) == 1 and len(cookies) == 2, cookies
    names = {c.name for c in session.cookies if c.name.startswith(STATE_COOKIE_PREFIX) and c.value}
    assert len(names) == pending, names
