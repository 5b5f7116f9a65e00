"""`POST /test/rotate-key` really replaces the signing key, with or without
`kid`, so the end-to-end rotation tests prove that oidc-fcgi follows it."""

import base64
import json

import pytest

from provider import make_app
from test_provider_pkce import ISSUER, REDIRECT_URI, code_from, s256

VERIFIER = "v" * 50


@pytest.fixture
def client():
    return make_app().test_client()


def id_token(client) -> str:
    params = {
        "client_id": "rotation-test", "redirect_uri": REDIRECT_URI, "response_type": "code", "scope": "openid",
        "state": "st", "nonce": "n", "code_challenge": s256(VERIFIER), "code_challenge_method": "S256",
    }
    code = code_from(client.post("/oauth2/authorize", query_string=params, data={"sub": "alice"}, base_url=ISSUER))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": VERIFIER}
    response = client.post("/oauth2/token", data=form, auth=("rotation-test", "secret"), base_url=ISSUER)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["id_token"]


def header(token: str) -> dict:
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def published(client) -> list[dict]:
    return client.get("/jwks", base_url=ISSUER).get_json()["keys"]


def test_rotation_replaces_the_published_and_signing_key(client):
    before = published(client)[0]
    assert header(id_token(client))["kid"] == before["kid"]
    answer = client.post("/test/rotate-key", json={}, base_url=ISSUER).get_json()
    after = published(client)
    assert len(after) == 1 and after[0]["kid"] == answer["kid"] != before["kid"]
    assert after[0]["n"] != before["n"]
    assert header(id_token(client))["kid"] == answer["kid"]


def test_rotation_without_kid(client):
    before = published(client)[0]
    assert client.post("/test/rotate-key", json={"kid": False}, base_url=ISSUER).get_json() == {"kid": None}
    after = published(client)
    assert len(after) == 1 and "kid" not in after[0] and after[0]["n"] != before["n"]
    assert "kid" not in header(id_token(client))
