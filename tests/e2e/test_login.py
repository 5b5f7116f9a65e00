"""A user opens a protected page, logs in at the provider and lands on the
page; the application sees who they are, and never the session cookie."""

from urllib.parse import parse_qs, urlsplit

from harness.login import browser, get, location, set_cookie_headers
from harness.oidc_fcgi import CLIENT_ID, PARTNER_CLIENT_ID, SESSION_COOKIE, STATE_COOKIE_PREFIX


def test_login_reaches_the_page_as_the_user(stack):
    sub = stack.new_user()
    session = browser()
    before = stack.upstream.count()

    trace = stack.log_in(session, sub, path="/reports/q3?year=2026")

    # The login went to the provider with this client, PKCE and a nonce.
    query = parse_qs(urlsplit(trace.authorize_url).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [stack.url + "/oidc/callback"]
    assert "openid" in query["scope"][0].split()
    assert query.get("state") and query.get("nonce") and query.get("code_challenge")
    # ... and came back to the page first asked for, query included.
    assert location(trace.callback) == stack.url + "/reports/q3?year=2026"

    received = stack.upstream.received()[before:]
    assert len(received) == 1, "the application is reached once, after login"
    request = received[0]
    assert request.path == "/reports/q3?year=2026"
    assert request.header("X-Remote-User") == sub
    assert request.header("X-Remote-Email") == f"{sub}@example.test"
    assert request.header("X-Remote-Name") == f"Test {sub}"
    assert sub in trace.page.text


def test_next_requests_use_the_session_without_the_provider(stack):
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    for path in ("/a", "/b/c", "/"):
        response = get(session, stack.url + path)
        assert response.status_code == 200, response.text
        assert stack.upstream.received()[-1].header("X-Remote-User") == sub


def test_the_application_never_sees_the_session_cookie(stack):
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    session.cookies.set("app_pref", "dark", domain="127.0.0.1", path="/")
    response = get(session, stack.url + "/with-cookies")
    assert response.status_code == 200
    request = stack.upstream.received()[-1]
    assert SESSION_COOKIE not in request.cookie_names()
    assert "app_pref" in request.cookie_names(), "the site's own cookies still pass"


def test_public_area_needs_no_login(stack):
    response = get(browser(), stack.url + "/public/info")
    assert response.status_code == 200
    assert stack.upstream.received()[-1].path == "/public/info"


def test_a_location_can_name_its_provider(stack):
    # nginx: location /partner/ { set $oidc_provider partner; include ...; }
    sub = stack.new_user()
    session = browser()
    trace = stack.log_in(session, sub, path="/partner/area")
    assert parse_qs(urlsplit(trace.authorize_url).query)["client_id"] == [PARTNER_CLIENT_ID]
    assert location(trace.callback) == stack.url + "/partner/area"
    assert stack.upstream.received()[-1].header("X-Remote-User") == sub
    assert get(session, stack.url + "/partner/more").status_code == 200


def test_cookies_after_login(stack):
    session = browser()
    trace = stack.log_in(session, stack.new_user())
    issued = [h for h in set_cookie_headers(trace.callback) if h.startswith(SESSION_COOKIE + "=")]
    assert len(issued) == 1, set_cookie_headers(trace.callback)
    attributes = [a.strip().lower() for a in issued[0].split(";")[1:]]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    # One small cookie: a session id, not the tokens.
    value = issued[0].split(";", 1)[0].split("=", 1)[1]
    assert 32 <= len(value) <= 200, value
    # The finished login's state cookie is gone.
    assert [c.name for c in session.cookies if c.name.startswith(STATE_COOKIE_PREFIX) and c.value] == []
