/// Why a JWS or a key set was rejected. Descriptions are written for the
/// operator reading the log; they never carry key material or the token.
public enum JOSEError: Error, Equatable, CustomStringConvertible {
    /// The token is not a well-formed JWS in compact serialization.
    case malformed(String)
    /// The `alg` header names an algorithm this program does not implement (this includes `none`).
    case unsupportedAlgorithm(String)
    /// The `alg` header names an algorithm that is not in the configured allow-list.
    case algorithmNotAllowed(String)
    /// No key in the set carries the token's `kid` (or, without a `kid`, the set is empty).
    /// The caller may refetch the provider's key set once.
    case noMatchingKey(kid: String?)
    /// The selected key cannot be used with the token's algorithm.
    case keyTypeMismatch(String)
    /// No candidate key verifies the signature.
    case badSignature
    /// The key set document cannot be used at all.
    case invalidKeySet(String)

    public var description: String {
        switch self {
        case .malformed(let why):
            return "malformed JWS: \(why)"
        case .unsupportedAlgorithm(let alg):
            return "JWS algorithm \(alg.quotedForLog) is not supported (supported: \(JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")); \"none\" is never accepted)"
        case .algorithmNotAllowed(let alg):
            return "JWS algorithm \(alg.quotedForLog) is not in the allowed algorithms for this provider; add it to the allow-list if the provider really signs with it"
        case .noMatchingKey(let kid?):
            return "no signing key with kid \(kid.quotedForLog) in the provider's key set (keys rotated? the key set is refetched once)"
        case .noMatchingKey(nil):
            return "the token names no kid and the provider's key set has no signing key"
        case .keyTypeMismatch(let why):
            return "key does not fit the token's algorithm: \(why)"
        case .badSignature:
            return "JWS signature does not verify with the provider's key (token altered, or signed by another key)"
        case .invalidKeySet(let why):
            return "unusable JWK set: \(why)"
        }
    }
}

extension String {
    /// The value in quotes for a log line: at most 64 characters, control characters
    /// and quotes escaped. Token headers are attacker-controlled text.
    var quotedForLog: String {
        let short = count > 64 ? String(prefix(64)) + "…" : self
        return short.debugDescription
    }
}
