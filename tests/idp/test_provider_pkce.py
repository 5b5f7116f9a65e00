"""The test provider really enforces PKCE (S256), so an oidc-fcgi login that
passes end to end has proved that oidc-fcgi sends a correct challenge and
verifier."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest

from provider import make_app

ISSUER = "http://127.0.0.1:9400"
REDIRECT_URI = "http://127.0.0.1:8080/oidc/callback"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
def client():
    return make_app().test_client()


def authorize(client, **pkce) -> "werkzeug.test.TestResponse":  # noqa: F821
    params = {
        "client_id": "pkce-test",
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "openid email",
        "state": "st",
        "nonce": "n",
        **pkce,
    }
    return client.post("/oauth2/authorize", query_string=params, data={"sub": "alice"}, base_url=ISSUER)


def code_from(response) -> str | None:
    if response.status_code != 302:
        return None
    return parse_qs(urlsplit(response.headers["Location"]).query).get("code", [None])[0]


def exchange(client, code: str, **extra):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, **extra}
    return client.post(
        "/oauth2/token", data=form, auth=("pkce-test", "secret"), base_url=ISSUER
    )


def test_authorization_without_code_challenge_issues_no_code(client):
    response = authorize(client)
    assert code_from(response) is None
    location = response.headers.get("Location", "")
    assert response.status_code == 400 or "error=invalid_request" in location, response.get_data(as_text=True)


def test_plain_code_challenge_method_is_refused(client):
    verifier = secrets.token_urlsafe(48)
    response = authorize(client, code_challenge=verifier, code_challenge_method="plain")
    assert code_from(response) is None


def test_code_exchange_without_verifier_fails(client):
    verifier = secrets.token_urlsafe(48)
    code = code_from(authorize(client, code_challenge=s256(verifier), code_challenge_method="S256"))
    assert code
    response = exchange(client, code)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert "id_token" not in response.json


def test_code_exchange_with_wrong_verifier_fails(client):
    verifier = secrets.token_urlsafe(48)
    code = code_from(authorize(client, code_challenge=s256(verifier), code_challenge_method="S256"))
    assert code
    response = exchange(client, code, code_verifier=secrets.token_urlsafe(48))
    assert response.status_code == 400
    assert response.json["error"] == "invalid_grant"
    assert "id_token" not in response.json


def test_code_exchange_with_right_verifier_succeeds(client):
    verifier = secrets.token_urlsafe(48)
    code = code_from(authorize(client, code_challenge=s256(verifier), code_challenge_method="S256"))
    assert code
    response = exchange(client, code, code_verifier=verifier)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["id_token"]
    # A code is good for one exchange only.
    again = exchange(client, code, code_verifier=verifier)
    assert again.status_code == 400


def test_discovery_advertises_s256(client):
    metadata = client.get("/.well-known/openid-configuration", base_url=ISSUER).json
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["issuer"] == ISSUER
