import Testing
import RelyingParty

/// `OIDC_UNAUTHENTICATED`: what a location does without a valid session.
@Suite struct UnauthenticatedActionTests {
    private func request(_ flow: FlowHarness, _ action: String, _ value: String?, headers: [String: String] = ["Accept": "text/html", "Sec-Fetch-Mode": "navigate"]) -> Request {
        var params = ["OIDC_ACTION": action]
        if let value { params["OIDC_UNAUTHENTICATED"] = value }
        return .browser(uri: "/news", headers: headers, cookie: flow.jar.header, params: params)
    }

    private func logIn(_ flow: FlowHarness) {
        let authorization = flow.startLogin()
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization))).status == 302)
    }

    @Test func passWithoutASessionIsAnAllowWithEveryIdentityHeaderEmpty() {
        let flow = FlowHarness()
        let answer = flow.send(request(flow, "auth", "pass"))
        #expect(answer.status == 200)
        #expect(answer.headers.map(\.name.text) == ["X-Remote-User", "X-Remote-Issuer", "X-Email", "X-Name"])
        #expect(answer.headers.allSatisfy { $0.value.isEmpty })
        // A cookie that names no session is the same as none.
        flow.jar.cookies["oidc_session"] = String(repeating: "A", count: 43)
        #expect(flow.send(request(flow, "auth", "PASS")).status == 200)
    }

    @Test func theAuthorizersAnonymousAllowNamesAPlaceholderUserAndSaysAnonymous() {
        let flow = FlowHarness()
        let anonymous = flow.send(.browser(uri: "/news", headers: ["Accept": "text/html"], params: ["FCGI_ROLE": "AUTHORIZER", "OIDC_UNAUTHENTICATED": "pass"]))
        #expect(anonymous.status == 200)
        // mod_authnz_fcgi answers 500 for an empty user; the include files hand on an empty one.
        #expect(anonymous.header("Variable-REMOTE_USER") == "-")
        #expect(anonymous.header("Variable-OIDC_ANONYMOUS") == "1")
        #expect(anonymous.header("Variable-OIDC_CLAIM_email") == "")
        logIn(flow)
        let signedIn = flow.send(.browser(uri: "/news", headers: ["Accept": "text/html"], cookie: flow.jar.header,
                                          params: ["FCGI_ROLE": "AUTHORIZER", "OIDC_UNAUTHENTICATED": "pass"]))
        #expect(signedIn.header("Variable-REMOTE_USER") == "alice")
        #expect(signedIn.header("Variable-OIDC_ANONYMOUS") == "")
    }

    @Test func passWithASessionCarriesTheIdentity() {
        let flow = FlowHarness()
        logIn(flow)
        let answer = flow.send(request(flow, "auth", "pass"))
        #expect(answer.status == 200)
        #expect(answer.header("X-Remote-User") == "alice")
    }

    @Test func passNeverTurnsAStoreFailureIntoAnAllow() {
        let flow = FlowHarness()
        logIn(flow)
        flow.store.failing = true
        let answer = flow.send(request(flow, "auth", "pass"))
        #expect(answer.status == 503)
        #expect(answer.header("X-Remote-User") == nil)
    }

    @Test func passWithCookiesTooLargeToHandOnIsDeniedForNginxAndTheAuthorizer() {
        let flow = FlowHarness()
        let cookie = "big=" + String(repeating: "x", count: 9000)
        let navigation = ["Accept": "text/html", "Sec-Fetch-Mode": "navigate"]
        let nginx = flow.responder.respond(.browser(uri: "/news", headers: navigation, cookie: cookie,
                                                    params: ["OIDC_ACTION": "auth", "OIDC_UNAUTHENTICATED": "pass"]))
        #expect(nginx.status == 403)
        let authorizer = flow.responder.respond(.browser(uri: "/news", headers: navigation, cookie: cookie,
                                                         params: ["FCGI_ROLE": "AUTHORIZER", "OIDC_UNAUTHENTICATED": "pass"]))
        #expect(authorizer.status == 403)
        #expect(authorizer.header("Location") == nil)
    }

    @Test func unauthorizedLocationsAnswer401EvenToANavigation() {
        let flow = FlowHarness()
        #expect(flow.send(request(flow, "auth", "401")).status == 401)
        let login = flow.send(request(flow, "login", "401"))
        #expect(login.status == 401)
        #expect(login.header("Location") == nil)
        #expect(login.headers(named: "Set-Cookie").isEmpty, "no login is started")
        #expect(flow.send(request(flow, "login", "redirect")).status == 302)
        #expect(flow.send(request(flow, "login", nil)).status == 302)
    }

    @Test(arguments: ["allow", "402", " pass", "redirect;pass"])
    func anUnknownValueIsAServerErrorNeverAnAllow(_ value: String) {
        let flow = FlowHarness()
        for action in ["auth", "login"] {
            #expect(flow.send(request(flow, action, value)).status == 500)
        }
        let authorizer = Request.browser(uri: "/news", params: ["FCGI_ROLE": "AUTHORIZER", "OIDC_UNAUTHENTICATED": value])
        #expect(flow.send(authorizer).status == 500)
    }

    @Test func theAuthorizerPassesAnonymouslyOrRefusesWithoutARedirect() {
        let flow = FlowHarness()
        let pass = flow.send(Request.browser(uri: "/news", headers: ["Accept": "text/html", "Sec-Fetch-Mode": "navigate"],
                                             params: ["FCGI_ROLE": "AUTHORIZER", "OIDC_UNAUTHENTICATED": "pass"]))
        #expect(pass.status == 200)
        #expect(pass.header("Variable-OIDC_ANONYMOUS") == "1")
        let refused = flow.send(Request.browser(uri: "/news", headers: ["Accept": "text/html", "Sec-Fetch-Mode": "navigate"],
                                                params: ["FCGI_ROLE": "AUTHORIZER", "OIDC_UNAUTHENTICATED": "401"]))
        #expect(refused.status == 401)
        #expect(refused.header("Location") == nil)
    }
}
