import Foundation
import Logging
import Testing
import RelyingParty

/// API locations through `Responder`: the modes, the Bearer challenges (RFC 6750 §3),
/// the location's scope and audience requirements, and the identity headers of a token.
@Suite struct APILocationTests {
    private let provider = IntrospectingProvider()
    private let responder: Responder

    init() {
        let settings = Settings(
            publicOrigin: Origin("https://app.example.com")!, cookie: CookieSettings(secure: true),
            session: SessionSettings(secrets: [Array("api-test-secret-of-at-least-32-bytes".utf8)]),
            providers: [ProviderSettings(name: "corp", issuer: provider.issuer, clientID: "rp", clientSecret: "s3cret",
                                         api: AccessTokenSettings(validation: .introspection, audiences: ["orders-api"]))],
            headers: HeaderSettings(claimHeaders: [("X-Email", "email")]), api: APISettings(realm: "orders"))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        responder = Responder(context: RelyingPartyContext(settings: settings, store: FakeStore(), http: provider, clock: FakeClock(1_800_000_000), logger: logger))
        provider.answer("good-token", [
            "active": .bool(true), "sub": .string("svc-7"), "client_id": .string("reporting"), "scope": .string("orders:read profile"),
            "aud": .string("orders-api"), "email": .string("svc@example.com"), "exp": .integer(1_800_003_600),
        ])
    }

    private func send(_ action: String = "auth", mode: String? = "api", authorization: String? = nil, extra: [String: String] = [:],
                      accept: String = "application/json") -> Response {
        var params = extra
        params["OIDC_ACTION"] = action
        if let mode { params["OIDC_MODE"] = mode }
        var headers = ["Accept": accept]
        if let authorization { headers["Authorization"] = authorization }
        return responder.respond(.browser(uri: "/api/orders", headers: headers, params: params))
    }

    private func errorBody(_ response: Response) -> [String: String]? {
        guard let text = response.header("OIDC-Error-Body") else { return nil }
        return try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    @Test func aValidTokenIsAllowedWithItsIdentity() {
        let response = send(authorization: "Bearer good-token")
        #expect(response.status == 200)
        #expect(response.header("X-Remote-User") == "svc-7")
        #expect(response.header("X-Remote-Client-Id") == "reporting")
        #expect(response.header("X-Remote-Scope") == "orders:read profile")
        #expect(response.header("X-Email") == "svc@example.com")
        #expect(response.header("WWW-Authenticate") == nil)
    }

    @Test func noTokenIsAChallengeWithoutAnErrorCode() {
        let response = send()
        #expect(response.status == 401)
        #expect(response.header("WWW-Authenticate") == #"Bearer realm="orders""#)
        #expect(errorBody(response)?["error"] == "unauthorized")
        // Another scheme is no bearer token either.
        #expect(send(authorization: "Basic dXNlcjpwdw==").header("WWW-Authenticate") == #"Bearer realm="orders""#)
    }

    @Test func anUnknownTokenIsInvalid() {
        let response = send(authorization: "Bearer not-a-token-anyone-issued")
        #expect(response.status == 401)
        #expect(response.header("WWW-Authenticate") == #"Bearer realm="orders", error="invalid_token", error_description="The access token is not active""#)
        #expect(errorBody(response) == ["error": "invalid_token", "error_description": "The access token is not active"])
    }

    @Test(arguments: ["Bearer", "Bearer a\"b", "Bearer a b"])
    func aMalformedHeaderIsAnInvalidRequest(header: String) {
        let response = send(authorization: header)
        #expect(response.status == 401)
        #expect(response.header("WWW-Authenticate")?.contains(#"error="invalid_request""#) == true)
        #expect(provider.introspections == 0)
    }

    @Test func aMissingScopeIsForbiddenWithTheRequiredScopes() {
        let response = send(authorization: "Bearer good-token", extra: ["OIDC_REQUIRE_SCOPE": "orders:read  orders:write"])
        #expect(response.status == 403)
        #expect(response.header("WWW-Authenticate")
            == #"Bearer realm="orders", error="insufficient_scope", error_description="The access token lacks a scope this resource requires", scope="orders:read orders:write""#)
        #expect(send(authorization: "Bearer good-token", extra: ["OIDC_REQUIRE_SCOPE": "orders:read"]).status == 200)
    }

    @Test func aRequiredAudienceMustBeInTheToken() {
        let response = send(authorization: "Bearer good-token", extra: ["OIDC_REQUIRE_AUDIENCE": "billing-api"])
        #expect(response.status == 401)
        #expect(response.header("WWW-Authenticate")?.contains(#"error="invalid_token""#) == true)
        #expect(send(authorization: "Bearer good-token", extra: ["OIDC_REQUIRE_AUDIENCE": "orders-api"]).status == 200)
    }

    @Test func aProviderThatCannotAnswerIsNeverAnAllow() {
        provider.failing = true
        let response = send(authorization: "Bearer good-token")
        #expect(response.status == 503)
        #expect(response.header("X-Remote-User") == nil)
    }

    @Test func eitherModeUsesTheTokenOnlyWhenThereIsOne() {
        #expect(send(mode: "either", authorization: "Bearer good-token").status == 200)
        // No bearer token: the session path, which finds no session.
        let noToken = send(mode: "either")
        #expect(noToken.status == 401)
        #expect(noToken.header("WWW-Authenticate") == nil)
        #expect(send(mode: "either", authorization: "Basic dXNlcjpwdw==").header("WWW-Authenticate") == nil)
        // A refused token's 401 goes on to the login location, which sends the one
        // challenge; a 403 stays here and carries it.
        let refused = send(mode: "either", authorization: "Bearer junk")
        #expect(refused.status == 401)
        #expect(refused.header("WWW-Authenticate") == nil)
        #expect(errorBody(refused)?["error"] == "invalid_token")
        let forbidden = send(mode: "either", authorization: "Bearer good-token", extra: ["OIDC_REQUIRE_SCOPE": "orders:write"])
        #expect(forbidden.status == 403)
        #expect(forbidden.header("WWW-Authenticate")?.contains("insufficient_scope") == true)
    }

    @Test func anEitherLocationThatHandsTheTokenOnPassesTheRequestsOwnBearerToken() {
        let passed = send(mode: "either", authorization: "Bearer good-token", extra: ["OIDC_PASS_ACCESS_TOKEN": "on"])
        #expect(passed.status == 200)
        #expect(passed.header("OIDC-Access-Token") == "good-token")
        #expect(send(mode: "either", authorization: "Bearer good-token").header("OIDC-Access-Token") == nil)
        #expect(send(mode: "either", authorization: "Bearer junk", extra: ["OIDC_PASS_ACCESS_TOKEN": "on"]).header("OIDC-Access-Token") == nil)
    }

    @Test func browserModeIgnoresBearerTokens() {
        #expect(send(mode: nil, authorization: "Bearer good-token").status == 401)
        #expect(send(mode: "browser", authorization: "Bearer good-token").status == 401)
        #expect(provider.introspections == 0)
    }

    @Test func aLoginLocationNeverRedirectsABearerRequest() throws {
        // `either`: a refused token reaches the login location with the auth answer's 401.
        let refused = send("login", mode: "either", authorization: "Bearer revoked", accept: "text/html")
        #expect(refused.status == 401)
        #expect(refused.header("Content-Type") == "application/json")
        #expect(refused.header("Location") == nil)
        let body = try JSONDecoder().decode([String: String].self, from: Data(refused.body))
        #expect(body["error"] == "invalid_token")
        let api = send("login", mode: "api", accept: "text/html")
        #expect(api.status == 401)
        #expect(api.header("WWW-Authenticate") == #"Bearer realm="orders""#)
        // A token that passes on the second look is told to retry, never handed an allow.
        #expect(send("login", mode: "either", authorization: "Bearer good-token", accept: "text/html").status == 503)
        // No bearer token: an ordinary login.
        #expect(send("login", mode: "either", accept: "text/html").status == 302)
    }

    @Test func operatorMistakesAreServerErrors() {
        #expect(send(mode: "apis", authorization: "Bearer good-token").status == 500)
        #expect(send(authorization: "Bearer good-token", extra: ["OIDC_REQUIRE_SCOPE": "orders\"read"]).status == 500)
        #expect(send(authorization: "Bearer good-token", extra: ["OIDC_PROVIDER": "nobody"]).status == 500)
    }

    // Apache mod_authnz_fcgi (`FCGI_ROLE=AUTHORIZER`): the answer goes to the client as it is.

    private func authorize(mode: String, authorization: String? = nil, accept: String = "application/json", cookie: String? = nil) -> Response {
        var headers = ["Accept": accept]
        if let authorization { headers["Authorization"] = authorization }
        if let cookie { headers["Cookie"] = cookie }
        return responder.respond(.browser(uri: "/api/orders", headers: headers, params: ["FCGI_ROLE": "AUTHORIZER", "OIDC_MODE": mode]))
    }

    @Test func anAuthorizerAllowsATokenWithVariablesOnly() {
        let response = authorize(mode: "api", authorization: "Bearer good-token", cookie: "oidc_session=x; site=keep")
        #expect(response.status == 200)
        #expect(response.headers.allSatisfy { $0.name.text.hasPrefix("Variable-") })
        #expect(response.header("Variable-REMOTE_USER") == "svc-7")
        #expect(response.header("Variable-OIDC_CLIENT_ID") == "reporting")
        #expect(response.header("Variable-OIDC_SCOPE") == "orders:read profile")
        #expect(response.header("Variable-OIDC_CLAIM_email") == "svc@example.com")
        #expect(response.header("Variable-OIDC_UPSTREAM_COOKIE") == "site=keep")
    }

    @Test func anAuthorizerRefusesWithTheChallengeAndTheJSONBodyNeverARedirect() throws {
        for accept in ["application/json", "text/html"] {
            let missing = authorize(mode: "api", accept: accept)
            #expect(missing.status == 401)
            #expect(missing.header("WWW-Authenticate") == #"Bearer realm="orders""#)
            #expect(missing.header("Location") == nil)
            #expect(missing.headers(named: "Set-Cookie").isEmpty)
            // Apache would take a body starting with `/` for an ErrorDocument URL.
            #expect(missing.body.first == UInt8(ascii: "{"))
        }
        let invalid = authorize(mode: "api", authorization: "Bearer not-a-token-anyone-issued", accept: "text/html")
        #expect(invalid.status == 401)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(invalid.body))["error"] == "invalid_token")
        provider.failing = true
        let down = authorize(mode: "api", authorization: "Bearer good-token")
        #expect(down.status == 503)
        #expect(down.header("Variable-REMOTE_USER") == nil)
    }

    @Test func anEitherAuthorizerTakesTheTokenWhenThereIsOneElseStartsALogin() {
        #expect(authorize(mode: "either", authorization: "Bearer good-token").header("Variable-REMOTE_USER") == "svc-7")
        #expect(authorize(mode: "either", authorization: "Bearer revoked", accept: "text/html").header("WWW-Authenticate")?.contains("invalid_token") == true)
        let navigation = authorize(mode: "either", accept: "text/html")
        #expect(navigation.status == 302)
        #expect(navigation.header("WWW-Authenticate") == nil)
    }
}
