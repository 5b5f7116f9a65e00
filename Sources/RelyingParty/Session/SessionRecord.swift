/// What the store holds for one logged-in browser, encoded by
/// `SessionRecordCodec`, then sealed. Read back, its claims stay encoded until
/// one is asked for, and its tokens stay bytes until they are used, so the
/// auth answer decodes nothing it does not send.
public struct SessionRecord: Sendable, Equatable {
    public var provider: String
    public var subject: String
    /// The provider's session id (`sid`), for back-channel logout.
    public var providerSessionID: String?
    public var user: String
    public var claims: SessionClaims
    public var idToken: String {
        get { storedIDToken.text }
        set { storedIDToken = StoredText(newValue) }
    }
    public var accessToken: String? {
        get { storedAccessToken?.text }
        set { storedAccessToken = newValue.map(StoredText.init) }
    }
    public var refreshToken: String? {
        get { storedRefreshToken?.text }
        set { storedRefreshToken = newValue.map(StoredText.init) }
    }
    var storedIDToken: StoredText
    var storedAccessToken: StoredText?
    var storedRefreshToken: StoredText?
    /// Fields of a newer version's record, written back as they were read.
    var unknownFields: [UInt8] = []
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
        self.claims = SessionClaims(claims)
        storedIDToken = StoredText(idToken)
        storedAccessToken = accessToken.map(StoredText.init)
        storedRefreshToken = refreshToken.map(StoredText.init)
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.groupGenerations = groupGenerations
    }

    public static func == (a: SessionRecord, b: SessionRecord) -> Bool {
        a.provider == b.provider && a.subject == b.subject && a.providerSessionID == b.providerSessionID && a.user == b.user
            && a.claims == b.claims && a.idToken == b.idToken && a.accessToken == b.accessToken && a.refreshToken == b.refreshToken
            && a.accessTokenExpiresAt == b.accessTokenExpiresAt && a.createdAt == b.createdAt && a.lastSeenAt == b.lastSeenAt
            && a.expiresAt == b.expiresAt && a.checkedAt == b.checkedAt && a.groupGenerations == b.groupGenerations
            && a.authenticatedAt == b.authenticatedAt && a.acr == b.acr && a.loginMaxAge == b.loginMaxAge
    }

    /// True when the provider should be asked again, silently, before the next navigation.
    public func recheckDue(now: Int64, intervalSeconds: Int64) -> Bool {
        intervalSeconds > 0 && (checkedAt ?? createdAt) <= now - intervalSeconds
    }
}
