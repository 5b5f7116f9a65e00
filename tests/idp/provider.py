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

    python3 tests/idp/provider.py --port 9400

prints `provider ready: http://127.0.0.1:9400` once it accepts connections.
The issuer is the URL the provider is reached at (scheme://host:port).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
from unittest import mock

import warnings

with warnings.catch_warnings():
    # The mock and Authlib warn about their own internal deprecations on
    # import (Authlib forces its warning class to "always"; override that).
    import authlib.deprecate

    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    import flask
    import werkzeug.serving
    from authlib.oauth2.rfc6749 import InvalidRequestError
    from authlib.oauth2.rfc7636 import CodeChallenge

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
    """The mock's authorization code plus the PKCE challenge it was issued for."""

    code_challenge: str | None = None
    code_challenge_method: str | None = None


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
        storage.store_authorization_code(
            PkceAuthorizationCode(
                **{f.name: getattr(saved, f.name) for f in dataclasses.fields(saved)},
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
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


# App config key: whether ID tokens and the JWKS name the key by `kid` (set by /test/rotate-key).
SIGN_WITH_KID = "TEST_SIGN_WITH_KID"


def make_app(**options) -> flask.Flask:
    """The provider as a Flask app; options as for `oidc_provider_mock.app`.

    The mock registers its code grant class while the app is built; swapping
    the module's class for the PKCE subclass during that call is the one
    place it is changed.
    """
    with (
        mock.patch.object(mock_app, "AuthorizationCodeGrant", PkceAuthorizationCodeGrant),
        mock.patch.object(mock_app, "OpenIDCode", RotatableOpenIDCode),
    ):
        app = oidc_provider_mock.app(**options)
    app.config[SIGN_WITH_KID] = True

    @app.post("/test/rotate-key")
    def rotate_key() -> flask.typing.ResponseReturnValue:
        body = flask.request.get_json(silent=True) or {}
        app.config[SIGN_WITH_KID] = bool(body.get("kid", True))
        mock_app.storage.jwk = mock_app.jose.RSAKey.generate_key(is_private=True)
        public = mock_app.jose.KeySet((mock_app.storage.jwk,)).as_dict()["keys"][0]
        return flask.jsonify({"kid": public["kid"] if app.config[SIGN_WITH_KID] else None})

    @app.after_request
    def advertise_pkce(response: flask.Response) -> flask.Response:
        # Discovery says what is enforced (RFC 8414 code_challenge_methods_supported).
        if flask.request.path == "/.well-known/openid-configuration" and response.is_json:
            metadata = response.get_json()
            metadata["code_challenge_methods_supported"] = ["S256"]
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
