import Logging

/// Starts a login for a protected location (through `LoginStarter`), back to
/// the page that was asked for; at a location open to several providers
/// (`OIDC_PROVIDER="corp partner"`), offers the choice first.
/// Requests that are not navigations get 401 instead.
struct LoginHandler: Sendable {
    let context: RelyingPartyContext

    /// The parameter nginx's `@oidc_login` carries when the auth answer asked for a re-check:
    /// `1`, or at a location with several providers the name of the session's one.
    static let recheckParameter = "OIDC_RECHECK"

    /// `recheck`: the session is valid but due for a silent re-check (the
    /// authorizer knows it; nginx says so with `OIDC_RECHECK`), with the value
    /// that parameter has.
    func handle(_ request: Request, recheck: String? = nil) -> Response {
        // A `401` location never redirects; neither does a request a browser did not navigate to.
        guard RequestClassifier.isNavigation(request), UnauthenticatedAction.of(request) != .unauthorized else {
            return context.pages.response(status: 401, title: "Sign-in required", message: "Log in first: this request needs a session.", for: request,
                                          headers: [Response.Header(.wwwAuthenticate, "Bearer realm=\"\(context.settings.api.realm)\"")])
        }
        let location: LocationProviders
        do { location = try LocationProviders.of(request, in: context.settings) } catch {
            return context.pages.response(ErrorPage(
                status: 500, title: "Server misconfigured", message: "This location names an identity provider that is not configured.",
                log: "the location's OIDC_PROVIDER is wrong; fix it in the web server configuration", logLevel: .error,
                logMetadata: ["reason": "\(error)"]), for: request)
        }
        let returnTo = context.returnURLs.resolve(request.requestURI) ?? context.settings.publicOrigin.serialized + "/"
        let stepUp: StepUpRequirement
        do { stepUp = try StepUpRequirement.of(request) } catch {
            return context.pages.response(ErrorPage(
                status: 500, title: "Server misconfigured", message: "This location's sign-in settings are wrong; the site's operators can find the cause in their log.",
                log: "\(error); fix it in the web server configuration", logLevel: .error), for: request)
        }
        let locationParameters: [(String, String)]
        do { locationParameters = try LocationAuthorizationParameters.of(request) } catch {
            return context.pages.response(ErrorPage(
                status: 500, title: "Server misconfigured", message: "This location's sign-in settings are wrong; the site's operators can find the cause in their log.",
                log: "\(error); fix it in the web server configuration", logLevel: .error), for: request)
        }
        // A re-check only asks whether the user is still signed in (prompt=none
        // cannot make anyone sign in again); a stronger sign-in, if the location
        // wants one, follows as a login of its own.
        if let provider = Self.rechecked(recheck ?? request.params[Self.recheckParameter], at: location) {
            return context.loginStarter.start(with: provider, returnTo: returnTo, isRecheck: true,
                                              stepUp: StepUpRequirement(maxAge: nil, acrValues: []), for: request)
        }
        guard location.offersChoice else {
            return context.loginStarter.start(with: location.providers[0], returnTo: returnTo, extraParameters: locationParameters,
                                              stepUp: stepUp, for: request)
        }
        return ProviderChoicePage.response(providers: location.providers, returnTo: returnTo, stepUp: stepUp, pages: context.pages)
    }

    /// The provider to re-check with: `1` names a location's only provider, a
    /// name one of a location's several. Anything else is no re-check.
    private static func rechecked(_ value: String?, at location: LocationProviders) -> ProviderSettings? {
        guard let value, !value.isEmpty else { return nil }
        if value == "1" { return location.offersChoice ? nil : location.providers[0] }
        return location.provider(named: value)
    }
}
