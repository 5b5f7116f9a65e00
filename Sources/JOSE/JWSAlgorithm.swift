/// A JWS signing algorithm (RFC 7518 §3, RFC 8037 §3.1). The raw values are the
/// JOSE names. `none` is deliberately not a case: an unsigned token can never be
/// represented, let alone accepted.
public enum JWSAlgorithm: String, Sendable, CaseIterable, Codable {
    case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
    case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
    case es256 = "ES256", es384 = "ES384", es512 = "ES512"
    case hs256 = "HS256", hs384 = "HS384", hs512 = "HS512"
    case edDSA = "EdDSA"

    /// HMAC algorithms, keyed with the client secret rather than a published key.
    public var isSymmetric: Bool { keyFamily == .oct }

    /// The hash the algorithm is built on; OpenID Connect uses its left half for
    /// `at_hash` and `c_hash`. For EdDSA over Ed25519 that is SHA-512.
    public var digest: Digest {
        switch self {
        case .rs256, .ps256, .es256, .hs256: return .sha256
        case .rs384, .ps384, .es384, .hs384: return .sha384
        case .rs512, .ps512, .es512, .hs512, .edDSA: return .sha512
        }
    }

    /// The kind of key the algorithm needs, in JWK terms (`kty`, and `crv` where it matters).
    enum KeyFamily: Equatable {
        case rsa
        /// `crv` as JWK names it, and the byte length of each signature half (r ‖ s).
        case ec(crv: String, coordinateBytes: Int)
        case oct
        case okpEd25519

        var jwkDescription: String {
            switch self {
            case .rsa: return "an RSA key"
            case .ec(let crv, _): return "an EC key on curve \(crv)"
            case .oct: return "a symmetric (client secret) key"
            case .okpEd25519: return "an OKP key on curve Ed25519"
            }
        }
    }

    var keyFamily: KeyFamily {
        switch self {
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: return .rsa
        case .es256: return .ec(crv: "P-256", coordinateBytes: 32)
        case .es384: return .ec(crv: "P-384", coordinateBytes: 48)
        case .es512: return .ec(crv: "P-521", coordinateBytes: 66)
        case .hs256, .hs384, .hs512: return .oct
        case .edDSA: return .okpEd25519
        }
    }
}
