import JOSE

/// Proof Key for Code Exchange (RFC 7636) with the S256 method.
public struct PKCE: Sendable, Equatable {
    public let verifier: String

    public init(random: any RandomSource) {
        // 32 random bytes → 43 base64url characters, inside RFC 7636's 43…128.
        verifier = Base64URL.encode(random.bytes(32))
    }

    public init(verifier: String) { self.verifier = verifier }

    public var challenge: String { Base64URL.encode(Digest.sha256(verifier)) }
    public static let method = "S256"
}
