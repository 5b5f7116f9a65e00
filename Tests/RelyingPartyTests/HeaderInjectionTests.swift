import Testing
import RelyingParty

/// Request data never becomes a header name, and no header can carry CR, LF
/// or NUL, whatever a handler is given.
@Suite struct HeaderInjectionTests {
    private static let injected = ["abc%0D%0AX-Injected:%20yes", "abc%0AX-Injected:%20yes", "abc%0DX-Injected:%20yes", "abc%00X-Injected:%20yes",
                                   "%0D%0ASet-Cookie:%20oidc_session=attacker"]

    private func expectClean(_ response: Response, sourceLocation: SourceLocation = #_sourceLocation) {
        for header in response.headers {
            #expect(HeaderValue.isClean(header.value), "header \(header.name) carries a control character", sourceLocation: sourceLocation)
            #expect(!header.name.text.lowercased().contains("injected"), sourceLocation: sourceLocation)
            #expect(!header.value.contains("attacker"), sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: injected)
    func callbackStateNeverReachesAHeader(_ state: String) {
        let flow = FlowHarness()
        let response = flow.send(flow.request("callback", uri: "/oidc/callback?code=x&state=\(state)"))
        #expect(response.status == 400)
        #expect(response.headers(named: "Set-Cookie").isEmpty)
        expectClean(response)
    }

    @Test(arguments: injected)
    func callbackStateByPostNeverReachesAHeader(_ state: String) {
        let flow = FlowHarness()
        var request = flow.request("callback", uri: "/oidc/callback", method: "POST")
        request.body = Array("code=x&state=\(state)".utf8)
        let response = flow.send(request)
        #expect(response.status == 400)
        #expect(response.headers(named: "Set-Cookie").isEmpty)
        expectClean(response)
    }

    @Test func hostileCookieNamesAndValuesAreNeverEchoed() {
        let flow = FlowHarness()
        let hostile = "oidc_state_\(WellFormedState.named("a"))\r\nX-Injected: yes=1; oidc_state_x\nSet-Cookie: oidc_session=attacker=1; oidc_session=\r\nX-Injected: 1"
        for action in ["auth", "login", "callback", "logout"] {
            let request = Request.browser(uri: action == "callback" ? "/oidc/callback?code=x&state=\(WellFormedState.named("a"))" : "/x",
                                          headers: ["Accept": "text/html"], cookie: hostile, params: ["OIDC_ACTION": action])
            let response = flow.responder.respond(request)
            expectClean(response)
        }
    }

    @Test func logoutReturnURLWithLineBreaksIsRefused() {
        let flow = FlowHarness()
        let response = flow.send(flow.request("logout", uri: "/oidc/logout?return_to=/ok%0D%0AX-Injected:%20yes"))
        #expect(response.status == 400)
        expectClean(response)
    }

    @Test func loginReturnURLWithLineBreaksNeverReachesAHeader() {
        let flow = FlowHarness()
        let response = flow.send(flow.request("login", uri: "/page%0D%0AX-Injected:%20yes\r\nX-Injected: yes"))
        #expect(response.status == 302)
        expectClean(response)
    }

    @Test func headerValuesAreStrippedOfControlCharactersWhenMade() {
        let header = Response.Header(.location, "/a\r\nX-Injected: yes\u{0}\u{7F}\tb")
        #expect(header.value == "/aX-Injected: yesb")
        #expect(HeaderValue.isClean(header.value))
        let untouched = "https://idp.example/authorize?x=1&y=%0D%0A"
        #expect(Response.Header(.location, untouched).value == untouched)
    }

    @Test func everyControlCharacterIsFoundWhereverItFalls() {
        // The check reads eight bytes at a time: a byte in a first, middle or last word, or in the tail.
        let plain = "https://idp.example/authorize?ü=1&" + String(repeating: "x", count: 40)
        #expect(HeaderValue.isClean(plain))
        #expect(HeaderValue.isClean(String(repeating: "\u{7E}\u{20}\u{80}", count: 9)), "the neighbours of the control ranges are clean")
        let bytes = Array(plain.utf8)
        for control in Array(0x00..<0x20) + [0x7F] {
            for position in [0, 7, 8, 15, 23, bytes.count - 9, bytes.count - 1] {
                var dirty = bytes
                dirty[position] = UInt8(control)
                let text = String(decoding: dirty, as: UTF8.self)
                #expect(!HeaderValue.isClean(text), "byte \(control) at \(position)")
                #expect(Response.Header(.location, text).value.utf8.count == dirty.count - 1, "byte \(control) at \(position) removed")
            }
        }
    }

    @Test(arguments: ["", "X Remote", "X-Remote\r\nUser", "X:Y", "X\u{0}", "Ünïcode", String(repeating: "a", count: 257)])
    func invalidHeaderNamesCannotBeMade(_ name: String) {
        #expect(HeaderName(validating: name) == nil)
    }

    @Test func validHeaderNamesAreAccepted() {
        #expect(HeaderName(validating: "X-Remote-User")?.text == "X-Remote-User")
        #expect(HeaderName(validating: "x_odd.but~valid!")?.text == "x_odd.but~valid!")
    }
}
