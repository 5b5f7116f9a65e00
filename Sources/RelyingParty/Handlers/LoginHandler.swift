import Logging

/// Starts a login for a protected location (through `LoginStarter`), back to
/// the page that was asked for.
/// Requests that are not navigations get 401 instead.
struct LoginHandler: Sendable {
    let context: RelyingPartyContext

    func handle(_ request: Request) -> Response {
        // A `401` location never redirects; neither does a request a browser did not navigate to.
        guard RequestClassifier.isNavigation(request), UnauthenticatedAction.of(request) != .unauthorized else {
            return ErrorPage.response(status: 401, title: "unauthenticated", message: "Log in first: this request needs a session.", for: request,
                                      headers: [Response.Header(.wwwAuthenticate, "Bearer realm=\"\(context.settings.api.realm)\"")])
        }
        guard let provider = context.provider(for: request) else {
            context.logger.error("OIDC_PROVIDER names no configured provider", metadata: ["provider": "\(request.params["OIDC_PROVIDER"] ?? "")"])
            return ErrorPage.response(status: 500, title: "Server misconfigured", message: "This location names an identity provider that is not configured.", for: request)
        }
        let returnTo = context.returnURLs.resolve(request.requestURI) ?? context.settings.publicOrigin.serialized + "/"
        return context.loginStarter.start(with: provider, returnTo: returnTo, for: request)
    }
}
