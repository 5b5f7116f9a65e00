import JOSE
import Logging

/// The redirect URI: checks the login state, exchanges the code, validates the
/// ID token and userinfo, creates the session and sends the browser back.
/// Every failure clears the login-state cookie and creates no session.
struct CallbackHandler: Sendable {
    let context: RelyingPartyContext
    private let validator = IDTokenValidator()

    init(context: RelyingPartyContext) { self.context = context }

    func handle(_ request: Request) -> Response {
        let query = FormEncoding.decode(request.method == "POST" ? String(decoding: request.body, as: UTF8.self) : request.queryString)
        guard let stateValue = FormEncoding.single("state", in: query), !stateValue.isEmpty else {
            // A provider's Deny button often answers without the state: the user cancelled.
            if let error = FormEncoding.single("error", in: query) {
                return providerError(request, error: error, description: FormEncoding.single("error_description", in: query), login: nil,
                                     extra: context.loginStates.deletionOfAll(in: request))
            }
            return reject(request, status: 400, title: "Login failed", message: "The login response has no state. Start again from the page you wanted.", log: "callback without a single state parameter")
        }
        // Only a state of the shape we issue names a cookie of ours; anything
        // else is refused before it is used for anything.
        guard let clearState = context.loginStates.deletion(forState: stateValue) else {
            return reject(request, status: 400, title: "Login failed", message: "The login response is malformed. Start again from the page you wanted.",
                          log: "callback with a malformed state parameter", metadata: ["bytes": "\(stateValue.utf8.count)"])
        }
        guard let login = context.loginStates.find(state: stateValue, in: request) else {
            return reject(request, status: 400, title: "Login failed",
                          message: "This login was not started in this browser, or it already finished. Start again from the page you wanted.",
                          log: "no login state cookie matches the state", extra: [clearState])
        }
        let now = context.clock.now()
        if now - login.createdAt >= context.settings.login.timeoutSeconds || now < login.createdAt - context.settings.clockSkewSeconds {
            // Slow user: start over to the original page rather than strand them.
            context.logger.info("login state expired; restarting the login", metadata: ["provider": "\(login.provider)"])
            return Response(status: 302, headers: [clearState, Response.Header(.location, login.returnTo), Response.Header(.cacheControl, "no-store")])
        }
        if let error = FormEncoding.single("error", in: query) {
            if login.isRecheck { return endRecheckedSession(request, error: error, login: login, extra: [clearState]) }
            return providerError(request, error: error, description: FormEncoding.single("error_description", in: query), login: login, extra: [clearState])
        }
        guard var provider = context.settings.provider(named: login.provider) else {
            return reject(request, status: 400, title: "Login failed", message: "The provider of this login is no longer configured. Start again.", log: "login state names an unknown provider", extra: [clearState])
        }
        guard let code = FormEncoding.single("code", in: query), !code.isEmpty else {
            return reject(request, status: 400, title: "Login failed", message: "The login response has no authorization code.", log: "callback without code", extra: [clearState])
        }
        do {
            // One use per state, across every instance sharing the store.
            let marker = Digest.sha256.hexKey("state-used:", stateValue)
            guard try context.store.add(marker, value: [1], ttlSeconds: Int(context.settings.login.timeoutSeconds)) else {
                return reject(request, status: 400, title: "Login failed", message: "This login response was already used.", log: "replayed login response", extra: [clearState])
            }
        } catch {
            return unavailable(request, login: login, error: "\(error)", extra: [clearState])
        }

        let snapshot: ProviderDirectory.Snapshot
        do { snapshot = try context.providers.snapshot(for: provider) } catch {
            guard error.isTemporary else { return misconfiguredProvider(request, provider: provider, reason: "\(error)", extra: [clearState]) }
            return providerUnavailable(request, login: login, provider: provider, reason: "\(error)", slow: error.isOverloaded, extra: [clearState])
        }
        do { provider = try context.registrar.client(for: provider, metadata: snapshot.metadata) } catch {
            return LoginStarter.registrationFailed(error, provider: provider, tryAgainURL: login.returnTo, pages: context.pages, for: request, headers: [clearState])
        }
        if let issuerParameter = FormEncoding.single("iss", in: query), issuerParameter != snapshot.metadata.issuer {
            // RFC 9207: the response came from another provider (mix-up attack).
            return reject(request, status: 400, title: "Login failed", message: "The login response came from an unexpected identity provider.", log: "iss parameter does not match the provider", extra: [clearState])
        }
        let tokens: TokenResponse
        do {
            tokens = try TokenEndpointClient(http: context.http, clock: context.clock, random: context.random).exchange(
                code: code, codeVerifier: login.codeVerifier, redirectURI: context.settings.redirectURI,
                provider: provider, metadata: snapshot.metadata)
        } catch {
            if case .clientAuthenticationRefused(let method, _, let description) = error {
                if provider.registration != nil, !login.isRecheck, !login.followsNewRegistration {
                    return registerAgainAndRestart(request, provider: provider, login: login, metadata: snapshot.metadata, clearState: clearState)
                }
                return clientAuthenticationRefused(request, provider: provider, method: method, description: description, extra: [clearState])
            }
            if case .overloaded = error { return providerUnavailable(request, login: login, provider: provider, reason: error.description, slow: true, extra: [clearState]) }
            return providerFailure(request, login: login, provider: provider, reason: error.description, extra: [clearState])
        }
        let claims: IDTokenClaims
        do {
            claims = try validateIDToken(tokens, login: login, provider: provider, snapshot: snapshot, now: now)
        } catch IDTokenError.keysUnavailable(let error) {
            guard error.isTemporary else { return misconfiguredProvider(request, provider: provider, reason: "\(error)", extra: [clearState]) }
            return providerUnavailable(request, login: login, provider: provider, reason: "\(error)", slow: error.isOverloaded, extra: [clearState])
        } catch IDTokenError.authTimeMissing {
            return reject(request, status: 401, title: "Login failed",
                          message: "The identity provider did not say when you signed in, which this page requires. The site's operators can find the cause in their log.",
                          log: "ID token rejected: \(IDTokenError.authTimeMissing)", metadata: ["provider": "\(provider.name)"], extra: [clearState])
        } catch IDTokenError.authenticationTooOld(let maxAge) {
            return stepUpRefused(request, login: login, title: "Recent sign-in required",
                                 message: "This page needs a recent sign-in, and the identity provider did not ask you to sign in again. Try again; if this keeps happening, contact the site's operators.",
                                 error: .authenticationTooOld(maxAge: maxAge), provider: provider, extra: [clearState])
        } catch IDTokenError.acrNotAccepted(let got, let wanted) {
            return stepUpRefused(request, login: login, title: "Stronger sign-in required",
                                 message: "This page needs a stronger sign-in (for example with a second factor) than the identity provider confirmed. Try again and choose the stronger method.",
                                 error: .acrNotAccepted(got: got, wanted: wanted), provider: provider, extra: [clearState])
        } catch {
            return reject(request, status: 401, title: "Login failed", message: "The identity provider's answer could not be verified.",
                          log: "ID token rejected: \(error)", metadata: ["provider": "\(provider.name)"], extra: [clearState])
        }
        var allClaims = claims.all
        if let endpoint = snapshot.metadata.userinfoEndpoint, let accessToken = tokens.accessToken {
            do {
                let userinfo = try UserInfoClient(http: context.http).fetch(endpoint: endpoint, accessToken: accessToken, expectedSubject: claims.subject)
                for (name, value) in userinfo where !Self.protocolClaims.contains(name) { allClaims[name] = value }
            } catch {
                if case .overloaded = error { return providerUnavailable(request, login: login, provider: provider, reason: error.description, slow: true, extra: [clearState]) }
                return reject(request, status: 502, title: "Login failed", message: "The identity provider's user information could not be used.",
                              log: "userinfo rejected: \(error)", metadata: ["provider": "\(provider.name)"], extra: [clearState])
            }
        }
        let user = allClaims[provider.userClaim]?.headerText ?? ""
        guard !user.isEmpty else {
            return reject(request, status: 502, title: "Login failed", message: "The identity provider did not provide the user name this site needs.",
                          log: "the claim configured as user_claim is missing or empty", metadata: ["claim": "\(provider.userClaim)"], extra: [clearState])
        }
        var record = SessionRecord(
            provider: provider.name, subject: claims.subject, providerSessionID: claims.sessionID, user: user, claims: allClaims,
            idToken: tokens.idToken, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken,
            accessTokenExpiresAt: tokens.expiresIn.map { now + $0 }, createdAt: now, lastSeenAt: now,
            expiresAt: now + context.settings.session.maxLifetimeSeconds, checkedAt: now,
            authenticatedAt: SignInTime.onServerClock(authTime: claims.authTime, loginStartedAt: login.createdAt, now: now,
                                                      clockSkewSeconds: context.settings.clockSkewSeconds),
            acr: claims.acr, loginMaxAge: login.maxAge)
        // The new cookie replaces the browser's session (a step-up login's too,
        // so the weaker session does not linger in the store). A re-check keeps
        // the checked session's fresh claims, login time and end.
        var replaced: [String] = []
        do {
            for cookie in request.cookies(named: context.sessionCookie.text) {
                guard case .valid(let old) = try context.sessions.lookup(cookieValue: cookie) else { continue }
                replaced.append(cookie)
                if login.isRecheck && old.provider == record.provider && old.subject == record.subject {
                    record.createdAt = old.createdAt
                    record.expiresAt = old.expiresAt
                    record.authenticatedAt = record.authenticatedAt ?? old.authenticatedAt
                }
            }
        } catch {
            return unavailable(request, login: login, error: "\(error)", extra: [clearState])
        }
        let id: SessionID
        do {
            id = try context.sessions.create(record)
            for cookie in replaced { try context.sessions.destroy(cookieValue: cookie) }
        } catch {
            return unavailable(request, login: login, error: "\(error)", extra: [clearState])
        }
        context.metrics.loginCompleted()
        context.logger.info(login.isRecheck ? "silent re-check succeeded; the session's claims are fresh" : "login succeeded",
                            metadata: ["provider": "\(provider.name)", "user": "\(user)"])
        return Response(status: 302, headers: [
            clearState,
            context.setCookie.set(context.sessionCookie, value: id.cookieValue,
                                  maxAge: context.settings.cookie.persistent ? max(1, record.expiresAt - now) : nil),
            Response.Header(.location, login.returnTo),
            Response.Header(.cacheControl, "no-store"),
        ])
    }

    /// Claims that describe the token, not the user; userinfo never overrides them.
    static let protocolClaims: Set<String> = ["iss", "aud", "exp", "iat", "nbf", "nonce", "azp", "at_hash", "c_hash", "sid", "auth_time", "jti"]

    private func validateIDToken(_ tokens: TokenResponse, login: LoginState, provider: ProviderSettings, snapshot: ProviderDirectory.Snapshot, now: Int64) throws -> IDTokenClaims {
        let expectations = IDTokenExpectations(
            issuer: snapshot.metadata.issuer, clientID: provider.clientID, nonce: login.nonce,
            allowedAlgorithms: provider.allowedAlgorithms, clockSkewSeconds: context.settings.clockSkewSeconds,
            maxIssuedAgeSeconds: context.settings.login.timeoutSeconds + context.settings.clockSkewSeconds, now: now,
            accessToken: tokens.accessToken,
            unsignedTokens: .policy(listed: provider.acceptsUnsignedIDTokens, tokenEndpoint: snapshot.metadata.tokenEndpoint),
            maxAge: login.maxAge, requiredACRValues: login.requiredACRValues)
        let secret = Array(provider.clientSecret.utf8)
        return try context.keyVerifier.verify(tokens.idToken, provider: provider, snapshot: snapshot) { keys throws(IDTokenError) in
            try validator.validate(tokens.idToken, keys: keys, clientSecret: secret, expecting: expectations)
        }
    }

    private func reject(_ request: Request, status: Int, title: String, message: String, log: String,
                        metadata: Logger.Metadata = [:], extra: [Response.Header] = []) -> Response {
        context.metrics.loginFailed(.rejected)
        return context.pages.response(ErrorPage(status: status, title: title, message: message, log: "login rejected: \(log)", logMetadata: metadata),
                               for: request, headers: extra)
    }

    /// The provider answered, but with a sign-in older or weaker than the login
    /// demanded: plain words and a way to try again (a click, never a loop).
    private func stepUpRefused(_ request: Request, login: LoginState, title: String, message: String, error: IDTokenError,
                               provider: ProviderSettings, extra: [Response.Header]) -> Response {
        context.metrics.loginFailed(.stepUp)
        return context.pages.response(ErrorPage(status: 401, title: title, message: message, tryAgainURL: login.returnTo,
                                         log: "login rejected: ID token rejected: \(error)", logMetadata: ["provider": "\(provider.name)"]),
                               for: request, headers: extra)
    }

    /// The provider would not vouch for the user silently (`login_required`,
    /// `interaction_required`, `consent_required`…, or any other error): the
    /// session ends, and the page the user wanted starts a normal login.
    private func endRecheckedSession(_ request: Request, error: String, login: LoginState, extra: [Response.Header]) -> Response {
        do {
            for cookie in request.cookies(named: context.sessionCookie.text) { try context.sessions.destroy(cookieValue: cookie) }
        } catch {
            return unavailable(request, login: login, error: "\(error)", extra: extra)
        }
        let interactive: Set<String> = ["login_required", "interaction_required", "consent_required", "account_selection_required"]
        context.logger.log(level: interactive.contains(error) ? .info : .warning,
                           "silent re-check: the provider did not vouch for the user; session ended, logging in again",
                           metadata: ["provider": "\(login.provider)", "error": "\(error.prefix(64))"])
        return Response(status: 302, headers: extra + [
            context.setCookie.delete(context.sessionCookie), Response.Header(.location, login.returnTo), Response.Header(.cacheControl, "no-store"),
        ])
    }

    /// The provider sent `error` instead of a code: plain words first, its code
    /// and (capped) description small, a way back to the page that was wanted.
    private func providerError(_ request: Request, error: String, description: String?, login: LoginState?, extra: [Response.Header]) -> Response {
        context.metrics.loginFailed(.providerError)
        let wording = ProviderErrorWording(code: error)
        return context.pages.response(ErrorPage(
            status: wording.status, title: wording.title, message: wording.message, error: error, errorDescription: description,
            tryAgainURL: login?.returnTo, log: "login not completed: the provider returned an error", logLevel: wording.status >= 500 ? .error : .info,
            logMetadata: ["error": "\(error.prefix(64))", "error_description": "\(description?.prefix(300) ?? "")"]), for: request, headers: extra)
    }

    private func providerFailure(_ request: Request, login: LoginState, provider: ProviderSettings, reason: String, extra: [Response.Header]) -> Response {
        context.metrics.loginFailed(.providerUnavailable)
        return context.pages.response(ErrorPage(
            status: 502, title: "Login failed", message: "The identity provider could not complete the login. Please try again.", tryAgainURL: login.returnTo,
            log: "login failed at the provider", logLevel: .error, logMetadata: ["provider": "\(provider.name)", "reason": "\(reason)"]), for: request, headers: extra)
    }

    /// The provider no longer knows the registered client (it refused it): register a new
    /// one and send the browser straight back to the provider with it. The code was issued
    /// to the old client, so the login itself starts over; only once in a row.
    private func registerAgainAndRestart(_ request: Request, provider: ProviderSettings, login: LoginState, metadata: ProviderMetadata,
                                         clearState: Response.Header) -> Response {
        let replacement: ProviderSettings
        do { replacement = try context.registrar.replace(rejected: provider, metadata: metadata) } catch {
            return LoginStarter.registrationFailed(error, provider: provider, tryAgainURL: login.returnTo, pages: context.pages, for: request, headers: [clearState])
        }
        context.logger.warning("the provider refused the registered client; registered a new one and restarting the login",
                               metadata: ["provider": "\(provider.name)", "refused_client_id": "\(provider.clientID)", "client_id": "\(replacement.clientID)"])
        let restart = context.loginStarter.start(with: replacement, returnTo: login.returnTo, followsNewRegistration: true, for: request)
        return Response(status: restart.status, headers: [clearState] + restart.headers, body: restart.body)
    }

    /// A wrong secret or key is the operator's to fix: say which method was refused, not "try again".
    private func clientAuthenticationRefused(_ request: Request, provider: ProviderSettings, method: ProviderSettings.ClientAuthentication,
                                             description: String?, extra: [Response.Header]) -> Response {
        context.metrics.loginFailed(.providerError)
        return context.pages.response(.clientAuthenticationRefused(
            method: method, log: "login failed: \(method.refusalMessage)",
            metadata: ["provider": "\(provider.name)", "method": "\(method.rawValue)", "error_description": "\(description?.prefix(300) ?? "")"]),
            for: request, headers: extra)
    }

    private func misconfiguredProvider(_ request: Request, provider: ProviderSettings, reason: String, extra: [Response.Header]) -> Response {
        context.metrics.loginFailed(.providerUnavailable)
        return context.pages.response(.misconfiguredProvider(log: "login failed: the provider's configuration does not work",
                                                      metadata: ["provider": "\(provider.name)", "reason": "\(reason)"]), for: request, headers: extra)
    }

    private func providerUnavailable(_ request: Request, login: LoginState, provider: ProviderSettings, reason: String, slow: Bool, extra: [Response.Header]) -> Response {
        context.metrics.loginFailed(.providerUnavailable)
        return ProviderUnavailablePage.response(title: "Login unavailable", slow: slow, tryAgainURL: login.returnTo, log: "login failed: provider unavailable",
                                         metadata: ["provider": "\(provider.name)", "reason": "\(reason)"], pages: context.pages, for: request, headers: extra)
    }

    private func unavailable(_ request: Request, login: LoginState, error: String, extra: [Response.Header]) -> Response {
        context.metrics.loginFailed(.storeUnavailable)
        return context.pages.response(ErrorPage(
            status: 503, title: "Service unavailable", message: "Sessions cannot be stored right now. Please try again in a moment.", tryAgainURL: login.returnTo,
            log: "session store unavailable during login", logLevel: .error, logMetadata: ["reason": "\(error)"]),
            for: request, headers: extra + [Response.Header(.retryAfter, "5")])
    }
}
