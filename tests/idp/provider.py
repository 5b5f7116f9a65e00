#!/usr/bin/env python3
"""The test identity provider: oidc-provider-mock with PKCE (S256) enforced.

oidc-provider-mock gives a complete OpenID provider for tests: discovery,
RS256-signed ID tokens, userinfo, end_session, a login form where any `sub`
can be typed, and `PUT /users/<sub>` (JSON claims) to set a user's claims.
`POST /test/rotate-key` replaces the signing key at once (body `{"kid": false}`:
the new key is published and used without a `kid`), as providers rotate keys
without notice. ID tokens name their key by `kid`, as the JWKS does.
It does not require PKCE, so this wrapper makes every authorization request
carry `code_challenge` + `code_challenge_method=S256`, and every code
exchange a matching `code_verifier`, confidential clients included.

Bearer-token API (for resource-server tests; discovery advertises
`introspection_endpoint`, `revocation_endpoint`, their auth methods and the
`client_credentials` grant). Clients authenticate as the mock accepts them:
any client id with any secret, unless registered — by the mock's
`POST /oauth2/clients` or by `PUT /test/clients/<id>` `{"secret": s}` — then
only with its secret (client_secret_basic or client_secret_post; else 401
`invalid_client`).

Client authentication (every grant at /oauth2/token, /introspect, /revoke;
discovery advertises `token_endpoint_auth_methods_supported` with all five):
`PUT /test/clients/<id>` `{"token_endpoint_auth_method": m, "secret": s,
"jwks": {"keys": [...]}}` registers a client that must use method m and no
other. client_secret_jwt (HS* keyed with the secret) and private_key_jwt
(RS*/PS*/ES* with a key of "jwks") assertions are checked with joserfc:
signature, `iss` = `sub` = client_id, `aud` = this provider's token endpoint,
`exp` in the future, `iat`, and a `jti` used once (a replay is 401
`invalid_client`). `none` (client_id in the form, PKCE) is accepted only for a
client registered as public; clients not registered cannot use none or an
assertion. `GET /test/client-assertions` → `{"assertions": [{"method", "path",
"assertion", "header", "claims"}]}`: the assertions accepted since the last
registration (the compact JWT as received, its header and claims).

- `POST /oauth2/token` `grant_type=client_credentials` [`scope=...`, granted as
  asked]: `{"access_token", "token_type": "Bearer", "expires_in", "scope"?}`.
- `POST /test/access-tokens` `{"format": "jwt"|"opaque", "expires_in": 300,
  "audience": null}`: the format of access tokens issued from then on, by the
  code and client credentials grants (default opaque; until set, code grant
  tokens last 1 h as before and client credentials tokens 300 s). JWTs are
  RFC 9068: header `{"alg": "RS256", "typ": "at+jwt", "kid"}` (no `kid` after
  `/test/rotate-key {"kid": false}`), signed with the key the JWKS publishes;
  claims iss, sub (the user, or the client id for client credentials), aud
  (the audience, default the client id), client_id, scope (left out when
  empty), iat, exp, jti. Every issued token is remembered for introspection.
- `POST /introspect` (RFC 7662, client auth, form `token`
  [`token_type_hint`]): `{"active": true, "scope", "client_id", "sub", "aud",
  "iss", "exp", "iat", "token_type": "Bearer"}` for a known token not revoked
  and not past `exp`, else `{"active": false}`.
- `POST /revoke` (RFC 7009, client auth, form `token`): 200, known or not;
  introspection, /userinfo and the refresh grant refuse the token from then on.
- `GET /test/counters` → `{"introspection", "token", "jwks", "revocation",
  "refresh"}`: requests received at /introspect, /oauth2/token, /jwks, /revoke
  (refused ones too), and those of /oauth2/token with
  `grant_type=refresh_token`, since start or `POST /test/counters/reset`.
- The refresh token grant is the mock's (no rotation: the refresh token stays
  valid until revoked); access tokens it issues live as long as POST
  /test/access-tokens said, and are known to introspection.
  `GET /test/refresh-tokens/<sub>` → `{"tokens": [...]}`: the refresh tokens
  issued to `sub` and not revoked, for a test to revoke at /revoke.
- `POST /test/introspection-delay` `{"seconds": x}`: every introspection call
  sleeps x s first (the server is threaded: other calls answer meanwhile).
- `POST /test/mint-access-token` `{"claims": {}, "header": {}, "key":
  "provider"|"foreign", "alg": "RS256"|"none"|"HS256", "secret": s,
  "register": false}` → `{"token"}`: a JWT with the given claims over the
  defaults (iss, sub "test-user", client_id "test-client", aud the audience set
  or the client_id, scope "openid", iat, exp = iat + expires_in set or 300,
  jti) and the header over the default one above; a value given as null is
  left out. Signed by the provider's current key, a fresh unpublished RSA key
  ("foreign", default header still names the provider's kid), nothing ("none":
  empty signature) or HMAC with "secret" ("HS256"). `"register": true`:
  introspection knows it (active unless expired or revoked).

Logout (OpenID Connect Back-Channel, Front-Channel and RP-Initiated Logout
1.0; discovery advertises `backchannel_logout_supported`,
`backchannel_logout_session_supported`, `frontchannel_logout_supported` and
`frontchannel_logout_session_supported`, all true):

- Every successful login at the authorization form starts a provider session
  with a fresh random `sid`, put in the ID token as the `sid` claim.
  `GET /test/sessions/<sub>` → `{"sids": [...]}`: the sids issued for `sub`,
  oldest first (`[]` for a user never logged in).
- `POST /test/backchannel-logout` `{"uri", "sub": null, "sid": null,
  "claims": {}, "header": {}, "key": "provider"|"foreign", "alg":
  "RS256"|"none", "client_id": "e2e-client", "aud": client_id, "token": null}`:
  builds a Logout Token (§2.4: header `{"alg", "typ": "logout+jwt", "kid"}`;
  claims iss, aud, iat, exp = iat + 120, jti, events
  `{"http://schemas.openid.net/event/backchannel-logout": {}}`, and `sub` and
  `sid` when given), `claims`/`header` over those defaults (a value given as
  null is left out), signed as for /test/mint-access-token; or takes "token"
  as is (replays). POSTs it to `uri` as the form `logout_token=<jwt>` (5 s
  timeout) and answers `{"status", "body", "headers": {lowercased name:
  value}, "logout_token"}` with the RP's answer; 502 `{"error":
  "rp_unreachable", "error_description", "logout_token"}` when the RP cannot
  be reached, 400 for a malformed request.
- `GET /test/frontchannel-logout?uri=<frontchannel_logout_uri>&sid=<sid>`:
  the page a provider shows at logout, with the RP's URI in an iframe
  (`<iframe id="rp">`) carrying `iss` (this issuer) and `sid` (Front-Channel
  Logout §2); 400 without an http(s) `uri` or a `sid`.
- `/oauth2/end_session` (GET and POST) is the mock's: a confirm form, whose
  button redirects to `post_logout_redirect_uri` with the RP's `state` added
  to its query (RP-Initiated Logout §3). Every call is recorded:
  `GET /test/end-session-requests` → `{"requests": [{name: value}, ...]}`
  (all its query and form parameters, first value of each, oldest first);
  `POST /test/end-session-requests/reset` clears them.
- `POST /test/end-session-mode` `{"mode": "normal"|"error"}`: in "error" mode
  end_session (still recorded) answers a 400 error page and redirects nowhere,
  as a provider does that rejects the request or whose session already ended.

Silent authentication (OpenID Connect Core §3.1.2.1 `prompt=none`): a login
at the form also sets the browser cookie `idp_session` (this provider's own
session). An authorization request with `prompt=none` from a browser whose
`idp_session` is still live issues a code for that user at once, with the
user's current claims; without one it redirects back with
`error=login_required` (and the request's `state`). `DELETE
/test/provider-sessions/<sub>` ends every provider session of `sub` (as a
logout or an expiry at the provider does); end_session ends the one of its
browser. Calls with `prompt=none` are counted as `silent` in /test/counters.

Sign-in time and strength: ID tokens carry `auth_time`, the time the user
submitted the login form (a re-used provider session keeps its own), and
`acr` when the form was posted with an `acr` field (e.g. `acr=urn:mfa`;
none without one). An authorization request with `max_age` > 0 from a
browser whose provider session signed in at most that long ago is answered
from that session without the form (`max_age=0`, or an older session, shows
the form). `POST /test/id-token-options {"omit_auth_time": true}` leaves
`auth_time` out of every ID token until set back to false.

    python3 tests/idp/provider.py --port 9400

prints `provider ready: http://127.0.0.1:9400` once it accepts connections.
The issuer is the URL the provider is reached at (scheme://host:port).
Dynamic client registration (RFC 7591): discovery advertises the mock's
`registration_endpoint` (`POST /oauth2/clients`), whose answer this wrapper
completes with `client_id_issued_at`, `client_secret_expires_at` (0) and a
`registration_access_token`. `POST /test/registration` `{"initial_access_token":
t}` makes registration require `Authorization: Bearer t` (null: open again;
else 401 `invalid_token`). `GET /test/registrations` → `{"count", "requests",
"clients"}`: registrations accepted since start (refused ones are not counted),
their JSON bodies and the client ids issued. `DELETE /test/clients/<id>`
forgets a client: from then on the token, introspection and revocation
endpoints refuse it with 401 `invalid_client` (its authorization requests still
reach the login form, as the mock accepts any client id there).
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import hashlib
import hmac
import json
import html
import logging
import secrets
import signal
import sys
import threading
import time
from unittest import mock
from urllib.parse import urlencode, urlsplit

import warnings

with warnings.catch_warnings():
    # The mock and Authlib warn about their own internal deprecations on
    # import (Authlib forces its warning class to "always"; override that).
    import authlib.deprecate

    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    import authlib.integrations.flask_oauth2 as flask_oauth2
    import flask
    import requests
    import werkzeug.serving
    from authlib.oauth2 import OAuth2Error
    from authlib.oauth2.rfc6749 import ClientCredentialsGrant, InvalidClientError, InvalidRequestError, UnsupportedGrantTypeError
    from authlib.oauth2.rfc7636 import CodeChallenge
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    # Client assertions are checked with joserfc, a JOSE implementation independent of
    # Authlib's and of oidc-fcgi's libcjose.
    from joserfc import jwt as joserfc_jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet, OctKey

    import oidc_provider_mock
    import oidc_provider_mock._app as mock_app


class RequiredS256CodeChallenge(CodeChallenge):
    """PKCE for every client: S256 only, challenge and verifier mandatory.

    Authlib's `CodeChallenge(required=True)` only insists on PKCE for public
    clients (token endpoint auth method `none`); oidc-fcgi is a confidential
    client, so the requirement is made unconditional here.
    """

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def __init__(self) -> None:
        super().__init__(required=True)

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: missing 'code_challenge'")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError(
                "PKCE is required: 'code_challenge_method' must be S256"
            )
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant, result):
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("PKCE is required: missing 'code_verifier'")
        super().validate_code_verifier(grant, result)


@dataclasses.dataclass(kw_only=True, frozen=True)
class PkceAuthorizationCode(mock_app.AuthorizationCode):
    """The mock's authorization code plus the PKCE challenge it was issued for
    and the provider session (`sid`) the login started."""

    code_challenge: str | None = None
    code_challenge_method: str | None = None
    sid: str | None = None
    # When the user signed in and how (`auth_time`, `acr` of the ID token).
    auth_time: int | None = None
    acr: str | None = None


class PkceAuthorizationCodeGrant(mock_app.AuthorizationCodeGrant):
    """The mock's code grant with `RequiredS256CodeChallenge` always attached."""

    def __init__(self, request, server):
        super().__init__(request, server)
        RequiredS256CodeChallenge()(self)

    def save_authorization_code(self, code: str, request: object):
        super().save_authorization_code(code, request)
        storage = mock_app.storage
        saved = storage.get_authorization_code(code)
        data = request.payload.data  # type: ignore[attr-defined]
        # A provider session re-used (prompt=none, or max_age it still meets) keeps
        # its sign-in; the login form is a sign-in now, with the acr the form names.
        reused = flask.g.get("provider_login")
        auth_time, acr = reused if reused else (int(time.time()), flask.request.form.get("acr") or None)
        storage.store_authorization_code(
            PkceAuthorizationCode(
                **{f.name: getattr(saved, f.name) for f in dataclasses.fields(saved)},
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                # A code is saved once per successful login: each login is a
                # new provider session, as back-channel logout by `sid` needs.
                sid=logout_state().start_session(saved.user_id),
                auth_time=auth_time,
                acr=acr,
            )
        )


class RotatableOpenIDCode(mock_app.OpenIDCode):
    """The mock's ID token settings, naming the signing key by the `kid` the JWKS
    publishes (the mock itself leaves `kid` out), unless a rotation asked for none."""

    def get_jwt_config(self, grant, client=None):
        config = super().get_jwt_config(grant, client)
        key = {k: v for k, v in config["key"].items() if k != "kid"}
        if flask.current_app.config[SIGN_WITH_KID]:
            config["kid"] = mock_app.storage.jwk.as_dict()["kid"]
        return {**config, "key": key}

    def get_authorization_code_claims(self, authorization_code):
        claims = super().get_authorization_code_claims(authorization_code)
        sid = getattr(authorization_code, "sid", None)
        if sid:
            claims["sid"] = sid
        if getattr(authorization_code, "acr", None):
            claims["acr"] = authorization_code.acr
        if flask.current_app.config[OMIT_AUTH_TIME]:
            claims.pop("auth_time", None)
        elif getattr(authorization_code, "auth_time", None):
            claims["auth_time"] = authorization_code.auth_time
        return claims

    def get_compatible_claims(self, request):
        # Authlib stamps auth_time = now on every token; the code's own (above) replaces it.
        claims = super().get_compatible_claims(request)
        if flask.current_app.config[OMIT_AUTH_TIME]:
            claims.pop("auth_time", None)
        return claims


# App config key: whether ID tokens and the JWKS name the key by `kid` (set by /test/rotate-key).
SIGN_WITH_KID = "TEST_SIGN_WITH_KID"
# App config key: ID tokens leave out `auth_time` (set by /test/id-token-options).
OMIT_AUTH_TIME = "TEST_OMIT_AUTH_TIME"


# ---------------------------------------------------------------------------
# Bearer-token API: client credentials, JWT access tokens (RFC 9068),
# introspection (RFC 7662), revocation (RFC 7009) and their test controls.

# Client authentication accepted at the token endpoint (every grant),
# introspection and revocation, in the order discovery advertises them.
SECRET_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
CLIENT_AUTH_METHODS = [*SECRET_AUTH_METHODS, "client_secret_jwt", "private_key_jwt", "none"]
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGS = {
    "client_secret_jwt": ["HS256", "HS384", "HS512"],
    "private_key_jwt": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"],
}
# The path of the token endpoint: the `aud` every client assertion must name.
TOKEN_PATH = "/oauth2/token"

# Request paths counted by GET /test/counters, and their counter names.
COUNTED_PATHS = {
    "/introspect": "introspection",
    "/oauth2/token": "token",
    "/jwks": "jwks",
    "/revoke": "revocation",
}

# The answer fields of an active token at /introspect, taken from its claims.
INTROSPECTION_FIELDS = ("scope", "client_id", "sub", "aud", "iss", "exp", "iat")

# Counted besides COUNTED_PATHS: token requests of the refresh token grant.
REFRESH_COUNTER = "refresh"
COUNTER_NAMES = (*COUNTED_PATHS.values(), REFRESH_COUNTER)

# Lifetime of client credentials tokens, and of minted tokens, until
# POST /test/access-tokens sets one.
DEFAULT_EXPIRES_IN = 300


class ApiState:
    """What the bearer-token API remembers, one per app (`app.extensions[API_STATE]`)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # Set by POST /test/access-tokens. expires_in None: the code grant keeps
        # the mock's lifetime (1 hour), client credentials get DEFAULT_EXPIRES_IN.
        self.format = "opaque"
        self.expires_in: int | None = None
        self.audience: str | None = None
        # Every access token issued (and every minted token registered):
        # token string -> its claims (what introspection answers from).
        self.tokens: dict[str, dict] = {}
        self.revoked: set[str] = set()
        self.counters = dict.fromkeys(COUNTER_NAMES, 0)
        self.introspection_delay = 0.0
        # Client assertions: every `jti` seen (one use each), and what each accepted one said.
        self.assertion_jtis: set[str] = set()
        self.assertions: list[dict] = []

    def remember(self, token: str, claims: dict) -> None:
        with self.lock:
            self.tokens[token] = dict(claims)

    def lookup_active(self, token: str) -> dict | None:
        """The claims of a known, unrevoked, unexpired token, else None."""
        with self.lock:
            claims = self.tokens.get(token)
            if claims is None or token in self.revoked:
                return None
        exp = claims.get("exp")
        if isinstance(exp, (int, float)) and not isinstance(exp, bool) and time.time() >= exp:
            return None
        return claims


API_STATE = "oidc_fcgi_test_api"


def api_state() -> ApiState:
    return flask.current_app.extensions[API_STATE]


def issuer() -> str:
    return flask.request.host_url.rstrip("/")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def current_kid() -> str | None:
    """The `kid` the JWKS publishes for the signing key; None after `/test/rotate-key {"kid": false}`."""
    if not flask.current_app.config[SIGN_WITH_KID]:
        return None
    return mock_app.storage.jwk.as_dict()["kid"]


def default_jwt_header(alg: str = "RS256") -> dict:
    header = {"alg": alg, "typ": "at+jwt"}
    kid = current_kid()
    if kid is not None:
        header["kid"] = kid
    return header


def encode_jwt(header: dict, claims: dict, *, key: str = "provider", alg: str = "RS256",
               secret: str | None = None) -> str:
    """A compact JWS over exactly `header` and `claims`, signed as `alg` says
    (the header's own `alg` is not consulted, so tests can make them disagree).

    `key` (RS256 only): "provider" — the provider's current signing key, the one
    the JWKS publishes; "foreign" — a freshly generated RSA key nobody publishes.
    alg "none": an empty signature. alg "HS256": HMAC-SHA256 with `secret`.
    """
    def part(obj: dict) -> str:
        return b64url(json.dumps(obj, separators=(",", ":")).encode())

    signing_input = f"{part(header)}.{part(claims)}".encode()
    if alg == "none":
        signature = b""
    elif alg == "HS256":
        if not isinstance(secret, str) or not secret:
            raise ValueError('alg HS256 needs "secret"')
        signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    elif alg == "RS256":
        if key == "provider":
            private = mock_app.storage.jwk.get_private_key()
        elif key == "foreign":
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            raise ValueError('key must be "provider" or "foreign"')
        signature = private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise ValueError('alg must be "RS256", "none" or "HS256"')
    return f"{signing_input.decode()}.{b64url(signature)}"


@dataclasses.dataclass(kw_only=True, frozen=True)
class RegisteredClient(mock_app.Client):
    """A client registered by PUT /test/clients/<id>: with a method, only that
    method authenticates it; without one (legacy), client_secret_basic or
    client_secret_post with its secret. `jwks`: its public keys (private_key_jwt)."""

    jwks: dict | None = None

    def check_endpoint_auth_method(self, method, endpoint):
        if isinstance(self.token_endpoint_auth_method, mock_app.ClientAllowAny):
            return method in SECRET_AUTH_METHODS
        return method == self.token_endpoint_auth_method


def _unverified_claims(assertion: str) -> dict:
    try:
        payload = assertion.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def refuse_client(description: str):
    logging.getLogger(__name__).warning("client authentication refused: %s", description)
    raise InvalidClientError(status_code=401, description=description)


def client_assertion_authenticator(method: str):
    """RFC 7523 §3 for `method` (client_secret_jwt or private_key_jwt), checked
    with joserfc: the client must be registered with this method; signature with
    its secret or its registered keys, iss = sub = client_id, aud = this token
    endpoint, exp in the future, iat present, and a jti never seen before."""

    def authenticate(query_client, request):
        form = request.form
        if form.get("client_assertion_type") != JWT_BEARER or not form.get("client_assertion"):
            return None
        assertion = form["client_assertion"]
        client_id = form.get("client_id") or _unverified_claims(assertion).get("sub")
        client = query_client(client_id) if client_id else None
        if not isinstance(client, RegisteredClient) or client.token_endpoint_auth_method != method:
            # Another method's assertion (the other JWT method is tried next), or an unknown client.
            if isinstance(client, RegisteredClient) and client.token_endpoint_auth_method in ASSERTION_ALGS:
                return None
            refuse_client(f"{client_id!r} is not registered for {method}")
        if method == "client_secret_jwt":
            key = OctKey.import_key(client.secret.encode())
        else:
            key = KeySet.import_key_set(client.jwks)
        try:
            token = joserfc_jwt.decode(assertion, key, algorithms=ASSERTION_ALGS[method])
        except JoseError as error:
            refuse_client(f"{method}: the assertion's signature does not verify ({error.error})")
        claims, now = token.claims, time.time()
        if claims.get("iss") != client.id or claims.get("sub") != client.id:
            refuse_client(f"{method}: iss and sub must both be the client_id")
        audience = claims.get("aud")
        token_endpoint = issuer() + TOKEN_PATH
        if audience != token_endpoint and not (isinstance(audience, list) and token_endpoint in audience):
            refuse_client(f"{method}: aud must be the token endpoint {token_endpoint}")
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or isinstance(exp, bool) or exp <= now:
            refuse_client(f"{method}: exp is missing or in the past")
        if not isinstance(claims.get("iat"), (int, float)):
            refuse_client(f"{method}: iat is missing")
        jti = claims.get("jti")
        state = api_state()
        with state.lock:
            if not isinstance(jti, str) or not jti or jti in state.assertion_jtis:
                replayed = True
            else:
                replayed = False
                state.assertion_jtis.add(jti)
                state.assertions.append({"method": method, "path": flask.request.path, "assertion": assertion,
                                         "header": dict(token.header), "claims": dict(claims)})
        if replayed:
            refuse_client(f"{method}: jti is missing or was already used (replayed assertion)")
        return client

    return authenticate


def authenticate_public_client(query_client, request):
    """`none`: only a client registered as public, and only without any credentials."""
    form = request.form
    client_id = form.get("client_id")
    if not client_id or form.get("client_secret") or form.get("client_assertion") or "Authorization" in request.headers:
        return None
    client = query_client(client_id)
    if not isinstance(client, RegisteredClient) or client.token_endpoint_auth_method != "none":
        refuse_client(f"{client_id!r} is not registered as a public client: it must authenticate")
    return client


class ApiClientCredentialsGrant(ClientCredentialsGrant):
    """RFC 6749 §4.4 for every client the mock accepts (any client id with any
    secret, or a registered client with its own secret); scopes granted as asked."""

    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def validate_token_request(self):
        # As Authlib's, without `client.check_grant_type`: the mock's clients
        # only list authorization_code and refresh_token.
        self.request.client = self.authenticate_token_endpoint_client()
        self.validate_requested_scope()


class ApiAuthorizationServer(flask_oauth2.AuthorizationServer):
    """The mock's authorization server with the client credentials grant, and
    access tokens in the format POST /test/access-tokens chose (opaque or
    RFC 9068 JWT), every one remembered for introspection."""

    def init_app(self, app, query_client=None, save_token=None):
        super().init_app(app, query_client, save_token)
        self.register_grant(ApiClientCredentialsGrant)
        for method in ASSERTION_ALGS:
            self.register_client_auth_method(method, client_assertion_authenticator(method))
        self.register_client_auth_method("none", authenticate_public_client)

    def register_grant(self, grant_cls, extensions=None):
        # Every grant at the token endpoint takes every client authentication method.
        grant_cls = type(grant_cls.__name__, (grant_cls,), {"TOKEN_ENDPOINT_AUTH_METHODS": CLIENT_AUTH_METHODS})
        super().register_grant(grant_cls, extensions)

    def generate_token(self, grant_type, client, user=None, scope=None, expires_in=None,
                       include_refresh_token=True):
        client_credentials = grant_type == ApiClientCredentialsGrant.GRANT_TYPE
        token = super().generate_token(
            grant_type=grant_type, client=client, user=user,
            # The mock's clients keep only the OpenID scopes; client
            # credentials get whatever they ask for (set below).
            scope="" if client_credentials else scope,
            expires_in=expires_in, include_refresh_token=include_refresh_token,
        )
        if client_credentials:
            token.pop("scope", None)
            if scope and scope.split():
                token["scope"] = " ".join(scope.split())
        state = api_state()
        with state.lock:
            fmt, configured_expires_in, audience = state.format, state.expires_in, state.audience
        if configured_expires_in is not None:
            lifetime = configured_expires_in
        elif client_credentials:
            lifetime = DEFAULT_EXPIRES_IN
        else:
            lifetime = int(token["expires_in"])
        client_id = client.get_client_id()
        now = int(time.time())
        claims = {
            "iss": issuer(),
            "sub": user.sub if user is not None else client_id,
            "aud": audience if audience is not None else client_id,
            "client_id": client_id,
            "scope": token.get("scope") or "",
            "iat": now,
            "exp": now + lifetime,
            "jti": secrets.token_urlsafe(16),
        }
        if not claims["scope"]:
            del claims["scope"]
        if fmt == "jwt":
            token["access_token"] = encode_jwt(default_jwt_header(), claims)
        token["expires_in"] = lifetime
        state.remember(token["access_token"], {**claims, "token_type": "Bearer"})
        return token

    def save_token(self, token, request):
        # The mock stores a user's token for /userinfo; client credentials
        # tokens have no user and live only in ApiState.
        if request.user is not None:
            super().save_token(token, request)


def authenticate_api_client(endpoint: str):
    """(client, None), or (None, the 401 invalid_client answer)."""
    server = mock_app.authorization
    request = server.create_oauth2_request(None)
    try:
        return server.authenticate_client(request, CLIENT_AUTH_METHODS, endpoint), None
    except OAuth2Error as error:
        return None, server.handle_error_response(request, error)


def json_error(status: int, error: str, description: str) -> flask.typing.ResponseReturnValue:
    return flask.jsonify({"error": error, "error_description": description}), status


def issue_token() -> flask.typing.ResponseReturnValue:
    """POST /oauth2/token: the mock's view, for every registered grant (the
    mock's own view admits only its code and refresh token grants)."""
    server = mock_app.authorization
    request = server.create_oauth2_request(None)
    try:
        grant = server.get_token_grant(request)
    except UnsupportedGrantTypeError as error:
        return server.handle_error_response(request, error)
    try:
        grant.validate_token_request()
        return server.handle_response(*grant.create_token_response())
    except OAuth2Error as error:
        logging.getLogger(__name__).warning("token endpoint error %s: %s", error.error, error.description)
        return server.handle_error_response(request, error)


def add_api_endpoints(app: flask.Flask) -> None:
    state = app.extensions[API_STATE] = ApiState()
    app.view_functions["oidc-provider-mock.issue_token"] = issue_token

    @app.before_request
    def count_calls() -> None:
        name = COUNTED_PATHS.get(flask.request.path)
        if name:
            refresh = name == "token" and flask.request.form.get("grant_type") == "refresh_token"
            with state.lock:
                state.counters[name] += 1
                if refresh:
                    state.counters[REFRESH_COUNTER] += 1

    @app.get("/test/refresh-tokens/<sub>")
    def refresh_tokens(sub: str) -> flask.typing.ResponseReturnValue:
        tokens = [t.token for t in mock_app.storage.refresh_tokens() if t.user_id == sub]
        return flask.jsonify({"tokens": tokens})

    def authenticated_token(endpoint: str):
        """The `token` form parameter of a client-authenticated call to
        `endpoint`, or the error answer (401 for the client, 400 without a token)."""
        _client, failure = authenticate_api_client(endpoint)
        if failure is not None:
            return None, failure
        token = flask.request.form.get("token")
        if not token:
            return None, json_error(400, "invalid_request", "missing 'token'")
        return token, None

    @app.post("/introspect")
    def introspect() -> flask.typing.ResponseReturnValue:
        with state.lock:
            delay = state.introspection_delay
        if delay > 0:
            time.sleep(delay)
        token, failure = authenticated_token("introspection")
        if failure is not None:
            return failure
        claims = state.lookup_active(token)
        if claims is None:
            return flask.jsonify({"active": False})
        answer = {"active": True, **{k: claims[k] for k in INTROSPECTION_FIELDS if k in claims}}
        answer["token_type"] = "Bearer"
        return flask.jsonify(answer)

    @app.post("/revoke")
    def revoke() -> flask.typing.ResponseReturnValue:
        token, failure = authenticated_token("revocation")
        if failure is not None:
            return failure
        with state.lock:
            state.revoked.add(token)
        # Also gone for the mock: /userinfo and the refresh grant refuse it.
        mock_app.storage.remove_access_token(token)
        mock_app.storage.remove_refresh_token(token)
        return "", 200

    @app.post("/test/access-tokens")
    def set_access_token_format() -> flask.typing.ResponseReturnValue:
        body = flask.request.get_json(silent=True) or {}
        fmt = body.get("format", "opaque")
        expires_in = body.get("expires_in", DEFAULT_EXPIRES_IN)
        audience = body.get("audience")
        if fmt not in ("jwt", "opaque"):
            return json_error(400, "invalid_request", 'format must be "jwt" or "opaque"')
        if not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in < 0:
            return json_error(400, "invalid_request", "expires_in must be a whole number of seconds >= 0")
        if audience is not None and not isinstance(audience, str):
            return json_error(400, "invalid_request", "audience must be a string or null")
        with state.lock:
            state.format, state.expires_in, state.audience = fmt, expires_in, audience
        return flask.jsonify({"format": fmt, "expires_in": expires_in, "audience": audience})

    @app.get("/test/counters")
    def counters() -> flask.typing.ResponseReturnValue:
        with state.lock:
            return flask.jsonify(dict(state.counters))

    @app.post("/test/counters/reset")
    def reset_counters() -> flask.typing.ResponseReturnValue:
        with state.lock:
            state.counters = dict.fromkeys(COUNTER_NAMES, 0)
            return flask.jsonify(dict(state.counters))

    @app.post("/test/introspection-delay")
    def set_introspection_delay() -> flask.typing.ResponseReturnValue:
        body = flask.request.get_json(silent=True) or {}
        seconds = body.get("seconds", 0)
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            return json_error(400, "invalid_request", "seconds must be a number >= 0")
        with state.lock:
            state.introspection_delay = float(seconds)
        return flask.jsonify({"seconds": float(seconds)})

    @app.post("/test/mint-access-token")
    def mint_access_token() -> flask.typing.ResponseReturnValue:
        body = flask.request.get_json(silent=True) or {}
        given_claims = body.get("claims") or {}
        given_header = body.get("header") or {}
        if not isinstance(given_claims, dict) or not isinstance(given_header, dict):
            return json_error(400, "invalid_request", "claims and header must be JSON objects")
        alg = body.get("alg", "RS256")
        with state.lock:
            lifetime = state.expires_in if state.expires_in is not None else DEFAULT_EXPIRES_IN
            audience = state.audience
        now = int(time.time())
        client_id = given_claims.get("client_id") or "test-client"
        defaults = {
            "iss": issuer(),
            "sub": "test-user",
            "aud": audience if audience is not None else client_id,
            "client_id": "test-client",
            "scope": "openid",
            "iat": now,
            "exp": now + lifetime,
            "jti": secrets.token_urlsafe(16),
        }
        claims = {k: v for k, v in {**defaults, **given_claims}.items() if v is not None}
        header = {k: v for k, v in {**default_jwt_header(alg), **given_header}.items() if v is not None}
        try:
            token = encode_jwt(header, claims, key=body.get("key", "provider"), alg=alg, secret=body.get("secret"))
        except ValueError as error:
            return json_error(400, "invalid_request", str(error))
        if body.get("register"):
            state.remember(token, claims)
        return flask.jsonify({"token": token})

    @app.put("/test/clients/<client_id>")
    def register_fixed_client(client_id: str) -> flask.typing.ResponseReturnValue:
        # As the mock's POST /oauth2/clients, but with the id, secret, method
        # and keys chosen by the test: from now on this client must authenticate so.
        body = flask.request.get_json(silent=True) or {}
        method = body.get("token_endpoint_auth_method")
        secret = body.get("secret")
        jwks = body.get("jwks")
        if method is not None and method not in CLIENT_AUTH_METHODS:
            return json_error(400, "invalid_request", f"token_endpoint_auth_method must be one of {CLIENT_AUTH_METHODS}")
        if method in (None, *SECRET_AUTH_METHODS, "client_secret_jwt") and (not isinstance(secret, str) or not secret):
            return json_error(400, "invalid_request", "secret must be a non-empty string")
        if method == "private_key_jwt":
            try:
                KeySet.import_key_set(jwks)
            except Exception as error:  # noqa: BLE001 - any unreadable set is the caller's mistake
                return json_error(400, "invalid_request", f"jwks must be a JWK set: {error}")
        with state.lock:
            state.assertions = []
        mock_app.storage.store_client(RegisteredClient(
            id=client_id,
            secret=secret if isinstance(secret, str) else "",
            redirect_uris=mock_app.ClientAllowAny(),
            allowed_scopes=mock_app.Client.SCOPES_SUPPORTED,
            token_endpoint_auth_method=method or mock_app.ClientAllowAny(),
            jwks=jwks if method == "private_key_jwt" else None,
        ))
        return "", 204

    @app.get("/test/client-assertions")
    def client_assertions() -> flask.typing.ResponseReturnValue:
        with state.lock:
            return flask.jsonify({"assertions": list(state.assertions)})


# ---------------------------------------------------------------------------
# Logout: provider sessions (`sid`), back-channel Logout Tokens sent on demand,
# and the end_session calls recorded.

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_LIFETIME = 120
RP_TIMEOUT_SECONDS = 5
DEFAULT_LOGOUT_CLIENT_ID = "e2e-client"
END_SESSION_MODES = ("normal", "error")
END_SESSION_VIEW = "oidc-provider-mock.end_session"


class LogoutState:
    """What the logout API remembers, one per app (`app.extensions[LOGOUT_STATE]`)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sids_by_sub: dict[str, list[str]] = {}
        self.end_session_requests: list[dict[str, str]] = []
        self.end_session_mode = "normal"

    def start_session(self, sub: str) -> str:
        sid = secrets.token_urlsafe(16)
        with self.lock:
            self.sids_by_sub.setdefault(sub, []).append(sid)
        return sid


LOGOUT_STATE = "oidc_fcgi_test_logout"


def logout_state() -> LogoutState:
    return flask.current_app.extensions[LOGOUT_STATE]


def build_logout_token(body: dict) -> str:
    """The Logout Token (Back-Channel Logout §2.4) a POST /test/backchannel-logout
    body describes; ValueError for a malformed body."""
    sub, sid = body.get("sub"), body.get("sid")
    # `[]` is not "no overrides": only a missing or null member is.
    given_claims = {} if body.get("claims") is None else body["claims"]
    given_header = {} if body.get("header") is None else body["header"]
    alg = body.get("alg", "RS256")
    client_id = body.get("client_id", DEFAULT_LOGOUT_CLIENT_ID)
    aud = body.get("aud") or client_id
    if not all(v is None or isinstance(v, str) for v in (sub, sid)):
        raise ValueError("sub and sid must be strings or null")
    if not isinstance(given_claims, dict) or not isinstance(given_header, dict):
        raise ValueError("claims and header must be JSON objects")
    if not isinstance(client_id, str) or not (isinstance(aud, str) or (
            isinstance(aud, list) and all(isinstance(a, str) for a in aud))):
        raise ValueError("client_id must be a string, aud a string or a list of strings")
    # Narrower than encode_jwt: §2.6 makes "none" the one negative case worth an alg.
    if alg not in ("RS256", "none"):
        raise ValueError('alg must be "RS256" or "none"')
    now = int(time.time())
    defaults = {
        "iss": issuer(),
        "aud": aud,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_LIFETIME,
        "jti": secrets.token_urlsafe(16),
        "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
    }
    if sub is not None:
        defaults["sub"] = sub
    if sid is not None:
        defaults["sid"] = sid
    claims = {k: v for k, v in {**defaults, **given_claims}.items() if v is not None}
    header = {**default_jwt_header(alg), "typ": "logout+jwt"}
    header = {k: v for k, v in {**header, **given_header}.items() if v is not None}
    return encode_jwt(header, claims, key=body.get("key", "provider"), alg=alg)


def post_logout_token(uri: str, token: str) -> requests.Response:
    with requests.Session() as session:
        # The RP is on this machine: a proxy from the environment must not
        # carry (or swallow) the call.
        session.trust_env = False
        return session.post(uri, data={"logout_token": token}, timeout=RP_TIMEOUT_SECONDS,
                            allow_redirects=False)


def add_logout_endpoints(app: flask.Flask) -> None:
    state = app.extensions[LOGOUT_STATE] = LogoutState()
    mock_end_session = app.view_functions[END_SESSION_VIEW]

    def end_session() -> flask.typing.ResponseReturnValue:
        with state.lock:
            state.end_session_requests.append(flask.request.values.to_dict())
            mode = state.end_session_mode
        if mode == "error":
            page = flask.render_template(
                "error.html", name="invalid_request",
                description="end_session refused (the test set POST /test/end-session-mode error)")
            return page, 400
        return mock_end_session()

    app.view_functions[END_SESSION_VIEW] = end_session

    @app.get("/test/sessions/<sub>")
    def sessions(sub: str) -> flask.typing.ResponseReturnValue:
        with state.lock:
            return flask.jsonify({"sids": list(state.sids_by_sub.get(sub, []))})

    @app.post("/test/backchannel-logout")
    def send_backchannel_logout() -> flask.typing.ResponseReturnValue:
        body = flask.request.get_json(silent=True) or {}
        uri = body.get("uri")
        if not isinstance(uri, str) or urlsplit(uri).scheme not in ("http", "https"):
            return json_error(400, "invalid_request", "uri must be an http(s) URL")
        token = body.get("token")
        if token is None:
            try:
                token = build_logout_token(body)
            except ValueError as error:
                return json_error(400, "invalid_request", str(error))
        elif not isinstance(token, str) or not token:
            return json_error(400, "invalid_request", "token must be a non-empty string or null")
        try:
            answer = post_logout_token(uri, token)
        except requests.RequestException as error:
            return flask.jsonify({
                "error": "rp_unreachable",
                "error_description": f"POST {uri} failed: {error}",
                "logout_token": token,
            }), 502
        return flask.jsonify({
            "status": answer.status_code,
            "body": answer.text,
            "headers": {name.lower(): value for name, value in answer.headers.items()},
            "logout_token": token,
        })

    @app.get("/test/frontchannel-logout")
    def frontchannel_logout_page() -> flask.typing.ResponseReturnValue:
        """What a provider shows when a user logs out: the RP's front-channel
        logout URI in an iframe, with this issuer and the given sid."""
        uri, sid = flask.request.args.get("uri"), flask.request.args.get("sid")
        if not uri or urlsplit(uri).scheme not in ("http", "https") or not sid:
            return json_error(400, "invalid_request", "uri (an http(s) URL) and sid are required")
        separator = "&" if urlsplit(uri).query else "?"
        src = uri + separator + urlencode({"iss": issuer(), "sid": sid})
        page = ("<!doctype html><meta charset=utf-8><title>Logging out</title>"
                f'<iframe id="rp" src="{html.escape(src, quote=True)}"></iframe>')
        return page, 200, {"Content-Type": "text/html; charset=utf-8"}

    @app.get("/test/end-session-requests")
    def end_session_requests() -> flask.typing.ResponseReturnValue:
        with state.lock:
            return flask.jsonify({"requests": list(state.end_session_requests)})

    @app.post("/test/end-session-requests/reset")
    def reset_end_session_requests() -> flask.typing.ResponseReturnValue:
        with state.lock:
            state.end_session_requests = []
        return flask.jsonify({"requests": []})

    @app.post("/test/end-session-mode")
    def set_end_session_mode() -> flask.typing.ResponseReturnValue:
        body = flask.request.get_json(silent=True) or {}
        mode = body.get("mode")
        if mode not in END_SESSION_MODES:
            return json_error(400, "invalid_request", 'mode must be "normal" or "error"')
        with state.lock:
            state.end_session_mode = mode
        return flask.jsonify({"mode": mode})


PROVIDER_SESSION_COOKIE = "idp_session"
AUTHORIZE_VIEW = "oidc-provider-mock.authorize"


@dataclasses.dataclass(frozen=True)
class ProviderLogin:
    """One sign-in at the form: who, when (`auth_time`) and how (`acr`)."""

    sub: str
    auth_time: int
    acr: str | None


class ProviderSessions:
    """The provider's own browser sessions (`idp_session` cookie → the sign-in)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.logins: dict[str, ProviderLogin] = {}
        self.silent_requests = 0

    def start(self, login: ProviderLogin) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.logins[token] = login
        return token

    def login(self, token: str | None) -> ProviderLogin | None:
        with self.lock:
            return self.logins.get(token or "")

    def subject(self, token: str | None) -> str | None:
        login = self.login(token)
        return login.sub if login else None

    def end(self, token: str | None = None, sub: str | None = None) -> int:
        with self.lock:
            doomed = [t for t, s in self.logins.items() if t == token or (sub is not None and s.sub == sub)]
            for t in doomed:
                del self.logins[t]
            return len(doomed)


def add_silent_authentication(app: flask.Flask) -> None:
    sessions = app.extensions["oidc_fcgi_test_provider_sessions"] = ProviderSessions()
    mock_authorize = app.view_functions[AUTHORIZE_VIEW]

    def reusable_login(request) -> ProviderLogin | None:
        # max_age (OpenID Connect Core 3.1.2.1): a provider session at most that
        # old is re-used without the form; max_age=0 always shows the form.
        login = sessions.login(request.cookies.get(PROVIDER_SESSION_COOKIE))
        max_age = request.args.get("max_age", "")
        if login is None or not max_age.isdigit() or int(max_age) == 0:
            return None
        return login if login.auth_time + int(max_age) >= time.time() else None

    def answer_from_session(request, login: ProviderLogin) -> flask.typing.ResponseReturnValue:
        # The form's own path, as if the user had typed `sub` and submitted (without
        # `prompt`, which the mock would take as "no user signed in"), keeping the
        # session's sign-in time and acr.
        query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "prompt"])
        with app.test_request_context(request.path + "?" + query, method="POST", data={"sub": login.sub},
                                      base_url=request.host_url, headers={"Cookie": request.headers.get("Cookie", "")}):
            app.preprocess_request()
            flask.g.provider_login = (login.auth_time, login.acr)
            return app.make_response(mock_authorize())

    def authorize() -> flask.typing.ResponseReturnValue:
        request = flask.request
        if request.method == "GET" and request.args.get("prompt") != "none" and (reused := reusable_login(request)):
            return answer_from_session(request, reused)
        if request.method == "GET" and request.args.get("prompt") == "none":
            with sessions.lock:
                sessions.silent_requests += 1
            login = sessions.login(request.cookies.get(PROVIDER_SESSION_COOKIE))
            if login is None:
                redirect_uri = request.args.get("redirect_uri", "")
                query = {"error": "login_required", "error_description": "no provider session"}
                if "state" in request.args:
                    query["state"] = request.args["state"]
                separator = "&" if urlsplit(redirect_uri).query else "?"
                return flask.redirect(redirect_uri + separator + urlencode(query), code=302)
            return answer_from_session(request, login)
        signed_in_at = int(time.time())
        answer = app.make_response(mock_authorize())
        if request.method == "POST" and answer.status_code == 302 and request.form.get("sub") and "code=" in answer.headers.get("Location", ""):
            # Path /oauth2: sites on the same host (other ports) never get it.
            login = ProviderLogin(sub=request.form["sub"], auth_time=signed_in_at, acr=request.form.get("acr") or None)
            answer.set_cookie(PROVIDER_SESSION_COOKIE, sessions.start(login), httponly=True, samesite="Lax", path="/oauth2")
        return answer

    app.view_functions[AUTHORIZE_VIEW] = authorize
    mock_end_session = app.view_functions[END_SESSION_VIEW]

    def end_session() -> flask.typing.ResponseReturnValue:
        sessions.end(token=flask.request.cookies.get(PROVIDER_SESSION_COOKIE))
        return mock_end_session()

    app.view_functions[END_SESSION_VIEW] = end_session

    counters, reset_counters = app.view_functions["counters"], app.view_functions["reset_counters"]

    def counters_with_silent() -> flask.typing.ResponseReturnValue:
        body = counters().get_json()
        with sessions.lock:
            body["silent"] = sessions.silent_requests
        return flask.jsonify(body)

    def reset_counters_with_silent() -> flask.typing.ResponseReturnValue:
        with sessions.lock:
            sessions.silent_requests = 0
        body = reset_counters().get_json()
        body["silent"] = 0
        return flask.jsonify(body)

    app.view_functions["counters"] = counters_with_silent
    app.view_functions["reset_counters"] = reset_counters_with_silent

    @app.delete("/test/provider-sessions/<sub>")
    def end_provider_sessions(sub: str) -> flask.typing.ResponseReturnValue:
        return flask.jsonify({"ended": sessions.end(sub=sub)})



@dataclasses.dataclass
class RegistrationState:
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    initial_access_token: str | None = None
    requests: list = dataclasses.field(default_factory=list)
    clients: list = dataclasses.field(default_factory=list)
    forgotten: set = dataclasses.field(default_factory=set)


CLIENT_AUTHENTICATED_PATHS = ("/oauth2/token", "/introspect", "/revoke")


def request_client_id() -> str | None:
    """The client id a back-channel request names: Basic credentials or the form's client_id."""
    auth = flask.request.authorization
    if auth is not None and auth.type == "basic" and auth.username:
        return auth.username
    return flask.request.form.get("client_id")


def add_registration_endpoints(app: flask.Flask) -> None:
    state = RegistrationState()

    @app.before_request
    def guard_registration_and_forgotten_clients():
        path = flask.request.path
        if path == "/oauth2/clients" and flask.request.method == "POST":
            with state.lock:
                required = state.initial_access_token
            if required is not None:
                header = flask.request.headers.get("Authorization", "")
                if not hmac.compare_digest(header.encode(), f"Bearer {required}".encode()):
                    return json_error(401, "invalid_token", "registration requires the initial access token")
        elif path in CLIENT_AUTHENTICATED_PATHS and flask.request.method == "POST":
            client_id = request_client_id()
            with state.lock:
                forgotten = client_id in state.forgotten
            if forgotten:
                return json_error(401, "invalid_client", "this client is not registered (it was deleted)")
        return None

    @app.after_request
    def complete_registration_answer(response: flask.Response) -> flask.Response:
        if flask.request.path == "/oauth2/clients" and flask.request.method == "POST" and response.status_code == 201 and response.is_json:
            answer = response.get_json()
            answer["client_id_issued_at"] = int(time.time())
            answer["client_secret_expires_at"] = 0
            answer["registration_access_token"] = secrets.token_urlsafe(24)
            response.set_data(flask.json.dumps(answer))
            with state.lock:
                state.requests.append(flask.request.get_json(silent=True))
                state.clients.append(answer["client_id"])
        return response

    @app.post("/test/registration")
    def set_registration() -> flask.typing.ResponseReturnValue:
        body = flask.request.get_json(silent=True) or {}
        token = body.get("initial_access_token")
        if token is not None and (not isinstance(token, str) or not token):
            return json_error(400, "invalid_request", "initial_access_token must be a non-empty string or null")
        with state.lock:
            state.initial_access_token = token
        return "", 204

    @app.get("/test/registrations")
    def registrations() -> flask.typing.ResponseReturnValue:
        with state.lock:
            return flask.jsonify({"count": len(state.clients), "requests": list(state.requests), "clients": list(state.clients)})

    @app.delete("/test/clients/<client_id>")
    def forget_client(client_id: str) -> flask.typing.ResponseReturnValue:
        mock_app.storage._clients.pop(client_id, None)  # noqa: SLF001 - the mock has no delete
        with state.lock:
            state.forgotten.add(client_id)
        return "", 204


def make_app(**options) -> flask.Flask:
    """The provider as a Flask app; options as for `oidc_provider_mock.app`.

    The mock registers its code grant class while the app is built; swapping
    the module's class for the PKCE subclass during that call is the one
    place it is changed.
    """
    with (
        mock.patch.object(mock_app, "AuthorizationCodeGrant", PkceAuthorizationCodeGrant),
        mock.patch.object(mock_app, "OpenIDCode", RotatableOpenIDCode),
        mock.patch.object(mock_app.flask_oauth2, "AuthorizationServer", ApiAuthorizationServer),
    ):
        app = oidc_provider_mock.app(**options)
    app.config[SIGN_WITH_KID] = True
    app.config[OMIT_AUTH_TIME] = False
    add_api_endpoints(app)
    add_logout_endpoints(app)
    add_silent_authentication(app)
    add_registration_endpoints(app)

    @app.post("/test/rotate-key")
    def rotate_key() -> flask.typing.ResponseReturnValue:
        body = flask.request.get_json(silent=True) or {}
        app.config[SIGN_WITH_KID] = bool(body.get("kid", True))
        mock_app.storage.jwk = mock_app.jose.RSAKey.generate_key(is_private=True)
        public = mock_app.jose.KeySet((mock_app.storage.jwk,)).as_dict()["keys"][0]
        return flask.jsonify({"kid": public["kid"] if app.config[SIGN_WITH_KID] else None})

    @app.post("/test/id-token-options")
    def id_token_options() -> flask.typing.ResponseReturnValue:
        body = flask.request.get_json(silent=True) or {}
        app.config[OMIT_AUTH_TIME] = bool(body.get("omit_auth_time", False))
        return flask.jsonify({"omit_auth_time": app.config[OMIT_AUTH_TIME]})

    @app.after_request
    def advertise_pkce(response: flask.Response) -> flask.Response:
        # Discovery says what is enforced (RFC 8414 code_challenge_methods_supported).
        if flask.request.path == "/.well-known/openid-configuration" and response.is_json:
            metadata = response.get_json()
            metadata["code_challenge_methods_supported"] = ["S256"]
            metadata["introspection_endpoint"] = issuer() + "/introspect"
            metadata["revocation_endpoint"] = issuer() + "/revoke"
            for endpoint in ("token", "introspection", "revocation"):
                metadata[f"{endpoint}_endpoint_auth_methods_supported"] = CLIENT_AUTH_METHODS
                metadata[f"{endpoint}_endpoint_auth_signing_alg_values_supported"] = [
                    *ASSERTION_ALGS["client_secret_jwt"], *ASSERTION_ALGS["private_key_jwt"]]
            grants = metadata.get("grant_types_supported", [])
            metadata["grant_types_supported"] = [*grants, "client_credentials"]
            # ID tokens carry `sid`, and logout tokens may carry `sid` (§2.4).
            for capability in ("backchannel_logout", "frontchannel_logout"):
                metadata[f"{capability}_supported"] = True
                metadata[f"{capability}_session_supported"] = True
            response.set_data(flask.json.dumps(metadata))
        if flask.request.path == "/jwks" and response.is_json and not app.config[SIGN_WITH_KID]:
            keys = response.get_json()
            for key in keys.get("keys", []):
                key.pop("kid", None)
            response.set_data(flask.json.dumps(keys))
        return response

    # The mock turns on Flask debug mode and the interactive debugger; a test
    # provider must not offer a debugger console on a listening socket.
    app.debug = False
    wsgi = app.wsgi_app
    app.wsgi_app = getattr(wsgi, "app", wsgi)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--require-nonce", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s provider %(levelname)s %(message)s")
    if args.quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = make_app(require_nonce=args.require_nonce)
    server = werkzeug.serving.make_server(args.host, args.port, app, threaded=True)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"provider ready: http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
