import JOSE
import Logging

/// Sends a browser to a provider's authorization endpoint: stores state, nonce
/// and PKCE verifier in a sealed login-state cookie and answers 302. Shared by
/// the login a protected location starts and the one a login link starts.
struct LoginStarter: Sendable {
    let store: any KeyValueStore
    let providers: ProviderDirectory
    let registrar: ClientRegistrar
    let loginStates: LoginStateCookies
    let random: any RandomSource
    let clock: any WallClock
    let redirectURI: String
    let pages: ErrorPages
    let logger: Logger
    let metrics: any RelyingPartyMetrics

    /// `returnTo` must already have passed the return-URL policy.
    /// `extraParameters` replace the provider's configured ones of the same name.
    /// A re-check asks the provider with `prompt=none` to vouch for the session's user again.
    /// `stepUp` is the location's demand: its `max_age` and `acr_values` replace the
    /// provider's, and its acr values are essential (checked in the ID token).
    func start(with configured: ProviderSettings, returnTo: String, extraParameters: [(String, String)] = [], isRecheck: Bool = false,
               stepUp: StepUpRequirement = StepUpRequirement(maxAge: nil, acrValues: []), followsNewRegistration: Bool = false,
               for request: Request) -> Response {
        var extraParameters = isRecheck ? extraParameters.filter { $0.0 != "prompt" } + [("prompt", "none")] : extraParameters
        var provider = configured
        let maxAge = stepUp.maxAge ?? provider.maxAge
        let acrValues = stepUp.acrValues.isEmpty ? provider.acrValues : stepUp.acrValues
        if let maxAge { extraParameters = extraParameters.filter { $0.0 != "max_age" } + [("max_age", String(maxAge))] }
        if !acrValues.isEmpty { extraParameters = extraParameters.filter { $0.0 != "acr_values" } + [("acr_values", acrValues.joined(separator: " "))] }
        // The callback must store the session: when the store is already known
        // to be down, say so now rather than after a trip to the provider.
        guard !store.isKnownUnavailable else {
            return pages.response(ErrorPage(
                status: 503, title: "Login unavailable", message: "Sessions cannot be stored right now, so logging in would fail. Please try again in a moment.",
                tryAgainURL: returnTo, log: "cannot start login: session store unavailable", logMetadata: ["provider": "\(provider.name)"]), for: request)
        }
        let metadata: ProviderMetadata
        do {
            metadata = try providers.snapshot(for: provider).metadata
        } catch {
            let metadata: Logger.Metadata = ["provider": "\(provider.name)", "reason": "\(error)"]
            guard error.isTemporary else {
                return pages.response(.misconfiguredProvider(log: "cannot start login: the provider's configuration does not work", metadata: metadata), for: request)
            }
            return ProviderUnavailablePage.response(title: "Login unavailable", slow: error.isOverloaded, tryAgainURL: returnTo,
                                                    log: "cannot start login: provider unavailable", metadata: metadata, pages: pages, for: request)
        }
        do {
            provider = try registrar.client(for: provider, metadata: metadata)
        } catch {
            return Self.registrationFailed(error, provider: provider, tryAgainURL: returnTo, pages: pages, for: request)
        }
        let now = clock.now()
        let pkce = PKCE(random: random)
        let state = LoginState(
            state: Base64URL.encode(random.bytes(32)), nonce: Base64URL.encode(random.bytes(32)),
            codeVerifier: pkce.verifier, returnTo: returnTo, provider: provider.name, createdAt: now, isRecheck: isRecheck,
            maxAge: maxAge, requiredACRValues: stepUp.acrValues, followsNewRegistration: followsNewRegistration
        )
        var parameters: [(String, String)] = [
            ("response_type", "code"), ("client_id", provider.clientID), ("redirect_uri", redirectURI),
            ("scope", provider.scopes.joined(separator: " ")), ("state", state.state), ("nonce", state.nonce),
            ("code_challenge", pkce.challenge), ("code_challenge_method", PKCE.method),
        ]
        let extraNames = Set(extraParameters.map(\.0))
        parameters += provider.extraAuthorizationParameters.filter { !extraNames.contains($0.name) }.map { ($0.name, $0.value) }
        parameters += extraParameters
        var headers = loginStates.issue(state, existing: request, now: now)
        headers.append(Response.Header(.location, FormEncoding.append(parameters, to: metadata.authorizationEndpoint)))
        headers.append(Response.Header(.cacheControl, "no-store"))
        metrics.loginStarted()
        return Response(status: 302, headers: headers)
    }

    /// A login that has no registered client to use: 503 when it may work in a moment, else the misconfiguration page.
    static func registrationFailed(_ error: ClientRegistrationError, provider: ProviderSettings, tryAgainURL: String?,
                                   pages: ErrorPages, for request: Request, headers: [Response.Header] = []) -> Response {
        let metadata: Logger.Metadata = ["provider": "\(provider.name)", "reason": "\(error)"]
        guard error.isTemporary else {
            return pages.response(.clientRegistrationFailed(error, log: "cannot log in: no registered client", metadata: metadata), for: request, headers: headers)
        }
        return ProviderUnavailablePage.response(title: "Login unavailable", slow: error.isOverloaded, tryAgainURL: tryAgainURL,
                                                log: error.isOverloaded ? "cannot log in: client registration not attempted" : "cannot log in: client registration failed",
                                                metadata: metadata, pages: pages, for: request, headers: headers)
    }
}
