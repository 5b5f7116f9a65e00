"""A login works with every client authentication method at the token
endpoint — client_secret_basic, client_secret_post, client_secret_jwt,
private_key_jwt with an RS256 (PEM) and an ES256 (JWK) key, none — against the
test provider enforcing the method registered for the client; a wrong secret or
an unregistered key gives a clear page and a log line naming the method. The
private_key_jwt public keys come from `oidc-fcgi client-jwks`, and the
assertions oidc-fcgi sent are checked again here with joserfc."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey

from harness.login import authorize_at_provider, browser, get, location, start_login
from harness.oidc_fcgi import binary_path
from harness.stack import Stack, StackOptions

MAIN_ID, PARTNER_ID = "ca-main-client", "ca-partner-client"
SECRET = "ca-client-secret-0123456789-abcdefghij"


def write_rsa_pem(path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    return path


def write_ec_jwk(path: Path) -> Path:
    path.write_text(json.dumps(ECKey.generate_key("P-256").as_dict(private=True)))
    path.chmod(0o600)
    return path


def client_jwks(stack: Stack, provider: str) -> dict:
    result = subprocess.run([str(binary_path()), "client-jwks", "--config", str(stack.oidc.config_path), "--provider", provider],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    assert '"d"' not in result.stdout, "client-jwks must print the public key only"
    return json.loads(result.stdout)


@dataclass
class Client:
    """One providers[] entry and how the provider registers its client."""
    method: str
    config: dict
    # After start: registers the client at the provider (may call client-jwks).
    register: Callable[[Stack, str, str], None]


@dataclass(frozen=True)
class ClientSpec:
    method: str
    # The provider refuses it: a wrong secret, or a key the provider does not know.
    refused: bool
    make: Callable[[Path], Client]


def secret_client(method: str, *, wrong_secret: bool = False) -> ClientSpec:
    def make(workdir: Path) -> Client:
        config = {"client_secret": "not-the-registered-secret" if wrong_secret else SECRET,
                  "token_endpoint_auth_method": method}
        return Client(method, config, lambda stack, name, cid: stack.provider.register_client_authentication(cid, method, secret=SECRET))
    return ClientSpec(method, wrong_secret, make)


def key_client(kind: str, *, unregistered_key: bool = False) -> ClientSpec:
    def make(workdir: Path) -> Client:
        key_file = write_rsa_pem(workdir / f"{kind}-client.pem") if kind == "RS256" else write_ec_jwk(workdir / f"{kind}-client.jwk")
        config = {"token_endpoint_auth_method": "private_key_jwt", "client_private_key_file": str(key_file)}
        if kind != "ES256":
            config["token_endpoint_auth_signing_alg"] = kind

        def register(stack: Stack, name: str, cid: str) -> None:
            jwks = client_jwks(stack, name)
            if unregistered_key:
                # The provider knows another key than the one configured.
                jwks = {"keys": [ECKey.generate_key("P-256").as_dict(private=False)]}
            stack.provider.register_client_authentication(cid, "private_key_jwt", jwks=jwks)

        return Client("private_key_jwt", config, register)
    return ClientSpec("private_key_jwt", unregistered_key, make)


def public_client() -> ClientSpec:
    def make(workdir: Path) -> Client:
        return Client("none", {"token_endpoint_auth_method": "none"},
                      lambda stack, name, cid: stack.provider.register_client_authentication(cid, "none"))
    return ClientSpec("none", False, make)


# Each stack: its "main" and "partner" (/partner/) providers use one method each.
SETUPS = {
    "basic-and-post": {"main": secret_client("client_secret_basic"), "partner": secret_client("client_secret_post")},
    "client_secret_jwt": {"main": secret_client("client_secret_jwt"), "partner": secret_client("client_secret_jwt", wrong_secret=True)},
    "private_key_jwt-RS256": {"main": key_client("RS256"), "partner": key_client("RS256", unregistered_key=True)},
    "private_key_jwt-ES256-and-none": {"main": key_client("ES256"), "partner": public_client()},
}
PATHS = {"main": "/ca/page", "partner": "/partner/ca"}


def cases(refused: bool) -> list:
    return [pytest.param(setup, provider, id=f"{setup}-{provider}-{spec.method}")
            for setup, specs in SETUPS.items() for provider, spec in specs.items() if spec.refused == refused]


def main_cases(method: str) -> list:
    return [pytest.param(setup, id=setup) for setup, specs in SETUPS.items() if specs["main"].method == method]


@dataclass
class MethodStack:
    stack: Stack
    clients: dict[str, Client] = field(default_factory=dict)


@pytest.fixture(scope="module")
def method_stack(request, oidc_fcgi_bin):
    """The stack of one SETUPS entry (the test's parameter), shared by its tests."""
    setup = request.param
    stack = Stack(StackOptions(label="client-auth"))
    clients = {}
    for entry, client_id in zip(stack.oidc_config["providers"], (MAIN_ID, PARTNER_ID)):
        client = SETUPS[setup][entry["name"]].make(stack.workdir)
        entry.pop("client_secret", None)
        entry.update(client_id=client_id, **client.config)
        clients[entry["name"]] = client
    try:
        stack.start()
        for entry in stack.oidc_config["providers"]:
            clients[entry["name"]].register(stack, entry["name"], entry["client_id"])
    except Exception as error:  # noqa: BLE001
        stack.keep_workdir = True
        stack.stop()
        pytest.fail(f"the {setup} stack did not start: {error}\n{stack.logs()}", pytrace=False)
    request.addfinalizer(stack.stop)
    return MethodStack(stack, clients)


def callback(stack: Stack, session, path: str):
    """The user logs in at the provider; the answer of /oidc/callback."""
    provider = "partner" if path.startswith("/partner/") else "main"
    start = start_login(session, stack.url + path, stack.authorization_endpoint(provider))
    answer = authorize_at_provider(session, location(start), sub=stack.new_user())
    return get(session, location(answer))


@pytest.mark.parametrize("method_stack, provider", cases(refused=False), indirect=["method_stack"])
def test_login_with_the_method(method_stack, provider):
    stack, path = method_stack.stack, PATHS[provider]
    session = browser()
    response = callback(stack, session, path)
    assert response.status_code == 302, response.text[:500]
    assert location(response) == stack.url + path
    page = get(session, stack.url + path)
    assert page.status_code == 200
    assert stack.upstream.received()[-1].path == path


@pytest.mark.parametrize("method_stack, provider", cases(refused=True), indirect=["method_stack"])
def test_wrong_credentials_give_a_page_and_a_log_line_naming_the_method(method_stack, provider):
    stack, method = method_stack.stack, method_stack.clients[provider].method
    log_offset = len(stack.oidc.process.log_text())
    response = callback(stack, browser(), PATHS[provider])
    assert response.status_code == 500
    assert "text/html" in response.headers["Content-Type"]
    assert f"refused this site&#39;s client authentication ({method})" in response.text \
        or f"refused this site's client authentication ({method})" in response.text, response.text
    assert "could not complete the login" not in response.text
    log = stack.oidc.process.log_text()[log_offset:]
    assert f"the provider refused the client authentication ({method})" in log, log
    assert SECRET not in log and "not-the-registered-secret" not in log


@pytest.mark.parametrize("method_stack", main_cases("private_key_jwt"), indirect=True)
def test_assertions_verify_with_the_printed_public_key(method_stack):
    stack = method_stack.stack
    jwks = client_jwks(stack, "main")
    [public] = jwks["keys"]
    assert public["kid"] == KeySet.import_key_set(jwks).keys[0].thumbprint(), "kid: the RFC 7638 thumbprint"
    for _ in range(2):
        assert callback(stack, browser(), "/ca/again").status_code == 302
    sent = [a for a in stack.provider.client_assertions() if a["claims"]["sub"] == MAIN_ID]
    assert len(sent) >= 2
    token_endpoint = stack.provider.discovery()["token_endpoint"]
    for record in sent:
        token = jwt.decode(record["assertion"], KeySet.import_key_set(jwks), algorithms=[public["alg"]])
        assert token.header["alg"] == public["alg"] and token.header["kid"] == public["kid"]
        claims = token.claims
        assert claims["iss"] == claims["sub"] == MAIN_ID
        assert claims["aud"] == token_endpoint
        assert claims["exp"] - claims["iat"] == 60
    assert len({record["claims"]["jti"] for record in sent}) == len(sent), "a fresh jti for each request"


@pytest.mark.parametrize("method_stack", main_cases("client_secret_jwt"), indirect=True)
def test_client_secret_jwt_assertions_verify_with_the_secret(method_stack):
    stack = method_stack.stack
    assert callback(stack, browser(), "/ca/hs").status_code == 302
    [record, *_] = [a for a in reversed(stack.provider.client_assertions()) if a["claims"]["sub"] == MAIN_ID]
    token = jwt.decode(record["assertion"], OctKey.import_key(SECRET.encode()), algorithms=["HS256"])
    assert token.header["alg"] == "HS256"
    assert token.claims["aud"] == stack.provider.discovery()["token_endpoint"]


@pytest.mark.parametrize("method_stack", [pytest.param(setup, id=setup) for setup in SETUPS], indirect=True)
def test_the_token_command_and_introspection_use_the_method(method_stack):
    stack, method = method_stack.stack, method_stack.clients["main"].method
    done = subprocess.run([str(binary_path()), "token", "--config", str(stack.oidc.config_path), "--provider", "main"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    # An opaque token: the API location asks the provider's introspection endpoint.
    response = requests.get(stack.url + "/bearer/ca-data", headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                            allow_redirects=False, timeout=15)
    assert response.status_code == 200, (response.status_code, response.text)
    assert stack.upstream.received()[-1].header("X-Remote-User") == MAIN_ID
    if method.endswith("_jwt"):
        paths = [a["path"] for a in stack.provider.client_assertions() if a["claims"]["sub"] == MAIN_ID]
        assert "/introspect" in paths and "/oauth2/token" in paths, paths
