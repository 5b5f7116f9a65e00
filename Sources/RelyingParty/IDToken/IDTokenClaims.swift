/// The claims of an ID token that passed validation.
public struct IDTokenClaims: Sendable, Codable, Equatable {
    /// `sub`: the user's identifier at the provider.
    public let subject: String
    /// `iss`
    public let issuer: String
    /// `aud`, always as a list.
    public let audiences: [String]
    /// `exp`, seconds since the epoch.
    public let expiresAt: Int64
    /// `iat`, seconds since the epoch.
    public let issuedAt: Int64
    /// `nonce`, when the token has one.
    public let nonce: String?
    /// `sid`: the provider's session id, for logout.
    public let sessionID: String?
    /// `auth_time`, when the token has it.
    public let authTime: Int64?
    /// `acr`: how the user authenticated, when the token says.
    public let acr: String?
    /// Every claim of the token, for claim rules and identity headers.
    public let all: [String: JSONValue]

    public init(
        subject: String, issuer: String, audiences: [String], expiresAt: Int64, issuedAt: Int64,
        nonce: String?, sessionID: String?, authTime: Int64?, acr: String? = nil, all: [String: JSONValue]
    ) {
        self.acr = acr
        self.subject = subject
        self.issuer = issuer
        self.audiences = audiences
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.nonce = nonce
        self.sessionID = sessionID
        self.authTime = authTime
        self.all = all
    }
}
