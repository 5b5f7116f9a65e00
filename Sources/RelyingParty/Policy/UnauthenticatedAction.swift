/// What a location does with a request that has no valid session, from the
/// `OIDC_UNAUTHENTICATED` parameter its web server configuration sets:
/// `redirect` (the default) starts a login for browser navigations; `401`
/// answers 401 to everything, for pages only scripts call; `pass` lets the
/// request through with every identity header present and empty, so the
/// application can serve a public view with a login link. A store or provider
/// failure is never a pass: those stay 503.
public enum UnauthenticatedAction: String, Sendable, CaseIterable {
    case redirect
    case unauthorized = "401"
    case pass

    /// The request's action; nil for a value oidc-fcgi does not know (a configuration error).
    public static func of(_ request: Request) -> UnauthenticatedAction? {
        guard let given = request.params["OIDC_UNAUTHENTICATED"], !given.isEmpty else { return .redirect }
        return UnauthenticatedAction(rawValue: given.lowercased())
    }
}
