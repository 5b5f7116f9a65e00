"""Real Apache 2.4 (mod_authnz_fcgi authorizer, mod_proxy_fcgi endpoints,
mod_proxy_http backend) running apache/*.conf, with oidc-fcgi on TCP, the
test provider and memcached."""

import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from harness.apache import API_AUDIENCE, API_REALM, apache_stack
from harness.login import API_HEADERS, authorize_at_provider, browser, get, is_redirect_to, location, logged_in, session_cookie
from harness.oidc_fcgi import SESSION_COOKIE
from harness.stack import Stack, StackOptions
from test_browser import WAIT, By, EC, WebDriverWait, driver  # noqa: F401 - the headless Chromium fixture


@pytest.fixture(scope="module")
def astack(oidc_fcgi_bin):
    s = apache_stack(Stack, StackOptions(store="memcached", label="apache"))
    try:
        s.start()
    except BaseException:
        print(s.logs())
        raise
    yield s
    s.stop()


def seen(stack):
    return stack.upstream.received()[-1]


def test_login_through_apache_passes_user_and_claims(astack):
    session = browser()
    sub = astack.new_user()
    astack.log_in(session, sub, "/private")
    before = astack.upstream.count()
    response = get(session, astack.url + "/private?x=1",
                   headers={"X-Remote-User": "admin", "X-Remote-Email": "admin@example.test"}, cookies={"site": "keep"})
    assert response.status_code == 200, (response.status_code, response.text[:300])
    assert astack.upstream.count() == before + 1
    got = seen(astack)
    assert got.header_values("X-Remote-User") == [sub]
    assert got.header_values("X-Remote-Email") == [f"{sub}@example.test"]
    assert got.header("X-Remote-Name") == f"Test {sub}"
    assert got.header_values("X-Remote-Issuer") == [astack.provider.issuer]
    assert SESSION_COOKIE not in got.cookie_names() and "site" in got.cookie_names()
    assert "Variable-REMOTE_USER" not in response.headers and "X-Remote-User" not in response.headers


@pytest.mark.parametrize("cookie", [None, "tampered", "A" * 43])
def test_missing_or_bad_cookie_restarts_the_login(astack, cookie):
    session = browser()
    if cookie:
        session.cookies.set(SESSION_COOKIE, cookie)
    before = astack.upstream.count()
    response = get(session, astack.url + "/private", headers={"X-Remote-User": "admin"})
    assert is_redirect_to(response, astack.authorization_endpoint()), (response.status_code, response.headers)
    assert any(c.startswith("oidc_state_") for c in response.headers.get("Set-Cookie", "").split(", "))
    api = get(session, astack.url + "/private", headers=API_HEADERS)
    assert api.status_code == 401 and "Location" not in api.headers and api.headers.get("WWW-Authenticate")
    assert astack.upstream.count() == before


def test_a_location_open_to_two_providers_offers_the_choice_and_takes_either(astack):
    page = get(browser(), astack.url + "/shared/x?y=1")
    assert page.status_code == 401, (page.status_code, page.text[:300])
    assert page.headers["Cache-Control"] == "no-store" and "Location" not in page.headers
    assert "/oidc/login?provider=main&amp;target_link_uri=" in page.text
    assert "/oidc/login?provider=partner&amp;target_link_uri=" in page.text
    session = browser()
    sub = astack.new_user()
    astack.log_in(session, sub, "/partner/in")
    response = get(session, astack.url + "/shared/x", headers={"X-Remote-Issuer": "https://evil.example"})
    assert response.status_code == 200, (response.status_code, response.text[:300])
    got = seen(astack)
    assert got.header_values("X-Remote-User") == [sub]
    assert got.header_values("X-Remote-Issuer") == [astack.provider.issuer]
    # A client-sent issuer never reaches the application where no one signed in either.
    get(browser(), astack.url + "/welcome/", headers={"X-Remote-Issuer": "https://evil.example"})
    assert seen(astack).header_values("X-Remote-Issuer") == []


def test_partner_location_uses_the_partner_provider(astack):
    session = browser()
    sub = astack.new_user()
    astack.log_in(session, sub, "/private")
    # A main session does not open the partner location: a new login there.
    response = get(session, astack.url + "/partner/x")
    assert is_redirect_to(response, astack.authorization_endpoint("partner"))
    assert "client_id=e2e-partner-client" in response.headers["Location"]
    partner = browser()
    astack.log_in(partner, sub, "/partner/x")
    assert get(partner, astack.url + "/partner/x").status_code == 200
    assert seen(astack).header("X-Remote-User") == sub


def test_a_pass_location_answers_anonymous_and_signed_in_users(astack):
    before = astack.upstream.count()
    anonymous = get(browser(), astack.url + "/welcome/", headers={"X-Remote-User": "forged"})
    assert anonymous.status_code == 200, (anonymous.status_code, anonymous.text[:300])
    assert astack.upstream.count() == before + 1
    assert not seen(astack).header("X-Remote-User")
    session = browser()
    sub = astack.new_user()
    astack.log_in(session, sub, "/private")
    assert get(session, astack.url + "/welcome/").status_code == 200
    assert seen(astack).header_values("X-Remote-User") == [sub]


def test_a_claim_rule_location_admits_members_and_refuses_others_with_403(astack):
    member, outsider = browser(), browser()
    astack.log_in(member, astack.new_user(groups=["admins"]), "/private")
    astack.log_in(outsider, astack.new_user(groups=["staff"]), "/private")
    assert get(member, astack.url + "/admin/x").status_code == 200
    before = astack.upstream.count()
    refused = get(outsider, astack.url + "/admin/x")
    assert refused.status_code == 403 and "Location" not in refused.headers
    assert "Access denied" in refused.text
    assert astack.upstream.count() == before, "a refused request must not reach the application"


def test_a_step_up_location_asks_for_a_stronger_sign_in_through_the_authorizer(astack):
    # /payments/ in apache/example-site.conf: OIDC_MAX_AGE=300, OIDC_ACR_VALUES=urn:mfa.
    session, sub = browser(), astack.new_user()
    first = get(session, astack.url + "/private")
    answer = authorize_at_provider(session, location(first), sub=sub, acr="urn:password")
    assert get(session, location(answer)).status_code == 302
    step_up = get(session, astack.url + "/payments/x")
    assert is_redirect_to(step_up, astack.authorization_endpoint()), (step_up.status_code, step_up.headers)
    query = parse_qs(urlsplit(location(step_up)).query)
    assert query["acr_values"] == ["urn:mfa"] and query["max_age"] == ["300"]
    answer = authorize_at_provider(session, location(step_up), sub=sub, acr="urn:mfa")
    callback = get(session, location(answer))
    assert callback.status_code == 302 and location(callback) == astack.url + "/payments/x"
    assert get(session, astack.url + "/payments/x").status_code == 200
    assert seen(astack).header("X-Remote-User") == sub
    # A script with a weaker session gets 401, never a redirect.
    weak = browser()
    answer = authorize_at_provider(weak, location(get(weak, astack.url + "/private")), sub=astack.new_user(), acr="urn:password")
    assert get(weak, location(answer)).status_code == 302
    refused = get(weak, astack.url + "/payments/api", headers=API_HEADERS)
    assert refused.status_code == 401 and "Location" not in refused.headers, (refused.status_code, refused.headers)


def test_logout_kills_the_old_cookie(astack):
    session = browser()
    sub = astack.new_user()
    astack.log_in(session, sub, "/private")
    cookie = session_cookie(session)
    out = get(session, astack.url + "/oidc/logout?return_to=/")
    assert out.status_code == 302
    stale = browser()
    stale.cookies.set(SESSION_COOKIE, cookie)
    assert is_redirect_to(get(stale, astack.url + "/private"), astack.authorization_endpoint())


def provider_logout_ends_sessions(stack) -> None:
    """Back-channel by sid, a replay refused, back-channel by sub, and
    front-channel with and without a matching sid, all through Apache."""
    sub = stack.new_user()
    laptop, phone, bystander = browser(), browser(), browser()
    stack.log_in(laptop, sub, "/private")
    stack.log_in(phone, sub, "/private")
    stack.log_in(bystander, stack.new_user(), "/private")
    phone_sid = stack.provider.sids(sub)[-1]

    def passes(session) -> bool:
        return logged_in(stack, session, stack)

    answer = stack.provider.send_backchannel_logout(stack.url + "/oidc/backchannel-logout", sid=phone_sid)
    assert answer["status"] == 200, (answer, stack.logs())
    assert answer["headers"].get("cache-control") == "no-store"
    assert [passes(laptop), passes(phone), passes(bystander)] == [True, False, True]
    replay = stack.provider.send_backchannel_logout(stack.url + "/oidc/backchannel-logout", token=answer["logout_token"])
    assert replay["status"] == 400 and json.loads(replay["body"])["error"] == "invalid_request", replay
    bad = stack.provider.send_backchannel_logout(stack.url + "/oidc/backchannel-logout", sub=sub, aud="someone-else")
    assert bad["status"] == 400, bad
    assert passes(laptop), "a refused logout token ended a session"
    by_sub = stack.provider.send_backchannel_logout(stack.url + "/oidc/backchannel-logout", sub=sub)
    assert by_sub["status"] == 200, by_sub
    assert [passes(laptop), passes(bystander)] == [False, True]

    front = browser()
    stack.log_in(front, sub, "/private")
    front_sid = stack.provider.sids(sub)[-1]
    page = get(front, stack.url + "/oidc/frontchannel-logout?" + urlencode({"iss": stack.provider.issuer, "sid": "no-such-sid"}))
    assert page.status_code == 200 and passes(front), "a front-channel logout for another sid ended the session"
    # No cookie, as in a third-party iframe: the sid alone names the session.
    page = get(browser(), stack.url + "/oidc/frontchannel-logout?" + urlencode({"iss": stack.provider.issuer, "sid": front_sid}))
    assert page.status_code == 200, page.text
    assert page.headers.get("Cache-Control") == "no-cache, no-store"
    assert not passes(front)
    assert passes(bystander)


def test_provider_initiated_logout_through_apache(astack):
    provider_logout_ends_sessions(astack)


def assert_store_outage_is_503(stack, session):
    before = stack.upstream.count()
    deadline = time.monotonic() + 10
    for headers in ({}, API_HEADERS, {}):
        response = get(session, stack.url + "/private", headers=headers)
        assert response.status_code == 503, (response.status_code, response.headers)
        assert "Location" not in response.headers and response.headers.get("Retry-After")
        assert SESSION_COOKIE not in response.headers.get("Set-Cookie", ""), "the user's cookie must survive an outage"
        assert time.monotonic() < deadline
    assert stack.upstream.count() == before


def wait_for(check, what, timeout=10):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_store_hung_is_503_never_200_and_the_session_comes_back(astack):
    session = browser()
    astack.log_in(session, astack.new_user(), "/private")
    astack.memcached.freeze()
    try:
        assert_store_outage_is_503(astack, session)
    finally:
        astack.memcached.thaw()
    # Back within the store's retry interval, with the same session.
    wait_for(lambda: get(session, astack.url + "/private").status_code == 200, "the session did not come back after memcached did")


def test_store_dead_is_503_never_200_then_a_new_login(astack):
    session = browser()
    astack.log_in(session, astack.new_user(), "/private")
    astack.memcached.kill()
    try:
        assert_store_outage_is_503(astack, session)
    finally:
        astack.memcached.start()
    # A restarted memcached has forgotten the session: the login starts again.
    wait_for(lambda: is_redirect_to(get(session, astack.url + "/private"), astack.authorization_endpoint()),
             "no new login after memcached came back empty")



def api_token(stack, scope="orders:read profile", fmt="jwt"):
    stack.provider.set_access_token_format(fmt, audience=API_AUDIENCE)
    return stack.provider.client_credentials_token("reporting", "reporting-secret", scope=scope)["access_token"]


@pytest.mark.parametrize("accept", [API_HEADERS, {"Accept": "text/html"}], ids=["api-client", "browser"])
def test_api_location_without_a_token_is_401_never_a_redirect(astack, accept):
    before = astack.upstream.count()
    response = get(browser(), astack.url + "/api/orders", headers=accept)
    assert response.status_code == 401
    assert "Location" not in response.headers
    assert response.headers["WWW-Authenticate"] == f'Bearer realm="{API_REALM}"'
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "unauthorized"
    assert not [c for c in response.cookies if c.name.startswith("oidc_state_")]
    assert astack.upstream.count() == before


def test_api_location_refuses_bad_and_insufficient_tokens(astack):
    before = astack.upstream.count()
    bad = get(browser(), astack.url + "/api/orders", headers={"Authorization": "Bearer not-a-token-anyone-issued"})
    assert bad.status_code == 401
    assert 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    assert bad.json()["error"] == "invalid_token"
    narrow = get(browser(), astack.url + "/api/orders", headers={"Authorization": "Bearer " + api_token(astack, scope="profile")})
    assert narrow.status_code == 403
    assert 'error="insufficient_scope"' in narrow.headers["WWW-Authenticate"]
    assert 'scope="orders:read"' in narrow.headers["WWW-Authenticate"]
    assert narrow.json()["error"] == "insufficient_scope"
    assert astack.upstream.count() == before
    # A browser session is no bearer token.
    session = browser()
    astack.log_in(session, astack.new_user(), "/private")
    before = astack.upstream.count()
    assert get(session, astack.url + "/api/orders", headers=API_HEADERS).status_code == 401
    assert astack.upstream.count() == before


@pytest.mark.parametrize("fmt", ["jwt", "opaque"])
def test_api_location_passes_a_valid_token_with_its_identity(astack, fmt):
    token = api_token(astack, fmt=fmt)
    before = astack.upstream.count()
    response = get(browser(), astack.url + "/api/orders", headers={
        "Authorization": "Bearer " + token, "X-Remote-User": "admin", "X-Remote-Scope": "everything", **API_HEADERS})
    assert response.status_code == 200, (response.status_code, response.headers, response.text[:300])
    assert astack.upstream.count() == before + 1
    got = seen(astack)
    assert got.header_values("X-Remote-User") == ["reporting"]
    assert got.header_values("X-Remote-Client-Id") == ["reporting"]
    assert got.header_values("X-Remote-Scope") == ["orders:read profile"]
    assert got.header("Authorization") is None
    assert "Variable-REMOTE_USER" not in response.headers


def test_either_location_takes_a_token_or_the_session(astack):
    token = api_token(astack)
    response = get(browser(), astack.url + "/reports/q3", headers={"Authorization": "Bearer " + token, **API_HEADERS})
    assert response.status_code == 200, (response.status_code, response.text[:300])
    assert seen(astack).header_values("X-Remote-User") == ["reporting"]
    refused = get(browser(), astack.url + "/reports/q3", headers={"Authorization": "Bearer revoked-or-never-issued", "Accept": "text/html"})
    assert refused.status_code == 401 and "Location" not in refused.headers
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    # No token: the browser session, or a login.
    session = browser()
    assert is_redirect_to(get(session, astack.url + "/reports/q3"), astack.authorization_endpoint())
    sub = astack.new_user()
    astack.log_in(session, sub, "/reports/q3")
    assert seen(astack).header_values("X-Remote-User") == [sub]


@pytest.fixture(scope="module")
def cgi_stack(oidc_fcgi_bin):
    # Short sessions, for the expired-cookie test.
    s = apache_stack(Stack, StackOptions(store="memcached", label="apache-cgi", inactivity_timeout="2s", max_lifetime="5s"),
                     cgi_endpoints=True)
    try:
        s.start()
    except BaseException:
        print(s.logs())
        raise
    yield s
    s.stop()


def test_provider_initiated_logout_with_the_endpoints_in_cgi_mode(cgi_stack):
    # Sessions here live 5 s (2 s idle): each check follows its login at once,
    # and Apache's error log shows that the CGI process itself ended them.
    def fresh_login():
        session, sub = browser(), cgi_stack.new_user()
        cgi_stack.log_in(session, sub, "/private")
        assert get(session, cgi_stack.url + "/private").status_code == 200
        return session, cgi_stack.provider.sids(sub)[-1]

    session, sid = fresh_login()
    answer = cgi_stack.provider.send_backchannel_logout(cgi_stack.url + "/oidc/backchannel-logout", sid=sid)
    assert answer["status"] == 200, (answer, cgi_stack.logs())
    assert is_redirect_to(get(session, cgi_stack.url + "/private"), cgi_stack.authorization_endpoint())
    replay = cgi_stack.provider.send_backchannel_logout(cgi_stack.url + "/oidc/backchannel-logout", token=answer["logout_token"])
    assert replay["status"] == 400, "a later CGI process must remember the jti"

    session, sid = fresh_login()
    page = get(browser(), cgi_stack.url + "/oidc/frontchannel-logout?" + urlencode({"iss": cgi_stack.provider.issuer, "sid": sid}))
    assert page.status_code == 200, page.text
    assert is_redirect_to(get(session, cgi_stack.url + "/private"), cgi_stack.authorization_endpoint())
    cgi_lines = cgi_stack.nginx.error_log()
    assert "back-channel logout ended sessions" in cgi_lines
    assert "front-channel logout ended the provider session" in cgi_lines


def test_login_and_logout_with_the_endpoints_in_cgi_mode(cgi_stack):
    session = browser()
    sub = cgi_stack.new_user()
    daemon_log = len(cgi_stack.oidc.process.log_text())
    cgi_stack.log_in(session, sub, "/private")
    got = seen(cgi_stack)
    assert got.header_values("X-Remote-User") == [sub]
    assert got.header("X-Remote-Email") == f"{sub}@example.test"
    cookie = session_cookie(session)
    assert get(session, cgi_stack.url + "/oidc/logout?return_to=/").status_code == 302
    stale = browser()
    stale.cookies.set(SESSION_COOKIE, cookie)
    assert is_redirect_to(get(stale, cgi_stack.url + "/private"), cgi_stack.authorization_endpoint())
    # The running oidc-fcgi answered only the authorizer: the callback and the
    # logout were CGI processes (whose log lines Apache writes to its error log).
    daemon = cgi_stack.oidc.process.log_text()[daemon_log:]
    assert "login succeeded" not in daemon and "logged out" not in daemon
    cgi_lines = cgi_stack.nginx.error_log()
    assert f"user={sub} [RelyingParty] login succeeded" in cgi_lines
    assert f"user={sub} [RelyingParty] logged out" in cgi_lines


@pytest.mark.parametrize("which", ["astack", "cgi_stack"])
def test_a_login_link_through_apache_lands_on_its_target(request, which):
    stack = request.getfixturevalue(which)
    session = browser()
    start = get(session, stack.url + "/oidc/login?" + urlencode({"iss": stack.provider.issuer, "target_link_uri": "/private/linked"}))
    assert is_redirect_to(start, stack.authorization_endpoint()), (start.status_code, start.text[:300])
    answer = authorize_at_provider(session, location(start), sub=stack.new_user())
    callback = get(session, location(answer))
    assert location(callback) == stack.url + "/private/linked"
    assert get(session, location(callback)).status_code == 200
    refused = get(browser(), stack.url + "/oidc/login?" + urlencode({"target_link_uri": "//evil.example/"}))
    assert refused.status_code == 400 and "Location" not in refused.headers


def test_expired_session_restarts_the_login(cgi_stack):
    session = browser()
    cgi_stack.log_in(session, cgi_stack.new_user(), "/private")
    logged_in = time.monotonic()
    assert get(session, cgi_stack.url + "/private").status_code == 200
    # Ends 5 s after login at the latest (session.max_lifetime), used or not.
    while True:
        response = get(session, cgi_stack.url + "/private")
        if response.status_code != 200:
            break
        assert time.monotonic() - logged_in < 12, "the session outlived its max_lifetime"
        time.sleep(0.25)
    assert time.monotonic() - logged_in >= 2
    assert is_redirect_to(response, cgi_stack.authorization_endpoint()), (response.status_code, response.headers)
    assert any(c.startswith("oidc_state_") for c in response.headers.get("Set-Cookie", "").split(", "))


def test_login_in_chromium_through_apache(astack, driver):
    sub = astack.new_user()
    driver.get(astack.url + "/dashboard?tab=1")
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.NAME, "sub")))
    assert driver.current_url.startswith(astack.authorization_endpoint())
    field = driver.find_element(By.NAME, "sub")
    field.send_keys(sub)
    field.submit()
    # Back on the page the login started from, shown by the application, as the user.
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "user")))
    assert driver.current_url == astack.url + "/dashboard?tab=1"
    assert driver.find_element(By.ID, "user").text == sub
    assert seen(astack).header("X-Remote-Email") == f"{sub}@example.test"
    cookie = driver.get_cookie(SESSION_COOKIE)
    assert cookie and cookie["httpOnly"] and SESSION_COOKIE not in driver.execute_script("return document.cookie")
    driver.get(astack.url + "/other")
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "user")))
    assert driver.find_element(By.ID, "user").text == sub


# Last, after every other test used both servers.
@pytest.mark.parametrize("which", ["astack", "cgi_stack"])
def test_error_log_has_no_warnings_from_the_includes(request, which):
    log = request.getfixturevalue(which).nginx.error_log()
    assert "resuming normal operations" in log
    bad = [l for l in log.splitlines() if ":warn]" in l or ":error]" in l or ":crit]" in l or ":alert]" in l or ":emerg]" in l]
    assert not bad, "\n".join(bad)
