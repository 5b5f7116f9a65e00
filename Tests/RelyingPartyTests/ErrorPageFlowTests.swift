import Foundation
import Testing
@testable import RelyingParty

/// The error pages a login can end on, through `Responder`.
@Suite struct ErrorPageFlowTests {
    private let navigation = ["Accept": "text/html", "Sec-Fetch-Mode": "navigate"]

    private func text(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func aProviderErrorIsShownInPlainWordsWithItsDescriptionEscaped() {
        let flow = FlowHarness()
        let authorization = flow.startLogin(uri: "/reports?year=2026")
        let description = FormEncoding.escape("<script>alert('x')</script> denied")
        let page = flow.send(flow.request("callback", uri: "/oidc/callback?error=access_denied&error_description=\(description)&state=\(authorization["state"]!)",
                                          headers: navigation))
        #expect(page.status == 403)
        let html = text(page)
        #expect(html.contains("Sign-in was cancelled"))
        #expect(html.contains("access_denied"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; denied"))
        // "Try again" goes back to the page the user wanted, not to the callback.
        #expect(html.contains(#"href="https://app.example.com/reports?year=2026">Try again"#))
        #expect(html.contains("Example App"))
        #expect(page.headers(named: "Set-Cookie").contains { $0.hasPrefix("oidc_state_") && $0.contains("Max-Age=0") })
    }

    @Test func aDenyWithoutStateIsACancelledSignInThatClearsTheLoginCookies() {
        let flow = FlowHarness()
        _ = flow.startLogin()
        _ = flow.startLogin(uri: "/other")
        let page = flow.send(flow.request("callback", uri: "/oidc/callback?error=access_denied", headers: navigation))
        #expect(page.status == 403)
        #expect(text(page).contains("Sign-in was cancelled"))
        #expect(!text(page).contains("has no state"))
        let cleared = page.headers(named: "Set-Cookie").filter { $0.hasPrefix("oidc_state_") && $0.contains("Max-Age=0") }
        #expect(cleared.count == 2)
        #expect(flow.jar.header?.contains("oidc_state_") != true)
    }

    @Test func aProviderWhoseDiscoveryNamesAnotherIssuerIsAConfigurationErrorNotTryAgainLater() {
        let flow = FlowHarness(transport: { provider in IssuerRewritingTransport(wrapping: provider) })
        let page = flow.send(flow.request("login", uri: "/reports", headers: navigation))
        #expect(page.status == 500)
        #expect(text(page).contains("Sign-in is misconfigured"))
        #expect(text(page).contains("Reference "))
        #expect(page.header("Retry-After") == nil)
    }

    @Test func aLoginThatCannotBeStoredOffersTryAgain() {
        let flow = FlowHarness()
        let authorization = flow.startLogin(uri: "/wanted")
        flow.store.failing = true
        let page = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization), headers: navigation))
        #expect(page.status == 503)
        #expect(page.header("Retry-After") == "5")
        #expect(text(page).contains(#"href="https://app.example.com/wanted">Try again"#))
    }

    @Test func nginxsUnavailablePageIsTheSamePageOrJSONForAPIs() throws {
        let flow = FlowHarness()
        let page = flow.send(.browser(uri: "/reports?x=1", headers: navigation, params: ["OIDC_ACTION": "unavailable"]))
        #expect(page.status == 503)
        #expect(page.header("Retry-After") == "10")
        #expect(text(page).contains("Sign-in unavailable"))
        #expect(text(page).contains(#"href="https://app.example.com/reports?x=1">Try again"#))
        let api = flow.send(.browser(uri: "/api/x", headers: navigation, params: ["OIDC_ACTION": "unavailable", "OIDC_MODE": "api"]))
        #expect(api.status == 503 && api.header("Retry-After") == "10")
        let body = try JSONDecoder().decode([String: String].self, from: Data(api.body))
        #expect(body["error"] == "temporarily_unavailable" && body["correlation_id"] != nil)
    }
}

/// The provider's discovery document, with another issuer in it.
struct IssuerRewritingTransport: HTTPTransport {
    let wrapping: any HTTPTransport

    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        var response = try wrapping.perform(request)
        if request.url.hasSuffix("/.well-known/openid-configuration") {
            response.body = Array(String(decoding: response.body, as: UTF8.self)
                .replacingOccurrences(of: #""issuer":"https://idp.example""#, with: #""issuer":"https://other.example""#).utf8)
        }
        return response
    }
}
