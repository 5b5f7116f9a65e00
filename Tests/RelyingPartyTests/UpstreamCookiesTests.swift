import Testing
import RelyingParty

@Suite struct UpstreamCookiesTests {
    private let filter = UpstreamCookies(settings: CookieSettings())

    @Test func everySessionAndStateCookieIsRemovedAndTheSitesCookiesKept() {
        #expect(filter.filter("oidc_session=a; theme=dark; oidc_session=b; lang=\"en\"; oidc_state_xyz=c") == "theme=dark; lang=\"en\"")
        #expect(filter.filter("oidc_session=a") == "")
        #expect(filter.filter("oidc_session=a;oidc_session=b;  oidc_session = c") == "")
    }

    @Test func aHeaderWithoutOurCookiesPassesUnchanged() {
        #expect(filter.filter("theme=dark;lang=en") == "theme=dark;lang=en")
        #expect(filter.filter("") == "")
    }

    @Test func cookiesThatOnlyLookAlikeAreKept() {
        #expect(filter.filter("my_oidc_session=1; oidc_sessionx=2; oidc_session=3") == "my_oidc_session=1; oidc_sessionx=2")
    }

    @Test func anOversizedHeaderIsRefused() {
        let big = (0..<1000).map { "c\($0)=value" }.joined(separator: "; ")
        #expect(filter.filter(big) == nil)
    }

    @Test func anotherCookieNameIsHonoured() {
        let custom = UpstreamCookies(settings: CookieSettings(name: "__Host-sso", statePrefix: "sso_login_"))
        #expect(custom.filter("__Host-sso=1; oidc_session=2; sso_login_abc=3") == "oidc_session=2")
    }
}
