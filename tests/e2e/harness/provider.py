"""The test identity provider (tests/idp/provider.py) as a process.

Besides the login, `Provider` drives the provider's bearer-token API (see
the docstring of tests/idp/provider.py): client credentials tokens, the
access token format (opaque or RFC 9068 JWT), minted JWTs for the
negative cases, revocation, the per-endpoint call counters and the
introspection delay; and logout: the provider sessions (`sid`) of a user,
back-channel Logout Tokens sent to an RP, the end_session calls received and
an end_session that fails.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlencode

import requests

from .ports import free_port
from .process import ManagedProcess

PROVIDER_SCRIPT = Path(__file__).resolve().parents[2] / "idp" / "provider.py"


class Provider:
    def __init__(self, workdir: Path, port: int | None = None, name: str = "provider") -> None:
        self.port = port or free_port()
        self.workdir = workdir
        self.name = name  # names its process and log file: several may run at once
        self.process: ManagedProcess | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Provider":
        argv = [sys.executable, "-W", "ignore::DeprecationWarning", str(PROVIDER_SCRIPT), "--port", str(self.port)]
        self.process = ManagedProcess(self.name, argv, self.workdir / "logs" / f"{self.name}.log").start()
        return self

    def wait_ready(self, timeout: float = 20) -> None:
        def discovery_answers() -> bool:
            r = requests.get(self.issuer + "/.well-known/openid-configuration", timeout=1)
            return r.status_code == 200 and r.json()["issuer"] == self.issuer

        self.process.wait_ready(discovery_answers, timeout, "serving discovery at " + self.issuer)

    def discovery(self) -> dict:
        return requests.get(self.issuer + "/.well-known/openid-configuration", timeout=5).json()

    def set_user(self, sub: str, claims: dict) -> None:
        """Claims the provider will put in the ID token / userinfo for `sub`."""
        r = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        r.raise_for_status()

    def register_client(self, client_id: str, client_secret: str) -> None:
        """From now on `client_id` must authenticate with `client_secret` (unregistered
        ids are accepted with any secret, as oidc-provider-mock does)."""
        r = requests.put(f"{self.issuer}/test/clients/{client_id}", json={"secret": client_secret}, timeout=5)
        r.raise_for_status()

    def register_client_authentication(self, client_id: str, method: str, secret: str | None = None,
                                       jwks: dict | None = None) -> None:
        """From now on `client_id` must authenticate with `method` and no other:
        client_secret_basic/post/jwt with `secret`, private_key_jwt with a key of
        `jwks`, none as a public client (see tests/idp/provider.py)."""
        body: dict = {"token_endpoint_auth_method": method}
        if secret is not None:
            body["secret"] = secret
        if jwks is not None:
            body["jwks"] = jwks
        r = requests.put(f"{self.issuer}/test/clients/{client_id}", json=body, timeout=5)
        r.raise_for_status()

    def registrations(self) -> dict:
        """Dynamic registrations accepted so far: `{"count", "requests", "clients"}`."""
        r = requests.get(self.issuer + "/test/registrations", timeout=5)
        r.raise_for_status()
        return r.json()

    def forget_client(self, client_id: str) -> None:
        """The provider forgets `client_id`: its token endpoint refuses it (invalid_client)."""
        r = requests.delete(f"{self.issuer}/test/clients/{client_id}", timeout=5)
        r.raise_for_status()

    def require_initial_access_token(self, token: str | None) -> None:
        """Registration needs `Authorization: Bearer token` from now on (None: open again)."""
        r = requests.post(self.issuer + "/test/registration", json={"initial_access_token": token}, timeout=5)
        r.raise_for_status()

    def client_assertions(self) -> list[dict]:
        """The client assertions the provider accepted since the last registration:
        `[{"method", "path", "assertion", "header", "claims"}]`."""
        r = requests.get(self.issuer + "/test/client-assertions", timeout=5)
        r.raise_for_status()
        return r.json()["assertions"]

    def client_credentials_token(self, client_id: str, client_secret: str, scope: str | None = None) -> dict:
        """The token endpoint's answer to a client credentials grant (client_secret_basic):
        `{"access_token", "token_type", "expires_in", "scope"?}`."""
        form = {"grant_type": "client_credentials"}
        if scope is not None:
            form["scope"] = scope
        r = requests.post(self.issuer + "/oauth2/token", data=form, auth=(client_id, client_secret), timeout=5)
        r.raise_for_status()
        return r.json()

    def set_access_token_format(self, fmt: str, expires_in: int = 300, audience: str | None = None) -> None:
        """Access tokens issued from now on (code and client credentials grants):
        "opaque" or "jwt" (RFC 9068, signed with the key the JWKS publishes)."""
        body = {"format": fmt, "expires_in": expires_in, "audience": audience}
        r = requests.post(self.issuer + "/test/access-tokens", json=body, timeout=5)
        r.raise_for_status()

    def mint_access_token(
        self,
        claims: dict | None = None,
        header: dict | None = None,
        key: str = "provider",
        alg: str = "RS256",
        register: bool = False,
        secret: str | None = None,
    ) -> str:
        """A JWT access token with `claims` over the defaults (a claim given as None is
        left out) and `header` over `{"alg", "typ": "at+jwt", "kid"}`. key "provider" or
        "foreign" (RS256); alg "none" (no signature) or "HS256" (with `secret`).
        `register=True`: introspection knows it."""
        body = {"claims": claims or {}, "header": header or {}, "key": key, "alg": alg, "register": register}
        if secret is not None:
            body["secret"] = secret
        r = requests.post(self.issuer + "/test/mint-access-token", json=body, timeout=5)
        r.raise_for_status()
        return r.json()["token"]

    def counters(self) -> dict:
        """Calls received since start or the last reset:
        `{"introspection": n, "token": n, "jwks": n, "revocation": n, "refresh": n}`
        ("refresh": token requests with grant_type=refresh_token)."""
        r = requests.get(self.issuer + "/test/counters", timeout=5)
        r.raise_for_status()
        return r.json()

    def silent_count(self) -> int:
        """Authorization requests with prompt=none received (silent re-checks)."""
        return self.counters()["silent"]

    def end_provider_sessions(self, sub: str) -> int:
        """Ends `sub`'s sessions at the provider: prompt=none then answers login_required."""
        r = requests.delete(self.issuer + f"/test/provider-sessions/{sub}", timeout=5)
        r.raise_for_status()
        return r.json()["ended"]

    def set_id_token_options(self, *, omit_auth_time: bool) -> None:
        """ID tokens leave out `auth_time` (until set back to False)."""
        requests.post(self.issuer + "/test/id-token-options", json={"omit_auth_time": omit_auth_time}, timeout=5).raise_for_status()

    def introspection_count(self) -> int:
        return self.counters()["introspection"]

    def reset_counters(self) -> None:
        requests.post(self.issuer + "/test/counters/reset", timeout=5).raise_for_status()

    def set_introspection_delay(self, seconds: float) -> None:
        """Every introspection call sleeps `seconds` before answering (0: none)."""
        r = requests.post(self.issuer + "/test/introspection-delay", json={"seconds": seconds}, timeout=5)
        r.raise_for_status()

    def revoke(self, token: str, client_id: str, client_secret: str) -> None:
        """RFC 7009 revocation: introspection answers `{"active": false}` for it from now on."""
        r = requests.post(self.issuer + "/revoke", data={"token": token}, auth=(client_id, client_secret), timeout=5)
        r.raise_for_status()

    def refresh_tokens(self, sub: str) -> list[str]:
        """The refresh tokens issued to `sub` and not revoked."""
        r = requests.get(f"{self.issuer}/test/refresh-tokens/{sub}", timeout=5)
        r.raise_for_status()
        return r.json()["tokens"]

    def introspect(self, token: str, client_id: str, client_secret: str) -> dict:
        """RFC 7662: `{"active": true, …}` for a known, unrevoked, unexpired token."""
        r = requests.post(self.issuer + "/introspect", data={"token": token}, auth=(client_id, client_secret), timeout=5)
        r.raise_for_status()
        return r.json()

    def sids(self, sub: str) -> list[str]:
        """The `sid` of every login of `sub` (each one is in its ID token), oldest first."""
        r = requests.get(f"{self.issuer}/test/sessions/{sub}", timeout=5)
        r.raise_for_status()
        return r.json()["sids"]

    def send_backchannel_logout(
        self,
        uri: str,
        *,
        sub: str | None = None,
        sid: str | None = None,
        claims: dict | None = None,
        header: dict | None = None,
        key: str = "provider",
        alg: str = "RS256",
        aud: str | None = None,
        token: str | None = None,
    ) -> dict:
        """POST a Logout Token to the RP's back-channel logout `uri` and return
        `{"status", "body", "headers" (lowercased names), "logout_token"}`. The token
        has iss, aud (`aud`, default the e2e client id), iat, exp, jti, events and the
        `sub`/`sid` given; `claims`/`header` override (None leaves one out); key
        "provider" or "foreign", alg "RS256" or "none". `token`: send it as is (replay)."""
        body = {"uri": uri, "sub": sub, "sid": sid, "claims": claims or {}, "header": header or {},
                "key": key, "alg": alg, "token": token}
        if aud is not None:
            body["aud"] = aud
        # Longer than the provider's own 5 s wait for the RP.
        r = requests.post(self.issuer + "/test/backchannel-logout", json=body, timeout=15)
        r.raise_for_status()
        return r.json()

    def frontchannel_logout_page(self, uri: str, sid: str) -> str:
        """The URL of the provider's logout page that frames the RP's front-channel
        logout `uri` with this issuer and `sid` (open it in the browser)."""
        return f"{self.issuer}/test/frontchannel-logout?" + urlencode({"uri": uri, "sid": sid})

    def end_session_requests(self) -> list[dict]:
        """The parameters of every end_session call since start or the last reset, oldest first."""
        r = requests.get(self.issuer + "/test/end-session-requests", timeout=5)
        r.raise_for_status()
        return r.json()["requests"]

    def reset_end_session_requests(self) -> None:
        requests.post(self.issuer + "/test/end-session-requests/reset", timeout=5).raise_for_status()

    def set_end_session_mode(self, mode: str) -> None:
        """mode "error": end_session answers a 400 page and sends the browser nowhere; "normal": as before."""
        r = requests.post(self.issuer + "/test/end-session-mode", json={"mode": mode}, timeout=5)
        r.raise_for_status()

    def stop(self) -> None:
        if self.process:
            self.process.stop()
