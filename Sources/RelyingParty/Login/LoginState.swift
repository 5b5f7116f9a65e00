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

    /// The length of a `state` value: 32 random bytes in unpadded base64url.
    public static let stateLength = 43

    /// True for values of the shape oidc-fcgi itself issues (43 base64url
    /// characters). Anything else that arrives as `state` was not made here and
    /// is refused before it is used for anything, cookie names included.
    public static func isWellFormedState(_ text: String) -> Bool {
        text.utf8.count == stateLength && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"):
                return true
            default:
                return false
            }
        }
    }
}
