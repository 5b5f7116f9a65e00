import JOSE
import Logging

/// RP-initiated logout. Ends the local session first, whatever happens next,
/// clears the cookie, and sends the browser to the provider's
/// end_session_endpoint with `id_token_hint`, `client_id`, the registered
/// `post_logout_redirect_uri` (this location) and a `state`, remembered in a
/// sealed cookie. The provider's redirect back (`?state=…`) lands the browser
/// where the logout asked; a missing, unknown or error answer lands it on
/// `logout.post_logout_url`. Without an end-session endpoint the logout is local.
struct LogoutHandler: Sendable {
    let settings: Settings
    let sessions: SessionManager
    let sessionCookie: CookieName
    let setCookie: SetCookie
    let providers: ProviderDirectory
    let registrar: ClientRegistrar
    let returnURLs: ReturnURLPolicy
    let logoutStates: LogoutStateCookie
    let random: any RandomSource
    let clock: any WallClock
    let pages: ErrorPages
    let logger: Logger
    let metrics: any RelyingPartyMetrics

    init(context: RelyingPartyContext) {
        settings = context.settings
        sessions = context.sessions
        sessionCookie = context.sessionCookie
        setCookie = context.setCookie
        providers = context.providers
        registrar = context.registrar
        returnURLs = context.returnURLs
        logoutStates = context.logoutStates
        random = context.random
        clock = context.clock
        pages = context.pages
        logger = context.logger
        metrics = context.metrics
    }

    func handle(_ request: Request) -> Response {
        let isPost = request.method == "POST"
        let params = FormEncoding.decode(isPost ? String(decoding: request.body, as: UTF8.self) : request.queryString)
        if !isPost, let state = FormEncoding.single("state", in: params) {
            return returnFromProvider(request, state: state, error: FormEncoding.single("error", in: params))
        }
        // The signed-out page only shows; it ends nothing, so a link to it cannot log anyone out.
        if !isPost, params.contains(where: { $0.name == Self.signedOutParameter }) { return pages.signedOut() }
        let requested = FormEncoding.single("return_to", in: params) ?? settings.logout.postLogoutURL ?? signedOutPath
        guard let returnTo = returnURLs.resolve(requested) else {
            return pages.response(ErrorPage(status: 400, title: "Logout refused", message: "The address to return to after logout is not on this site.",
                                            log: "logout return_to refused by the return-URL policy", logMetadata: ["return_to": "\(requested.prefix(200))"]), for: request)
        }
        let cookies = request.cookies(named: sessionCookie.text)
        if settings.logout.postOnly && !cookies.isEmpty {
            guard isPost else { return LogoutConfirmationPage.response(action: settings.logout.path, returnTo: requested, for: request) }
            guard isSameOrigin(request) else {
                return pages.response(ErrorPage(status: 403, title: "Logout refused", message: "Log out from this site's own logout button.",
                                                log: "logout POST from another site refused", logMetadata: ["origin": "\(request.header("Origin")?.prefix(100) ?? "")"]), for: request)
            }
        }
        var session: SessionRecord?
        do {
            for cookie in cookies {
                if case .valid(let found) = try sessions.lookup(cookieValue: cookie) { session = found }
                try sessions.destroy(cookieValue: cookie)
            }
        } catch {
            return pages.response(ErrorPage(status: 503, title: "Logout unavailable", message: "Your session could not be ended right now. Please try again in a moment.",
                                            log: "cannot end the session: store unavailable", logLevel: .error, logMetadata: ["reason": "\(error)"]), for: request)
        }
        var headers = [setCookie.delete(sessionCookie), Response.Header(.cacheControl, "no-store")]
        var location = returnTo
        // The cached metadata only (a stale copy is fine): logout never waits on the provider.
        // A registered client as already stored: logout never registers.
        if let session, let provider = settings.provider(named: session.provider).map(registrar.knownClient(for:)),
           let endSession = try? providers.snapshot(for: provider).metadata.endSessionEndpoint {
            let state = Base64URL.encode(random.bytes(24))
            headers.append(logoutStates.issue(.init(state: state, returnTo: returnTo, createdAt: clock.now())))
            location = FormEncoding.append([
                ("id_token_hint", session.idToken), ("client_id", provider.clientID),
                ("post_logout_redirect_uri", settings.publicOrigin.serialized + settings.logout.path), ("state", state),
            ].filter { !$0.1.isEmpty }, to: endSession)
        }
        metrics.loggedOut(.rpInitiated)
        logger.info("logged out", metadata: ["user": "\(session?.user ?? "-")", "provider": "\(session?.provider ?? "-")"])
        headers.append(Response.Header(.location, location))
        return Response(status: 302, headers: headers)
    }

    /// The provider sent the browser back. Ends nothing (the session ended before
    /// the browser left), so a forged link can only redirect within the site.
    private func returnFromProvider(_ request: Request, state: String, error: String?) -> Response {
        let pending = logoutStates.find(state: state, in: request, now: clock.now())
        if let error {
            logger.info("the provider reports an error on the way back from logout; the local session is ended", metadata: ["error": "\(error.prefix(100))"])
        } else if pending == nil {
            logger.info("back from the provider's logout with an unknown or expired state; landing on logout.post_logout_url")
        }
        let fallback = returnURLs.resolve(settings.logout.postLogoutURL ?? signedOutPath) ?? settings.publicOrigin.serialized + "/"
        return Response(status: 302, headers: [
            logoutStates.deletion, Response.Header(.location, pending?.returnTo ?? fallback), Response.Header(.cacheControl, "no-store"),
        ])
    }

    static let signedOutParameter = "signed_out"

    /// The default landing after logout: this location's signed-out page.
    private var signedOutPath: String { settings.logout.path + "?" + Self.signedOutParameter }

    /// A browser's POST from this site's own page: `Origin` (sent with every POST by
    /// current browsers) or, without it, `Sec-Fetch-Site` must not name another site.
    private func isSameOrigin(_ request: Request) -> Bool {
        if let origin = request.header("Origin") { return origin == settings.publicOrigin.serialized }
        if let site = request.header("Sec-Fetch-Site") { return site == "same-origin" || site == "none" }
        return true
    }
}
