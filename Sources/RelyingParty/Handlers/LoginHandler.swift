import Logging

/// Starts a login for a protected location (through `LoginStarter`), back to
/// the page that was asked for.
/// Requests that are not navigations get 401 instead.
struct LoginHandler: Sendable {
    let context: RelyingPartyContext

    func handle(_ request: Request) -> Response {
        // A `401` location never redirects; neither does a request a browser did not navigate to.
        guard RequestClassifier.isNavigation(request), UnauthenticatedAction.of(request) != .unauthorized else {
            return context.pages.response(status: 401, title: "Sign-in required", message: "Log in first: this request needs a session.", for: request,
                                          headers: [Response.Header(.wwwAuthenticate, "Bearer realm=\"\(context.settings.api.realm)\"")])
        }
        guard let provider = context.provider(for: request) else {
            return context.pages.response(ErrorPage(
                status: 500, title: "Server misconfigured", message: "This location names an identity provider that is not configured.",
                log: "OIDC_PROVIDER names no configured provider", logLevel: .error, logMetadata: ["provider": "\(request.params["OIDC_PROVIDER"]?.prefix(100) ?? "")"]), for: request)
        }
        let returnTo = context.returnURLs.resolve(request.requestURI) ?? context.settings.publicOrigin.serialized + "/"
        return context.loginStarter.start(with: provider, returnTo: returnTo, for: request)
    }
}
