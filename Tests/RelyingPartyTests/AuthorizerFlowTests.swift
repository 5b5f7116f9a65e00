import Foundation
import Testing
import RelyingParty

/// The Apache FastCGI authorizer answer (`FCGI_ROLE=AUTHORIZER`) through `Responder`.
@Suite struct AuthorizerFlowTests {
    func authorizer(_ flow: FlowHarness, uri: String = "/reports", headers: [String: String] = ["Accept": "text/html"],
                    params: [String: String] = [:]) -> Request {
        .browser(uri: uri, headers: headers, cookie: flow.jar.header, params: ["FCGI_ROLE": "AUTHORIZER"].merging(params) { _, new in new })
    }

    func loggedIn() -> FlowHarness {
        let flow = FlowHarness(headers: HeaderSettings(claimHeaders: [("X-Email", "email"), ("X-Name", "name"), ("X-Mail-Again", "email"), ("X-Odd", "https://x/y-z")]))
        let authorization = flow.startLogin()
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization))).status == 302)
        return flow
    }

    @Test func noSessionStartsTheLoginStraightFromTheAuthorizer() {
        let flow = FlowHarness()
        let response = flow.send(authorizer(flow, uri: "/reports?year=2026"))
        #expect(response.status == 302)
        #expect(response.header("Location")?.hasPrefix(flow.provider.issuer) == true)
        #expect(response.headers(named: "Set-Cookie").contains { $0.hasPrefix("oidc_state_") })
    }

    @Test func noSessionForANonNavigationIsA401NeverARedirect() {
        let flow = FlowHarness()
        let response = flow.send(authorizer(flow, headers: ["Accept": "application/json"]))
        #expect(response.status == 401)
        #expect(response.header("WWW-Authenticate") != nil)
        #expect(response.headers(named: "Set-Cookie").isEmpty)
        #expect(response.body.first != UInt8(ascii: "/"))
    }

    @Test func validSessionIsA200WithOnlyVariableHeaders() {
        let flow = loggedIn()
        flow.jar.cookies["site"] = "keep"
        let response = flow.send(authorizer(flow))
        #expect(response.status == 200)
        #expect(response.headers.allSatisfy { $0.name.text.hasPrefix("Variable-") })
        #expect(response.header("Variable-REMOTE_USER") == "alice")
        #expect(response.header("Variable-OIDC_CLAIM_email") == "alice@example.com")
        #expect(response.header("Variable-OIDC_CLAIM_name") == "Alice %C3%9Cn%C3%AFcode")
        #expect(response.headers(named: "Variable-OIDC_CLAIM_email").count == 1)
        #expect(response.header("Variable-OIDC_CLAIM_https___x_y_z") == "")
        #expect(response.header("Variable-OIDC_UPSTREAM_COOKIE") == "site=keep")
        #expect(response.body.isEmpty)
    }

    @Test func storeDownIsA503NeverAnAllow() {
        let flow = loggedIn()
        flow.store.failing = true
        let response = flow.send(authorizer(flow))
        #expect(response.status == 503)
        #expect(response.header("Retry-After") != nil)
        #expect(response.headers(named: "Set-Cookie").isEmpty)
        #expect(response.header("Variable-REMOTE_USER") == nil)
    }

    @Test func unknownProviderIsAMisconfigurationNeverAnAllow() {
        let flow = loggedIn()
        let response = flow.send(authorizer(flow, params: ["OIDC_PROVIDER": "nope"]))
        #expect(response.status == 500)
        #expect(response.header("Variable-REMOTE_USER") == nil)
    }

    @Test func anotherActionForAnAuthorizerIsAMisconfiguration() {
        let flow = loggedIn()
        #expect(flow.send(authorizer(flow, params: ["OIDC_ACTION": "callback"])).status == 500)
        #expect(flow.send(authorizer(flow, params: ["OIDC_ACTION": "auth"])).status == 200)
    }

    @Test func variableNamesOfOddClaims() {
        #expect(AuthorizerVariables.variableName(forClaim: "email") == "email")
        #expect(AuthorizerVariables.variableName(forClaim: "https://ex.com/roles") == "https___ex_com_roles")
        let names = AuthorizerVariables(settings: HeaderSettings(claimHeaders: [("X-A", "a"), ("X-B", "a"), ("X-C", "b-c")])).names
        #expect(names == ["REMOTE_USER", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_SCOPE", "OIDC_CLAIM_a", "OIDC_CLAIM_b_c", "OIDC_UPSTREAM_COOKIE", "OIDC_ANONYMOUS"])
    }
}
