/// The validated configuration the core runs with. Built by the configuration
/// loader from the YAML file; every value here has already been checked.
public struct Settings: Sendable {
    public var publicOrigin: Origin
    public var redirectPath: String
    public var clockSkewSeconds: Int64
    public var cookie: CookieSettings
    public var session: SessionSettings
    public var login: LoginSettings
    public var providers: [ProviderSettings]
    public var headers: HeaderSettings
    /// Extra origins a return or post-logout URL may point to.
    public var allowedReturnOrigins: [Origin]
    /// Bearer token settings shared by every API location.
    public var api: APISettings
    public var logout: LogoutSettings
    /// The named claim rule sets (`rules`), compiled, and the cache of the
    /// rule texts locations send.
    public var claimRules: ClaimRuleBook
    /// The pages people see: site name and template.
    public var pages: PageSettings
    /// Refreshing the access token of locations that hand it on.
    public var tokenRefresh: TokenRefreshSettings

    public init(
        publicOrigin: Origin, redirectPath: String = "/oidc/callback", clockSkewSeconds: Int64 = 60,
        cookie: CookieSettings = CookieSettings(), session: SessionSettings, login: LoginSettings = LoginSettings(),
        providers: [ProviderSettings], headers: HeaderSettings = HeaderSettings(), allowedReturnOrigins: [Origin] = [],
        api: APISettings = APISettings(), logout: LogoutSettings = LogoutSettings(),
        claimRules: ClaimRuleBook = ClaimRuleBook(), pages: PageSettings = PageSettings(), tokenRefresh: TokenRefreshSettings = TokenRefreshSettings()
    ) {
        self.claimRules = claimRules
        self.pages = pages
        self.tokenRefresh = tokenRefresh
        self.logout = logout
        self.publicOrigin = publicOrigin
        self.redirectPath = redirectPath
        self.clockSkewSeconds = clockSkewSeconds
        self.cookie = cookie
        self.session = session
        self.login = login
        self.providers = providers
        self.headers = headers
        self.allowedReturnOrigins = allowedReturnOrigins
        self.api = api
    }

    /// The redirect URI registered at the provider.
    public var redirectURI: String { publicOrigin.serialized + redirectPath }

    public func provider(named name: String?) -> ProviderSettings? {
        guard let name, !name.isEmpty else { return providers.first }
        return providers.first { $0.name == name }
    }
}

public struct CookieSettings: Sendable {
    public enum SameSite: String, Sendable, CaseIterable { case lax = "Lax", strict = "Strict", none = "None" }
    public var name: String
    public var statePrefix: String
    public var secure: Bool
    public var domain: String?
    public var sameSite: SameSite
    /// The session cookie carries Max-Age (the session's maximum lifetime) and
    /// survives a browser restart; otherwise it is a browser-session cookie.
    public var persistent: Bool

    public init(name: String = "oidc_session", statePrefix: String = "oidc_state_", secure: Bool = true, domain: String? = nil, sameSite: SameSite = .lax,
                persistent: Bool = false) {
        self.persistent = persistent
        self.name = name
        self.statePrefix = statePrefix
        self.secure = secure
        self.domain = domain
        self.sameSite = sameSite
    }
}

public struct SessionSettings: Sendable {
    /// Secrets in order: the first seals, all open (rotation).
    public var secrets: [[UInt8]]
    public var inactivityTimeoutSeconds: Int64
    public var maxLifetimeSeconds: Int64
    /// After this long since the provider last vouched for the user, the next
    /// browser navigation asks it again with `prompt=none` (0: never).
    public var recheckIntervalSeconds: Int64

    public init(secrets: [[UInt8]], inactivityTimeoutSeconds: Int64 = 3600, maxLifetimeSeconds: Int64 = 8 * 3600, recheckIntervalSeconds: Int64 = 0) {
        self.secrets = secrets
        self.recheckIntervalSeconds = recheckIntervalSeconds
        self.inactivityTimeoutSeconds = inactivityTimeoutSeconds
        self.maxLifetimeSeconds = maxLifetimeSeconds
    }
}

public struct LoginSettings: Sendable {
    /// How long a started login may take before its state expires.
    public var timeoutSeconds: Int64
    /// Concurrent pending logins kept per browser; the oldest is dropped beyond this.
    public var maxPending: Int

    public init(timeoutSeconds: Int64 = 300, maxPending: Int = 5) {
        self.timeoutSeconds = timeoutSeconds
        self.maxPending = maxPending
    }
}

public struct HeaderSettings: Sendable {
    public enum Encoding: String, Sendable, CaseIterable {
        /// Non-ASCII bytes (and '%') percent-encoded as UTF-8; plain ASCII unchanged.
        case percent
        /// Every value base64url-encoded (unpadded).
        case base64url
        /// UTF-8 passed through (only control characters are removed).
        case raw
    }
    /// The header carrying the user name (from the provider's `user_claim`).
    public var userHeader: HeaderName
    /// Header name → claim name, in configuration order.
    public var claimHeaders: [(header: HeaderName, claim: String)]
    /// API answers: the header carrying the token's `client_id`.
    public var clientIDHeader: HeaderName
    /// API answers: the header carrying the token's scopes, space-separated.
    public var scopeHeader: HeaderName
    /// The header carrying the issuer of the provider that authenticated the
    /// user (`headers.issuer`); nil when disabled (`issuer: ""`).
    public var issuerHeader: HeaderName?
    public var encoding: Encoding
    /// The longest value one identity header may carry (after encoding).
    public var maxValueBytes: Int
    /// The most bytes all identity headers of one answer may take together
    /// (names, values and line ends); must fit the web server's FastCGI buffer.
    public var maxTotalBytes: Int

    public init(userHeader: HeaderName = "X-Remote-User", claimHeaders: [(header: HeaderName, claim: String)] = [], encoding: Encoding = .percent,
                maxValueBytes: Int = 4096, maxTotalBytes: Int = 16384,
                clientIDHeader: HeaderName = "X-Remote-Client-Id", scopeHeader: HeaderName = "X-Remote-Scope",
                issuerHeader: HeaderName? = "X-Remote-Issuer") {
        self.userHeader = userHeader
        self.issuerHeader = issuerHeader
        self.clientIDHeader = clientIDHeader
        self.scopeHeader = scopeHeader
        self.claimHeaders = claimHeaders
        self.encoding = encoding
        self.maxValueBytes = maxValueBytes
        self.maxTotalBytes = maxTotalBytes
    }
}
