import JOSE

/// What a back-channel logout token of one provider must match.
public struct LogoutTokenExpectations: Sendable {
    /// A logout token older than this (plus the skew) is refused: the provider sends it at once.
    public static let maxAgeSeconds: Int64 = 300

    public var issuer: String
    public var clientID: String
    public var allowedAlgorithms: Set<JWSAlgorithm>
    public var clockSkewSeconds: Int64
    public var now: Int64

    public init(issuer: String, clientID: String, allowedAlgorithms: Set<JWSAlgorithm>, clockSkewSeconds: Int64, now: Int64) {
        self.issuer = issuer
        self.clientID = clientID
        self.allowedAlgorithms = allowedAlgorithms
        self.clockSkewSeconds = clockSkewSeconds
        self.now = now
    }
}
