"""The test provider's bearer-token API, which the oidc-fcgi API tests rely on:
client credentials, RFC 9068 JWT access tokens, RFC 7662 introspection,
RFC 7009 revocation, and the /test/ controls (token format, counters,
introspection delay, minted tokens)."""

import base64
import hashlib
import hmac
import json
import threading
import time

import pytest
import requests
import werkzeug.serving
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import RSAKey

from provider import make_app
from test_provider_pkce import ISSUER, REDIRECT_URI, code_from, s256

VERIFIER = "v" * 50
FIXED_ID, FIXED_SECRET = "fixed-client", "fixed-secret"


@pytest.fixture
def client():
    c = make_app().test_client()
    assert c.put(f"/test/clients/{FIXED_ID}", json={"secret": FIXED_SECRET}, base_url=ISSUER).status_code == 204
    return c


def post(client, path, **kwargs):
    return client.post(path, base_url=ISSUER, **kwargs)


def client_credentials(client, client_id=FIXED_ID, secret=FIXED_SECRET, scope=None, how="basic"):
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    if how == "basic":
        return post(client, "/oauth2/token", data=form, auth=(client_id, secret))
    return post(client, "/oauth2/token", data={**form, "client_id": client_id, "client_secret": secret})


def access_token(client, **kwargs) -> str:
    response = client_credentials(client, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


def code_grant(client, sub="alice", client_id="api-test") -> dict:
    params = {
        "client_id": client_id, "redirect_uri": REDIRECT_URI, "response_type": "code", "scope": "openid email",
        "state": "st", "nonce": "n", "code_challenge": s256(VERIFIER), "code_challenge_method": "S256",
    }
    code = code_from(client.post("/oauth2/authorize", query_string=params, data={"sub": sub}, base_url=ISSUER))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": VERIFIER}
    response = post(client, "/oauth2/token", data=form, auth=(client_id, "secret"))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def introspect(client, token, auth=("resource-server", "rs-secret")):
    return post(client, "/introspect", data={"token": token, "token_type_hint": "access_token"}, auth=auth)


def set_format(client, **body):
    response = post(client, "/test/access-tokens", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def mint(client, **body) -> str:
    response = post(client, "/test/mint-access-token", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["token"]


def jwks(client) -> list[dict]:
    return client.get("/jwks", base_url=ISSUER).get_json()["keys"]


def verify(client, token):
    """The token checked against the one key the JWKS publishes (joserfc)."""
    return jwt.decode(token, RSAKey.import_key(jwks(client)[0]), algorithms=["RS256"])


def segment(token: str, i: int) -> dict:
    part = token.split(".")[i]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# Discovery


def test_discovery_advertises_the_api(client):
    metadata = client.get("/.well-known/openid-configuration", base_url=ISSUER).get_json()
    assert metadata["introspection_endpoint"] == ISSUER + "/introspect"
    assert metadata["revocation_endpoint"] == ISSUER + "/revoke"
    assert "client_credentials" in metadata["grant_types_supported"]
    assert "authorization_code" in metadata["grant_types_supported"]
    methods = ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"]
    assert metadata["introspection_endpoint_auth_methods_supported"] == methods
    assert metadata["revocation_endpoint_auth_methods_supported"] == methods
    assert metadata["code_challenge_methods_supported"] == ["S256"]


# Client credentials


@pytest.mark.parametrize("how", ["basic", "post"])
def test_client_credentials(client, how):
    response = client_credentials(client, scope="api:read  api:write", how=how)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert body["scope"] == "api:read api:write"  # granted as asked, not only OpenID scopes
    assert "refresh_token" not in body and "id_token" not in body
    assert len(body["access_token"]) >= 32 and "." not in body["access_token"]  # opaque by default


def test_client_credentials_without_scope_has_no_scope(client):
    body = client_credentials(client).get_json()
    assert "scope" not in body
    assert "scope" not in introspect(client, body["access_token"]).get_json()


def test_client_credentials_for_an_unregistered_client_accepts_any_secret(client):
    # As the mock does for the code grant: unregistered ids authenticate with any secret.
    assert client_credentials(client, client_id="anyone", secret="whatever").status_code == 200


@pytest.mark.parametrize("how", ["basic", "post"])
def test_client_credentials_wrong_secret_is_invalid_client(client, how):
    response = client_credentials(client, secret="wrong", how=how)
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


def test_client_credentials_without_authentication_is_invalid_client(client):
    response = post(client, "/oauth2/token", data={"grant_type": "client_credentials"})
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"


# Access token format


def test_jwt_client_credentials_token_follows_rfc_9068(client):
    assert set_format(client, format="jwt", expires_in=120) == {"format": "jwt", "expires_in": 120, "audience": None}
    body = client_credentials(client, scope="api:read")
    body = body.get_json()
    assert body["expires_in"] == 120
    token = verify(client, body["access_token"])
    assert token.header == {"alg": "RS256", "typ": "at+jwt", "kid": jwks(client)[0]["kid"]}
    claims = token.claims
    assert set(claims) == {"iss", "sub", "aud", "client_id", "scope", "iat", "exp", "jti"}
    assert claims["iss"] == ISSUER
    assert claims["sub"] == claims["client_id"] == claims["aud"] == FIXED_ID
    assert claims["scope"] == "api:read"
    assert claims["exp"] - claims["iat"] == 120 and abs(claims["iat"] - time.time()) < 5
    other = verify(client, access_token(client)).claims
    assert other["jti"] != claims["jti"]


def test_jwt_code_grant_token_names_the_user_and_the_audience(client):
    set_format(client, format="jwt", audience="https://api.example")
    body = code_grant(client, sub="alice")
    token = verify(client, body["access_token"])
    assert token.header["typ"] == "at+jwt"
    assert token.claims["sub"] == "alice"
    assert token.claims["client_id"] == "api-test"
    assert token.claims["aud"] == "https://api.example"
    assert token.claims["scope"] == "openid email"
    assert body["expires_in"] == 300 and "id_token" in body and "refresh_token" in body
    # The mock still knows it: /userinfo accepts the JWT access token.
    userinfo = client.get("/userinfo", headers={"Authorization": "Bearer " + body["access_token"]}, base_url=ISSUER)
    assert userinfo.status_code == 200 and userinfo.get_json()["sub"] == "alice"


def test_jwt_follows_key_rotation_with_and_without_kid(client):
    set_format(client, format="jwt")
    first = verify(client, access_token(client)).header["kid"]
    rotated = post(client, "/test/rotate-key", json={}).get_json()["kid"]
    assert verify(client, access_token(client)).header["kid"] == rotated != first
    post(client, "/test/rotate-key", json={"kid": False})
    token = access_token(client)
    assert "kid" not in verify(client, token).header


def test_opaque_is_the_default_and_can_be_chosen_again(client):
    body = code_grant(client)
    assert body["expires_in"] == 3600 and "." not in body["access_token"]  # as before this API existed
    set_format(client, format="jwt")
    assert access_token(client).count(".") == 2
    set_format(client, format="opaque", expires_in=60)
    body = client_credentials(client).get_json()
    assert "." not in body["access_token"] and body["expires_in"] == 60


def test_bad_format_settings_are_refused(client):
    assert post(client, "/test/access-tokens", json={"format": "paseto"}).status_code == 400
    assert post(client, "/test/access-tokens", json={"format": "jwt", "expires_in": -1}).status_code == 400


# Introspection


@pytest.mark.parametrize("fmt", ["opaque", "jwt"])
def test_introspection_of_an_active_token(client, fmt):
    set_format(client, format=fmt)
    body = code_grant(client, sub="bob")
    answer = introspect(client, body["access_token"])
    assert answer.status_code == 200
    claims = answer.get_json()
    iat = claims.pop("iat")
    assert claims == {
        "active": True, "scope": "openid email", "client_id": "api-test", "sub": "bob", "aud": "api-test",
        "iss": ISSUER, "exp": iat + 300, "token_type": "Bearer",
    }


def test_introspection_with_client_secret_post(client):
    token = access_token(client, scope="x")
    answer = post(client, "/introspect", data={"token": token, "client_id": FIXED_ID, "client_secret": FIXED_SECRET})
    assert answer.status_code == 200 and answer.get_json()["active"] is True
    assert answer.get_json()["sub"] == FIXED_ID and answer.get_json()["scope"] == "x"


def test_introspection_of_unknown_revoked_and_expired_tokens(client):
    assert introspect(client, "no-such-token").get_json() == {"active": False}
    token = access_token(client)
    assert introspect(client, token).get_json()["active"] is True
    assert post(client, "/revoke", data={"token": token}, auth=(FIXED_ID, FIXED_SECRET)).status_code == 200
    assert introspect(client, token).get_json() == {"active": False}
    set_format(client, format="jwt", expires_in=0)
    expired = access_token(client)
    assert introspect(client, expired).get_json() == {"active": False}


def test_introspection_requires_client_authentication(client):
    token = access_token(client)
    unauthenticated = post(client, "/introspect", data={"token": token})
    assert unauthenticated.status_code == 401 and unauthenticated.get_json()["error"] == "invalid_client"
    wrong = introspect(client, token, auth=(FIXED_ID, "wrong"))
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "invalid_client"
    wrong_post = post(client, "/introspect", data={"token": token, "client_id": FIXED_ID, "client_secret": "wrong"})
    assert wrong_post.status_code == 401 and wrong_post.get_json()["error"] == "invalid_client"


# Revocation


def test_revocation(client):
    body = code_grant(client)
    token = body["access_token"]
    assert post(client, "/revoke", data={"token": "never-issued"}, auth=("rs", "x")).status_code == 200
    assert post(client, "/revoke", data={"token": token}).status_code == 401
    assert introspect(client, token).get_json()["active"] is True
    form = {"token": token, "client_id": "api-test", "client_secret": "secret"}
    assert post(client, "/revoke", data=form).status_code == 200
    assert introspect(client, token).get_json() == {"active": False}
    userinfo = client.get("/userinfo", headers={"Authorization": "Bearer " + token}, base_url=ISSUER)
    assert userinfo.status_code != 200


# Counters


def test_counters_count_and_reset(client):
    counters = client.get("/test/counters", base_url=ISSUER).get_json()
    assert counters == {"introspection": 0, "token": 0, "jwks": 0, "revocation": 0, "refresh": 0, "silent": 0}
    token = access_token(client)
    client_credentials(client, secret="wrong")  # refused calls count too
    introspect(client, token)
    introspect(client, token)
    post(client, "/introspect", data={"token": token})
    post(client, "/revoke", data={"token": token}, auth=("rs", "x"))
    jwks(client)
    # A refresh token grant counts as a token call and as a refresh (refused ones too).
    post(client, "/oauth2/token", data={"grant_type": "refresh_token", "refresh_token": "unknown"}, auth=("rs", "x"))
    counters = client.get("/test/counters", base_url=ISSUER).get_json()
    assert counters == {"introspection": 3, "token": 3, "jwks": 1, "revocation": 1, "refresh": 1, "silent": 0}
    reset = post(client, "/test/counters/reset")
    assert reset.status_code == 200
    assert client.get("/test/counters", base_url=ISSUER).get_json() == dict.fromkeys(counters, 0)


# Introspection delay, on the threaded server main() runs


@pytest.fixture
def server():
    app = make_app()
    httpd = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_introspection_delay_overlaps_calls_and_other_endpoints_answer(server):
    delay = 1.0
    token = requests.post(
        server + "/oauth2/token", data={"grant_type": "client_credentials"}, auth=("c", "s"), timeout=5
    ).json()["access_token"]
    assert requests.post(server + "/test/introspection-delay", json={"seconds": delay}, timeout=5).json() == {
        "seconds": delay
    }
    requests.post(server + "/test/counters/reset", timeout=5)

    results = []

    def call():
        started = time.monotonic()
        r = requests.post(server + "/introspect", data={"token": token}, auth=("rs", "x"), timeout=10)
        results.append((time.monotonic() - started, r.json()))

    started = time.monotonic()
    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    # All eight are received and sleeping at once, and meanwhile other
    # endpoints answer promptly.
    while requests.get(server + "/test/counters", timeout=5).json()["introspection"] < 8:
        assert time.monotonic() - started < delay, "the introspection calls did not overlap"
        time.sleep(0.02)
    before = time.monotonic()
    discovery = requests.get(server + "/.well-known/openid-configuration", timeout=5)
    assert discovery.status_code == 200 and time.monotonic() - before < delay / 2
    assert results == []
    for t in threads:
        t.join(10)
    assert len(results) == 8
    assert all(elapsed >= delay * 0.95 and answer["active"] is True for elapsed, answer in results)
    assert time.monotonic() - started < delay * 3  # together, not one after another (8 s)

    requests.post(server + "/test/introspection-delay", json={"seconds": 0}, timeout=5)
    before = time.monotonic()
    assert requests.post(server + "/introspect", data={"token": token}, auth=("rs", "x"), timeout=5).json()["active"]
    assert time.monotonic() - before < delay / 2


# Minted tokens


def test_mint_defaults_verify_with_the_jwks_and_are_unknown_unless_registered(client):
    token = mint(client)
    decoded = verify(client, token)
    assert decoded.header == {"alg": "RS256", "typ": "at+jwt", "kid": jwks(client)[0]["kid"]}
    claims = decoded.claims
    assert set(claims) == {"iss", "sub", "aud", "client_id", "scope", "iat", "exp", "jti"}
    assert claims["iss"] == ISSUER and claims["aud"] == claims["client_id"]
    assert claims["exp"] - claims["iat"] == 300
    assert introspect(client, token).get_json() == {"active": False}


def test_mint_with_given_claims_and_header(client):
    token = mint(
        client,
        claims={"iss": "https://evil.example", "aud": ["a", "b"], "scope": None, "jti": None, "extra": 1},
        header={"typ": None, "kid": "chosen", "cty": "x"},
    )
    assert segment(token, 0) == {"alg": "RS256", "kid": "chosen", "cty": "x"}
    claims = segment(token, 1)
    assert claims["iss"] == "https://evil.example" and claims["aud"] == ["a", "b"] and claims["extra"] == 1
    assert "scope" not in claims and "jti" not in claims and "sub" in claims


def test_mint_registered_tokens_introspect(client):
    set_format(client, format="opaque", audience="https://api.example")
    token = mint(client, claims={"sub": "carol", "scope": "read"}, register=True)
    answer = introspect(client, token).get_json()
    assert answer["active"] is True and answer["sub"] == "carol" and answer["scope"] == "read"
    assert answer["aud"] == "https://api.example" and answer["iss"] == ISSUER and answer["token_type"] == "Bearer"
    expired = mint(client, claims={"exp": int(time.time()) - 10}, register=True)
    assert introspect(client, expired).get_json() == {"active": False}
    post(client, "/revoke", data={"token": token}, auth=("rs", "x"))
    assert introspect(client, token).get_json() == {"active": False}


def test_mint_foreign_key(client):
    token = mint(client, key="foreign", header={"kid": "foreign-1"})
    assert segment(token, 0)["kid"] == "foreign-1"
    with pytest.raises(BadSignatureError):
        verify(client, token)
    same_kid = mint(client, key="foreign")  # the provider's kid, another key
    assert segment(same_kid, 0)["kid"] == jwks(client)[0]["kid"]
    with pytest.raises(BadSignatureError):
        verify(client, same_kid)


def test_mint_alg_none(client):
    token = mint(client, alg="none")
    head, payload, signature = token.split(".")
    assert signature == "" and segment(token, 0)["alg"] == "none" and segment(token, 1)["iss"] == ISSUER


def test_mint_hs256_with_the_client_secret(client):
    token = mint(client, alg="HS256", secret=FIXED_SECRET)
    head, payload, signature = token.split(".")
    assert segment(token, 0)["alg"] == "HS256"
    expected = hmac.new(FIXED_SECRET.encode(), f"{head}.{payload}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)) == expected
    assert post(client, "/test/mint-access-token", json={"alg": "HS256"}).status_code == 400
    assert post(client, "/test/mint-access-token", json={"alg": "ES256"}).status_code == 400
