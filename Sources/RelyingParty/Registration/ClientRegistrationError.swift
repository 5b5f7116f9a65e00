/// Why no registered client can be had. Every case fails the login closed; the
/// file cases are never repaired by overwriting, an operator decides.
public enum ClientRegistrationError: Error, Equatable, CustomStringConvertible {
    case noRegistrationEndpoint(provider: String)
    case unreadableFile(path: String, reason: String)
    case corruptFile(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case transport(provider: String, reason: String)
    case overloaded(provider: String, limit: Int)
    /// The provider refused to register the client (RFC 7591 §3.2.2).
    case refused(provider: String, status: Int, error: String?, description: String?)
    case malformedResponse(provider: String, status: Int)

    public var description: String {
        switch self {
        case .noRegistrationEndpoint(let provider):
            return "provider \(provider) has no registration_endpoint (discovery or metadata); configure client_id instead of registration, or set metadata.registration_endpoint"
        case .unreadableFile(let path, let reason):
            return "the registered client file \(path) cannot be read (\(reason)); make it readable by oidc-fcgi, or remove it to register again"
        case .corruptFile(let path, let reason):
            return "the registered client file \(path) is corrupt (\(reason)); fix or remove it (removing it registers a new client)"
        case .cannotWrite(let path, let reason):
            return "the registered client cannot be saved to \(path) (\(reason)); make registration.state_dir writable by oidc-fcgi"
        case .transport(let provider, let reason):
            return "provider \(provider) registration endpoint could not be reached: \(reason)"
        case .overloaded(let provider, let limit):
            return "provider \(provider) registration was not attempted: \(limit) requests already wait on the provider (http.max_concurrent)"
        case .refused(let provider, let status, let error, let description):
            let detail = [error, description.map { String($0.prefix(300)) }].compactMap { $0 }.joined(separator: ": ")
            return "provider \(provider) refused the client registration (HTTP \(status)\(detail.isEmpty ? "" : ", " + detail))"
                + (status == 401 || status == 403 || error == "invalid_token" ? "; check registration.initial_access_token" : "")
        case .malformedResponse(let provider, let status):
            return "provider \(provider) answered the client registration with HTTP \(status) but no client_id"
        }
    }

    /// True when the call was not made because too many requests already wait on the provider.
    public var isOverloaded: Bool {
        if case .overloaded = self { return true }
        return false
    }

    /// True when trying again in a moment may work (a 503 page rather than the misconfiguration page).
    public var isTemporary: Bool {
        switch self {
        case .transport, .overloaded: return true
        case .refused(_, let status, _, _), .malformedResponse(_, let status): return status >= 500
        default: return false
        }
    }
}
