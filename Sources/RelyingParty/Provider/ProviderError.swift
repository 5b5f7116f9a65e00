/// Why the provider could not be used. Every case fails the request closed.
public enum ProviderError: Error, Equatable, CustomStringConvertible {
    case unreachable(issuer: String, reason: String)
    case httpStatus(issuer: String, url: String, status: Int)
    case invalidMetadata(issuer: String, reason: String)
    case issuerMismatch(configured: String, discovered: String)
    case invalidKeySet(issuer: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let issuer, let reason):
            return "provider \(issuer) is unreachable: \(reason)"
        case .httpStatus(let issuer, let url, let status):
            return "provider \(issuer) answered HTTP \(status) for \(url)"
        case .invalidMetadata(let issuer, let reason):
            return "provider \(issuer) metadata is unusable: \(reason)"
        case .issuerMismatch(let configured, let discovered):
            return "the discovery document says issuer \"\(discovered)\" but the configuration says \"\(configured)\"; set `issuer` to exactly the provider's issuer"
        case .invalidKeySet(let issuer, let reason):
            return "provider \(issuer) key set (jwks_uri) is unusable: \(reason)"
        }
    }
}
