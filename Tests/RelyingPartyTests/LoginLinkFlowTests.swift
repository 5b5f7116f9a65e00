import Foundation
import Testing
@testable import RelyingParty

/// `OIDC_ACTION login-link`: `/oidc/login?iss=…&target_link_uri=…&login_hint=…`.
@Suite struct LoginLinkFlowTests {
    private func link(_ flow: FlowHarness, _ query: String, method: String = "GET") -> Response {
        flow.send(flow.request("login-link", uri: "/oidc/login?" + query, method: method))
    }

    private func authorization(_ response: Response) -> [String: String] {
        queryParameters(of: response.header("Location") ?? "")
    }

    @Test func aLinkLoginReturnsToItsTarget() throws {
        let flow = FlowHarness()
        let issuer = FormEncoding.escape(flow.provider.issuer)
        let start = link(flow, "iss=\(issuer)&target_link_uri=%2Freports%3Fyear%3D2027&login_hint=alice%40example.com")
        #expect(start.status == 302)
        let parameters = authorization(start)
        #expect(parameters["login_hint"] == "alice@example.com")
        #expect(parameters["code_challenge_method"] == "S256")
        let back = flow.send(flow.request("callback", uri: flow.callbackURI(for: parameters)))
        #expect(back.status == 302)
        #expect(back.header("Location") == "https://app.example.com/reports?year=2027")
        #expect(flow.auth().status == 200)
    }

    @Test func anIssuerWithOrWithoutTrailingSlashNamesTheProvider() {
        let flow = FlowHarness()
        #expect(link(flow, "iss=" + FormEncoding.escape(flow.provider.issuer + "/")).status == 302)
    }

    @Test func withoutTargetTheLoginReturnsToTheStartPage() {
        let flow = FlowHarness()
        let back = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization(link(flow, "")))))
        #expect(back.header("Location") == "https://app.example.com/")
    }

    @Test func aPostedFormIsAccepted() {
        let flow = FlowHarness()
        var request = flow.request("login-link", uri: "/oidc/login", method: "POST")
        request.params["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        request.body = Array("target_link_uri=%2Fposted&iss=\(FormEncoding.escape(flow.provider.issuer))".utf8)
        let start = flow.send(request)
        #expect(start.status == 302)
        let back = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization(start))))
        #expect(back.header("Location") == "https://app.example.com/posted")
    }

    @Test(arguments: [
        "iss=https%3A%2F%2Fother.example", "provider=nobody", "iss=https%3A%2F%2Fidp.example&provider=nobody",
        "target_link_uri=%2F%2Fevil.example%2F", "target_link_uri=%2F%5Cevil.example", "target_link_uri=https%3A%2F%2Fevil.example%2F",
        "target_link_uri=javascript%3Aalert(1)", "target_link_uri=http%3A%2F%2Fapp.example.com%2F", "target_link_uri=%2Fa&target_link_uri=%2Fb",
        "login_hint=a%0D%0Ab", "login_hint=" + String(repeating: "x", count: 257),
    ])
    func aLinkItCannotHonourIs400AndStartsNothing(_ query: String) {
        let flow = FlowHarness()
        let answer = link(flow, query)
        #expect(answer.status == 400)
        #expect(answer.header("Location") == nil)
        #expect(answer.headers(named: "Set-Cookie").isEmpty)
    }

    @Test func aLinkMayAskForAStricterSignIn() {
        let flow = FlowHarness()
        let parameters = authorization(link(flow, "max_age=0&acr_values=urn%3Amfa%20urn%3Ahw"))
        #expect(parameters["max_age"] == "0")
        #expect(parameters["acr_values"] == "urn:mfa urn:hw")
        #expect(link(flow, "max_age=soon").status == 400)
        #expect(link(flow, "acr_values=a&acr_values=b").status == 400)
    }

    @Test func aLocationAddsAllowedAuthorizationParametersOnly() {
        let flow = FlowHarness()
        let start = flow.send(.browser(uri: "/reports", headers: ["Accept": "text/html"],
                                       params: ["OIDC_ACTION": "login", "OIDC_AUTH_PARAMS": "prompt=login&ui_locales=de%20fr&resource=https%3A%2F%2Fapi.example"]))
        let parameters = authorization(start)
        #expect(parameters["prompt"] == "login" && parameters["ui_locales"] == "de fr" && parameters["resource"] == "https://api.example")
        for forbidden in ["redirect_uri=https%3A%2F%2Fevil.example", "max_age=0", "prompt=login&prompt=none", "scope=openid%20admin", "display=a%0Ab"] {
            let refused = flow.send(.browser(uri: "/reports", headers: ["Accept": "text/html"], params: ["OIDC_ACTION": "login", "OIDC_AUTH_PARAMS": forbidden]))
            #expect(refused.status == 500, "\(forbidden)")
            #expect(refused.header("Location") == nil)
        }
    }

    @Test func onlyGetHeadAndFormPostsAreAccepted() {
        let flow = FlowHarness()
        #expect(link(flow, "", method: "PUT").status == 405)
        var json = flow.request("login-link", uri: "/oidc/login", method: "POST")
        json.params["CONTENT_TYPE"] = "application/json"
        json.body = Array("{}".utf8)
        #expect(flow.send(json).status == 400)
    }
}
