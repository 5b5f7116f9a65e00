"""Logout ends the session on the server, not just in the browser."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from harness.login import browser, deletes_session_cookie, get, is_redirect_to, location, session_cookie
from harness.oidc_fcgi import SESSION_COOKIE
from harness.stack import Stack, StackOptions

# Where a logout lands by default: a page, not a protected `/` that would log in again.
SIGNED_OUT = "/oidc/logout?signed_out"


def test_logout_ends_the_session(stack):
    session = browser()
    stack.log_in(session, stack.new_user())
    old_cookie = session_cookie(session)
    assert get(session, stack.url + "/private").status_code == 200

    response = get(session, stack.url + "/oidc/logout")
    assert response.status_code in (302, 303), (response.status_code, response.text[:300])
    target = location(response)
    end_session = stack.provider.discovery()["end_session_endpoint"]
    assert target.startswith(end_session) or target.startswith(stack.url + "/"), target
    assert deletes_session_cookie(response), response.headers.get("Set-Cookie")

    before = stack.upstream.count()
    assert is_redirect_to(get(session, stack.url + "/private"), stack.authorization_endpoint())
    # The old cookie, kept by someone, is worthless now.
    replay = browser()
    replay.cookies.set(SESSION_COOKIE, old_cookie, domain="127.0.0.1", path="/")
    assert is_redirect_to(get(replay, stack.url + "/private"), stack.authorization_endpoint())
    assert stack.upstream.count() == before


def test_logout_without_session_is_harmless(stack):
    response = get(browser(), stack.url + "/oidc/logout")
    assert response.status_code in (302, 303)
    target = location(response)
    assert target.startswith(stack.url + "/") or target.startswith(stack.provider.issuer + "/"), target


def test_logging_in_again_after_logout_works(stack):
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    get(session, stack.url + "/oidc/logout")
    stack.log_in(session, sub)
    assert stack.upstream.received()[-1].header("X-Remote-User") == sub


def test_logout_sends_state_and_comes_back_to_return_to(stack):
    session = browser()
    stack.log_in(session, stack.new_user())
    response = get(session, stack.url + "/oidc/logout?return_to=/goodbye")
    target = location(response)
    assert target.startswith(stack.provider.discovery()["end_session_endpoint"]), target
    sent = dict(parse_qsl(urlsplit(target).query))
    assert sent["post_logout_redirect_uri"] == stack.url + "/oidc/logout"
    assert sent["client_id"] and sent["id_token_hint"].count(".") == 2 and len(sent["state"]) >= 32
    # The provider sends the browser back with the state: it lands where it asked.
    back = get(session, f"{stack.url}/oidc/logout?state={sent['state']}")
    assert back.status_code == 302 and location(back) == stack.url + "/goodbye"
    # A forged way back only redirects within the site.
    forged = get(browser(), f"{stack.url}/oidc/logout?state=forged")
    assert forged.status_code == 302 and location(forged) == stack.url + SIGNED_OUT


def test_logout_refuses_an_off_site_return(stack):
    session = browser()
    stack.log_in(session, stack.new_user())
    assert get(session, stack.url + "/oidc/logout?return_to=https://evil.example/").status_code == 400
    assert get(session, stack.url + "/private").status_code == 200


@pytest.fixture(scope="module")
def post_only_stack(oidc_fcgi_bin):
    stack = Stack(StackOptions(store="memory", label="logout-post", extra_config={"logout": {"post_only": True, "post_logout_url": "/signed-out"}}))
    try:
        stack.start()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"the stack did not start: {error}\n{stack.logs()}", pytrace=False)
    yield stack
    stack.stop()


def test_post_only_logout_refuses_a_get_and_a_cross_site_post(post_only_stack):
    stack = post_only_stack
    session = browser()
    stack.log_in(session, stack.new_user())
    page = get(session, stack.url + "/oidc/logout?return_to=/goodbye")
    assert page.status_code == 200 and 'method="post"' in page.text
    assert get(session, stack.url + "/private").status_code == 200
    cross = session.post(stack.url + "/oidc/logout", data={"return_to": "/goodbye"}, headers={"Origin": "https://evil.example"},
                         allow_redirects=False, timeout=10)
    assert cross.status_code == 403
    assert get(session, stack.url + "/private").status_code == 200
    own = session.post(stack.url + "/oidc/logout", data={"return_to": "/goodbye"}, headers={"Origin": stack.url},
                       allow_redirects=False, timeout=10)
    assert own.status_code == 302 and deletes_session_cookie(own)
    assert is_redirect_to(get(session, stack.url + "/private"), stack.authorization_endpoint())
    # Without a session there is nothing to confirm: straight to the post-logout page.
    assert location(get(browser(), stack.url + "/oidc/logout")) == stack.url + "/signed-out"


def _claims(jwt: str) -> dict:
    import base64
    import json
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_provider_receives_state_hint_and_the_registered_uri(stack):
    stack.provider.reset_end_session_requests()
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    target = location(get(session, stack.url + "/oidc/logout"))
    sent = dict(parse_qsl(urlsplit(target).query))
    # The browser follows the redirect: the provider sees what oidc-fcgi sent.
    arrived = get(session, target)
    assert arrived.status_code == 200, (arrived.status_code, arrived.text[:300])
    received = [r for r in stack.provider.end_session_requests() if r.get("state") == sent["state"]]
    assert len(received) == 1, stack.provider.end_session_requests()
    request = received[0]
    assert request["post_logout_redirect_uri"] == stack.url + "/oidc/logout"
    assert request["client_id"] == "e2e-client"
    hint = _claims(request["id_token_hint"])
    assert hint["sub"] == sub and hint["aud"] in ("e2e-client", ["e2e-client"])


def test_a_provider_that_refuses_the_logout_still_leaves_the_user_logged_out(memory_stack):
    stack = memory_stack
    stack.provider.set_end_session_mode("error")
    session = browser()
    stack.log_in(session, stack.new_user())
    old = session_cookie(session)
    target = location(get(session, stack.url + "/oidc/logout?return_to=/goodbye"))
    assert get(session, target).status_code == 400  # the provider's error page
    replay = browser()
    replay.cookies.set(SESSION_COOKIE, old, domain="127.0.0.1", path="/")
    assert is_redirect_to(get(replay, stack.url + "/private"), stack.authorization_endpoint())
    # A later click on the site's logout does not strand the user at the provider.
    again = get(session, stack.url + "/oidc/logout?return_to=/goodbye")
    assert again.status_code == 302 and location(again) == stack.url + "/goodbye"
    # And the provider's error answer on the way back lands on the post-logout page.
    back = get(session, stack.url + "/oidc/logout?state=whatever&error=invalid_request")
    assert back.status_code == 302 and location(back) == stack.url + SIGNED_OUT


def test_by_default_logout_lands_on_a_signed_out_page_not_a_new_login(stack):
    session = browser()
    stack.log_in(session, stack.new_user())
    to_provider = location(get(session, stack.url + "/oidc/logout"))
    state = dict(parse_qsl(urlsplit(to_provider).query))["state"]
    # The provider's redirect back, as its logout page sends the browser.
    back = get(session, f"{stack.url}/oidc/logout?state={state}")
    assert back.status_code == 302 and location(back) == stack.url + SIGNED_OUT
    page = get(session, location(back))
    assert page.status_code == 200, (page.status_code, page.text[:300])
    assert "You have been signed out" in page.text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    # Nothing on it starts a login; the way back in is a link.
    assert 'href="' + stack.url + '/"' in page.text
    assert "Location" not in page.headers
