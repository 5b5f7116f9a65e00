"""The session's access token for the application (`set
$oidc_pass_access_token on;`, nginx/oidc-fcgi-access-token.conf): the
upstream always gets a token the provider says is active, refreshed with the
refresh token before it expires — once per session however many requests
arrive at once, on every instance sharing memcached — a revoked refresh token
ends the session, and locations that did not ask never call the token
endpoint. The provider issues access tokens that live 5 s."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from harness.login import API_HEADERS, browser, get, is_redirect_to
from harness.oidc_fcgi import CLIENT_ID, CLIENT_SECRET
from harness.peer import PeerInstance
from harness.stack import Stack, StackOptions

LIFETIME = 5  # seconds, at the provider
# oidc-fcgi refreshes when at most min(session.refresh_margin, lifetime / 2) = 2 s are left.
MARGIN = 2


@pytest.fixture(scope="module", params=["memcached-two-instances", "memory-one-instance"])
def site(request, oidc_fcgi_bin):
    """(stack, instances): two oidc-fcgi instances sharing memcached, or the
    memory store's one instance."""
    store = "memcached" if request.param.startswith("memcached") else "memory"
    stack = Stack(StackOptions(store=store, label="refresh"))
    try:
        stack.start()
        stack.provider.set_access_token_format("opaque", expires_in=LIFETIME)
    except Exception as error:  # noqa: BLE001
        stack.stop()
        pytest.fail(f"the {store} stack did not start: {error}\n{stack.logs()}", pytrace=False)
    request.addfinalizer(stack.stop)
    if store == "memory":
        return stack, [stack]
    peer = PeerInstance(stack)
    try:
        peer.start()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"the second instance did not start: {error}\n{peer.logs()}", pytrace=False)
    request.addfinalizer(peer.stop)
    return stack, [stack, peer]


def logged_in(stack: Stack) -> tuple[requests.Session, str, float]:
    """A browser logged in as a new user, its sub, and when the login's tokens were issued."""
    session, sub = browser(), stack.new_user()
    issued = time.time()
    stack.log_in(session, sub, "/private")
    return session, sub, issued


def token_seen_by_upstream(via, session: requests.Session, path: str = "/token/") -> str:
    """Calls `path` through `via` as a script and returns the bearer token the
    application received (the echo app answers JSON with the headers it got)."""
    answer = get(session, via.url + path + uuid.uuid4().hex[:8], headers={"Accept": "application/json"})
    assert answer.status_code == 200, (answer.status_code, answer.headers, answer.text[:300])
    headers = {name.lower(): value for name, value in answer.json()["headers"]}
    authorization = headers.get("authorization", "")
    assert authorization.startswith("Bearer ") and len(authorization) > len("Bearer "), headers
    return authorization.removeprefix("Bearer ")


def active(stack: Stack, token: str) -> bool:
    return stack.provider.introspect(token, CLIENT_ID, CLIENT_SECRET).get("active") is True


def wait_until(moment: float) -> None:
    """The test's own schedule: a token's age is what it checks."""
    time.sleep(max(0.0, moment - time.time()))


def test_the_upstream_always_gets_an_active_token_across_several_lifetimes(site):
    stack, instances = site
    session, _, _ = logged_in(stack)
    stack.provider.reset_counters()
    seen = []
    # A minute of requests across both instances (a dozen lifetimes); three
    # lifetimes suffice for the one memory-store instance.
    ends = time.time() + (60 if len(instances) > 1 else 3 * LIFETIME)
    index = 0
    while time.time() < ends:
        via = instances[index % len(instances)]
        token = token_seen_by_upstream(via, session)
        # Asked at once: still active at the provider, so the application could use it.
        assert active(stack, token), f"request {index} through {via.url} got a token the provider says is not active"
        if not seen or seen[-1] != token:
            seen.append(token)
        index += 1
        time.sleep(0.25)
    counters = stack.provider.counters()
    # Login's token, then a new one about every LIFETIME - MARGIN seconds.
    assert len(seen) >= 4, (len(seen), index)
    assert counters["refresh"] == len(seen) - 1, (counters, len(seen))
    # The same token under another header name (`$oidc_access_token`).
    answer = get(session, stack.url + "/token-header/x", headers={"Accept": "application/json"})
    headers = {name.lower(): value for name, value in answer.json()["headers"]}
    assert active(stack, headers["x-forwarded-access-token"])


def test_concurrent_requests_at_expiry_make_one_refresh(site):
    stack, instances = site
    session, _, issued = logged_in(stack)
    first = token_seen_by_upstream(stack, session)
    # Past the point where the token needs a refresh, still before it is dead.
    wait_until(issued + LIFETIME - MARGIN + 0.5)
    stack.provider.reset_counters()
    cookies = session.cookies.get_dict()

    def one(index: int) -> str:
        client = requests.Session()
        client.cookies.update(cookies)
        return token_seen_by_upstream(instances[index % len(instances)], client)

    with ThreadPoolExecutor(max_workers=20) as pool:
        tokens = list(pool.map(one, range(20)))
    assert stack.provider.counters()["refresh"] == 1, stack.provider.counters()
    assert len(set(tokens)) == 1, "every request must use the one refreshed token"
    assert tokens[0] != first
    assert active(stack, tokens[0])


def test_a_revoked_refresh_token_ends_the_session(site):
    stack, instances = site
    navigation, nav_sub, _ = logged_in(stack)
    script, script_sub, issued = logged_in(stack)
    for sub in (nav_sub, script_sub):
        for refresh_token in stack.provider.refresh_tokens(sub):
            stack.provider.revoke(refresh_token, CLIENT_ID, CLIENT_SECRET)
    # Until the access token needs a refresh the session still works; then it ends.
    deadline = issued + LIFETIME + 3
    while True:
        page = get(navigation, instances[-1].url + "/token/page")
        if page.status_code != 200:
            break
        assert time.time() < deadline, "the session outlived its revoked refresh token"
        time.sleep(0.2)
    assert is_redirect_to(page, stack.authorization_endpoint()), (page.status_code, page.headers)
    while True:
        answer = get(script, stack.url + "/token/data.json", headers=API_HEADERS)
        if answer.status_code != 200:
            break
        assert time.time() < deadline, "the session outlived its revoked refresh token"
        time.sleep(0.2)
    assert answer.status_code == 401, (answer.status_code, answer.headers, answer.text[:200])
    assert "Location" not in answer.headers
    # The session itself has ended, in every location and on every instance.
    for via in instances:
        assert is_redirect_to(get(navigation, via.url + "/private"), stack.authorization_endpoint())
        assert get(script, via.url + "/private", headers=API_HEADERS).status_code == 401
    assert "session ended: the provider refused the refresh token (invalid_grant)" in stack.oidc.process.log_text() + "".join(
        i.oidc.process.log_text() for i in instances[1:])


def test_locations_without_the_token_never_call_the_token_endpoint(site):
    stack, instances = site
    session, _, issued = logged_in(stack)
    stack.provider.reset_counters()
    # Past the access token's whole lifetime.
    ends = issued + LIFETIME + 1
    while time.time() < ends:
        for via in instances:
            assert get(session, via.url + "/private/page").status_code == 200
        time.sleep(0.25)
    assert stack.provider.counters()["token"] == 0, stack.provider.counters()
    # The token location refreshes at once (the token has expired) and works.
    assert active(stack, token_seen_by_upstream(stack, session))
    assert stack.provider.counters()["refresh"] == 1
