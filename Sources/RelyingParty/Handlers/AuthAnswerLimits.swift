/// The most an auth answer carries besides the identity headers, so the web
/// server's FastCGI buffer for it can be sized from the configuration.
public enum AuthAnswerLimits {
    /// The session's access token (`OIDC-Access-Token`); a longer one is refused, never cut.
    public static let accessTokenBytes = 8192
    /// The client's Cookie header without oidc-fcgi's cookies (`OIDC-Upstream-Cookie`).
    public static let upstreamCookieBytes = UpstreamCookies.maxBytes
    /// The login redirect of a 401 (`LoginInAuthAnswer`), which carries neither of the two above.
    public static let loginRedirectBytes = accessTokenBytes + upstreamCookieBytes
}
