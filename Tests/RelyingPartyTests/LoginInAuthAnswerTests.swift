import Foundation
import Synchronization
import Testing
@testable import RelyingParty

/// The login redirect carried in nginx's 401 auth answer (`OIDC_LOGIN_IN_AUTH_ANSWER on`):
/// what `@oidc_login` sends without asking a second time, and when it is left to it.
@Suite struct LoginInAuthAnswerTests {
    private let navigation = ["Accept": "text/html", "Sec-Fetch-Mode": "navigate"]

    private func auth(_ flow: FlowHarness, headers: [String: String]? = nil, params: [String: String] = [:]) -> Response {
        let all = ["OIDC_ACTION": "auth", LoginInAuthAnswer.parameter: "on"].merging(params) { $1 }
        return flow.responder.respond(.browser(uri: "/reports?year=2026", headers: headers ?? navigation, cookie: flow.jar.header, params: all))
    }

    /// The cookies the auth answer hands to nginx, in order.
    private func carriedCookies(_ answer: Response) -> [String] {
        LoginInAuthAnswer.cookieHeaders.compactMap { answer.header($0.text) }
    }

    /// A flow whose provider metadata is loaded (by one login, then forgotten by the browser).
    private func warmedUp(recheckIntervalSeconds: Int64 = 0) -> FlowHarness {
        let flow = FlowHarness(recheckIntervalSeconds: recheckIntervalSeconds)
        _ = flow.startLogin()
        flow.jar = CookieJar()
        return flow
    }

    @Test func theCarriedRedirectLogsTheUserIn() throws {
        let flow = warmedUp()
        let answer = auth(flow)
        #expect(answer.status == 401)
        #expect(answer.header("Set-Cookie") == nil, "nginx hands on only the first Set-Cookie: none is sent as such")
        #expect(answer.header("Cache-Control") == nil)
        let location = try #require(answer.header(LoginInAuthAnswer.locationHeader.text))
        let parameters = queryParameters(of: location)
        #expect(location.hasPrefix(flow.provider.issuer))
        #expect(parameters["client_id"] == "client-1")
        #expect(parameters["code_challenge_method"] == "S256")
        let cookies = carriedCookies(answer)
        #expect(cookies.count == 1)
        #expect(cookies[0].hasPrefix("oidc_state_" + parameters["state"]! + "="))
        #expect(cookies[0].contains("HttpOnly") && cookies[0].contains("Secure"))

        // The browser gets what nginx sends from these headers, and the login completes.
        flow.jar.apply(cookies)
        let back = flow.send(flow.request("callback", uri: flow.callbackURI(for: parameters)))
        #expect(back.status == 302)
        #expect(back.header("Location") == "https://app.example.com/reports?year=2026")
        #expect(flow.auth().status == 200)
    }

    @Test func aLocationThatDidNotChooseGetsTheCarriedRedirect() {
        // `fastcgi_param OIDC_LOGIN_IN_AUTH_ANSWER $oidc_login_in_auth_answer;` with the variable unset.
        let flow = warmedUp()
        #expect(auth(flow, params: [LoginInAuthAnswer.parameter: ""]).header(LoginInAuthAnswer.locationHeader.text) != nil)
    }

    @Test func itIsTheLoginLocationsOwnRedirect() throws {
        let flow = warmedUp()
        let params = ["OIDC_AUTH_PARAMS": "ui_locales=de", "OIDC_MAX_AGE": "300"]
        let carried = queryParameters(of: try #require(auth(flow, params: params).header(LoginInAuthAnswer.locationHeader.text)))
        let direct = flow.responder.respond(.browser(uri: "/reports?year=2026", headers: navigation, params: params.merging(["OIDC_ACTION": "login"]) { $1 }))
        let asked = queryParameters(of: try #require(direct.header("Location")))
        #expect(carried["ui_locales"] == "de" && carried["max_age"] == "300")
        // The same request but for its fresh state, nonce and PKCE.
        let fresh: Set = ["state", "nonce", "code_challenge"]
        #expect(carried.filter { !fresh.contains($0.key) } == asked.filter { !fresh.contains($0.key) })
    }

    @Test func staleLoginStatesAreDeletedThroughTheCarriedCookies() {
        let flow = warmedUp()
        _ = flow.startLogin()
        _ = flow.startLogin()
        flow.clock.advance(301)  // both states outlived login.timeout
        let cookies = carriedCookies(auth(flow))
        #expect(cookies.count == 3)
        #expect(cookies.filter { $0.contains("Max-Age=0") }.count == 2)
        #expect(!cookies[2].contains("Max-Age=0"), "the new state comes last")
    }

    @Test func aDueRecheckIsCarriedWithPromptNone() throws {
        let flow = FlowHarness(recheckIntervalSeconds: 600)
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: flow.startLogin()))).status == 302)
        flow.clock.advance(600)
        let answer = auth(flow)
        #expect(answer.status == 401)
        #expect(queryParameters(of: try #require(answer.header(LoginInAuthAnswer.locationHeader.text)))["prompt"] == "none")
    }

    @Test func whatIsNotAPlainRedirectIsLeftToTheLoginLocation() {
        let flow = warmedUp()
        let plain401: (Response) -> Bool = { $0.status == 401 && $0.header(LoginInAuthAnswer.locationHeader.text) == nil && $0.headers.count <= 1 }
        // Include files that do not hand over what the login needs.
        #expect(plain401(flow.responder.respond(.browser(uri: "/r", headers: navigation, params: ["OIDC_ACTION": "auth"]))))
        #expect(plain401(auth(flow, params: [LoginInAuthAnswer.parameter: "1"])))
        // A site that keeps the redirect (and its server's add_header lines) with oidc-fcgi.
        #expect(plain401(auth(flow, params: [LoginInAuthAnswer.parameter: "off"])))
        // Scripts, and locations that never redirect.
        #expect(plain401(auth(flow, headers: ["Accept": "application/json", "Sec-Fetch-Mode": "cors"])))
        #expect(plain401(auth(flow, headers: ["X-Requested-With": "XMLHttpRequest", "Accept": "*/*"])))
        #expect(plain401(auth(flow, params: ["OIDC_UNAUTHENTICATED": "401"])))
        // A location naming a provider that does not exist: its error page comes from @oidc_login.
        #expect(auth(flow, params: ["OIDC_PROVIDER": "nope"]).header(LoginInAuthAnswer.locationHeader.text) == nil)
        // A malformed step-up demand: the same.
        #expect(plain401(auth(flow, params: ["OIDC_MAX_AGE": "soon"])))
    }

    @Test func neverAsksAProviderWhoseMetadataIsNotLoaded() {
        let counting = Box<CountingTransport>()
        let flow = FlowHarness(transport: { provider in
            counting.value = CountingTransport(provider)
            return counting.value!
        })
        let first = auth(flow)
        #expect(first.status == 401)
        #expect(first.header(LoginInAuthAnswer.locationHeader.text) == nil)
        #expect(counting.value?.calls.load(ordering: .relaxed) == 0, "the auth answer did not fetch the metadata")
        // The login location then does, as before.
        #expect(flow.send(flow.request("login", uri: "/reports", headers: navigation)).status == 302)
        #expect((counting.value?.calls.load(ordering: .relaxed) ?? 0) > 0)
    }

    @Test func aLocationWithSeveralProvidersGetsItsChoicePageFromTheLoginLocation() {
        let flow = FlowHarness(moreProviders: { corp in
            var partner = corp
            partner.name = "partner"
            return [partner]
        })
        _ = flow.startLogin()
        flow.jar = CookieJar()
        let answer = auth(flow, params: ["OIDC_PROVIDER": "corp partner"])
        #expect(answer.status == 401)
        #expect(answer.header(LoginInAuthAnswer.locationHeader.text) == nil)
    }
}

/// Counts the calls to the provider.
private final class CountingTransport: HTTPTransport {
    let inner: any HTTPTransport
    let calls = Atomic<Int>(0)

    init(_ inner: any HTTPTransport) { self.inner = inner }

    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        calls.add(1, ordering: .relaxed)
        return try inner.perform(request)
    }
}

private final class Box<T>: @unchecked Sendable {
    var value: T?
}
