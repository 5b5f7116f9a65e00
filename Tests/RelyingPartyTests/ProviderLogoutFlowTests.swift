import Foundation
import Testing
import JOSE
import RelyingParty

/// Back-channel and front-channel logout through `Responder`: the sessions they
/// end, and the requests that must end nothing.
@Suite struct ProviderLogoutFlowTests {
    /// Logs a new browser in with provider session `sid`; returns its cookie jar.
    private func login(_ flow: FlowHarness, sid: String, subject: String = "alice") -> CookieJar {
        flow.jar = CookieJar()
        flow.provider.setSessionID(sid)
        flow.provider.setSubject(subject)
        let authorization = flow.startLogin()
        let callback = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
        precondition(callback.status == 302, "login should succeed, got \(callback.status)")
        return flow.jar
    }

    private func isLoggedIn(_ flow: FlowHarness, _ jar: CookieJar) -> Bool {
        flow.jar = jar
        return flow.auth().status == 200
    }

    private func backchannel(_ flow: FlowHarness, token: String?, method: String = "POST",
                             contentType: String = "application/x-www-form-urlencoded") -> Response {
        var request = Request.browser(method: method, uri: "/oidc/backchannel-logout", headers: ["Content-Type": contentType],
                                      cookie: nil, params: ["OIDC_ACTION": "backchannel-logout"])
        request.params["CONTENT_TYPE"] = contentType
        request.body = Array((token.map { "logout_token=" + FormEncoding.escape($0) } ?? "").utf8)
        return flow.responder.respond(request)
    }

    private func error(of response: Response) -> String? {
        guard case .object(let object)? = JSONValue.parse(response.body) else { return nil }
        return object["error"]?.stringValue
    }

    @Test func aTokenWithSidEndsOnlyThatSession() {
        let flow = FlowHarness()
        let laptop = login(flow, sid: "sid-laptop"), phone = login(flow, sid: "sid-phone")
        let answer = backchannel(flow, token: flow.provider.logoutToken(sub: nil, sid: "sid-laptop"))
        #expect(answer.status == 200)
        #expect(answer.header("Cache-Control") == "no-store")
        #expect(!isLoggedIn(flow, laptop))
        #expect(isLoggedIn(flow, phone))
    }

    @Test func aTokenWithOnlySubEndsEverySessionOfTheUser() {
        let flow = FlowHarness()
        let laptop = login(flow, sid: "sid-laptop"), phone = login(flow, sid: "sid-phone")
        let bob = login(flow, sid: "sid-bob", subject: "bob")
        #expect(backchannel(flow, token: flow.provider.logoutToken(sub: "alice")).status == 200)
        #expect(!isLoggedIn(flow, laptop))
        #expect(!isLoggedIn(flow, phone))
        #expect(isLoggedIn(flow, bob))
        // A new login after the logout works.
        let again = login(flow, sid: "sid-new")
        #expect(isLoggedIn(flow, again))
    }

    @Test func aReplayedTokenIsRefusedAndEndsNothing() {
        let flow = FlowHarness()
        _ = login(flow, sid: "sid-1")
        let token = flow.provider.logoutToken(sub: "alice")
        #expect(backchannel(flow, token: token).status == 200)
        let fresh = login(flow, sid: "sid-2")
        let replay = backchannel(flow, token: token)
        #expect(replay.status == 400)
        #expect(error(of: replay) == "invalid_request")
        #expect(isLoggedIn(flow, fresh), "a replay must not end the user's new session")
    }

    @Test(arguments: [
        "nonce", "bad-signature", "wrong-aud", "wrong-iss", "iat-past", "iat-future", "no-events", "other-event",
        "no-sub-no-sid", "no-jti", "no-iat", "expired", "at+jwt-typ", "alg-none", "not-a-jwt",
    ])
    func aBadTokenIsRefusedWith400AndEndsNothing(kind: String) {
        let flow = FlowHarness()
        let jar = login(flow, sid: "sid-1")
        let provider = flow.provider
        let token: String
        switch kind {
        case "nonce": token = provider.logoutToken(changes: ["nonce": .string("n")])
        case "bad-signature": token = provider.logoutToken(key: "another-secret-that-is-long-enough-0000")
        case "wrong-aud": token = provider.logoutToken(changes: ["aud": .string("someone-else")])
        case "wrong-iss": token = provider.logoutToken(changes: ["iss": .string("https://evil.example")])
        case "iat-past": token = provider.logoutToken(changes: ["iat": .integer(flow.clock.now() - 3600), "exp": .null])
        case "iat-future": token = provider.logoutToken(changes: ["iat": .integer(flow.clock.now() + 3600)])
        case "no-events": token = provider.logoutToken(changes: ["events": .null])
        case "other-event": token = provider.logoutToken(changes: ["events": .object(["urn:other": .object([:])])])
        case "no-sub-no-sid": token = provider.logoutToken(sub: nil, sid: nil)
        case "no-jti": token = provider.logoutToken(changes: ["jti": .null])
        case "no-iat": token = provider.logoutToken(changes: ["iat": .null])
        case "expired": token = provider.logoutToken(changes: ["exp": .integer(flow.clock.now() - 600)])
        case "at+jwt-typ": token = provider.logoutToken(header: #"{"alg":"HS256","typ":"at+jwt"}"#)
        case "alg-none":
            let parts = provider.logoutToken().split(separator: ".")
            token = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + parts[1] + "."
        default: token = "not-a-jwt"
        }
        let answer = backchannel(flow, token: token)
        #expect(answer.status == 400, "\(kind)")
        #expect(error(of: answer) == "invalid_request")
        #expect(answer.header("Cache-Control") == "no-store")
        #expect(answer.header("Content-Type") == "application/json")
        #expect(isLoggedIn(flow, jar), "\(kind) ended the session")
    }

    @Test func malformedRequestsAreRefused() {
        let flow = FlowHarness()
        let jar = login(flow, sid: "sid-1")
        let token = flow.provider.logoutToken()
        #expect(backchannel(flow, token: token, method: "GET").status == 405)
        #expect(backchannel(flow, token: token, contentType: "application/json").status == 400)
        #expect(backchannel(flow, token: nil).status == 400)
        #expect(backchannel(flow, token: String(repeating: "a", count: 20_000)).status == 400)
        var twice = Request.browser(method: "POST", uri: "/oidc/backchannel-logout", headers: [:], cookie: nil, params: ["OIDC_ACTION": "backchannel-logout"])
        twice.params["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        twice.body = Array("logout_token=\(token)&logout_token=\(token)".utf8)
        #expect(flow.responder.respond(twice).status == 400)
        #expect(isLoggedIn(flow, jar))
    }

    @Test func aStoreOutageIsA503AndTheProvidersRetryStillWorks() {
        let flow = FlowHarness()
        let jar = login(flow, sid: "sid-1")
        let token = flow.provider.logoutToken(sub: "alice")
        flow.store.failing = true
        let answer = backchannel(flow, token: token)
        #expect(answer.status == 503)
        #expect(error(of: answer) == "temporarily_unavailable")
        flow.store.failing = false
        #expect(isLoggedIn(flow, jar))
        #expect(backchannel(flow, token: token).status == 200, "the retry of the same token is not a replay")
        #expect(!isLoggedIn(flow, jar))
    }

    @Test func theEndpointIsFoundByItsPathWithoutAnAction() {
        let flow = FlowHarness()
        let jar = login(flow, sid: "sid-1")
        var request = Request.browser(method: "POST", uri: "/oidc/backchannel-logout", headers: [:], cookie: nil, params: [:])
        request.params["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        request.body = Array(("logout_token=" + flow.provider.logoutToken(sub: nil, sid: "sid-1")).utf8)
        #expect(flow.responder.respond(request).status == 200)
        #expect(!isLoggedIn(flow, jar))
    }

    // MARK: front-channel

    private func frontchannel(_ flow: FlowHarness, jar: CookieJar?, query: String) -> Response {
        flow.jar = jar ?? CookieJar()
        return flow.send(flow.request("frontchannel-logout", uri: "/oidc/frontchannel-logout?" + query))
    }

    private func issQuery(_ flow: FlowHarness, sid: String, iss: String? = nil) -> String {
        "iss=\(FormEncoding.escape(iss ?? flow.provider.issuer))&sid=\(FormEncoding.escape(sid))"
    }

    @Test func theRightIssAndSidWithTheCookieEndTheSession() {
        let flow = FlowHarness()
        let jar = login(flow, sid: "sid-1")
        let page = frontchannel(flow, jar: jar, query: issQuery(flow, sid: "sid-1"))
        #expect(page.status == 200)
        #expect(page.header("Cache-Control") == "no-cache, no-store")
        #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(page.headers(named: "Set-Cookie").contains { $0.hasPrefix("oidc_session=;") || $0.contains("Max-Age=0") })
        #expect(!isLoggedIn(flow, jar))
    }

    @Test func theRightIssAndSidWithoutACookieEndTheSession() {
        let flow = FlowHarness()
        let jar = login(flow, sid: "sid-1"), other = login(flow, sid: "sid-2")
        #expect(frontchannel(flow, jar: nil, query: issQuery(flow, sid: "sid-1")).status == 200)
        #expect(!isLoggedIn(flow, jar))
        #expect(isLoggedIn(flow, other))
    }

    @Test func aWrongSidOrIssWithTheCookieEndsNothing() {
        let flow = FlowHarness()
        let jar = login(flow, sid: "sid-1"), other = login(flow, sid: "sid-2")
        // Another provider session named while this browser's cookie is sent: nothing at all ends.
        #expect(frontchannel(flow, jar: jar, query: issQuery(flow, sid: "sid-2")).status == 200)
        #expect(isLoggedIn(flow, jar) && isLoggedIn(flow, other))
        #expect(frontchannel(flow, jar: jar, query: issQuery(flow, sid: "sid-1", iss: "https://evil.example")).status == 400)
        #expect(isLoggedIn(flow, jar))
        #expect(frontchannel(flow, jar: jar, query: "sid=sid-1").status == 400)
        #expect(frontchannel(flow, jar: jar, query: "iss=\(FormEncoding.escape(flow.provider.issuer))").status == 400)
        #expect(isLoggedIn(flow, jar))
    }
}
