/// The fixed label values of the relying party's metrics. Each raw value is
/// the label text an operator sees; nothing from a request ever becomes one.

/// How a request was answered, from its status: 2xx allow; 3xx and 401
/// challenge (a redirect to the provider or back to the site, a login asked
/// for); 403 and other 4xx deny; 503 unavailable (store or provider); any
/// other 5xx error (a misconfiguration).
public enum RequestOutcome: String, Sendable, CaseIterable {
    case allow, challenge, deny, unavailable, error

    public init(status: Int) {
        switch status {
        case 200..<300: self = .allow
        case 300..<400, 401: self = .challenge
        case 503: self = .unavailable
        case 400..<500: self = .deny
        default: self = .error
        }
    }
}

/// Why a login that reached the redirect URI made no session.
public enum LoginFailureReason: String, Sendable, CaseIterable {
    /// The response itself was refused: state, code, replay, ID token, claims.
    case rejected
    /// The provider answered with an `error` (the user cancelled, consent refused…).
    case providerError = "provider_error"
    /// The provider could not be reached or did not complete the exchange.
    case providerUnavailable = "provider_unavailable"
    /// The session store could not record the login.
    case storeUnavailable = "store_unavailable"
    /// A sign-in older or weaker than the location demands.
    case stepUp = "step_up"
}

public enum LogoutKind: String, Sendable, CaseIterable {
    case rpInitiated = "rp-initiated"
    case backChannel = "back-channel"
    case frontChannel = "front-channel"
}

/// Which of the provider's endpoints a call went to.
public enum ProviderEndpoint: String, Sendable, CaseIterable {
    case discovery, jwks, token, userinfo, introspection, registration
}

public enum ProviderCallOutcome: String, Sendable, CaseIterable {
    /// An answer with a 2xx status.
    case ok
    /// An answer with another status.
    case httpError = "http_error"
    /// No answer: timed out, unreachable, TLS, too large.
    case failed
    /// Not sent: `http.max_concurrent` calls already waited.
    case overloaded
}

public enum StoreOperation: String, Sendable, CaseIterable {
    case get, set, add, delete, touch
}

/// How one call to one memcached server went (a store operation may call
/// several: a replica, every copy of a write).
public enum StoreServerOutcome: String, Sendable, CaseIterable {
    /// The server answered: a value, a miss, or a refusal such as "too large".
    case answered
    /// Refused, timed out or unreadable: the server is then skipped for `retry_interval`.
    case failed
    /// Not asked: the server is being skipped after a failure.
    case skipped
}
