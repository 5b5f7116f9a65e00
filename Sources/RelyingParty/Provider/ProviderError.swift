/// Why the provider could not be used. Every case fails the request closed.
public enum ProviderError: Error, Equatable, CustomStringConvertible {
    case unreachable(issuer: String, reason: String)
    case httpStatus(issuer: String, url: String, status: Int)
    case invalidMetadata(issuer: String, reason: String)
    case issuerMismatch(configured: String, discovered: String)
    case invalidKeySet(issuer: String, reason: String)
    /// The call was not made: too many requests already wait on the provider.
    case overloaded(issuer: String, limit: Int)
    /// The first fetch of metadata and keys is still running; requests do not queue behind it.
    case notLoadedYet(issuer: String)
    /// The last fetch failed and no copy is cached; the next attempt is not due yet.
    case retryingLater(issuer: String, lastFailure: String, inSeconds: Int64)
    /// A token names a key not cached yet and the keys are being fetched again (or that fetch
    /// just failed and is retried shortly); callers do not queue behind it.
    case keysRefetching(issuer: String, lastFailure: String?)

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
        case .overloaded(let issuer, let limit):
            return "provider \(issuer) is slow to answer: \(limit) requests already wait on it (http.max_concurrent); not adding another"
        case .notLoadedYet(let issuer):
            return "provider \(issuer) metadata is not loaded yet (the first fetch is still running)"
        case .retryingLater(let issuer, let lastFailure, let seconds):
            return "provider \(issuer) metadata could not be loaded (\(lastFailure)); next attempt in \(seconds)s"
        case .keysRefetching(let issuer, let lastFailure?):
            return "provider \(issuer) signing keys could not be fetched again (\(lastFailure)); retrying shortly"
        case .keysRefetching(let issuer, nil):
            return "provider \(issuer) signing keys are being fetched again (a token names a key not cached yet)"
        }
    }

    /// True when the call was not made because too many requests already wait on the provider.
    public var isOverloaded: Bool {
        if case .overloaded = self { return true }
        return false
    }

    /// True when the same request may well succeed in a moment (answered 503 with Retry-After).
    public var isTemporary: Bool {
        switch self {
        case .overloaded, .notLoadedYet, .retryingLater, .keysRefetching, .unreachable: return true
        case .httpStatus(_, _, let status): return status >= 500
        case .invalidMetadata, .issuerMismatch, .invalidKeySet: return false
        }
    }
}
