"""Bearer-token APIs through real nginx (nginx/oidc-fcgi-api.conf, and
oidc-fcgi-protect.conf in `either` mode) against the test provider's client
credentials grant, introspection, revocation and signing keys: what an API
client and the API behind nginx see."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from harness.login import API_HEADERS, browser, get
from harness.oidc_fcgi import CLIENT_ID, CLIENT_SECRET, binary_path
from harness.raw_http import raw_get
from harness.stack import Stack, StackOptions

REALM = "orders"
CACHE_MAX = 2  # seconds: providers[].api.cache_max of the module's stack
MAX_TOKEN_BYTES = 4096


def _api_stack(store: str, label: str) -> Stack:
    stack = Stack(StackOptions(
        store=store, label=label,
        extra_config={"workers": 16, "api": {"realm": REALM}, "http": {"connect_timeout": "2s", "timeout": "2s"}},
    ))
    stack.oidc_config["providers"][0]["api"] = {
        "cache_max": f"{CACHE_MAX}s", "cache_inactive": "1s", "max_token_bytes": MAX_TOKEN_BYTES,
        "audiences": [CLIENT_ID, "billing-api"],
    }
    try:
        stack.start()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"the {store} API stack did not start: {error}\n{stack.logs()}", pytrace=False)
    return stack


@pytest.fixture(scope="module", params=["memory", "memcached"])
def api(request, oidc_fcgi_bin) -> Stack:
    stack = _api_stack(request.param, "api")
    request.addfinalizer(stack.stop)
    return stack


def cli_token(stack: Stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary_path()), "token", "--config", str(stack.oidc.config_path), *args],
                          capture_output=True, text=True, timeout=30)


def fresh_token(stack: Stack, scope: str | None = None) -> str:
    return stack.provider.client_credentials_token(CLIENT_ID, CLIENT_SECRET, scope)["access_token"]


def call(stack: Stack, path: str, token: str | None = None, headers: dict | None = None) -> requests.Response:
    sent = {"Accept": "application/json", **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    return requests.get(stack.url + path, headers=sent, allow_redirects=False, timeout=15)


def seen_by_upstream(stack: Stack, path: str):
    matches = [r for r in stack.upstream.received() if r.path == path]
    assert matches, f"the API never received {path}"
    return matches[-1]


def challenge(response: requests.Response) -> str:
    values = [v for k, v in response.raw.headers.items() if k.lower() == "www-authenticate"]
    assert len(values) == 1, f"expected one WWW-Authenticate, got {values}"
    return values[0]


def assert_refused(stack: Stack, response: requests.Response, status: int, error: str | None, path: str) -> dict:
    """An API refusal as RFC 6750 says, with a small JSON body, and the API never reached."""
    assert response.status_code == status, (response.status_code, response.headers, response.text)
    value = challenge(response)
    assert value.startswith(f'Bearer realm="{REALM}"'), value
    if error is None:
        assert "error=" not in value, value
    else:
        assert f'error="{error}"' in value and 'error_description="' in value, value
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == (error or "unauthorized") and body["error_description"]
    assert not [r for r in stack.upstream.received() if r.path == path]
    return body


def test_a_token_from_the_cli_opens_an_api_location(api):
    done = cli_token(api)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert token and "\n" not in token
    path = f"/bearer/data-{uuid.uuid4().hex[:8]}"
    # Whatever identity the client claims is replaced by the token's.
    response = call(api, path, token, headers={"X-Remote-User": "admin", "X-Remote-Client-Id": "admin", "X-Remote-Scope": "all"})
    assert response.status_code == 200, (response.status_code, response.text)
    seen = seen_by_upstream(api, path)
    assert seen.header_values("X-Remote-User") == [CLIENT_ID]
    assert seen.header_values("X-Remote-Client-Id") == [CLIENT_ID]
    assert seen.header_values("X-Remote-Scope") == []  # the token has no scope


def test_the_cli_asks_for_scopes_and_prints_json(api):
    done = cli_token(api, "--provider", "main", "--scope", "orders:read profile", "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["token_type"].lower() == "bearer" and set(answer["scope"].split()) == {"orders:read", "profile"}
    path = f"/bearer/orders/list-{uuid.uuid4().hex[:8]}"
    assert call(api, path, answer["access_token"]).status_code == 200
    assert set(seen_by_upstream(api, path).header("X-Remote-Scope").split()) == {"orders:read", "profile"}


def test_the_cli_explains_its_failures(api, tmp_path):
    unknown = cli_token(api, "--provider", "nobody")
    assert unknown.returncode == 2 and "no provider named nobody" in unknown.stderr and "main, partner" in unknown.stderr
    missing = subprocess.run([str(binary_path()), "token", "--config", str(tmp_path / "none.yaml")],
                             capture_output=True, text=True, timeout=30)
    assert missing.returncode == 2 and "none.yaml" in missing.stderr and not missing.stdout


def test_no_token_is_a_challenge_without_error(api):
    path = f"/bearer/anon-{uuid.uuid4().hex[:8]}"
    assert_refused(api, call(api, path), 401, None, path)
    # Neither is a browser navigation ever redirected to a login.
    navigation = get(browser(), api.url + path)
    assert navigation.status_code == 401 and "Location" not in navigation.headers


def _bad_tokens(stack: Stack) -> dict[str, str]:
    now = int(time.time())
    mint = stack.provider.mint_access_token
    return {
        "random": uuid.uuid4().hex + uuid.uuid4().hex,
        "expired": mint({"aud": CLIENT_ID, "iat": now - 3600, "exp": now - 600}),
        "foreign-key": mint({"aud": CLIENT_ID}, key="foreign"),
        "wrong-iss": mint({"aud": CLIENT_ID, "iss": "https://elsewhere.example"}),
        "wrong-aud": mint({"aud": "someone-else"}),
        "alg-none": mint({"aud": CLIENT_ID}, header={"alg": "none"}, alg="none"),
        "hs256-with-client-secret": mint({"aud": CLIENT_ID}, header={"alg": "HS256"}, alg="HS256", secret=CLIENT_SECRET),
        "over-long": "a" * (MAX_TOKEN_BYTES + 1000),
    }


@pytest.mark.parametrize("kind", ["random", "expired", "foreign-key", "wrong-iss", "wrong-aud", "alg-none",
                                  "hs256-with-client-secret", "over-long"])
def test_bad_tokens_are_invalid(api, kind):
    token = _bad_tokens(api)[kind]
    path = f"/bearer/bad-{kind}-{uuid.uuid4().hex[:8]}"
    body = assert_refused(api, call(api, path, token), 401, "invalid_token", path)
    if kind == "over-long":
        assert "too large" in body["error_description"]
    if kind == "expired":
        assert "expired" in body["error_description"]


@pytest.mark.parametrize("header", ["Bearer", "Bearer two tokens", 'Bearer quote"d'])
def test_a_malformed_authorization_header_is_an_invalid_request(api, header):
    path = f"/bearer/malformed-{uuid.uuid4().hex[:8]}"
    response = requests.get(api.url + path, headers={"Authorization": header}, allow_redirects=False, timeout=15)
    assert_refused(api, response, 401, "invalid_request", path)


def test_a_missing_scope_is_forbidden_by_nginx_with_the_challenge(api):
    path = f"/bearer/orders/x-{uuid.uuid4().hex[:8]}"
    response = call(api, path, fresh_token(api, scope="profile"))
    assert_refused(api, response, 403, "insufficient_scope", path)
    assert 'scope="orders:read"' in challenge(response)


def test_a_required_audience_is_checked(api):
    path = f"/bearer/billing/x-{uuid.uuid4().hex[:8]}"
    assert_refused(api, call(api, path, fresh_token(api)), 401, "invalid_token", path)
    token = api.provider.mint_access_token({"aud": [CLIENT_ID, "billing-api"], "sub": "svc-billing"})
    assert call(api, path, token).status_code == 200
    assert seen_by_upstream(api, path).header("X-Remote-User") == "svc-billing"


def test_a_valid_result_is_cached(api):
    token = fresh_token(api)
    api.provider.reset_counters()
    for i in range(10):
        assert call(api, f"/bearer/cached-{i}", token).status_code == 200
    assert api.provider.introspection_count() == 1


def test_concurrent_first_requests_make_one_introspection(api):
    token = fresh_token(api)
    api.provider.reset_counters()
    api.provider.set_introspection_delay(0.5)
    try:
        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(lambda i: call(api, f"/bearer/flight-{i}", token).status_code, range(50)))
    finally:
        api.provider.set_introspection_delay(0)
    assert statuses == [200] * 50
    assert api.provider.introspection_count() == 1


def test_a_revoked_token_stops_passing_within_the_cache_maximum(api):
    token = fresh_token(api)
    assert call(api, "/bearer/revoke-before", token).status_code == 200
    api.provider.revoke(token, CLIENT_ID, CLIENT_SECRET)
    revoked_at = time.monotonic()
    # Still cached right after the revocation...
    assert call(api, "/bearer/revoke-cached", token).status_code == 200
    # ...and refused once the cache maximum has passed, for good.
    statuses = []
    while time.monotonic() - revoked_at < CACHE_MAX + 3:
        statuses.append(call(api, "/bearer/revoke-poll", token).status_code)
        if statuses[-1] == 401:
            break
        time.sleep(0.2)
    assert statuses[-1] == 401, statuses
    assert time.monotonic() - revoked_at <= CACHE_MAX + 1.5
    assert_refused(api, call(api, "/bearer/revoke-after", token), 401, "invalid_token", "/bearer/revoke-after")


def test_a_provider_that_cannot_answer_is_a_503_never_an_allow(api):
    token = fresh_token(api)
    api.provider.set_introspection_delay(4)  # over the 2 s HTTP timeout
    try:
        response = call(api, "/bearer/slow", token)
    finally:
        api.provider.set_introspection_delay(0)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.json()["error"] == "temporarily_unavailable"
    assert not [r for r in api.upstream.received() if r.path == "/bearer/slow"]


def test_either_location_takes_a_token_or_a_session(api):
    token = fresh_token(api)
    path = f"/either/t-{uuid.uuid4().hex[:8]}"
    assert call(api, path, token).status_code == 200
    assert seen_by_upstream(api, path).header("X-Remote-User") == CLIENT_ID
    # Without a token: the browser session, as on any protected location.
    sub = api.new_user()
    session = browser()
    api.log_in(session, sub, path="/either/start")
    path = f"/either/s-{uuid.uuid4().hex[:8]}"
    assert get(session, api.url + path).status_code == 200
    assert seen_by_upstream(api, path).header("X-Remote-User") == sub
    assert seen_by_upstream(api, path).header("X-Remote-Client-Id") is None
    # A token and a session: the token speaks.
    path = f"/either/b-{uuid.uuid4().hex[:8]}"
    assert get(session, api.url + path, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert seen_by_upstream(api, path).header("X-Remote-User") == CLIENT_ID


def test_either_location_refuses_bad_tokens_without_redirecting(api):
    # A page navigation with a bad token: the challenge, never a login.
    path = f"/either/bad-{uuid.uuid4().hex[:8]}"
    response = get(browser(), api.url + path, headers={"Authorization": "Bearer " + uuid.uuid4().hex})
    assert_refused(api, response, 401, "invalid_token", path)
    path = f"/either/orders/x-{uuid.uuid4().hex[:8]}"
    response = call(api, path, fresh_token(api, scope="profile"))
    assert_refused(api, response, 403, "insufficient_scope", path)
    assert 'scope="orders:write"' in challenge(response)
    # No token and no session: an XHR gets a 401, a navigation the login redirect.
    xhr = get(browser(), api.url + "/either/anon", headers=API_HEADERS)
    assert xhr.status_code == 401 and "Location" not in xhr.headers
    assert get(browser(), api.url + "/either/anon").status_code == 302


@pytest.mark.parametrize("kid", [True, False], ids=["kid", "no-kid"])
def test_jwt_access_tokens_follow_a_key_rotation(oidc_fcgi_bin, kid):
    """Each case on a stack of its own: unknown-key refetches are rate-limited."""
    stack = _api_stack("memory", f"api-rotation-{'kid' if kid else 'nokid'}")
    try:
        before = stack.provider.mint_access_token({"aud": CLIENT_ID, "sub": "svc-before"})
        assert call(stack, "/bearer/rot-1", before).status_code == 200
        rotated = requests.post(stack.provider.issuer + "/test/rotate-key", json={"kid": kid}, timeout=5)
        rotated.raise_for_status()
        after = stack.provider.mint_access_token({"aud": CLIENT_ID, "sub": "svc-after"})
        assert ("kid" in json.loads(_b64decode(after.split(".")[0]))) == kid
        assert call(stack, "/bearer/rot-2", after).status_code == 200
        assert seen_by_upstream(stack, "/bearer/rot-2").header("X-Remote-User") == "svc-after"
        assert "fetched the provider's signing keys again" in stack.oidc.process.log_text()
        # The old key is no longer published: tokens signed with it stop passing.
        assert_refused(stack, call(stack, "/bearer/rot-3", before), 401, "invalid_token", "/bearer/rot-3")
        assert stack.provider.introspection_count() == 0  # JWTs are checked locally
    finally:
        stack.stop()


def _b64decode(part: str) -> bytes:
    import base64
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_several_authorization_headers_never_reach_the_api(api):
    """nginx refuses a second Authorization line itself (400); oidc-fcgi would
    refuse the joined value too (unit tests), so neither token can win."""
    token = fresh_token(api)
    response = raw_get(api.url, "/bearer/duplicate", headers={"Authorization": f"Bearer {token}"},
                       extra_lines=["Authorization: Bearer " + uuid.uuid4().hex])
    assert response.status == 400
    assert not [r for r in api.upstream.received() if r.path == "/bearer/duplicate"]


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_a_cache_outage_costs_live_checks_never_an_allow(oidc_fcgi_bin, fault):
    """memcached down or hung: valid tokens are checked with the provider on every
    request, invalid ones are still refused."""
    stack = _api_stack("memcached", f"api-cache-{fault}")
    try:
        token = fresh_token(stack)
        assert call(stack, "/bearer/cache-up", token).status_code == 200
        if fault == "stopped":
            stack.memcached.stop()
        else:
            stack.memcached.freeze()
        stack.provider.reset_counters()
        statuses = [call(stack, f"/bearer/cache-down-{i}", token).status_code for i in range(3)]
        assert statuses == [200, 200, 200]
        assert stack.provider.introspection_count() == 3
        path = "/bearer/cache-down-bad"
        assert_refused(stack, call(stack, path, uuid.uuid4().hex), 401, "invalid_token", path)
        if fault == "hung":
            stack.memcached.thaw()
    finally:
        stack.stop()
