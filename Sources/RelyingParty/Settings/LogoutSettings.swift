/// RP-initiated logout (`logout:` in the configuration).
public struct LogoutSettings: Sendable {
    /// The logout location's path; the provider sends the browser back here
    /// (`post_logout_redirect_uri`), so register `public_url` + this path there.
    public var path: String
    /// Where the browser lands after logout when the request names no `return_to`,
    /// or when the way back from the provider cannot be trusted.
    public var postLogoutURL: String
    /// When true, only a POST ends a session; a GET gets a small page with a logout
    /// button, so a third-party page cannot log users out with an image tag.
    public var postOnly: Bool

    public init(path: String = "/oidc/logout", postLogoutURL: String = "/", postOnly: Bool = false) {
        self.path = path
        self.postLogoutURL = postLogoutURL
        self.postOnly = postOnly
    }
}
