import Foundation
import Testing
@testable import RelyingParty

/// Step-up and freshness: `max_age` and `acr_values` per provider and per
/// location (`OIDC_MAX_AGE`, `OIDC_ACR_VALUES`), checked from the session record.
@Suite struct StepUpFlowTests {
    private let navigation = ["Accept": "text/html", "Sec-Fetch-Mode": "navigate"]
    private let api = ["Accept": "application/json", "Sec-Fetch-Mode": "cors"]

    private func text(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    /// A browser that logged in (auth_time: the login, acr as given) at the clock's now.
    private func signedIn(acr: String? = "urn:password", configureProvider: @escaping (inout ProviderSettings) -> Void = { _ in }) -> FlowHarness {
        let flow = FlowHarness(configureProvider: configureProvider)
        flow.provider.setIDTokenClaim("auth_time", .integer(flow.clock.now()))
        if let acr { flow.provider.setIDTokenClaim("acr", .string(acr)) }
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: flow.startLogin()))).status == 302)
        return flow
    }

    private func auth(_ flow: FlowHarness, headers: [String: String], params: [String: String]) -> Response {
        flow.send(.browser(uri: "/admin", headers: headers, cookie: flow.jar.header, params: ["OIDC_ACTION": "auth"].merging(params) { $1 }))
    }

    /// The login `@oidc_login` starts for the location; the authorization request's parameters.
    private func login(_ flow: FlowHarness, params: [String: String]) -> [String: String] {
        let start = flow.send(.browser(uri: "/admin", headers: navigation, cookie: flow.jar.header, params: ["OIDC_ACTION": "login"].merging(params) { $1 }))
        #expect(start.status == 302)
        let items = URLComponents(string: start.header("Location") ?? "")?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    @Test func theAuthorizationRequestCarriesTheLocationsDemandOverTheProviders() {
        let flow = FlowHarness(configureProvider: { $0.maxAge = 3600; $0.acrValues = ["urn:password"] })
        let plain = login(flow, params: [:])
        #expect(plain["max_age"] == "3600")
        #expect(plain["acr_values"] == "urn:password")
        let demanding = login(flow, params: ["OIDC_MAX_AGE": "0", "OIDC_ACR_VALUES": "urn:mfa urn:hwk"])
        #expect(demanding["max_age"] == "0")
        #expect(demanding["acr_values"] == "urn:mfa urn:hwk")
        // Without any, neither is sent.
        let none = login(FlowHarness(), params: [:])
        #expect(none["max_age"] == nil && none["acr_values"] == nil)
    }

    @Test func aSessionOlderThanTheLocationsMaxAgeLogsInAgainAndTheNewLoginReplacesIt() throws {
        let flow = signedIn()
        let firstCookie = try #require(flow.jar.header)
        #expect(auth(flow, headers: navigation, params: ["OIDC_MAX_AGE": "600"]).status == 200)
        flow.clock.advance(700)
        let stale = auth(flow, headers: navigation, params: ["OIDC_MAX_AGE": "600"])
        #expect(stale.status == 401)
        #expect(stale.header("OIDC-Recheck") == nil)
        // Locations without a demand still take the session.
        #expect(auth(flow, headers: navigation, params: [:]).status == 200)
        let authorization = login(flow, params: ["OIDC_MAX_AGE": "600"])
        #expect(authorization["max_age"] == "600")
        flow.provider.setIDTokenClaim("auth_time", .integer(flow.clock.now()))
        let back = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
        #expect(back.status == 302 && back.header("Location") == "https://app.example.com/admin")
        #expect(auth(flow, headers: navigation, params: ["OIDC_MAX_AGE": "600"]).status == 200)
        // The weaker session is gone from the store.
        #expect(flow.send(.browser(uri: "/admin", headers: navigation, cookie: firstCookie, params: ["OIDC_ACTION": "auth"])).status == 401)
    }

    @Test func maxAgeZeroServesThePageAfterItsFreshLoginAndAsksAgainLater() {
        let flow = signedIn()
        let demand = ["OIDC_MAX_AGE": "0"]
        // A sign-in for another page does not count, even in the same second.
        #expect(auth(flow, headers: navigation, params: demand).status == 401)
        flow.clock.advance(5)
        #expect(auth(flow, headers: navigation, params: demand).status == 401)
        flow.clock.advance(120)
        #expect(auth(flow, headers: navigation, params: demand).status == 401)
        let authorization = login(flow, params: demand)
        #expect(authorization["max_age"] == "0")
        // The user takes a while at the provider's form, whose clock runs 20 s behind.
        flow.clock.advance(45)
        flow.provider.setIDTokenClaim("auth_time", .integer(flow.clock.now() - 20))
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization))).status == 302)
        // Back on the page: served, not sent round again.
        flow.clock.advance(1)
        #expect(auth(flow, headers: navigation, params: demand).status == 200)
        #expect(auth(flow, headers: navigation, params: demand).status == 200)
        // A later visit needs another fresh sign-in.
        flow.clock.advance(600)
        #expect(auth(flow, headers: navigation, params: demand).status == 401)
        // The session itself lives on for pages that do not ask.
        #expect(auth(flow, headers: navigation, params: [:]).status == 200)
    }

    @Test func aReusedProviderSessionIsRefusedWhenMaxAgeWantsAFreshSignIn() {
        let flow = signedIn()
        let signedInAt = flow.clock.now()
        flow.clock.advance(900)
        let authorization = login(flow, params: ["OIDC_MAX_AGE": "300"])
        // The provider answered from its old session without asking the user.
        flow.provider.setIDTokenClaim("auth_time", .integer(signedInAt))
        let refused = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
        #expect(refused.status == 401)
        #expect(text(refused).contains("Recent sign-in required"))
        #expect(text(refused).contains("https://app.example.com/admin"))
    }

    @Test func anIDTokenWithoutAuthTimeIsRefusedWhenMaxAgeWasSent() {
        let flow = FlowHarness(configureProvider: { $0.maxAge = 3600 })
        let authorization = flow.startLogin()
        #expect(authorization["max_age"] == "3600")
        let refused = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
        #expect(refused.status == 401)
        #expect(text(refused).contains("did not say when you signed in"))
        #expect(!flow.jar.header.map { $0.contains("oidc_session=") }.isTrue)
        // Without max_age, auth_time is optional.
        let plain = FlowHarness()
        #expect(plain.send(plain.request("callback", uri: plain.callbackURI(for: plain.startLogin()))).status == 302)
    }

    @Test func extremeTimesNeitherCrashNorPass() {
        for authTime in [Int64.min, -1, 0] {
            let flow = FlowHarness()
            flow.provider.setIDTokenClaim("auth_time", .integer(authTime))
            let authorization = login(flow, params: ["OIDC_MAX_AGE": "600"])
            #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization))).status == 401)
        }
        // The largest max_age a location may state admits a sign-in in 1970.
        let flow = FlowHarness()
        flow.provider.setIDTokenClaim("auth_time", .integer(0))
        let authorization = login(flow, params: ["OIDC_MAX_AGE": "9999999999"])
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization))).status == 302)
        #expect(auth(flow, headers: navigation, params: ["OIDC_MAX_AGE": "9999999999"]).status == 200)
    }

    @Test func anAcrThatIsNotAmongTheLocationsValuesIsRefusedAtLogin() {
        let flow = FlowHarness()
        flow.provider.setIDTokenClaim("acr", .string("urn:password"))
        let authorization = login(flow, params: ["OIDC_ACR_VALUES": "urn:mfa"])
        let refused = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
        #expect(refused.status == 401)
        #expect(text(refused).contains("Stronger sign-in required"))
        // The provider's own acr_values are a wish: another acr is taken and recorded.
        let wish = FlowHarness(configureProvider: { $0.acrValues = ["urn:mfa"] })
        wish.provider.setIDTokenClaim("acr", .string("urn:password"))
        #expect(wish.send(wish.request("callback", uri: wish.callbackURI(for: wish.startLogin()))).status == 302)
        #expect(auth(wish, headers: navigation, params: ["OIDC_ACR_VALUES": "urn:mfa"]).status == 401)
    }

    @Test func aWeakerSessionStepsUpAndTheStrongerOneIsServed() {
        let flow = signedIn(acr: "urn:password")
        let demand = ["OIDC_ACR_VALUES": "urn:mfa"]
        #expect(auth(flow, headers: navigation, params: demand).status == 401)
        let authorization = login(flow, params: demand)
        #expect(authorization["acr_values"] == "urn:mfa")
        flow.provider.setIDTokenClaim("acr", .string("urn:mfa"))
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization))).status == 302)
        #expect(auth(flow, headers: navigation, params: demand).status == 200)
        // A session without acr never meets a demand for one.
        let unknown = signedIn(acr: nil)
        #expect(auth(unknown, headers: navigation, params: demand).status == 401)
    }

    @Test func apiAndXHRRequestsAreNeverRedirected() {
        let flow = signedIn()
        flow.clock.advance(700)
        let demand = ["OIDC_MAX_AGE": "60"]
        #expect(auth(flow, headers: api, params: demand).status == 401)
        let login = flow.send(.browser(uri: "/admin", headers: api, cookie: flow.jar.header, params: ["OIDC_ACTION": "login"].merging(demand) { $1 }))
        #expect(login.status == 401)
        #expect(login.header("Location") == nil)
        let xhr = flow.send(.browser(uri: "/admin", headers: ["X-Requested-With": "XMLHttpRequest", "Accept": "*/*"], cookie: flow.jar.header,
                                     params: ["FCGI_ROLE": "AUTHORIZER"].merging(demand) { $1 }))
        #expect(xhr.status == 401 && xhr.header("Location") == nil)
    }

    @Test func theAuthorizerStartsTheStepUpLoginItself() {
        let flow = signedIn()
        flow.clock.advance(700)
        let answer = flow.send(.browser(uri: "/admin", headers: navigation, cookie: flow.jar.header,
                                        params: ["FCGI_ROLE": "AUTHORIZER", "OIDC_MAX_AGE": "60"]))
        #expect(answer.status == 302)
        #expect(answer.header("Location")?.contains("max_age=60") == true)
    }

    @Test func aMalformedDemandIsAConfigurationError() {
        let flow = signedIn()
        #expect(auth(flow, headers: navigation, params: ["OIDC_MAX_AGE": "-1"]).status == 500)
        #expect(auth(flow, headers: navigation, params: ["OIDC_MAX_AGE": "5m"]).status == 500)
        #expect(flow.send(.browser(uri: "/admin", headers: navigation, cookie: flow.jar.header,
                                   params: ["OIDC_ACTION": "login", "OIDC_ACR_VALUES": "urn:mfa\u{1}"])).status == 500)
    }

    @Test func theLoginStateCookieStaysSmall() throws {
        let flow = FlowHarness()
        let start = flow.send(.browser(uri: "/admin", headers: navigation, params: ["OIDC_ACTION": "login", "OIDC_MAX_AGE": "0", "OIDC_ACR_VALUES": "urn:mfa"]))
        let plain = flow.send(.browser(uri: "/admin", headers: navigation, params: ["OIDC_ACTION": "login"]))
        let size = { (response: Response) in response.headers(named: "Set-Cookie").first { $0.hasPrefix("oidc_state_") }?.count ?? 0 }
        #expect(size(start) > 0 && size(start) - size(plain) < 40)
    }
}

private extension Optional where Wrapped == Bool {
    var isTrue: Bool { self ?? false }
}
