import Testing
import RelyingParty

@Suite struct LoginStateCookiesTests {
    private let secret = Array("login-state-secret-of-32-bytes-or-longer".utf8)
    private let cookieSettings = CookieSettings(secure: true)

    private func cookies(maxPending: Int = 3, timeout: Int64 = 300) -> LoginStateCookies {
        LoginStateCookies(secrets: [secret], cookie: cookieSettings, login: LoginSettings(timeoutSeconds: timeout, maxPending: maxPending), random: SystemRandomSource())
    }

    private func state(_ name: String, at time: Int64) -> LoginState {
        LoginState(state: name, nonce: "n-\(name)", codeVerifier: "v-\(name)", returnTo: "https://app/\(name)", provider: "corp", createdAt: time)
    }

    private func request(_ jar: CookieJar) -> Request { .browser(cookie: jar.header) }

    private func request(_ cookies: [String: String]) -> Request { request(CookieJar(cookies: cookies)) }

    @Test func issuedStateIsFoundAndCookieIsHardened() {
        let subject = cookies()
        var jar = CookieJar()
        let headers = subject.issue(state("s1", at: 1000), existing: request(jar), now: 1000)
        #expect(headers.count == 1)
        #expect(headers[0].hasPrefix("oidc_state_s1="))
        #expect(headers[0].contains("HttpOnly") && headers[0].contains("Secure") && headers[0].contains("SameSite=Lax") && headers[0].contains("Max-Age=300"))
        #expect(!headers[0].contains("v-s1"))  // the PKCE verifier is not readable in the cookie
        jar.apply(headers)
        #expect(subject.find(state: "s1", in: request(jar)) == state("s1", at: 1000))
        #expect(subject.find(state: "s2", in: request(jar)) == nil)
    }

    @Test func oldestPendingLoginsAreDroppedBeyondTheCap() {
        let subject = cookies(maxPending: 3)
        var jar = CookieJar()
        for (index, name) in ["a", "b", "c", "d", "e"].enumerated() {
            jar.apply(subject.issue(state(name, at: 1000 + Int64(index)), existing: request(jar), now: 1000 + Int64(index)))
        }
        #expect(Set(jar.cookies.keys) == ["oidc_state_c", "oidc_state_d", "oidc_state_e"])
        #expect(subject.find(state: "a", in: request(jar)) == nil)
        #expect(subject.find(state: "e", in: request(jar)) != nil)
    }

    @Test func expiredAndForeignStateCookiesAreCleanedUp() {
        let subject = cookies(timeout: 300)
        var jar = CookieJar()
        jar.apply(subject.issue(state("old", at: 1000), existing: request(jar), now: 1000))
        jar.cookies["oidc_state_forged"] = "bm90LXNlYWxlZA"
        jar.apply(subject.issue(state("new", at: 1400), existing: request(jar), now: 1400))
        #expect(Set(jar.cookies.keys) == ["oidc_state_new"])
    }

    @Test func tamperedOrRenamedCookieIsNotAccepted() {
        let subject = cookies()
        var jar = CookieJar()
        jar.apply(subject.issue(state("s1", at: 1000), existing: request(jar), now: 1000))
        let value = jar.cookies["oidc_state_s1"]!
        var bytes = Array(value.utf8)
        bytes[bytes.count / 2] = bytes[bytes.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(subject.find(state: "s1", in: request(["oidc_state_s1": String(decoding: bytes, as: UTF8.self)])) == nil)
        // The same sealed value under another state's name does not open.
        #expect(subject.find(state: "s2", in: request(["oidc_state_s2": value])) == nil)
        // Another deployment's secret does not open it either.
        let other = LoginStateCookies(secrets: [Array("a-different-secret-of-32-bytes-or-more!".utf8)], cookie: cookieSettings, login: LoginSettings(), random: SystemRandomSource())
        #expect(other.find(state: "s1", in: request(jar)) == nil)
    }
}
