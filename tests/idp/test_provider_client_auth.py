"""The test provider enforces the client authentication method a client is
registered with (PUT /test/clients/<id> {"token_endpoint_auth_method", "secret",
"jwks"}): client_secret_basic/post, client_secret_jwt and private_key_jwt
(signature, iss = sub = client_id, aud = its token endpoint, exp, one-time jti),
and none only for a client registered as public. Assertions here are made with
joserfc, as a client would."""

import secrets
import time

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey

from provider import make_app
from test_provider_pkce import ISSUER, REDIRECT_URI, code_from, s256

TOKEN_ENDPOINT = ISSUER + "/oauth2/token"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SECRET = "a-client-secret-long-enough-for-hs256-0123456789"
VERIFIER = "v" * 50


@pytest.fixture
def client():
    return make_app().test_client()


def register(client, client_id, **body):
    response = client.put(f"/test/clients/{client_id}", json=body, base_url=ISSUER)
    assert response.status_code == 204, response.get_data(as_text=True)


def public_jwks(key) -> dict:
    return {"keys": [key.as_dict(private=False)]}


def assertion(client_id, key, alg, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": TOKEN_ENDPOINT, "iat": now, "exp": now + 60,
              "jti": secrets.token_urlsafe(16), **overrides}
    claims = {k: v for k, v in claims.items() if v is not None}
    header = {"alg": alg}
    if getattr(key, "kid", None):
        header["kid"] = key.kid
    return jwt.encode(header, claims, key, algorithms=[alg])


def client_credentials(client, form=None, auth=None):
    return client.post("/oauth2/token", data={"grant_type": "client_credentials", **(form or {})}, auth=auth, base_url=ISSUER)


def with_assertion(client_id, token) -> dict:
    return {"client_id": client_id, "client_assertion_type": JWT_BEARER, "client_assertion": token}


def refused(response) -> bool:
    return response.status_code in (400, 401) and response.get_json()["error"] == "invalid_client"


def test_discovery_advertises_every_method(client):
    metadata = client.get("/.well-known/openid-configuration", base_url=ISSUER).get_json()
    assert metadata["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"]


def test_a_registered_method_is_the_only_one_accepted(client):
    register(client, "post-only", token_endpoint_auth_method="client_secret_post", secret=SECRET)
    assert client_credentials(client, {"client_id": "post-only", "client_secret": SECRET}).status_code == 200
    assert refused(client_credentials(client, auth=("post-only", SECRET)))


def test_client_secret_jwt_is_checked(client):
    register(client, "hs-client", token_endpoint_auth_method="client_secret_jwt", secret=SECRET)
    key = OctKey.import_key(SECRET.encode())
    good = assertion("hs-client", key, "HS256")
    assert client_credentials(client, with_assertion("hs-client", good)).status_code == 200
    # The same assertion again: its jti is spent.
    assert refused(client_credentials(client, with_assertion("hs-client", good)))
    wrong_key = OctKey.import_key(b"another-secret-of-the-same-length-0123456789abcd")
    assert refused(client_credentials(client, with_assertion("hs-client", assertion("hs-client", wrong_key, "HS256"))))
    for bad in ({"aud": ISSUER + "/introspect"}, {"exp": int(time.time()) - 5}, {"iss": "someone-else"},
                {"sub": "someone-else"}, {"jti": None}, {"exp": None}):
        assert refused(client_credentials(client, with_assertion("hs-client", assertion("hs-client", key, "HS256", **bad)))), bad
    # The secret itself does not do for a client registered for client_secret_jwt.
    assert refused(client_credentials(client, auth=("hs-client", SECRET)))


@pytest.mark.parametrize("make_key, alg", [
    (lambda: RSAKey.generate_key(2048, parameters={"kid": "rsa-1"}), "RS256"),
    (lambda: RSAKey.generate_key(2048, parameters={"kid": "rsa-ps"}), "PS256"),
    (lambda: ECKey.generate_key("P-256", parameters={"kid": "ec-1"}), "ES256"),
], ids=["RS256", "PS256", "ES256"])
def test_private_key_jwt_is_checked(client, make_key, alg):
    key = make_key()
    register(client, "pk-client", token_endpoint_auth_method="private_key_jwt", jwks=public_jwks(key))
    good = assertion("pk-client", key, alg)
    assert client_credentials(client, with_assertion("pk-client", good)).status_code == 200
    assert refused(client_credentials(client, with_assertion("pk-client", good)))
    other = make_key()
    assert refused(client_credentials(client, with_assertion("pk-client", assertion("pk-client", other, alg))))
    # A client_secret_jwt-style assertion is not accepted for a key-registered client.
    hs = assertion("pk-client", OctKey.import_key(SECRET.encode()), "HS256")
    assert refused(client_credentials(client, with_assertion("pk-client", hs)))


def test_the_provider_records_accepted_assertions(client):
    key = ECKey.generate_key("P-256", parameters={"kid": "ec-rec"})
    register(client, "rec-client", token_endpoint_auth_method="private_key_jwt", jwks=public_jwks(key))
    client_credentials(client, with_assertion("rec-client", assertion("rec-client", key, "ES256")))
    recorded = client.get("/test/client-assertions", base_url=ISSUER).get_json()["assertions"]
    assert [(a["method"], a["header"]["kid"], a["claims"]["sub"]) for a in recorded] == [("private_key_jwt", "ec-rec", "rec-client")]


def code_exchange(client, client_id, **auth):
    params = {"client_id": client_id, "redirect_uri": REDIRECT_URI, "response_type": "code", "scope": "openid",
              "state": "st", "nonce": "n", "code_challenge": s256(VERIFIER), "code_challenge_method": "S256"}
    code = code_from(client.post("/oauth2/authorize", query_string=params, data={"sub": "alice"}, base_url=ISSUER))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": VERIFIER,
            **auth.get("form", {})}
    return client.post("/oauth2/token", data=form, auth=auth.get("basic"), base_url=ISSUER)


def test_a_public_client_logs_in_with_its_client_id_and_pkce(client):
    register(client, "public-app", token_endpoint_auth_method="none")
    response = code_exchange(client, "public-app", form={"client_id": "public-app"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["id_token"]


def test_none_is_refused_for_a_client_not_registered_as_public(client):
    assert refused(code_exchange(client, "unregistered-app", form={"client_id": "unregistered-app"}))
    register(client, "confidential-app", secret=SECRET)
    assert refused(code_exchange(client, "confidential-app", form={"client_id": "confidential-app"}))


def test_the_code_grant_takes_a_client_assertion(client):
    register(client, "hs-login", token_endpoint_auth_method="client_secret_jwt", secret=SECRET)
    token = assertion("hs-login", OctKey.import_key(SECRET.encode()), "HS256")
    response = code_exchange(client, "hs-login", form=with_assertion("hs-login", token))
    assert response.status_code == 200, response.get_data(as_text=True)


def test_introspection_enforces_the_method_too(client):
    register(client, "hs-rs", token_endpoint_auth_method="client_secret_jwt", secret=SECRET)
    key = OctKey.import_key(SECRET.encode())
    token = client_credentials(client, with_assertion("hs-rs", assertion("hs-rs", key, "HS256"))).get_json()["access_token"]
    form = {"token": token, **with_assertion("hs-rs", assertion("hs-rs", key, "HS256"))}
    assert client.post("/introspect", data=form, base_url=ISSUER).get_json()["active"] is True
    assert client.post("/introspect", data={"token": token}, auth=("hs-rs", SECRET), base_url=ISSUER).status_code == 401


def test_registration_is_validated(client):
    assert client.put("/test/clients/x", json={"token_endpoint_auth_method": "magic", "secret": "s"}, base_url=ISSUER).status_code == 400
    assert client.put("/test/clients/x", json={"token_endpoint_auth_method": "private_key_jwt", "jwks": "nope"}, base_url=ISSUER).status_code == 400
    assert client.put("/test/clients/x", json={"token_endpoint_auth_method": "client_secret_jwt"}, base_url=ISSUER).status_code == 400
