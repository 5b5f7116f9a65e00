"""Who may enter a location (`set $oidc_require "…";`): a signed-in user whose
claims the rule does not admit gets a 403 page (JSON for APIs), never a new
login, and the application never sees the request; the same rules apply to
bearer tokens; a malformed rule fails closed."""

import time
import uuid

import requests

from harness.login import API_HEADERS, authorize_at_provider, browser, get, location, start_login
from harness.oidc_fcgi import CLIENT_ID, STATE_COOKIE_PREFIX
from harness.stack import Stack


def reached_upstream(stack: Stack, path: str) -> bool:
    return any(r.path == path for r in stack.upstream.received())


def signed_in(stack: Stack, **claims) -> tuple[requests.Session, str]:
    session, sub = browser(), stack.new_user(**claims)
    stack.log_in(session, sub, "/private")
    return session, sub


def assert_denied_page(page: requests.Response) -> None:
    assert page.status_code == 403, (page.status_code, page.headers, page.text[:300])
    assert "Location" not in page.headers, "a denied user must never be sent to log in again"
    assert not any(STATE_COOKIE_PREFIX in c for c in page.headers.get("Set-Cookie", "").split(", ")), page.headers
    assert page.headers["Content-Type"].startswith("text/html"), page.headers
    assert "Access denied" in page.text
    # The failed rule is for the log, not for the user.
    assert "groups" not in page.text and "admins" not in page.text


def test_a_member_of_the_group_passes_the_admin_location(stack: Stack):
    session, sub = signed_in(stack, groups=["staff", "admins"], email_verified=True)
    path = f"/admins/{uuid.uuid4().hex[:8]}"
    page = get(session, stack.url + path)
    assert page.status_code == 200, (page.status_code, page.text[:300])
    assert reached_upstream(stack, path)
    assert stack.upstream.received()[-1].header_values("X-Remote-User") == [sub]


def test_a_non_member_gets_403_there_and_200_elsewhere(stack: Stack):
    session, sub = signed_in(stack, groups=["staff"], email_verified=True)
    path = f"/admins/{uuid.uuid4().hex[:8]}"
    assert_denied_page(get(session, stack.url + path))
    assert not reached_upstream(stack, path)
    # Asked again, still no loop through the provider.
    assert_denied_page(get(session, stack.url + path))
    elsewhere = f"/private/{uuid.uuid4().hex[:8]}"
    assert get(session, stack.url + elsewhere).status_code == 200
    assert reached_upstream(stack, elsewhere)
    log = stack.oidc.process.log_text()
    assert "do not satisfy the location's rule" in log and "groups:admins" in log, stack.logs()


def test_every_term_must_hold(stack: Stack):
    session, _ = signed_in(stack, groups=["admins"], email_verified=False)
    assert_denied_page(get(session, stack.url + "/admins/unverified"))
    missing, _ = signed_in(stack)
    assert_denied_page(get(missing, stack.url + "/admins/no-groups"))


def test_an_api_client_of_a_session_gets_json(stack: Stack):
    session, _ = signed_in(stack, groups=["staff"])
    answer = get(session, stack.url + "/admins/data.json", headers=API_HEADERS)
    assert answer.status_code == 403
    assert answer.headers["Content-Type"].startswith("application/json"), answer.headers
    assert answer.json()["error"] == "access_denied"
    assert "Location" not in answer.headers


def test_a_named_rule_set_and_a_pattern(stack: Stack):
    staff, _ = signed_in(stack, groups=["staff"])
    assert get(staff, stack.url + "/staff/board").status_code == 200
    admin, _ = signed_in(stack, groups=["admins"])
    assert get(admin, stack.url + "/staff/board").status_code == 200
    outsider, _ = signed_in(stack, groups=["guests"])
    assert_denied_page(get(outsider, stack.url + "/staff/board"))
    # In the group, but the email does not match the pattern.
    other_domain = browser()
    sub = stack.new_user(groups=["staff"])
    stack.provider.set_user(sub, {"email": f"{sub}@elsewhere.test", "name": "Other", "groups": ["staff"]})
    stack.log_in(other_domain, sub, "/private")
    assert_denied_page(get(other_domain, stack.url + "/staff/board"))


def test_bearer_tokens_meet_the_same_rules(stack: Stack):
    now = int(time.time())
    mint = stack.provider.mint_access_token

    def call(token: str, path: str) -> requests.Response:
        return requests.get(stack.url + path, headers={"Accept": "application/json", "Authorization": f"Bearer {token}"},
                            allow_redirects=False, timeout=15)

    admin = mint({"aud": CLIENT_ID, "sub": "svc-admin", "groups": ["admins"], "exp": now + 300})
    nested = mint({"aud": CLIENT_ID, "sub": "svc-nested", "realm_access": {"roles": ["admin"]}, "exp": now + 300})
    plain = mint({"aud": CLIENT_ID, "sub": "svc-plain", "groups": ["staff"], "exp": now + 300})
    for token, sub in ((admin, "svc-admin"), (nested, "svc-nested")):
        path = f"/bearer/admins/{uuid.uuid4().hex[:8]}"
        answer = call(token, path)
        assert answer.status_code == 200, (answer.status_code, answer.text)
        assert stack.upstream.received()[-1].header_values("X-Remote-User") == [sub]
    path = f"/bearer/admins/{uuid.uuid4().hex[:8]}"
    refused = call(plain, path)
    assert refused.status_code == 403, (refused.status_code, refused.text)
    assert refused.json()["error"] == "access_denied"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer realm="), refused.headers
    assert not reached_upstream(stack, path)
    # `either` mode: the token is judged by the rule too; a browser session as well.
    assert call(plain, "/either/admins/x").status_code == 403
    assert call(admin, "/either/admins/y").status_code == 200
    session, _ = signed_in(stack, groups=["staff"])
    assert_denied_page(get(session, stack.url + "/either/admins/z"))


def test_a_malformed_rule_fails_closed_and_says_why_in_the_log(stack: Stack):
    session, _ = signed_in(stack, groups=["admins"], email_verified=True)
    path = f"/broken-rule/{uuid.uuid4().hex[:8]}"
    page = get(session, stack.url + path)
    assert page.status_code >= 500, (page.status_code, page.headers)
    assert "Location" not in page.headers
    assert not reached_upstream(stack, path)
    assert "OIDC_REQUIRE claim rule is malformed" in stack.oidc.process.log_text(), stack.logs()


def test_a_rule_never_starts_a_login_loop_for_a_signed_out_user(stack: Stack):
    # Without a session the rule cannot be judged: the usual login, then the rule.
    session, sub = browser(), stack.new_user(groups=["staff"])
    start = start_login(session, stack.url + "/admins/start", stack.authorization_endpoint())
    callback = get(session, location(authorize_at_provider(session, location(start), sub=sub)))
    assert callback.status_code in (302, 303) and location(callback).endswith("/admins/start"), callback.headers
    assert_denied_page(get(session, location(callback)))
