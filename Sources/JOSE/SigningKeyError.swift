/// Why a signing key could not be loaded or used. Descriptions name the problem
/// for the operator; they never carry key material.
public enum SigningKeyError: Error, Equatable, CustomStringConvertible {
    /// The file is neither a PEM private key nor a private JWK this program can sign with.
    case unusable(String)
    /// libcjose refused to sign (should not happen with a key that loaded).
    case signingFailed(String)

    public var description: String {
        switch self {
        case .unusable(let why): return "unusable signing key: \(why)"
        case .signingFailed(let why): return "signing failed: \(why)"
        }
    }
}
