#!/usr/bin/env python3
"""Seeds the fuzz corpora with what the test identity provider really sends.

Starts tests/idp/provider.py, runs one authorization-code login with PKCE by
hand (no browser), and writes the discovery document, the JWKS, the token
endpoint's answer, the ID token, the userinfo answer and the provider's
redirect query into fuzz/corpus/<target>/. Run it again after changing the
provider; the files it writes are committed.

    python3 fuzz/seeds/collect_provider_seeds.py
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fuzz" / "corpus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write(target: str, name: str, data: bytes, mode: int | None = None) -> None:
    """One seed file; `mode` is the selector byte for targets that have several entry points."""
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes((bytes([mode]) if mode is not None else b"") + data)


def main() -> int:
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    provider = subprocess.Popen(
        [sys.executable, "-W", "ignore", str(ROOT / "tests" / "idp" / "provider.py"), "--port", str(port), "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            raise SystemExit("the test provider did not start")
        metadata = discovery.json()
        jwks = requests.get(metadata["jwks_uri"], timeout=5).content

        redirect_uri = "http://127.0.0.1:8080/oidc/callback"
        verifier = secrets.token_urlsafe(32)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
        query = urlencode({
            "response_type": "code", "client_id": "app", "redirect_uri": redirect_uri, "scope": "openid email profile",
            "state": state, "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256",
        })
        requests.put(f"{issuer}/users/jane", json={"email": "jane@example.com", "name": "Jane Doe", "groups": ["staff", "ops"]}, timeout=5)
        answer = requests.post(f"{metadata['authorization_endpoint']}?{query}", data={"sub": "jane"}, allow_redirects=False, timeout=5)
        callback_query = urlsplit(answer.headers["Location"]).query
        code = parse_qs(callback_query)["code"][0]
        token = requests.post(metadata["token_endpoint"], auth=("app", "secret"), timeout=5, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier,
        })
        tokens = token.json()
        userinfo = requests.get(metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=5).content

        write("fuzz-provider-json", "test-provider-discovery.json", discovery.content, mode=0)
        write("fuzz-provider-json", "test-provider-token-response.json", token.content, mode=1)
        write("fuzz-provider-json", "test-provider-userinfo.json", userinfo, mode=2)
        write("fuzz-jwk-set", "test-provider-jwks.json", jwks)
        write("fuzz-jws-compact", "test-provider-id-token.jws", tokens["id_token"].encode())
        write("fuzz-id-token", "test-provider-id-token.jws", tokens["id_token"].encode(), mode=0)
        payload = tokens["id_token"].split(".")[1]
        write("fuzz-id-token", "test-provider-id-token-payload.json", base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)), mode=1)
        write("fuzz-form-encoding", "test-provider-callback-query.txt", callback_query.encode())
        write("fuzz-form-encoding", "test-provider-authorization-query.txt", query.encode())
        write("fuzz-form-encoding", "callback-form-post.txt", urlencode({"code": code, "state": state, "iss": issuer}).encode())
        print(f"seeds written from {issuer}")
        return 0
    finally:
        provider.terminate()
        provider.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
