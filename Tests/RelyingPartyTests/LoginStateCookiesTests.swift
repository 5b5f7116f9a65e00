import Testing
import RelyingParty

@Suite struct LoginStateCookiesTests {
    private let secret = Array("login-state-secret-of-32-bytes-or-longer".utf8)
    private let cookieSettings = CookieSettings(secure: true)

    private func cookies(maxPending: Int = 3, timeout: Int64 = 300) -> LoginStateCookies {
        LoginStateCookies(secrets: [secret], cookie: cookieSettings, login: LoginSettings(timeoutSeconds: timeout, maxPending: maxPending), random: SystemRandomSource())
    }

    private func s(_ label: String) -> String { WellFormedState.named(label) }

    private func state(_ label: String, at time: Int64) -> LoginState {
        LoginState(state: s(label), nonce: "n-\(label)", codeVerifier: "v-\(label)", returnTo: "https://app/\(label)", provider: "corp", createdAt: time)
    }

    private func request(_ jar: CookieJar) -> Request { .browser(cookie: jar.header) }

    private func request(_ cookies: [String: String]) -> Request { request(CookieJar(cookies: cookies)) }

    @Test func issuedStateIsFoundAndCookieIsHardened() {
        let subject = cookies()
        var jar = CookieJar()
        let headers = subject.issue(state("s1", at: 1000), existing: request(jar), now: 1000)
        #expect(headers.count == 1)
        #expect(headers[0].name == .setCookie)
        let value = headers[0].value
        #expect(value.hasPrefix("oidc_state_\(s("s1"))="))
        #expect(value.contains("HttpOnly") && value.contains("Secure") && value.contains("SameSite=Lax") && value.contains("Max-Age=300"))
        #expect(!value.contains("v-s1"))  // the PKCE verifier is not readable in the cookie
        jar.apply(headers)
        #expect(subject.find(state: s("s1"), in: request(jar)) == state("s1", at: 1000))
        #expect(subject.find(state: s("s2"), in: request(jar)) == nil)
    }

    @Test func oldestPendingLoginsAreDroppedBeyondTheCap() {
        let subject = cookies(maxPending: 3)
        var jar = CookieJar()
        for (index, name) in ["a", "b", "c", "d", "e"].enumerated() {
            jar.apply(subject.issue(state(name, at: 1000 + Int64(index)), existing: request(jar), now: 1000 + Int64(index)))
        }
        #expect(Set(jar.cookies.keys) == Set(["c", "d", "e"].map { "oidc_state_" + s($0) }))
        #expect(subject.find(state: s("a"), in: request(jar)) == nil)
        #expect(subject.find(state: s("e"), in: request(jar)) != nil)
    }

    @Test func expiredAndForeignStateCookiesAreCleanedUp() {
        let subject = cookies(timeout: 300)
        var jar = CookieJar()
        jar.apply(subject.issue(state("old", at: 1000), existing: request(jar), now: 1000))
        jar.cookies["oidc_state_" + s("forged")] = "bm90LXNlYWxlZA"
        jar.apply(subject.issue(state("new", at: 1400), existing: request(jar), now: 1400))
        #expect(Set(jar.cookies.keys) == ["oidc_state_" + s("new")])
    }

    @Test func tamperedOrRenamedCookieIsNotAccepted() {
        let subject = cookies()
        var jar = CookieJar()
        jar.apply(subject.issue(state("s1", at: 1000), existing: request(jar), now: 1000))
        let value = jar.cookies["oidc_state_" + s("s1")]!
        var bytes = Array(value.utf8)
        bytes[bytes.count / 2] = bytes[bytes.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(subject.find(state: s("s1"), in: request(["oidc_state_" + s("s1"): String(decoding: bytes, as: UTF8.self)])) == nil)
        // The same sealed value under another state's name does not open.
        #expect(subject.find(state: s("s2"), in: request(["oidc_state_" + s("s2"): value])) == nil)
        // Another deployment's secret does not open it either.
        let other = LoginStateCookies(secrets: [Array("a-different-secret-of-32-bytes-or-more!".utf8)], cookie: cookieSettings, login: LoginSettings(), random: SystemRandomSource())
        #expect(other.find(state: s("s1"), in: request(jar)) == nil)
    }

    @Test func malformedStatesNameNoCookie() {
        let subject = cookies()
        for bad in ["", "short", s("x") + "A", "abc\r\nX-Injected: yes", String(repeating: "A", count: 10_000), String(s("x").dropLast()) + "=", String(s("x").dropLast()) + "\u{0}"] {
            #expect(subject.cookieName(forState: bad) == nil)
            #expect(subject.deletion(forState: bad) == nil)
            #expect(subject.find(state: bad, in: request(["oidc_state_" + bad: "x"])) == nil)
        }
        #expect(subject.deletion(forState: s("ok"))?.value.hasPrefix("oidc_state_\(s("ok"))=;") == true)
    }

    @Test func requestCookieNamesThatAreNotOursAreNeverEchoedBack() {
        let subject = cookies()
        // Over raw FastCGI a Cookie header can carry anything, CR and LF included.
        let hostile = "oidc_state_x\r\nSet-Cookie: oidc_session=attacker=1; oidc_state_\(String(repeating: "z", count: 5000))=1; oidc_state_a b=1"
        let headers = subject.issue(state("new", at: 1000), existing: Request.browser(cookie: hostile), now: 1000)
        #expect(headers.count == 1)
        #expect(headers.allSatisfy { !$0.value.contains("\r") && !$0.value.contains("\n") && !$0.value.contains("attacker") })
    }

    @Test func oneAnswerDeletesOnlyAFewStaleCookies() {
        let subject = cookies()
        var jar = CookieJar()
        for index in 0..<100 { jar.cookies["oidc_state_" + s("stale-\(index)")] = "bm90LXNlYWxlZA" }
        let headers = subject.issue(state("new", at: 1000), existing: request(jar), now: 1000)
        #expect(headers.count == LoginStateCookies.maxDeletionsPerAnswer + 1)
        #expect(headers.map(\.value.utf8.count).reduce(0, +) < 2048)
    }
}
