import Logging

/// Starts a login for a protected location (through `LoginStarter`), back to
/// the page that was asked for.
/// Requests that are not navigations get 401 instead.
struct LoginHandler: Sendable {
    let context: RelyingPartyContext

    /// The parameter nginx's `@oidc_login` carries when the auth answer asked for a re-check.
    static let recheckParameter = "OIDC_RECHECK"

    /// `recheck`: the session is valid but due for a silent re-check (the
    /// authorizer knows it; nginx says so with `OIDC_RECHECK`).
    func handle(_ request: Request, recheck: Bool = false) -> Response {
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
        let isRecheck = recheck || request.params[Self.recheckParameter] == "1"
        let stepUp: StepUpRequirement
        do { stepUp = try StepUpRequirement.of(request) } catch {
            return context.pages.response(ErrorPage(
                status: 500, title: "Server misconfigured", message: "This location's sign-in settings are wrong; the site's operators can find the cause in their log.",
                log: "\(error); fix it in the web server configuration", logLevel: .error), for: request)
        }
        // A re-check only asks whether the user is still signed in (prompt=none
        // cannot make anyone sign in again); a stronger sign-in, if the location
        // wants one, follows as a login of its own.
        return context.loginStarter.start(with: provider, returnTo: returnTo, isRecheck: isRecheck,
                                          stepUp: isRecheck ? StepUpRequirement(maxAge: nil, acrValues: []) : stepUp, for: request)
    }
}
