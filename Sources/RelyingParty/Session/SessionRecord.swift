/// What the store holds for one logged-in browser. Encoded as JSON, then sealed.
/// `identity` is the header values computed at login, so the hot path never
/// looks at tokens or claims again.
public struct SessionRecord: Sendable, Codable, Equatable {
    public var provider: String
    public var subject: String
    /// The provider's session id (`sid`), for back-channel logout.
    public var providerSessionID: String?
    public var user: String
    public var claims: [String: JSONValue]
    public var idToken: String
    public var accessToken: String?
    public var refreshToken: String?
    public var accessTokenExpiresAt: Int64?
    public var createdAt: Int64
    public var lastSeenAt: Int64
    /// Absolute end of the session (max lifetime).
    public var expiresAt: Int64
    /// When the provider last vouched for the user: the login, or the last
    /// silent re-check (`session.recheck_interval`). Nil in records written
    /// before re-checks existed: the login time then.
    public var checkedAt: Int64?
    /// The generations of the logout groups the session joined, in the order of
    /// the cookie's tags; set by `SessionManager.create`.
    public var groupGenerations: [String]
    /// When the user last authenticated at the provider (the ID token's
    /// `auth_time`, on this server's clock when the login saw it happen), for
    /// locations that demand a recent sign-in. Nil when the provider did not say.
    public var authenticatedAt: Int64?
    /// The ID token's `acr`: how the user authenticated, for locations that demand a level.
    public var acr: String?
    /// The `max_age` the login that made this session sent and its ID token met:
    /// such a session was signed in for that demand, and gets the grace that lets
    /// the page which asked (even with `max_age` 0) be served after the login.
    public var loginMaxAge: Int64?

    enum CodingKeys: String, CodingKey {
        case provider = "p", subject = "s", providerSessionID = "sid", user = "u", claims = "c", idToken = "it"
        case accessToken = "at", refreshToken = "rt", accessTokenExpiresAt = "ate", createdAt = "ca"
        case lastSeenAt = "ls", expiresAt = "ea", groupGenerations = "g", checkedAt = "ck"
        case authenticatedAt = "au", acr = "acr", loginMaxAge = "lma"
    }

    public init(
        provider: String, subject: String, providerSessionID: String?, user: String, claims: [String: JSONValue],
        idToken: String, accessToken: String?, refreshToken: String?, accessTokenExpiresAt: Int64?,
        createdAt: Int64, lastSeenAt: Int64, expiresAt: Int64, groupGenerations: [String] = [], checkedAt: Int64? = nil,
        authenticatedAt: Int64? = nil, acr: String? = nil, loginMaxAge: Int64? = nil
    ) {
        self.loginMaxAge = loginMaxAge
        self.checkedAt = checkedAt
        self.authenticatedAt = authenticatedAt
        self.acr = acr
        self.provider = provider
        self.subject = subject
        self.providerSessionID = providerSessionID
        self.user = user
        self.claims = claims
        self.idToken = idToken
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.groupGenerations = groupGenerations
    }

    /// True when the provider should be asked again, silently, before the next navigation.
    public func recheckDue(now: Int64, intervalSeconds: Int64) -> Bool {
        intervalSeconds > 0 && now - (checkedAt ?? createdAt) >= intervalSeconds
    }
}
