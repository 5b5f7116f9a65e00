/// Who a valid access token speaks for: what the allow answer's headers and the
/// location's requirements are made from. Small and Codable: it is what the
/// introspection cache holds.
public struct AccessTokenIdentity: Sendable, Codable, Equatable {
    /// `sub`, when the token has one (client credentials tokens may not).
    public var subject: String?
    /// `client_id`: the client the token was issued to.
    public var clientID: String?
    /// `scope` (space-separated) or `scp`, as a list.
    public var scopes: [String]
    /// `aud`, always as a list (empty when absent).
    public var audiences: [String]
    /// `exp`, seconds since the epoch, when known.
    public var expiresAt: Int64?
    /// The token's claims: identity headers and claim rules are made from them.
    public var claims: [String: JSONValue]

    enum CodingKeys: String, CodingKey {
        case subject = "s", clientID = "c", scopes = "sc", audiences = "a", expiresAt = "e", claims = "cl"
    }

    public init(subject: String?, clientID: String?, scopes: [String], audiences: [String], expiresAt: Int64?, claims: [String: JSONValue]) {
        self.subject = subject
        self.clientID = clientID
        self.scopes = scopes
        self.audiences = audiences
        self.expiresAt = expiresAt
        self.claims = claims
    }

    /// The user header's value: the provider's `user_claim`, else `sub`, else `client_id`.
    public func user(claim: String) -> String? {
        for candidate in [claims[claim]?.headerText, subject, clientID] {
            if let candidate, !candidate.isEmpty { return candidate }
        }
        return nil
    }
}
