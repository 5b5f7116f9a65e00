import Foundation
import Logging
import Testing
import JOSE
import RelyingParty

/// The login, callback and auth actions end to end through `Responder`, with an
/// in-memory provider, store and clock.
final class FlowHarness {
    let clock = FakeClock()
    let store = FakeStore()
    let provider: FakeProvider
    let responder: Responder
    /// What the core talks to the provider through (the provider, or a wrapper around it).
    let transport: any HTTPTransport
    let sleeper: any Sleeper
    /// The browser's cookie jar.
    var jar = CookieJar()

    init(headers: HeaderSettings = HeaderSettings(claimHeaders: [("X-Email", "email"), ("X-Name", "name")]), userClaim: String = "sub",
         allowedAlgorithms: Set<JWSAlgorithm> = [.hs256], logout: LogoutSettings = LogoutSettings(),
         cookie: CookieSettings = CookieSettings(secure: true), claimRules: ClaimRuleBook = ClaimRuleBook(),
         pages: PageSettings = PageSettings(siteName: "Example App"), tokenRefresh: TokenRefreshSettings = TokenRefreshSettings(),
         sleeper: any Sleeper = ThreadSleeper(), recheckIntervalSeconds: Int64 = 0, transport: (FakeProvider) -> any HTTPTransport = { $0 },
         configureProvider: (inout ProviderSettings) -> Void = { _ in },
         moreProviders: (ProviderSettings) -> [ProviderSettings] = { _ in [] }, metrics: any RelyingPartyMetrics = NoMetrics()) {
        provider = FakeProvider(clock: clock)
        var providerSettings = ProviderSettings(name: "corp", issuer: provider.issuer, clientID: provider.clientID, clientSecret: provider.clientSecret,
                                                scopes: ["openid", "email"], userClaim: userClaim, allowedAlgorithms: allowedAlgorithms)
        configureProvider(&providerSettings)
        let settings = Settings(
            publicOrigin: Origin("https://app.example.com")!, cookie: cookie,
            session: SessionSettings(secrets: [Array("flow-test-secret-of-at-least-32-bytes".utf8)], recheckIntervalSeconds: recheckIntervalSeconds),
            providers: [providerSettings] + moreProviders(providerSettings),
            headers: headers, logout: logout, claimRules: claimRules, pages: pages, tokenRefresh: tokenRefresh)
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["FLOW_LOG"] == nil ? .critical : .debug
        self.transport = transport(provider)
        self.sleeper = sleeper
        responder = Responder(context: RelyingPartyContext(settings: settings, store: store, http: self.transport, clock: clock,
                                                           sleeper: sleeper, logger: logger, metrics: metrics))
    }

    func request(_ action: String, uri: String, headers: [String: String] = ["Accept": "text/html"], method: String = "GET") -> Request {
        .browser(method: method, uri: uri, headers: headers, cookie: jar.header, params: ["OIDC_ACTION": action])
    }

    /// Sends a request and applies its Set-Cookie headers to the jar.
    @discardableResult
    func send(_ request: Request) -> Response {
        let response = responder.respond(request)
        jar.apply(response.headers(named: "Set-Cookie"))
        return response
    }

    /// Starts a login for `uri`; returns the authorization request's parameters.
    func startLogin(uri: String = "/reports?year=2026") -> [String: String] {
        let response = send(request("login", uri: uri))
        precondition(response.status == 302, "login should redirect, got \(response.status)")
        let location = URLComponents(string: response.header("Location")!)!
        return Dictionary(uniqueKeysWithValues: location.queryItems!.map { ($0.name, $0.value ?? "") })
    }

    /// What the provider does after the user logs in: a redirect back with code and state.
    func callbackURI(for authorization: [String: String]) -> String {
        let code = provider.issueCode(nonce: authorization["nonce"]!)
        return "/oidc/callback?code=\(code)&state=\(authorization["state"]!)"
    }

    func auth() -> Response { send(request("auth", uri: "/reports")) }
}

@Suite struct ResponderFlowTests {
    @Test func loginRedirectCarriesEveryProtocolParameter() {
        let flow = FlowHarness()
        let parameters = flow.startLogin()
        #expect(parameters["response_type"] == "code")
        #expect(parameters["client_id"] == "client-1")
        #expect(parameters["redirect_uri"] == "https://app.example.com/oidc/callback")
        #expect(parameters["scope"] == "openid email")
        #expect(parameters["code_challenge_method"] == "S256")
        #expect(parameters["code_challenge"]?.count == 43)
        #expect((parameters["state"]?.count ?? 0) >= 43)
        #expect((parameters["nonce"]?.count ?? 0) >= 43)
        #expect(parameters["state"] != parameters["nonce"])
        #expect(flow.jar.cookies.keys.contains("oidc_state_" + parameters["state"]!))
    }

    @Test func fullLoginCreatesASessionAndAuthAnswersWithIdentityHeaders() throws {
        let flow = FlowHarness()
        #expect(flow.auth().status == 401)
        let authorization = flow.startLogin()
        let back = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
        #expect(back.status == 302)
        #expect(back.header("Location") == "https://app.example.com/reports?year=2026")
        #expect(flow.jar.cookies["oidc_session"] != nil)
        #expect(!flow.jar.cookies.keys.contains { $0.hasPrefix("oidc_state_") })

        // PKCE: the verifier sent to the token endpoint matches the challenge sent to the browser.
        let tokenForm = FormEncoding.decode(String(decoding: flow.provider.lastTokenRequest!.body, as: UTF8.self))
        let verifier = try #require(FormEncoding.single("code_verifier", in: tokenForm))
        #expect(PKCE(verifier: verifier).challenge == authorization["code_challenge"])
        #expect(FormEncoding.single("redirect_uri", in: tokenForm) == "https://app.example.com/oidc/callback")
        // client_secret_basic by default: the secret is in the Authorization header, not the form.
        #expect(flow.provider.lastTokenRequest!.headers.contains { $0.name.lowercased() == "authorization" && $0.value.hasPrefix("Basic ") })
        #expect(FormEncoding.single("client_secret", in: tokenForm) == nil)

        let allowed = flow.auth()
        #expect(allowed.status == 200)
        #expect(allowed.header("X-Remote-User") == "alice")
        #expect(allowed.header("X-Email") == "alice@example.com")
        #expect(allowed.header("X-Name") == "Alice %C3%9Cn%C3%AFcode")
        #expect(allowed.headers(named: "Set-Cookie").isEmpty)
    }

    @Test(arguments: [false, true])
    func theSessionCookieIsABrowserSessionCookieUnlessPersistent(_ persistent: Bool) throws {
        let flow = FlowHarness(cookie: CookieSettings(secure: true, persistent: persistent))
        let back = flow.send(flow.request("callback", uri: flow.callbackURI(for: flow.startLogin())))
        let cookie = try #require(back.headers(named: "Set-Cookie").first { $0.hasPrefix("oidc_session=") })
        if persistent {
            #expect(cookie.contains("Max-Age=28800"), "\(cookie)")  // session.max_lifetime, 8 h by default
        } else {
            #expect(!cookie.contains("Max-Age") && !cookie.contains("Expires"), "\(cookie)")
        }
    }

    @Test func callbackWithoutStateCookieCreatesNoSession() {
        let flow = FlowHarness()
        let authorization = flow.startLogin()
        let uri = flow.callbackURI(for: authorization)
        flow.jar = CookieJar()  // another browser
        let response = flow.send(flow.request("callback", uri: uri))
        #expect(response.status == 400)
        #expect(flow.jar.cookies["oidc_session"] == nil)
        #expect(flow.store.keys.isEmpty)
    }

    @Test func mismatchedAndMissingStateAreRejected() {
        let flow = FlowHarness()
        let authorization = flow.startLogin()
        let code = flow.provider.issueCode(nonce: authorization["nonce"]!)
        #expect(flow.send(flow.request("callback", uri: "/oidc/callback?code=\(code)&state=someone-elses-state")).status == 400)
        #expect(flow.send(flow.request("callback", uri: "/oidc/callback?code=\(code)")).status == 400)
        #expect(flow.send(flow.request("callback", uri: "/oidc/callback?code=\(code)&state=\(authorization["state"]!)&state=x")).status == 400)
        #expect(flow.jar.cookies["oidc_session"] == nil)
    }

    @Test func replayedCallbackIsRejectedEvenWithTheStateCookieKept() {
        let flow = FlowHarness()
        let authorization = flow.startLogin()
        let uri = flow.callbackURI(for: authorization)
        let savedJar = flow.jar
        #expect(flow.send(flow.request("callback", uri: uri)).status == 302)
        // An attacker who captured the response and the state cookie tries again.
        flow.jar = savedJar
        let replay = flow.send(flow.request("callback", uri: uri))
        #expect(replay.status == 400)
        #expect(String(decoding: replay.body, as: UTF8.self).contains("already used"))
        #expect(flow.jar.cookies["oidc_session"] == nil)
    }

    @Test func providerErrorGetsAClearPageAndNoSession() {
        let flow = FlowHarness()
        let authorization = flow.startLogin()
        let response = flow.send(flow.request("callback", uri: "/oidc/callback?error=access_denied&error_description=User+cancelled&state=\(authorization["state"]!)"))
        #expect(response.status == 403)
        let page = String(decoding: response.body, as: UTF8.self)
        #expect(page.contains("access_denied") && page.contains("User cancelled"))
        #expect(flow.jar.cookies["oidc_session"] == nil)
        #expect(flow.jar.cookies.isEmpty)
    }

    @Test func expiredLoginStateRestartsAtTheOriginalPage() {
        let flow = FlowHarness()
        let authorization = flow.startLogin(uri: "/deep/page")
        let uri = flow.callbackURI(for: authorization)
        flow.clock.advance(301)
        let response = flow.send(flow.request("callback", uri: uri))
        #expect(response.status == 302)
        #expect(response.header("Location") == "https://app.example.com/deep/page")
        #expect(flow.jar.cookies["oidc_session"] == nil)
    }

    @Test func wrongNonceInTheIDTokenIsRejected() {
        let flow = FlowHarness()
        let authorization = flow.startLogin()
        let code = flow.provider.issueCode(nonce: "not-the-nonce-we-sent")
        let response = flow.send(flow.request("callback", uri: "/oidc/callback?code=\(code)&state=\(authorization["state"]!)"))
        #expect(response.status == 401)
        #expect(flow.jar.cookies["oidc_session"] == nil)
    }

    @Test func issParameterFromAnotherProviderIsRejected() {
        let flow = FlowHarness()
        let authorization = flow.startLogin()
        let uri = flow.callbackURI(for: authorization) + "&iss=https%3A%2F%2Fevil.example"
        #expect(flow.send(flow.request("callback", uri: uri)).status == 400)
        #expect(flow.jar.cookies["oidc_session"] == nil)
    }

    @Test func userinfoForAnotherSubjectIsRejected() {
        let flow = FlowHarness()
        flow.provider.setUserinfoSubject("mallory")
        let authorization = flow.startLogin()
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization))).status == 502)
        #expect(flow.jar.cookies["oidc_session"] == nil)
    }

    @Test func unusedCodeIsRejectedByTheProvider() {
        let flow = FlowHarness()
        let authorization = flow.startLogin()
        #expect(flow.send(flow.request("callback", uri: "/oidc/callback?code=forged&state=\(authorization["state"]!)")).status == 502)
        #expect(flow.jar.cookies["oidc_session"] == nil)
    }

    @Test func unsafeReturnTargetFallsBackToTheSiteRoot() {
        let flow = FlowHarness()
        let authorization = flow.startLogin(uri: "//evil.example/phish")
        let back = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
        #expect(back.header("Location") == "https://app.example.com/")
    }

    @Test func nonNavigationGets401InsteadOfARedirect() {
        let flow = FlowHarness()
        let response = flow.send(flow.request("login", uri: "/api/items", headers: ["Accept": "application/json"]))
        #expect(response.status == 401)
        #expect(flow.jar.cookies.isEmpty)
    }

    @Test func providerDownGivesA503LoginPage() {
        let flow = FlowHarness()
        flow.provider.down = true
        #expect(flow.send(flow.request("login", uri: "/")).status == 503)
        #expect(flow.jar.cookies.isEmpty)
    }

    @Test func storeDownDeniesAuthAndFailsTheCallback() {
        let flow = FlowHarness()
        let authorization = flow.startLogin()
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization))).status == 302)
        flow.store.failing = true
        let denied = flow.auth()
        #expect(denied.status == 503)
        #expect(denied.header("X-Remote-User") == nil)
        let second = flow.startLogin()
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: second))).status == 503)
        flow.store.failing = false
        #expect(flow.auth().status == 200)
    }

    @Test func storeKnownDownAnswersTheLoginStartWith503InsteadOfSendingTheBrowserToTheProvider() {
        let flow = FlowHarness()
        flow.store.knownDown = true
        let response = flow.send(flow.request("login", uri: "/reports"))
        #expect(response.status == 503)
        #expect(response.header("Location") == nil)
        #expect(response.header("Retry-After") != nil)
        #expect(flow.jar.cookies.isEmpty, "no login state for a login that could not finish")
        flow.store.knownDown = false
        #expect(flow.send(flow.request("login", uri: "/reports")).status == 302)
    }

    @Test func tamperedAndExpiredSessionCookiesGet401() {
        let flow = FlowHarness()
        let authorization = flow.startLogin()
        flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
        let good = flow.jar.cookies["oidc_session"]!
        var bytes = Array(good.utf8)
        bytes[5] = bytes[5] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        flow.jar.cookies["oidc_session"] = String(decoding: bytes, as: UTF8.self)
        #expect(flow.auth().status == 401)
        flow.jar.cookies["oidc_session"] = good
        #expect(flow.auth().status == 200)
        flow.clock.advance(3601)
        #expect(flow.auth().status == 401)
    }

    @Test func missingClaimStillSendsAnEmptyHeader() {
        let flow = FlowHarness(headers: HeaderSettings(claimHeaders: [("X-Groups", "groups")]))
        let authorization = flow.startLogin()
        flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
        let allowed = flow.auth()
        #expect(allowed.status == 200)
        #expect(allowed.headers(named: "X-Groups") == [""])
    }

    @Test func unknownActionIsAServerError() {
        let flow = FlowHarness()
        #expect(flow.send(flow.request("bogus", uri: "/")).status == 500)
    }
}

@Suite struct AuthAnswerTests {
    @Test func theApplicationGetsTheCookieHeaderWithoutOurCookies() {
        let flow = FlowHarness()
        flow.send(flow.request("callback", uri: flow.callbackURI(for: flow.startLogin())))
        let session = flow.jar.cookies["oidc_session"]!
        let response = flow.responder.respond(.browser(uri: "/", cookie: "theme=dark; oidc_session=\(session); oidc_session=stale; lang=en", params: ["OIDC_ACTION": "auth"]))
        #expect(response.status == 200)
        #expect(response.header("OIDC-Upstream-Cookie") == "theme=dark; lang=en")
        let alone = flow.responder.respond(.browser(uri: "/", cookie: "oidc_session=\(session)", params: ["OIDC_ACTION": "auth"]))
        #expect(alone.status == 200)
        #expect(alone.header("OIDC-Upstream-Cookie") == nil)
    }

    @Test func anIdentityTooLargeToSendIsDeniedNotPassed() {
        let flow = FlowHarness(headers: HeaderSettings(maxValueBytes: 64), userClaim: "name")
        flow.provider.setClaim("name", .string(String(repeating: "u", count: 100)))
        flow.send(flow.request("callback", uri: flow.callbackURI(for: flow.startLogin())))
        #expect(flow.jar.cookies["oidc_session"] != nil)
        #expect(flow.auth().status == 403)
    }
}
