/// The OAuth tokens of one session: what login gave, or what the latest refresh
/// gave. Stored sealed, like the session record, never logged.
public struct SessionTokens: Sendable, Codable, Equatable {
    public var accessToken: String?
    public var refreshToken: String?
    /// Unix time the access token expires; nil when the provider did not say.
    public var accessTokenExpiresAt: Int64?
    /// Unix time the access token was obtained.
    public var obtainedAt: Int64

    enum CodingKeys: String, CodingKey {
        case accessToken = "at", refreshToken = "rt", accessTokenExpiresAt = "ate", obtainedAt = "oa"
    }

    public init(accessToken: String?, refreshToken: String?, accessTokenExpiresAt: Int64?, obtainedAt: Int64) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.obtainedAt = obtainedAt
    }

    /// The tokens the login stored in the session record.
    public init(loggedIn record: SessionRecord) {
        self.init(accessToken: record.accessToken, refreshToken: record.refreshToken, accessTokenExpiresAt: record.accessTokenExpiresAt,
                  obtainedAt: record.createdAt)
    }

    /// The refresh decision: no access token, or one that expires within the
    /// margin of `now`. The margin is at most half the token's lifetime, so a
    /// provider that issues tokens shorter than the margin gets a refresh per
    /// half lifetime, not one per request. A token without a known expiry is used
    /// as it is (the provider gave no `expires_in`).
    public func needsRefresh(now: Int64, marginSeconds: Int64) -> Bool {
        guard let accessToken, !accessToken.isEmpty else { return true }
        guard let expiresAt = accessTokenExpiresAt else { return false }
        let margin = min(marginSeconds, max(0, expiresAt - obtainedAt) / 2)
        return expiresAt - now <= margin
    }

    /// After a refresh: the new access token; a rotated refresh token replaces the
    /// old one, and when the provider sent none the old one stays.
    public func refreshed(with answer: RefreshedTokens, now: Int64) -> SessionTokens {
        SessionTokens(
            accessToken: answer.accessToken,
            refreshToken: answer.refreshToken.flatMap { $0.isEmpty ? nil : $0 } ?? refreshToken,
            accessTokenExpiresAt: answer.expiresIn.map { now + $0 }, obtainedAt: now)
    }
}
