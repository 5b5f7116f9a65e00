import Logging

/// The auth_request answer: 200 with identity headers for a valid session of
/// one of the location's providers (`LocationProviders`); 401 for no, bad,
/// expired or unlisted provider's session; 403 when the identity cannot be
/// handed on in full; 503 when the store cannot be read.
/// Carries no body and no `Set-Cookie`; a 401 may carry the login redirect for
/// nginx to send (`LoginInAuthAnswer`). Talks to the provider only to refresh the
/// access token of a location that asked for it (`OIDC_PASS_ACCESS_TOKEN`).
struct AuthHandler: Sendable {
    /// The header carrying the client's Cookie header minus oidc-fcgi's own cookies,
    /// for the web server to send upstream (`auth_request_set`).
    static let upstreamCookieHeader: HeaderName = "OIDC-Upstream-Cookie"
    /// The session's access token, in the answers of locations that asked for it.
    static let accessTokenHeader: HeaderName = "OIDC-Access-Token"
    /// Longer access tokens are refused (403, logged) rather than overflow the web
    /// server's buffer for the auth answer.
    static let maxAccessTokenBytes = AuthAnswerLimits.accessTokenBytes
    /// In a 401 auth answer: the session is valid but due for a silent re-check;
    /// nginx hands it to `@oidc_login` as `OIDC_RECHECK`.
    static let recheckHeader: HeaderName = "OIDC-Recheck"

    let settings: Settings
    let sessionCookie: CookieName
    let sessions: SessionManager
    let identityHeaders: IdentityHeaders
    let upstreamCookies: UpstreamCookies
    let accessTokens: AccessTokenRefresher
    let providers: ProviderDirectory
    let clock: any WallClock
    let logger: Logger
    let loginInAnswer: LoginInAuthAnswer

    init(context: RelyingPartyContext, login: LoginHandler) {
        settings = context.settings
        sessionCookie = context.sessionCookie
        sessions = context.sessions
        identityHeaders = context.identityHeaders
        upstreamCookies = context.upstreamCookies
        accessTokens = context.sessionAccessTokens
        providers = context.providers
        clock = context.clock
        logger = context.logger
        loginInAnswer = LoginInAuthAnswer(login: login, providers: context.providers, settings: context.settings)
    }

    /// 403 with the body the include files' error location shows.
    static let identityNotPassable = Response(status: 403, headers: [
        Response.Header(BearerChallenge.errorBodyHeader, #"{"error":"access_denied","error_description":"Your sign-in cannot be passed on to this site"}"#),
    ])

    /// 403 for an identity the location's claim rule does not admit. The failed
    /// term is logged, never shown.
    static let deniedByRule = Response(status: 403, headers: [
        Response.Header(BearerChallenge.errorBodyHeader, #"{"error":"access_denied","error_description":"You do not have access to this page"}"#),
    ])

    /// What the auth answer decided, before it is written for one web server.
    enum Decision {
        /// A valid session: the identity headers and the client's Cookie header
        /// without oidc-fcgi's cookies (empty when none are left).
        case allow(IdentityHeaders.Answer, upstreamCookie: String)
        /// No, bad, expired or other-provider session.
        case unauthenticated
        /// A valid session the provider should vouch for again: a browser
        /// navigation goes to the provider with `prompt=none`. `provider`: the
        /// session's, at a location with several (nil: the location's only one).
        case recheck(provider: String?)
        /// A valid session whose sign-in is older or weaker than the location
        /// demands (`OIDC_MAX_AGE`, `OIDC_ACR_VALUES`): a new login, with them.
        case stepUp
        /// The identity cannot be handed on in full.
        case forbidden
        /// A valid session whose claims the location's rule does not admit.
        case denied
        /// The session store cannot be read.
        case unavailable
        /// The location names a provider that is not configured.
        case misconfigured
    }

    /// The nginx auth_request answer: headers only, no body, no `Set-Cookie`.
    func handle(_ request: Request) -> Response {
        switch decide(request) {
        case .allow(var answer, let upstreamCookie):
            if !upstreamCookie.isEmpty {
                answer.headers.append(Response.Header(Self.upstreamCookieHeader, upstreamCookie))
            }
            return Response(status: 200, headers: answer.headers)
        // `@oidc_login` sees the location's demands itself: a plain 401 suffices.
        case .unauthenticated, .stepUp: return loginInAnswer.answer(for: request, recheck: nil) ?? Response(status: 401)
        case .recheck(let provider):
            let recheck = provider ?? "1"
            return loginInAnswer.answer(for: request, recheck: recheck) ?? Response(status: 401, headers: [Response.Header(Self.recheckHeader, recheck)])
        case .forbidden: return Self.identityNotPassable
        case .denied: return Self.deniedByRule
        case .unavailable: return Response(status: 503, headers: [Response.Header(.retryAfter, "5")])
        case .misconfigured: return Response(status: 500)
        }
    }

    /// The session's decision; in a `pass` location, no session is an allow
    /// with every identity header empty (for nginx and the authorizer alike).
    func decide(_ request: Request) -> Decision {
        let decision = sessionDecision(request)
        guard case .unauthenticated = decision, UnauthenticatedAction.of(request) == .pass else { return decision }
        guard let upstreamCookie = handedOnCookie(request.header("Cookie") ?? "") else { return .forbidden }
        return .allow(identityHeaders.anonymous, upstreamCookie: upstreamCookie)
    }

    private func sessionDecision(_ request: Request) -> Decision {
        let cookieHeader = request.header("Cookie") ?? ""
        let cookies = CookieHeader.values(named: sessionCookie.text, in: cookieHeader)
        guard !cookies.isEmpty else { return .unauthenticated }
        let location: LocationProviders
        do { location = try LocationProviders.of(request, in: settings) } catch {
            logger.error("the location's OIDC_PROVIDER is wrong; fix it in the web server configuration", metadata: ["reason": "\(error)"])
            return .misconfigured
        }
        let rule: ClaimRule?
        do { rule = try ClaimRequirement.of(request, in: settings.claimRules) } catch {
            logger.error("the location's OIDC_REQUIRE claim rule is malformed; fix it in the web server configuration", metadata: ["reason": "\(error)"])
            return .misconfigured
        }
        guard let passAccessToken = AccessTokenPassing.of(request) else {
            logger.error("the location's OIDC_PASS_ACCESS_TOKEN is neither on nor off; fix it in the web server configuration",
                         metadata: ["given": "\(request.params[AccessTokenPassing.parameter]?.prefix(40) ?? "")"])
            return .misconfigured
        }
        let stepUp: StepUpRequirement
        do { stepUp = try StepUpRequirement.of(request) } catch {
            logger.error("\(error); fix it in the web server configuration")
            return .misconfigured
        }
        do {
            for cookie in cookies {
                switch try sessions.lookup(cookieValue: cookie) {
                case .valid(let session):
                    guard let provider = location.provider(named: session.provider) else {
                        logger.debug("session belongs to a provider this location does not list", metadata: ["provider": "\(session.provider)"])
                        continue
                    }
                    // From the record alone: the provider is asked only by the login that follows.
                    if let shortfall = stepUp.shortfall(of: session, now: clock.now(), clockSkewSeconds: settings.clockSkewSeconds) {
                        logger.info("the session's sign-in does not meet the location's demand; logging in again",
                                    metadata: ["user": "\(session.user.prefix(64))", "reason": "\(shortfall)", "uri": "\(request.requestURI.prefix(200))"])
                        return .stepUp
                    }
                    // Before the rule: the fresh claims decide, not the stale ones.
                    if recheckWanted(session, request: request, provider: provider) {
                        return .recheck(provider: location.offersChoice ? provider.name : nil)
                    }
                    if let rule, let failure = rule.evaluate(session.claims.all) {
                        // Never a new login: the provider would send the same identity back.
                        logger.info("session's claims do not satisfy the location's rule; denying",
                                    metadata: ["user": "\(session.user.prefix(64))", "failed": "\(failure.term.prefix(300))", "uri": "\(request.requestURI.prefix(200))"])
                        return .denied
                    }
                    guard passAccessToken else { return allow(session, provider: provider, cookieHeader: cookieHeader) }
                    return allowWithAccessToken(session, cookieValue: cookie, provider: provider, cookieHeader: cookieHeader)
                case .expired:
                    logger.info("session expired")
                case .absent:
                    continue
                }
            }
            return .unauthenticated
        } catch {
            logger.error("cannot read the session store; denying", metadata: ["reason": "\(error)"])
            return .unavailable
        }
    }

    /// Only browser navigations of redirect locations are sent away for a re-check
    /// (API and XHR requests never are), and only while the provider's metadata
    /// is at hand, so the re-check itself never waits on a provider that is down.
    private func recheckWanted(_ session: SessionRecord, request: Request, provider: ProviderSettings) -> Bool {
        guard session.recheckDue(now: clock.now(), intervalSeconds: settings.session.recheckIntervalSeconds),
              UnauthenticatedAction.of(request) == .redirect, RequestClassifier.isNavigation(request) else { return false }
        guard (try? providers.snapshot(for: provider)) != nil else {
            logger.info("silent re-check due but the provider's metadata is not available; the session stays valid for now",
                        metadata: ["user": "\(session.user.prefix(64))", "provider": "\(provider.name)"])
            return false
        }
        logger.info("silent re-check with the provider", metadata: ["user": "\(session.user.prefix(64))", "provider": "\(provider.name)"])
        return true
    }

    /// The allow of a location that hands the access token on: never without a
    /// valid token. A session whose refresh was refused has ended (unauthenticated:
    /// a new login for browsers, 401 for scripts).
    private func allowWithAccessToken(_ session: SessionRecord, cookieValue: String, provider: ProviderSettings, cookieHeader: String) -> Decision {
        let decision = allow(session, provider: provider, cookieHeader: cookieHeader)
        guard case .allow(var answer, let upstreamCookie) = decision else { return decision }
        let token: String
        switch accessTokens.accessToken(for: session, cookieValue: cookieValue, provider: provider) {
        case .token(let current): token = current
        case .sessionEnded: return .unauthenticated
        case .unavailable: return .unavailable
        }
        // A token is base64url-ish text (RFC 6750 b64token); anything else is not handed on.
        guard token.utf8.count <= Self.maxAccessTokenBytes, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            logger.warning("the session's access token is too large or not printable to hand on; denying",
                           metadata: ["user": "\(session.user.prefix(64))", "bytes": "\(token.utf8.count)", "limit": "\(Self.maxAccessTokenBytes)"])
            return .forbidden
        }
        answer.headers.append(Response.Header(Self.accessTokenHeader, token))
        return .allow(answer, upstreamCookie: upstreamCookie)
    }

    private func allow(_ session: SessionRecord, provider: ProviderSettings, cookieHeader: String) -> Decision {
        let answer: IdentityHeaders.Answer
        do { answer = try identityHeaders.headers(for: session, issuer: provider.issuer) } catch {
            logger.warning("\(error)", metadata: ["user": "\(session.user.prefix(64))"])
            return .forbidden
        }
        for (header, bytes) in answer.omitted {
            logger.debug("identity header sent empty: its value does not fit", metadata: ["header": "\(header)", "bytes": "\(bytes)"])
        }
        guard let upstreamCookie = handedOnCookie(cookieHeader) else { return .forbidden }
        return .allow(answer, upstreamCookie: upstreamCookie)
    }

    /// The Cookie header for the application, without oidc-fcgi's cookies; nil
    /// (logged) when it is too large to hand on.
    private func handedOnCookie(_ cookieHeader: String) -> String? {
        guard let upstreamCookie = upstreamCookies.filter(cookieHeader) else {
            logger.warning("the request's Cookie header is too large to hand to the application; denying",
                           metadata: ["bytes": "\(cookieHeader.utf8.count)", "limit": "\(UpstreamCookies.maxBytes)"])
            return nil
        }
        return upstreamCookie
    }
}
