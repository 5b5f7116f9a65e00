/// Everything the redirect URI needs to finish one login, kept in a sealed,
/// short-lived cookie named after the `state` value.
public struct LoginState: Sendable, Codable, Equatable {
    public var state: String
    public var nonce: String
    public var codeVerifier: String
    public var returnTo: String
    public var provider: String
    public var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case state = "s", nonce = "n", codeVerifier = "v", returnTo = "r", provider = "p", createdAt = "t"
    }

    public init(state: String, nonce: String, codeVerifier: String, returnTo: String, provider: String, createdAt: Int64) {
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.returnTo = returnTo
        self.provider = provider
        self.createdAt = createdAt
    }
}
