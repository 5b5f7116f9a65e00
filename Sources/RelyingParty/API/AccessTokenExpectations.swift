import JOSE

/// What an access token of one provider must say to be accepted, and when "now" is.
public struct AccessTokenExpectations: Sendable {
    /// The provider's issuer; `iss` must equal it exactly.
    public var issuer: String
    /// `aud` must hold one of these.
    public var audiences: [String]
    /// Never `none`, never HS* (see `ProviderSettings.accessTokenAlgorithms`).
    public var allowedAlgorithms: Set<JWSAlgorithm>
    /// JWTs must say `typ: at+jwt` (RFC 9068 §4).
    public var requireTyp: Bool
    public var clockSkewSeconds: Int64
    public var now: Int64
    /// The claims kept for the identity headers.
    /// The claims kept in the identity; nil keeps them all (claim rules may read any).
    public var keepClaims: Set<String>?

    public init(issuer: String, audiences: [String], allowedAlgorithms: Set<JWSAlgorithm>, requireTyp: Bool = false,
                clockSkewSeconds: Int64 = 60, now: Int64, keepClaims: Set<String>? = []) {
        self.issuer = issuer
        self.audiences = audiences
        self.allowedAlgorithms = allowedAlgorithms.filter { !$0.isSymmetric }
        self.requireTyp = requireTyp
        self.clockSkewSeconds = clockSkewSeconds
        self.now = now
        self.keepClaims = keepClaims
    }
}
