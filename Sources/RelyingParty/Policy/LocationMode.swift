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
