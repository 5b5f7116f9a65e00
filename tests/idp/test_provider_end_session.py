"""The test provider's logout support, which the oidc-fcgi logout tests rely on:
a fresh `sid` per login in the ID token and remembered per user, Logout Tokens
really POSTed to an RP (Back-Channel Logout 1.0 §2.4), and the end_session
calls recorded, answered with `state` or made to fail."""

import http.server
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import RSAKey

from provider import BACKCHANNEL_LOGOUT_EVENT, make_app
from test_provider_pkce import ISSUER, REDIRECT_URI, code_from, s256

VERIFIER = "v" * 50
RP_LOGOUT_PATH = "/oidc/backchannel-logout"


@pytest.fixture
def client():
    return make_app().test_client()


class RecordingRp:
    """A local HTTP server on a free 127.0.0.1 port that records each POST
    (path, headers, form) and answers with the status, body and headers set."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status, self.body, self.headers = 200, "", {"Cache-Control": "no-store"}
        rp = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length).decode()
                rp.received.append({"path": self.path, "headers": dict(self.headers),
                                    "form": parse_qs(raw, keep_blank_values=True)})
                payload = rp.body.encode()
                self.send_response(rp.status)
                for name, value in rp.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{RP_LOGOUT_PATH}"


@pytest.fixture
def rp():
    server = RecordingRp()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
    server.thread.join(timeout=5)


def login(client, sub="alice", client_id="logout-test") -> str:
    """The ID token of one login of `sub` at the authorization form."""
    params = {
        "client_id": client_id, "redirect_uri": REDIRECT_URI, "response_type": "code", "scope": "openid",
        "state": "st", "nonce": "n", "code_challenge": s256(VERIFIER), "code_challenge_method": "S256",
    }
    code = code_from(client.post("/oauth2/authorize", query_string=params, data={"sub": sub}, base_url=ISSUER))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": VERIFIER}
    response = client.post("/oauth2/token", data=form, auth=(client_id, "secret"), base_url=ISSUER)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["id_token"]


def provider_key(client) -> RSAKey:
    keys = client.get("/jwks", base_url=ISSUER).get_json()["keys"]
    assert len(keys) == 1
    return RSAKey.import_key(keys[0])


def verified(client, token: str) -> jwt.Token:
    return jwt.decode(token, provider_key(client), algorithms=["RS256"])


def sids(client, sub: str) -> list[str]:
    response = client.get(f"/test/sessions/{sub}", base_url=ISSUER)
    assert response.status_code == 200
    return response.get_json()["sids"]


def send_logout(client, **body):
    return client.post("/test/backchannel-logout", json=body, base_url=ISSUER)


def sent_logout(client, rp, **body) -> dict:
    response = send_logout(client, uri=rp.uri, **body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# --- sid -------------------------------------------------------------------

def test_each_login_gets_a_fresh_sid_in_the_id_token_remembered_in_order(client):
    assert sids(client, "alice") == []
    first, second = login(client, "alice"), login(client, "alice")
    bobs = login(client, "bob")
    first_sid, second_sid = verified(client, first).claims["sid"], verified(client, second).claims["sid"]
    assert first_sid != second_sid and len(first_sid) >= 16
    assert sids(client, "alice") == [first_sid, second_sid]
    assert sids(client, "bob") == [verified(client, bobs).claims["sid"]]


def test_discovery_advertises_back_and_front_channel_logout(client):
    metadata = client.get("/.well-known/openid-configuration", base_url=ISSUER).get_json()
    for name in ("backchannel_logout_supported", "backchannel_logout_session_supported",
                 "frontchannel_logout_supported", "frontchannel_logout_session_supported"):
        assert metadata[name] is True, name
    assert metadata["end_session_endpoint"].endswith("/oauth2/end_session")


# --- back-channel logout -----------------------------------------------------

def test_logout_token_is_posted_as_a_form_and_signed_as_section_2_4_says(client, rp):
    login(client, "alice")
    sid = sids(client, "alice")[0]
    before = int(time.time())
    answer = sent_logout(client, rp, sub="alice", sid=sid)

    assert len(rp.received) == 1
    received = rp.received[0]
    assert received["path"] == RP_LOGOUT_PATH
    assert received["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert received["form"] == {"logout_token": [answer["logout_token"]]}

    token = verified(client, answer["logout_token"])
    assert token.header == {"alg": "RS256", "typ": "logout+jwt", "kid": provider_key(client).kid}
    claims = token.claims
    assert set(claims) == {"iss", "aud", "iat", "exp", "jti", "events", "sub", "sid"}
    assert claims["iss"] == ISSUER and claims["aud"] == "e2e-client"
    assert claims["sub"] == "alice" and claims["sid"] == sid
    assert before <= claims["iat"] <= int(time.time()) and claims["exp"] == claims["iat"] + 120
    assert claims["events"] == {BACKCHANNEL_LOGOUT_EVENT: {}}


def test_logout_token_carries_only_the_subject_or_session_given(client, rp):
    by_sub = verified(client, sent_logout(client, rp, sub="alice")["logout_token"]).claims
    by_sid = verified(client, sent_logout(client, rp, sid="s-1")["logout_token"]).claims
    neither = verified(client, sent_logout(client, rp)["logout_token"]).claims
    assert by_sub["sub"] == "alice" and "sid" not in by_sub
    assert by_sid["sid"] == "s-1" and "sub" not in by_sid
    assert "sub" not in neither and "sid" not in neither
    assert len({by_sub["jti"], by_sid["jti"], neither["jti"]}) == 3


def test_rp_answer_is_relayed(client, rp):
    rp.status, rp.body = 400, '{"error":"invalid_request"}'
    rp.headers = {"Cache-Control": "no-store", "Content-Type": "application/json", "X-Probe": "1"}
    answer = sent_logout(client, rp, sub="alice")
    assert answer["status"] == 400 and answer["body"] == '{"error":"invalid_request"}'
    assert answer["headers"]["cache-control"] == "no-store"
    assert answer["headers"]["content-type"] == "application/json"
    assert answer["headers"]["x-probe"] == "1"


def test_claims_and_header_override_the_defaults_and_null_removes(client, rp):
    claims = {"nonce": "n-1", "iss": "https://other.example", "events": None, "iat": 1000}
    answer = sent_logout(client, rp, sub="alice", claims=claims, header={"typ": None, "kid": "other-kid"})
    token = verified(client, answer["logout_token"])
    assert token.header == {"alg": "RS256", "kid": "other-kid"}
    assert token.claims["nonce"] == "n-1" and token.claims["iss"] == "https://other.example"
    assert token.claims["iat"] == 1000 and "events" not in token.claims


def test_audience_defaults_to_the_client_id_given(client, rp):
    assert verified(client, sent_logout(client, rp, sid="s", client_id="app-2")["logout_token"]).claims["aud"] == "app-2"
    assert verified(client, sent_logout(client, rp, sid="s", client_id="app-2", aud="x")["logout_token"]).claims["aud"] == "x"


def test_foreign_key_and_alg_none_do_not_verify_with_the_jwks(client, rp):
    foreign = sent_logout(client, rp, sub="alice", key="foreign")["logout_token"]
    with pytest.raises(BadSignatureError):
        verified(client, foreign)
    unsigned = sent_logout(client, rp, sub="alice", alg="none")["logout_token"]
    assert unsigned.endswith(".")
    assert jwt.decode(unsigned, None, algorithms=["none"]).header["alg"] == "none"


def test_given_token_is_sent_as_is_for_replays(client, rp):
    first = sent_logout(client, rp, sid="s-1")["logout_token"]
    replay = sent_logout(client, rp, token=first)
    assert replay["logout_token"] == first
    assert [r["form"]["logout_token"] for r in rp.received] == [[first], [first]]


def test_unreachable_rp_answers_502(client, rp):
    uri = rp.uri
    rp.server.shutdown()
    rp.server.server_close()
    response = send_logout(client, uri=uri, sub="alice")
    assert response.status_code == 502
    body = response.get_json()
    assert body["error"] == "rp_unreachable" and body["logout_token"].count(".") == 2


@pytest.mark.parametrize("body", [
    {"sub": "alice"},
    {"uri": "file:///etc/passwd", "sub": "alice"},
    {"uri": "http://127.0.0.1:1/", "alg": "HS256"},
    {"uri": "http://127.0.0.1:1/", "key": "mine"},
    {"uri": "http://127.0.0.1:1/", "sub": 7},
    {"uri": "http://127.0.0.1:1/", "claims": []},
    {"uri": "http://127.0.0.1:1/", "token": ""},
])
def test_malformed_requests_are_refused_before_sending(client, body):
    response = send_logout(client, **body)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


# --- end session -------------------------------------------------------------

def end_session_requests(client) -> list[dict]:
    return client.get("/test/end-session-requests", base_url=ISSUER).get_json()["requests"]


def confirm_target(page: str) -> str | None:
    """The redirect_uri the mock's confirm form would send the browser to."""
    marker = 'name="redirect_uri" value="'
    if marker not in page:
        return None
    return page.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")


def test_end_session_calls_are_recorded_get_and_post(client):
    query = {"id_token_hint": "tok", "post_logout_redirect_uri": "http://127.0.0.1:8080/bye",
             "state": "s-1", "client_id": "e2e-client", "ui_locales": "de"}
    assert client.get("/oauth2/end_session", query_string=query, base_url=ISSUER).status_code == 200
    assert client.post("/oauth2/end_session", data={"state": "s-2", "logout_hint": "alice"},
                       base_url=ISSUER).status_code == 200
    assert end_session_requests(client) == [query, {"state": "s-2", "logout_hint": "alice"}]
    assert client.post("/test/end-session-requests/reset", base_url=ISSUER).status_code == 200
    assert end_session_requests(client) == []


def test_end_session_sends_the_browser_back_with_state(client):
    query = {"post_logout_redirect_uri": "http://127.0.0.1:8080/bye?from=idp", "state": "s 1&2"}
    page = client.get("/oauth2/end_session", query_string=query, base_url=ISSUER).get_data(as_text=True)
    target = confirm_target(page)
    confirmed = client.post("/oauth2/end_session/confirm", data={"redirect_uri": target}, base_url=ISSUER)
    assert confirmed.status_code == 302
    location = urlsplit(confirmed.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("http", "127.0.0.1:8080", "/bye")
    assert parse_qs(location.query) == {"from": ["idp"], "state": ["s 1&2"]}


def test_end_session_without_state_adds_none(client):
    query = {"post_logout_redirect_uri": "http://127.0.0.1:8080/bye"}
    page = client.get("/oauth2/end_session", query_string=query, base_url=ISSUER).get_data(as_text=True)
    assert confirm_target(page) == "http://127.0.0.1:8080/bye"


def test_error_mode_answers_400_without_a_way_back_and_still_records(client):
    assert client.post("/test/end-session-mode", json={"mode": "error"}, base_url=ISSUER).get_json() == {"mode": "error"}
    query = {"post_logout_redirect_uri": "http://127.0.0.1:8080/bye", "state": "s-1"}
    response = client.get("/oauth2/end_session", query_string=query, base_url=ISSUER)
    assert response.status_code == 400 and "Location" not in response.headers
    assert confirm_target(response.get_data(as_text=True)) is None
    assert end_session_requests(client) == [query]

    assert client.post("/test/end-session-mode", json={"mode": "normal"}, base_url=ISSUER).status_code == 200
    response = client.get("/oauth2/end_session", query_string=query, base_url=ISSUER)
    assert response.status_code == 200 and confirm_target(response.get_data(as_text=True))


def test_unknown_end_session_mode_is_refused(client):
    response = client.post("/test/end-session-mode", json={"mode": "slow"}, base_url=ISSUER)
    assert response.status_code == 400
    assert client.get("/oauth2/end_session", base_url=ISSUER).status_code == 200


def test_the_front_channel_page_frames_the_rp_uri_with_iss_and_sid(client):
    page = client.get("/test/frontchannel-logout",
                      query_string={"uri": "http://127.0.0.1:8080/oidc/frontchannel-logout", "sid": "s&1"})
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    text = page.get_data(as_text=True)
    src = text.split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    parts = urlsplit(src)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "127.0.0.1:8080", "/oidc/frontchannel-logout")
    issuer = client.get("/.well-known/openid-configuration").get_json()["issuer"]
    assert parse_qs(parts.query) == {"iss": [issuer], "sid": ["s&1"]}
    # A URI that already has a query keeps it.
    keeps = client.get("/test/frontchannel-logout", query_string={"uri": "http://rp.test/fc?x=1", "sid": "s"})
    assert "http://rp.test/fc?x=1&amp;iss=" in keeps.get_data(as_text=True)


@pytest.mark.parametrize("query", [{"sid": "s"}, {"uri": "javascript:alert(1)", "sid": "s"}, {"uri": "http://rp.test/fc"}])
def test_the_front_channel_page_needs_an_http_uri_and_a_sid(client, query):
    assert client.get("/test/frontchannel-logout", query_string=query).status_code == 400
