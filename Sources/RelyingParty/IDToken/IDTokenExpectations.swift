import JOSE

/// What an ID token must say to be accepted for one login (OpenID Connect Core
/// 3.1.3.7): who issued it, for whom, with which nonce, signed how, and when "now" is.
public struct IDTokenExpectations: Sendable {
    /// The provider's issuer identifier; `iss` must equal it exactly.
    public var issuer: String
    /// This relying party's client_id; `aud` must contain it.
    public var clientID: String
    /// The nonce sent in the authorization request; when set, `nonce` must equal it.
    public var nonce: String?
    /// The signature algorithms accepted from this provider.
    public var allowedAlgorithms: Set<JWSAlgorithm>
    /// Tolerance for clock differences with the provider, applied to `exp`, `iat` and `nbf`.
    public var clockSkewSeconds: Int64
    /// When set, tokens issued longer ago than this (plus the skew) are rejected.
    public var maxIssuedAgeSeconds: Int64?
    /// Seconds since the Unix epoch.
    public var now: Int64
    /// The access token issued with the ID token, to check `at_hash` against when present.
    public var accessToken: String?
    /// Audiences besides `clientID` this relying party trusts to appear in `aud`
    /// (3.1.3.7 step 3). Empty by default: any other audience is rejected.
    public var trustedAudiences: Set<String>
    /// Whether an unsigned (`alg: none`) token may be accepted; refused by default.
    public var unsignedTokens: UnsignedIDTokens
    /// The `max_age` the authorization request sent: `auth_time` is then
    /// required and must be no older (3.1.3.7 step 13).
    public var maxAge: Int64?
    /// `acr_values` requested as essential: `acr` must be one of them. Empty: any.
    public var requiredACRValues: [String]

    public init(
        issuer: String,
        clientID: String,
        nonce: String?,
        allowedAlgorithms: Set<JWSAlgorithm> = [.rs256],
        clockSkewSeconds: Int64 = 60,
        maxIssuedAgeSeconds: Int64? = nil,
        now: Int64,
        accessToken: String? = nil,
        trustedAudiences: Set<String> = [],
        unsignedTokens: UnsignedIDTokens = .refused,
        maxAge: Int64? = nil,
        requiredACRValues: [String] = []
    ) {
        self.maxAge = maxAge
        self.requiredACRValues = requiredACRValues
        self.issuer = issuer
        self.clientID = clientID
        self.nonce = nonce
        self.allowedAlgorithms = allowedAlgorithms
        self.clockSkewSeconds = clockSkewSeconds
        self.maxIssuedAgeSeconds = maxIssuedAgeSeconds
        self.now = now
        self.accessToken = accessToken
        self.trustedAudiences = trustedAudiences
        self.unsignedTokens = unsignedTokens
    }
}
