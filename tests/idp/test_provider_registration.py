"""The test provider's dynamic client registration (RFC 7591): discovery
advertises the endpoint; an answer carries client_id, client_secret,
client_secret_expires_at and a registration_access_token, and the client then
authenticates with its secret; registrations are counted; an initial access
token can be required; a forgotten client (DELETE /test/clients/<id>) is
refused with invalid_client."""

import pytest

from provider import make_app
from test_provider_pkce import ISSUER, REDIRECT_URI


@pytest.fixture
def client():
    return make_app().test_client()


def register(client, headers=None, **body):
    return client.post("/oauth2/clients", json={"redirect_uris": [REDIRECT_URI], **body}, headers=headers or {}, base_url=ISSUER)


def client_credentials(client, client_id, secret):
    return client.post("/oauth2/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret), base_url=ISSUER)


def test_discovery_advertises_the_registration_endpoint(client):
    metadata = client.get("/.well-known/openid-configuration", base_url=ISSUER).get_json()
    assert metadata["registration_endpoint"] == ISSUER + "/oauth2/clients"


def test_a_registered_client_is_counted_and_authenticates_with_its_secret(client):
    response = register(client, client_name="app", token_endpoint_auth_method="client_secret_basic")
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["client_id"] and answer["client_secret"] and answer["registration_access_token"]
    assert answer["client_secret_expires_at"] == 0 and answer["redirect_uris"] == [REDIRECT_URI]
    assert client_credentials(client, answer["client_id"], answer["client_secret"]).status_code == 200
    assert client_credentials(client, answer["client_id"], "wrong").status_code == 401
    registrations = client.get("/test/registrations", base_url=ISSUER).get_json()
    assert registrations["count"] == 1 and registrations["clients"] == [answer["client_id"]]
    assert registrations["requests"][0]["client_name"] == "app"


def test_an_initial_access_token_can_be_required(client):
    assert client.post("/test/registration", json={"initial_access_token": "iat"}, base_url=ISSUER).status_code == 204
    refused = register(client)
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_token"
    assert register(client, headers={"Authorization": "Bearer other"}).status_code == 401
    assert register(client, headers={"Authorization": "Bearer iat"}).status_code == 201
    assert client.get("/test/registrations", base_url=ISSUER).get_json()["count"] == 1
    assert client.post("/test/registration", json={"initial_access_token": None}, base_url=ISSUER).status_code == 204
    assert register(client).status_code == 201


def test_a_forgotten_client_is_refused(client):
    answer = register(client).get_json()
    assert client.delete(f"/test/clients/{answer['client_id']}", base_url=ISSUER).status_code == 204
    refused = client_credentials(client, answer["client_id"], answer["client_secret"])
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    form = client.post("/oauth2/token", data={"grant_type": "client_credentials", "client_id": answer["client_id"],
                                              "client_secret": answer["client_secret"]}, base_url=ISSUER)
    assert form.status_code == 401
