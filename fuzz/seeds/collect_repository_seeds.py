#!/usr/bin/env python3
"""Seeds the fuzz corpora from the repository itself: the ID tokens and key
sets of the unit-test fixtures (made with joserfc), the configuration files
of the README, the unit tests and the end-to-end harness, and the cookie,
FastCGI parameter, query and return-URL shapes the end-to-end tests send.

    python3 fuzz/seeds/collect_repository_seeds.py
"""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fuzz" / "corpus"
sys.path.insert(0, str(ROOT / "tests" / "e2e"))


def write(target: str, name: str, data: bytes | str, mode: int | None = None) -> None:
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    raw = data.encode() if isinstance(data, str) else data
    (directory / re.sub(r"[^A-Za-z0-9_.-]", "_", name)).write_bytes((bytes([mode]) if mode is not None else b"") + raw)


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def tokens_and_keys() -> None:
    for fixture in ["Tests/RelyingPartyTests/Fixtures/id_tokens.json", "Tests/JOSETests/Fixtures/jose_fixtures.json"]:
        data = json.loads((ROOT / fixture).read_text())
        prefix = Path(fixture).stem
        write("fuzz-jwk-set", f"{prefix}-jwks.json", json.dumps(data["jwks"]))
        cases = {f"valid-{alg}": case["token"] for alg, case in data.get("valid", {}).items()}
        for group in ("claim_cases", "jose_cases"):
            cases.update({name: token for name, token in data.get(group, {}).items() if isinstance(token, str)})
        for name, token in cases.items():
            write("fuzz-jws-compact", f"{prefix}-{name}.jws", token)
            write("fuzz-id-token", f"{prefix}-{name}.jws", token, mode=0)
            parts = token.split(".")
            if len(parts) == 3:
                try:
                    payload = b64url_decode(parts[1])
                except ValueError:
                    continue
                write("fuzz-id-token", f"{prefix}-{name}-payload.json", payload, mode=1)


def configuration_files() -> None:
    readme = (ROOT / "README.md").read_text()
    for index, block in enumerate(re.findall(r"```yaml\n(.*?)```", readme, re.S)):
        write("fuzz-config", f"readme-{index}.yaml", block)
    tests = (ROOT / "Tests/ConfigurationTests/ConfigurationLoaderTests.swift").read_text()
    for index, block in enumerate(re.findall(r'"""\n(.*?)"""', tests, re.S)):
        write("fuzz-config", f"unit-test-{index}.yaml", block)
    from harness.oidc_fcgi import make_config  # the end-to-end tests' own config builder

    base = dict(socket_path=Path("/run/oidc-fcgi/s.sock"), public_url="http://127.0.0.1:8080", issuer="http://127.0.0.1:9400")
    write("fuzz-config", "e2e-memory.yaml", yaml.safe_dump(make_config(**base), sort_keys=False))
    write("fuzz-config", "e2e-memcached.yaml", yaml.safe_dump(
        make_config(**base, store="memcached", memcached_address="127.0.0.1:11211"), sort_keys=False))
    write("fuzz-config", "anchors-and-merge-key.yaml", """\
defaults: &provider
  issuer: https://idp.example.com
  client_secret: s3cret
public_url: https://app.example.com
session:
  secrets: ["0123456789abcdef0123456789abcdef-first"]
providers:
  - <<: *provider
    name: corp
    client_id: app
""")
    write("fuzz-config", "static-metadata.yaml", """\
public_url: https://app.example.com
session:
  secret_file: session.secret
providers:
  - issuer: https://idp.example.com
    client_id: app
    client_secret_file: client.secret
    metadata:
      authorization_endpoint: https://idp.example.com/auth
      token_endpoint: https://idp.example.com/token
      jwks_uri: https://idp.example.com/jwks
    auth_params: {prompt: login, kc_idp_hint: corp}
headers:
  encoding: base64url
  claims: {X-Remote-Email: email, X-Remote-Groups: groups}
""")


SESSION = "q3Zk0M8yVb2c1xw9hO8wY4rMS0qG5x6v1Jp3t2nL7aE"
STATE = "Yx9v2mA7cQ1bF3kD8sL0pT6rW4uZ5nH1jG2eR7oK9iM"
SEALED = "AQECAwQAAQIDBAUGBwgJCgsMrMbZ0yNhOj4_cG8i1L2s7y9h-0aG3zUu5ZKxq0Pp1m9cV6bT2fN8wE4rY7uI3oA5sD1gH"


def request_shapes() -> None:
    cookies = {
        "session-only": f"oidc_session={SESSION}",
        "session-and-site-cookies": f"_ga=GA1.2.1234567890.1700000000; oidc_session={SESSION}; theme=dark; lang=\"en-GB\"",
        "pending-logins": f"oidc_state_{STATE}={SEALED}; oidc_state_{STATE[::-1]}={SEALED}; oidc_session={SESSION}",
        "host-prefixed": f"__Host-oidc_session={SESSION}; csrftoken=abc",
        "duplicates-and-junk": f"oidc_session=bad; oidc_session={SESSION};;  ; =x; noequals; a=\"\"",
    }
    for name, header in cookies.items():
        write("fuzz-cookie-header", f"{name}.txt", header)
        write("fuzz-login-state", f"{name}.txt", header, mode=0)
    params = {
        "auth-subrequest": {
            "REQUEST_METHOD": "GET", "REQUEST_URI": "/private/report?id=7", "QUERY_STRING": "id=7", "OIDC_ACTION": "auth",
            "OIDC_PROVIDER": "main", "HTTP_COOKIE": cookies["session-and-site-cookies"], "HTTP_ACCEPT": "text/html",
            "HTTP_SEC_FETCH_MODE": "navigate", "HTTP_HOST": "app.example.com", "SERVER_PROTOCOL": "HTTP/1.1",
        },
        "callback-form-post": {
            "REQUEST_METHOD": "POST", "REQUEST_URI": "/oidc/callback", "OIDC_ACTION": "callback",
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "120", "HTTP_COOKIE": cookies["pending-logins"],
        },
        "logout": {"REQUEST_METHOD": "GET", "REQUEST_URI": "/oidc/logout?return_to=%2Fgoodbye", "OIDC_ACTION": "logout"},
    }
    for name, values in params.items():
        write("fuzz-fastcgi-params", f"{name}.env", b"\0".join(f"{k}={v}".encode() for k, v in values.items()))
    # The Responder's seeds: parameters, then an empty field and the body.
    fuzz_session = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"  # the session fuzz-responder stores
    whole = {
        "auth-with-session": ({**params["auth-subrequest"], "HTTP_COOKIE": f"oidc_session={fuzz_session}"}, ""),
        "auth-without-session": (params["auth-subrequest"], ""),
        "login": ({"REQUEST_METHOD": "GET", "REQUEST_URI": "/private?x=1", "OIDC_ACTION": "login", "HTTP_ACCEPT": "text/html",
                   "HTTP_SEC_FETCH_MODE": "navigate", "HTTP_COOKIE": cookies["pending-logins"]}, ""),
        "callback-get": ({"REQUEST_METHOD": "GET", "REQUEST_URI": f"/oidc/callback?code=abc&state={STATE}", "OIDC_ACTION": "callback",
                          "HTTP_COOKIE": cookies["pending-logins"]}, ""),
        "callback-form-post": (params["callback-form-post"], f"code=abc&state={STATE}&iss=https%3A%2F%2Fidp.example.com%2Frealms%2Fmain"),
        "logout": ({**params["logout"], "HTTP_COOKIE": f"oidc_session={fuzz_session}"}, ""),
    }
    # A login state cookie fuzz-responder's login answer sets (its secret and
    # counting random source make it the same on every run), so the callback
    # gets past the state check to the code exchange and the ID token.
    issued_state = "CzBVep_E6Q4zWH2ix-wRNluApcrvFDleg6jN8hc8YYY"
    issued_cookie = "oidc_state_CzBVep_E6Q4zWH2ix-wRNluApcrvFDleg6jN8hc8YYY=AazphH4LMFV6n8TpDjNYfaIZDe_LRSwJ7DT8sLwIsrTbEJhvzpWYBB-5ImVbe9EN_1gPZEUJ9SiY-Jyghnk3aHaWEnT8RFKAINDnm9DIxo0waZwJ0L5WgEVy9NLowGmTqv4nTMVGbCF4eaA5pzW1mZk3PJmWWgL0kXa7VUyA9OI9RViFgomO9T8mG-37NvKnGua9nuN5bo7Gsg01otn4hw2gD9xrkNaTBuU-f_ahppimEtJ9MQCPT_c-vNlD5N2xp8K2qBNgBXUNJ_2oMqk9HiuUHmNVdd2nBJ77xfhLLv3G6L0uiw2zboA14yddQDenkIT54UTn3EWdbjtFoSx_"
    whole["callback-with-issued-state"] = (
        {"REQUEST_METHOD": "GET", "REQUEST_URI": f"/oidc/callback?code=abc&state={issued_state}", "OIDC_ACTION": "callback",
          "HTTP_COOKIE": issued_cookie}, "")
    for name, (values, body) in whole.items():
        fields = b"\0".join(f"{k}={v}".encode() for k, v in values.items())
        write("fuzz-responder", f"{name}.req", fields + b"\0\0" + body.encode())
    queries = {
        "callback": f"code=SplxlOBeZQQYbYS6WxSbIA&state={STATE}&iss=https%3A%2F%2Fidp.example.com",
        "provider-error": f"error=access_denied&error_description=The+user+said+no&state={STATE}",
        "logout": "return_to=%2Fgoodbye%3Fa%3D1%26b%3D2",
        "repeated-and-bad-escapes": "state=a&state=b&code=%zz&=&&x",
    }
    for name, query in queries.items():
        write("fuzz-form-encoding", f"{name}.txt", query)
    urls = ["/", "/private/report?id=7#top", "https://app.example.com/after", "https://partner.example.com:8443/x",
            "//evil.example.com/", "/\\evil.example.com", "https://app.example.com@evil.example.com/",
            "javascript:alert(1)", "HTTPS://APP.EXAMPLE.COM:443/ok", "https://[::1]:8443/", "http://app.example.com/"]
    for index, url in enumerate(urls):
        write("fuzz-return-url", f"url-{index}.txt", url)


def sealed_records() -> None:
    token = json.loads((ROOT / "Tests/RelyingPartyTests/Fixtures/id_tokens.json").read_text())["valid"]["RS256"]["token"]
    record = {"p": "main", "s": "248289761001", "sid": "08a5019c", "u": "jane", "it": token, "at": "jHkWEdUXMU1B",
              "c": {"email": "jane@example.com", "groups": ["staff", "ops"], "email_verified": True, "n": 1.5, "x": None},
              "ca": 1_799_999_000, "ls": 1_799_999_900, "ea": 1_800_020_000}
    write("fuzz-session-record", "valid-record.json", json.dumps(record), mode=1)
    write("fuzz-session-record", "expired-record.json", json.dumps({**record, "ea": 1_799_000_000}), mode=1)
    write("fuzz-session-record", "unsealed-record.json", json.dumps(record), mode=0)
    state = {"s": "c3RhdGUtc3RhdGUtc3RhdGUtc3RhdGUtc3RhdGUtc3R", "n": "n-0S6_WzA2Mj", "v": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
             "r": "https://app.example.com/private", "p": "main", "t": 1_799_999_900}
    write("fuzz-login-state", "valid-state.json", json.dumps(state), mode=1)
    write("fuzz-login-state", "other-state.json", json.dumps({**state, "s": STATE}), mode=1)


def main() -> int:
    tokens_and_keys()
    configuration_files()
    request_shapes()
    sealed_records()
    print("seeds written to", CORPUS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
