/// A successful answer to the refresh token grant (RFC 6749 §6, §5.1): a new
/// access token, maybe a new (rotated) refresh token. An ID token in it is not
/// needed: the session's identity stays the one validated at login.
public struct RefreshedTokens: Sendable, Equatable {
    public var accessToken: String
    public var refreshToken: String?
    public var expiresIn: Int64?

    public init(accessToken: String, refreshToken: String?, expiresIn: Int64?) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
    }

    /// Nil unless the answer is JSON with a non-empty `access_token`.
    public static func parse(_ bytes: [UInt8]) -> RefreshedTokens? {
        guard let json = JSONValue.parse(bytes), let accessToken = json["access_token"]?.stringValue, !accessToken.isEmpty else { return nil }
        return RefreshedTokens(accessToken: accessToken, refreshToken: json["refresh_token"]?.stringValue, expiresIn: json["expires_in"]?.integerValue)
    }
}
