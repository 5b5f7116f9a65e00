import Foundation
import Testing
import RelyingParty

/// RP-initiated logout through `Responder`: the end-session request, the way
/// back with its state, and POST-only mode.
@Suite struct LogoutFlowTests {
    private func loggedIn(_ logout: LogoutSettings = LogoutSettings()) -> FlowHarness {
        let flow = FlowHarness(logout: logout)
        let authorization = flow.startLogin()
        let callback = flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization)))
        precondition(callback.status == 302, "login should succeed")
        precondition(flow.auth().status == 200, "the session should be valid")
        return flow
    }

    private func query(_ location: String?) -> [String: String] {
        let items = URLComponents(string: location ?? "")?.queryItems ?? []
        return Dictionary(uniqueKeysWithValues: items.map { ($0.name, $0.value ?? "") })
    }

    private func post(_ flow: FlowHarness, body: String, origin: String?) -> Response {
        var headers = ["Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"]
        if let origin { headers["Origin"] = origin }
        var request = flow.request("logout", uri: "/oidc/logout", headers: headers, method: "POST")
        request.body = Array(body.utf8)
        return flow.send(request)
    }

    @Test func theEndSessionRequestCarriesStateHintClientAndTheRegisteredURI() throws {
        let flow = loggedIn()
        let response = flow.send(flow.request("logout", uri: "/oidc/logout?return_to=/goodbye"))
        #expect(response.status == 302)
        let location = try #require(response.header("Location"))
        #expect(location.hasPrefix(flow.provider.issuer + "/logout?"))
        let sent = query(location)
        #expect(sent["post_logout_redirect_uri"] == "https://app.example.com/oidc/logout")
        #expect(sent["client_id"] == flow.provider.clientID)
        #expect(sent["id_token_hint"]?.split(separator: ".").count == 3)
        #expect((sent["state"]?.count ?? 0) >= 32)
        #expect(flow.auth().status == 401)
    }

    @Test func theWayBackLandsWhereTheLogoutAsked() throws {
        let flow = loggedIn()
        let state = try #require(query(flow.send(flow.request("logout", uri: "/oidc/logout?return_to=/goodbye")).header("Location"))["state"])
        let back = flow.send(flow.request("logout", uri: "/oidc/logout?state=\(state)"))
        #expect(back.status == 302)
        #expect(back.header("Location") == "https://app.example.com/goodbye")
        // The state is used up with its cookie: the same link again lands on the post-logout page.
        let again = flow.send(flow.request("logout", uri: "/oidc/logout?state=\(state)"))
        #expect(again.header("Location") == "https://app.example.com/oidc/logout?signed_out")
    }

    @Test func anUnknownStateOrAProviderErrorLandsOnThePostLogoutPage() throws {
        let flow = loggedIn(LogoutSettings(postLogoutURL: "/signed-out"))
        _ = flow.send(flow.request("logout", uri: "/oidc/logout?return_to=/goodbye"))
        #expect(flow.send(flow.request("logout", uri: "/oidc/logout?state=forged")).header("Location") == "https://app.example.com/signed-out")
        // Without return_to, the post-logout page is where the logout returns to.
        let other = loggedIn(LogoutSettings(postLogoutURL: "/signed-out"))
        let state = try #require(query(other.send(other.request("logout", uri: "/oidc/logout")).header("Location"))["state"])
        let back = other.send(other.request("logout", uri: "/oidc/logout?state=\(state)&error=access_denied"))
        #expect(back.header("Location") == "https://app.example.com/signed-out")
    }

    @Test func theWayBackEndsNothing() {
        let flow = loggedIn()
        // A forged "way back" link must not work as a logout link.
        let response = flow.send(flow.request("logout", uri: "/oidc/logout?state=anything"))
        #expect(response.status == 302)
        #expect(flow.auth().status == 200)
    }

    @Test func postOnlyModeAsksForAClickAndRefusesOtherSites() throws {
        let flow = loggedIn(LogoutSettings(postOnly: true))
        let page = flow.send(flow.request("logout", uri: "/oidc/logout?return_to=/goodbye"))
        #expect(page.status == 200)
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(html.contains(#"<form method="post" action="/oidc/logout">"#) && html.contains(#"value="/goodbye""#))
        #expect(flow.auth().status == 200)
        #expect(post(flow, body: "return_to=%2Fgoodbye", origin: "https://evil.example").status == 403)
        #expect(flow.auth().status == 200)
        let done = post(flow, body: "return_to=%2Fgoodbye", origin: "https://app.example.com")
        #expect(done.status == 302)
        #expect(query(done.header("Location"))["state"] != nil)
        #expect(flow.auth().status == 401)
    }

    @Test func postOnlyModeWithoutASessionJustLandsOnThePostLogoutPage() {
        let flow = FlowHarness(logout: LogoutSettings(postOnly: true))
        let response = flow.send(flow.request("logout", uri: "/oidc/logout"))
        #expect(response.status == 302)
        #expect(response.header("Location") == "https://app.example.com/oidc/logout?signed_out")
    }

    @Test func theDefaultLandingIsASignedOutPageThatEndsNothing() throws {
        let flow = loggedIn(LogoutSettings(postOnly: true))
        let page = flow.send(flow.request("logout", uri: "/oidc/logout?signed_out"))
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self).contains("You have been signed out"))
        #expect(page.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        #expect(page.headers(named: "Set-Cookie").isEmpty)
        #expect(flow.auth().status == 200)
    }

    @Test func anOffSiteReturnIsRefused() {
        let flow = loggedIn()
        #expect(flow.send(flow.request("logout", uri: "/oidc/logout?return_to=https://evil.example/")).status == 400)
        #expect(flow.auth().status == 200)
    }
}
