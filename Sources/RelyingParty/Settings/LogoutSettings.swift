/// Logout (`logout:` in the configuration): RP-initiated, and the endpoints
/// the provider calls to end sessions itself.
public struct LogoutSettings: Sendable {
    /// The logout location's path; the provider sends the browser back here
    /// (`post_logout_redirect_uri`), so register `public_url` + this path there.
    public var path: String
    /// Where the browser lands after logout when the request names no `return_to`,
    /// or when the way back from the provider cannot be trusted; nil for the
    /// "You have been signed out" page (`path?signed_out`).
    public var postLogoutURL: String?
    /// When true, only a POST ends a session; a GET gets a small page with a logout
    /// button, so a third-party page cannot log users out with an image tag.
    public var postOnly: Bool
    /// Where the provider POSTs logout tokens (Back-Channel Logout 1.0);
    /// register `public_url` + this path as `backchannel_logout_uri`.
    public var backchannelPath: String
    /// What the provider loads in an iframe with `iss` and `sid` (Front-Channel
    /// Logout 1.0); register `public_url` + this path as `frontchannel_logout_uri`.
    public var frontchannelPath: String

    public init(path: String = "/oidc/logout", postLogoutURL: String? = nil, postOnly: Bool = false,
                backchannelPath: String = "/oidc/backchannel-logout", frontchannelPath: String = "/oidc/frontchannel-logout") {
        self.path = path
        self.postLogoutURL = postLogoutURL
        self.postOnly = postOnly
        self.backchannelPath = backchannelPath
        self.frontchannelPath = frontchannelPath
    }
}
