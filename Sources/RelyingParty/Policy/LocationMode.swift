/// What a location accepts, from the `OIDC_MODE` parameter its web server
/// configuration sets: a browser session (the default), a bearer token only,
/// or either (a bearer token when the request carries one, else the session).
public enum LocationMode: String, Sendable, CaseIterable {
    case browser, api, either

    /// The request's mode; nil for a value oidc-fcgi does not know (a configuration error).
    public static func of(_ request: Request) -> LocationMode? {
        guard let given = request.params["OIDC_MODE"], !given.isEmpty else { return .browser }
        return LocationMode(rawValue: given.lowercased())
    }
}

extension LocationMode {
    /// Whether this request is answered by its bearer token: always in `api` mode;
    /// in `either` mode when it carries `Authorization: Bearer` (well-formed or
    /// not); another scheme, or none, means the session.
    public func takesBearer(_ request: Request) -> Bool {
        switch self {
        case .browser: return false
        case .api: return true
        case .either:
            switch BearerToken.parse(authorization: request.params["HTTP_AUTHORIZATION"], maxBytes: Int.max / 2) {
            case .absent, .otherScheme: return false
            case .token, .invalid: return true
            }
        }
    }
}
