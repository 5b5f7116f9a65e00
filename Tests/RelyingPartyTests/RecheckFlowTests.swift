import Foundation
import Testing
@testable import RelyingParty

/// `session.recheck_interval`: silent re-checks with `prompt=none`.
@Suite struct RecheckFlowTests {
    private let navigation = ["Accept": "text/html", "Sec-Fetch-Mode": "navigate"]

    private func signedIn(groups: [String] = ["admins"]) -> FlowHarness {
        let flow = FlowHarness(recheckIntervalSeconds: 600)
        flow.provider.setClaim("groups", .array(groups.map { .string($0) }))
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: flow.startLogin()))).status == 302)
        return flow
    }

    private func auth(_ flow: FlowHarness, headers: [String: String], params: [String: String] = [:]) -> Response {
        flow.send(.browser(uri: "/admin", headers: headers, cookie: flow.jar.header, params: ["OIDC_ACTION": "auth"].merging(params) { $1 }))
    }

    private func recheckLogin(_ flow: FlowHarness) -> [String: String] {
        let start = flow.send(.browser(uri: "/admin", headers: navigation, cookie: flow.jar.header, params: ["OIDC_ACTION": "login", "OIDC_RECHECK": "1"]))
        #expect(start.status == 302)
        return queryParameters(of: start.header("Location") ?? "")
    }

    @Test func aNavigationAfterTheIntervalIsSentToRecheckOthersAreNot() {
        let flow = signedIn()
        #expect(auth(flow, headers: navigation).status == 200)
        flow.clock.advance(600)
        let due = auth(flow, headers: navigation)
        #expect(due.status == 401)
        #expect(due.header("OIDC-Recheck") == "1")
        // Never for API or XHR requests, nor for 401 and pass locations.
        #expect(auth(flow, headers: ["Accept": "application/json", "Sec-Fetch-Mode": "cors"]).status == 200)
        #expect(auth(flow, headers: ["X-Requested-With": "XMLHttpRequest", "Accept": "*/*"]).status == 200)
        #expect(auth(flow, headers: navigation, params: ["OIDC_UNAUTHENTICATED": "401"]).status == 200)
        #expect(auth(flow, headers: navigation, params: ["OIDC_UNAUTHENTICATED": "pass"]).status == 200)
    }

    @Test func theRecheckAsksWithPromptNoneAndReplacesTheSessionKeepingItsLifetime() throws {
        let flow = signedIn(groups: ["admins"])
        let firstCookie = try #require(flow.jar.header)
        flow.clock.advance(600)
        let authorization = recheckLogin(flow)
        #expect(authorization["prompt"] == "none")
        flow.provider.setClaim("groups", .array([.string("staff")]))
        let back = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
        #expect(back.status == 302 && back.header("Location") == "https://app.example.com/admin")
        // Fresh claims decide: no longer an admin.
        #expect(auth(flow, headers: navigation, params: ["OIDC_REQUIRE": "groups:admins"]).status == 403)
        #expect(auth(flow, headers: navigation).status == 200)
        // The checked session is gone.
        #expect(flow.send(.browser(uri: "/admin", headers: navigation, cookie: firstCookie, params: ["OIDC_ACTION": "auth"])).status == 401)
        // Its lifetime did not start over: the new session ends when the first would have.
        flow.clock.advance(8 * 3600 - 600)
        #expect(auth(flow, headers: ["Accept": "application/json", "Sec-Fetch-Mode": "cors"]).status == 401)
    }

    @Test func loginRequiredEndsTheSessionAndSendsTheUserBackToTheirPage() {
        let flow = signedIn()
        flow.clock.advance(600)
        let authorization = recheckLogin(flow)
        let back = flow.send(flow.request("callback", uri: "/oidc/callback?error=login_required&state=\(authorization["state"]!)"))
        #expect(back.status == 302)
        #expect(back.header("Location") == "https://app.example.com/admin")
        #expect(back.headers(named: "Set-Cookie").contains { $0.hasPrefix("oidc_session=") && $0.contains("Max-Age=0") })
        // The page now starts a normal login.
        let again = auth(flow, headers: navigation)
        #expect(again.status == 401 && again.header("OIDC-Recheck") == nil)
        let login = flow.send(flow.request("login", uri: "/admin", headers: navigation))
        #expect(login.header("Location")?.contains("prompt=none") == false)
    }

    @Test func theAuthorizerStartsTheRecheckItself() {
        let flow = signedIn()
        flow.clock.advance(600)
        let answer = flow.send(.browser(uri: "/admin", headers: navigation, cookie: flow.jar.header, params: ["FCGI_ROLE": "AUTHORIZER"]))
        #expect(answer.status == 302)
        #expect(answer.header("Location")?.contains("prompt=none") == true)
    }

    @Test func withoutAnIntervalSessionsAreNeverRechecked() {
        let flow = FlowHarness()
        flow.send(flow.request("callback", uri: flow.callbackURI(for: flow.startLogin())))
        for _ in 0..<6 {
            flow.clock.advance(3000)
            #expect(auth(flow, headers: navigation).status == 200)
        }
    }
}
