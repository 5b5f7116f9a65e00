import JOSE
import Logging

/// Starts a login: stores state, nonce and PKCE verifier in a sealed login-state
/// cookie and sends the browser to the provider's authorization endpoint.
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
        // The callback must store the session: when the store is already known
        // to be down, say so now rather than after a trip to the provider.
        guard !context.store.isKnownUnavailable else {
            context.logger.warning("cannot start login: session store unavailable", metadata: ["provider": "\(provider.name)"])
            return ErrorPage.response(status: 503, title: "Login unavailable", message: "Sessions cannot be stored right now, so logging in would fail. Please try again in a moment.", for: request,
                                      headers: [Response.Header("Retry-After", "5")])
        }
        let metadata: ProviderMetadata
        do {
            metadata = try context.providers.snapshot(for: provider).metadata
        } catch {
            context.logger.error("cannot start login: provider unavailable", metadata: ["provider": "\(provider.name)", "reason": "\(error)"])
            return ProviderUnavailablePage.response(title: "Login unavailable", slow: error.isOverloaded, for: request)
        }
        let returnTo = context.returnURLs.resolve(request.requestURI) ?? context.settings.publicOrigin.serialized + "/"
        let now = context.clock.now()
        let pkce = PKCE(random: context.random)
        let state = LoginState(
            state: Base64URL.encode(context.random.bytes(32)), nonce: Base64URL.encode(context.random.bytes(32)),
            codeVerifier: pkce.verifier, returnTo: returnTo, provider: provider.name, createdAt: now
        )
        var parameters: [(String, String)] = [
            ("response_type", "code"), ("client_id", provider.clientID), ("redirect_uri", context.settings.redirectURI),
            ("scope", provider.scopes.joined(separator: " ")), ("state", state.state), ("nonce", state.nonce),
            ("code_challenge", pkce.challenge), ("code_challenge_method", PKCE.method),
        ]
        parameters += provider.extraAuthorizationParameters.map { ($0.name, $0.value) }
        var headers = context.loginStates.issue(state, existing: request, now: now)
        headers.append(Response.Header(.location, FormEncoding.append(parameters, to: metadata.authorizationEndpoint)))
        headers.append(Response.Header(.cacheControl, "no-store"))
        return Response(status: 302, headers: headers)
    }
}
