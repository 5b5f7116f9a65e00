import Foundation
import Testing
@testable import RelyingParty

/// A location open to several providers (`OIDC_PROVIDER="corp partner"`): any
/// listed provider's session passes, a browser without one chooses.
@Suite struct ProviderChoiceFlowTests {
    private let navigation = ["Accept": "text/html", "Sec-Fetch-Mode": "navigate"]

    /// `corp` and `partner` (the same fake provider under another name and client), and `other`.
    private func twoProviders(recheckIntervalSeconds: Int64 = 0, partnerDisplayName: String? = "Partner <b>\"Co\" & 'Sons'</b>") -> FlowHarness {
        FlowHarness(recheckIntervalSeconds: recheckIntervalSeconds, configureProvider: { $0.displayName = "Corp Staff" }, moreProviders: { corp in
            var partner = corp
            partner.name = "partner"
            partner.displayName = partnerDisplayName ?? "partner"
            var other = corp
            other.name = "other"
            return [partner, other]
        })
    }

    private func send(_ flow: FlowHarness, _ action: String, providers: String?, uri: String = "/reports?year=2026",
                      headers: [String: String]? = nil, params: [String: String] = [:]) -> Response {
        var all = params.merging(["OIDC_ACTION": action]) { $1 }
        if let providers { all["OIDC_PROVIDER"] = providers }
        return flow.send(.browser(uri: uri, headers: headers ?? navigation, cookie: flow.jar.header, params: all))
    }

    /// Logs in through the login link of `provider`, as a choice on the page does.
    private func logIn(_ flow: FlowHarness, at provider: String) {
        let start = flow.send(flow.request("login-link", uri: "/oidc/login?provider=\(provider)&target_link_uri=%2Freports"))
        #expect(start.status == 302)
        let authorization = queryParameters(of: start.header("Location") ?? "")
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization))).status == 302)
    }

    private func body(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    // MARK: OIDC_PROVIDER

    @Test func aListNamesProvidersInItsOrder() throws {
        let settings = twoProvidersSettings()
        #expect(try LocationProviders.parse(nil, in: settings).providers.map(\.name) == ["corp"])
        #expect(try LocationProviders.parse("", in: settings).providers.map(\.name) == ["corp"])
        #expect(try LocationProviders.parse("partner", in: settings).providers.map(\.name) == ["partner"])
        #expect(try LocationProviders.parse("partner corp", in: settings).providers.map(\.name) == ["partner", "corp"])
        #expect(try LocationProviders.parse(" corp \t partner ", in: settings).providers.map(\.name) == ["corp", "partner"])
        #expect(try !LocationProviders.parse("corp", in: settings).offersChoice)
        #expect(try LocationProviders.parse("corp partner", in: settings).offersChoice)
    }

    @Test(arguments: [
        ("corp nobody", LocationProviders.Problem.unknown("nobody")), ("corp,partner", .unknown("corp,partner")),
        ("corp partner corp", .repeated("corp")), ("   ", .blank),
    ])
    func aMalformedListIsAConfigurationError(_ text: String, _ problem: LocationProviders.Problem) {
        #expect(throws: problem) { try LocationProviders.parse(text, in: twoProvidersSettings()) }
    }

    private func twoProvidersSettings() -> Settings {
        let corp = ProviderSettings(name: "corp", issuer: "https://corp.example", clientID: "c", clientSecret: "s")
        let partner = ProviderSettings(name: "partner", issuer: "https://partner.example", clientID: "c", clientSecret: "s")
        return Settings(publicOrigin: Origin("https://app.example.com")!, session: SessionSettings(secrets: [Array("x".utf8)]), providers: [corp, partner])
    }

    @Test(arguments: ["corp nobody", "corp corp", "  "])
    func aMalformedListIs500EverywhereAndNeverALogin(_ text: String) {
        let flow = twoProviders()
        #expect(send(flow, "login", providers: text).status == 500)
        logIn(flow, at: "corp")
        #expect(send(flow, "auth", providers: text).status == 500)
        #expect(flow.send(.browser(uri: "/reports", headers: navigation, cookie: flow.jar.header,
                                   params: ["FCGI_ROLE": "AUTHORIZER", "OIDC_PROVIDER": text])).status == 500)
    }

    // MARK: sessions

    @Test func aSessionOfAnyListedProviderPassesAndOfAnUnlistedOneDoesNot() {
        let flow = twoProviders()
        logIn(flow, at: "partner")
        #expect(send(flow, "auth", providers: "corp partner").status == 200)
        #expect(send(flow, "auth", providers: "partner").status == 200)
        #expect(send(flow, "auth", providers: "corp").status == 401)
        #expect(send(flow, "auth", providers: "corp other").status == 401)
        #expect(send(flow, "auth", providers: nil).status == 401)  // the first provider, corp
    }

    @Test func theIssuerHeaderNamesTheProviderThatAuthenticated() {
        let flow = twoProviders()
        logIn(flow, at: "corp")
        let allowed = send(flow, "auth", providers: "partner corp")
        #expect(allowed.status == 200)
        #expect(allowed.header("X-Remote-Issuer") == flow.provider.issuer)
        let authorizer = flow.send(.browser(uri: "/reports", headers: navigation, cookie: flow.jar.header,
                                            params: ["FCGI_ROLE": "AUTHORIZER", "OIDC_PROVIDER": "partner corp"]))
        #expect(authorizer.status == 200)
        #expect(authorizer.header("Variable-OIDC_ISSUER") == flow.provider.issuer)
        // Without a session in a `pass` location the header is there, empty.
        flow.jar = CookieJar()
        let anonymous = send(flow, "auth", providers: "partner corp", params: ["OIDC_UNAUTHENTICATED": "pass"])
        #expect(anonymous.status == 200 && anonymous.headers.contains { $0.name.text == "X-Remote-Issuer" && $0.value.isEmpty })
    }

    // MARK: the choice page

    @Test func aBrowserWithoutSessionGetsTheChoicePage() throws {
        let flow = twoProviders()
        #expect(send(flow, "auth", providers: "corp partner").status == 401)
        let page = send(flow, "login", providers: "corp partner")
        #expect(page.status == 401)
        #expect(page.header("Location") == nil)
        #expect(page.headers(named: "Set-Cookie").isEmpty, "choosing starts nothing yet")
        #expect(page.header("Cache-Control") == "no-store")
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.header("Content-Security-Policy") == BuiltInPageTemplate.contentSecurityPolicy)
        let html = body(page)
        #expect(html.contains("<h1>Choose how to sign in</h1>"))
        let corp = "/oidc/login?provider=corp&amp;target_link_uri=https%3A%2F%2Fapp.example.com%2Freports%3Fyear%3D2026"
        let partner = "/oidc/login?provider=partner&amp;target_link_uri=https%3A%2F%2Fapp.example.com%2Freports%3Fyear%3D2026"
        #expect(html.contains("<a href=\"\(corp)\">Sign in with Corp Staff</a>"), "\(html)")
        #expect(html.contains("<a href=\"\(partner)\">Sign in with Partner &lt;b&gt;&quot;Co&quot; &amp; &#39;Sons&#39;&lt;/b&gt;</a>"), "\(html)")
        #expect(html.range(of: "provider=corp")!.lowerBound < html.range(of: "provider=partner")!.lowerBound, "in the location's order")
        #expect(!html.contains("<b>"))
    }

    @Test func aStepUpLocationsChoicesCarryItsDemand() {
        let flow = twoProviders()
        let html = body(send(flow, "login", providers: "corp partner", params: ["OIDC_MAX_AGE": "0", "OIDC_ACR_VALUES": "urn:mfa"]))
        #expect(html.contains("provider=corp&amp;target_link_uri=https%3A%2F%2Fapp.example.com%2Freports%3Fyear%3D2026&amp;max_age=0&amp;acr_values=urn%3Amfa"), "\(html)")
    }

    @Test func eachChoiceLogsInAtItsProviderAndLandsOnTheWantedPage() throws {
        for name in ["corp", "partner"] {
            let flow = twoProviders()
            let html = body(send(flow, "login", providers: "corp partner"))
            let start = try #require(html.range(of: "/oidc/login?provider=\(name)&amp;"))
            let href = String(html[start.lowerBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            let link = flow.send(flow.request("login-link", uri: href))
            #expect(link.status == 302)
            let authorization = queryParameters(of: link.header("Location") ?? "")
            let back = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
            #expect(back.header("Location") == "https://app.example.com/reports?year=2026")
            #expect(send(flow, "auth", providers: "corp partner").status == 200)
            #expect(send(flow, "auth", providers: name).status == 200)
        }
    }

    @Test func apiAndXHRRequestsGet401JSONNeverThePage() {
        let flow = twoProviders()
        for headers in [["Accept": "application/json"], ["X-Requested-With": "XMLHttpRequest", "Accept": "*/*"]] {
            let answer = send(flow, "login", providers: "corp partner", headers: headers)
            #expect(answer.status == 401)
            #expect(answer.header("Content-Type") == "application/json")
            #expect(!body(answer).contains("oidc/login"))
        }
    }

    @Test func oneNameKeepsTheRedirectWithoutAPage() {
        let flow = twoProviders()
        let start = send(flow, "login", providers: "partner")
        #expect(start.status == 302)
        #expect(start.header("Location")?.hasPrefix(flow.provider.issuer) == true)
    }

    @Test func theAuthorizerAnswersThePageAs401NeverAsAnAllow() {
        let flow = twoProviders()
        let page = flow.send(.browser(uri: "/reports", headers: navigation, cookie: flow.jar.header,
                                      params: ["FCGI_ROLE": "AUTHORIZER", "OIDC_PROVIDER": "corp partner"]))
        #expect(page.status == 401)
        #expect(page.headers.allSatisfy { !$0.name.text.hasPrefix("Variable-") })
        #expect(body(page).contains("/oidc/login?provider=partner"))
    }

    @Test func theDisplayNameDefaultsToTheName() {
        let flow = twoProviders(partnerDisplayName: nil)
        #expect(body(send(flow, "login", providers: "corp partner")).contains(">Sign in with partner</a>"))
        #expect(ProviderSettings(name: "x", issuer: "https://x", clientID: "c", clientSecret: "s").displayName == "x")
    }

    @Test func aRecheckAtAChoiceLocationGoesToTheSessionsProvider() throws {
        let flow = twoProviders(recheckIntervalSeconds: 600)
        logIn(flow, at: "partner")
        flow.clock.advance(600)
        let due = send(flow, "auth", providers: "corp partner")
        #expect(due.status == 401)
        #expect(due.header("OIDC-Recheck") == "partner")
        let start = send(flow, "login", providers: "corp partner", params: ["OIDC_RECHECK": "partner"])
        #expect(start.status == 302)
        let items = URLComponents(string: start.header("Location") ?? "")?.queryItems ?? []
        #expect(items.contains { $0.name == "prompt" && $0.value == "none" })
        // A name the location does not list is no re-check: the choice, as for no session.
        #expect(send(flow, "login", providers: "corp partner", params: ["OIDC_RECHECK": "other"]).status == 401)
    }

    // MARK: the template

    @Test func theProviderListIsASectionOfTheTemplate() throws {
        let template = try PageTemplate(parsing: "<h1>{{title}}</h1>{{#providers}}<a href=\"{{provider_url}}\">{{provider_name}}</a>;{{/providers}}")
        #expect(template.render(["title": "T"], lists: ["providers": [["provider_name": "<A>", "provider_url": "/x?a=1&b=2"], ["provider_name": "B", "provider_url": "/y"]]])
            == "<h1>T</h1><a href=\"/x?a=1&amp;b=2\">&lt;A&gt;</a>;<a href=\"/y\">B</a>;")
        #expect(template.render(["title": "T"]) == "<h1>T</h1>")
    }

    @Test(arguments: ["{{provider_name}}", "{{providers}}", "{{#providers}}{{#providers}}{{/providers}}{{/providers}}", "{{#provider_url}}x{{/provider_url}}"])
    func anItemPlaceholderOutsideItsListIsATemplateError(_ source: String) {
        #expect(throws: PageTemplate.ParseError.self) { try PageTemplate(parsing: source) }
    }
}
