import Logging

/// Front-Channel Logout 1.0: the provider loads this location in an iframe with
/// `iss` and `sid`. It ends the provider session they name: the browser's own
/// session when its cookie belongs to that `iss` + `sid`, and, since
/// third-party iframes often carry no cookie, the whole provider-session group
/// otherwise. When the cookie's session belongs to another `iss` or `sid`, the
/// request is not about this browser's session and ends nothing at all (a page
/// elsewhere cannot log a user out by guessing). `iss` and `sid` are required.
struct FrontchannelLogoutHandler: Sendable {
    let providerSettings: [ProviderSettings]
    let sessions: SessionManager
    let sessionCookie: CookieName
    let setCookie: SetCookie
    let logger: Logger
    let metrics: any RelyingPartyMetrics

    init(context: RelyingPartyContext) {
        providerSettings = context.settings.providers
        sessions = context.sessions
        sessionCookie = context.sessionCookie
        setCookie = context.setCookie
        logger = context.logger
        metrics = context.metrics
    }

    func handle(_ request: Request) -> Response {
        guard request.method == "GET" || request.method == "HEAD" else {
            return Self.page(405, "This address only takes the identity provider's logout request.")
        }
        let query = FormEncoding.decode(request.queryString)
        guard let issuer = FormEncoding.single("iss", in: query), let sid = FormEncoding.single("sid", in: query),
              !issuer.isEmpty, !sid.isEmpty
        else {
            logger.warning("front-channel logout without iss and sid; register the URI with frontchannel_logout_session_required")
            return Self.page(400, "The logout request must name the identity provider (iss) and its session (sid).")
        }
        let named = request.params["OIDC_PROVIDER"].flatMap { $0.isEmpty ? nil : $0 }
        let matching = providerSettings.filter { $0.issuer == issuer && (named == nil || $0.name == named) }
        guard !matching.isEmpty else {
            logger.warning("front-channel logout from an issuer that is not configured", metadata: ["iss": "\(issuer.prefix(200))"])
            return Self.page(400, "The logout request names an identity provider this site does not use.")
        }
        do {
            var own: [String] = []
            var foreign = false
            for cookie in request.cookies(named: sessionCookie.text) {
                guard case .valid(let record) = try sessions.lookup(cookieValue: cookie) else { continue }
                if record.providerSessionID == sid, matching.contains(where: { $0.name == record.provider }) {
                    own.append(cookie)
                } else {
                    foreign = true
                }
            }
            if own.isEmpty && foreign {
                logger.warning("front-channel logout for another session than the browser's; nothing ended")
                return Self.page(200, "Nothing to log out here.")
            }
            for cookie in own { try sessions.destroy(cookieValue: cookie) }
            for provider in matching { try sessions.endSessions(provider: provider.name, providerSessionID: sid) }
            logger.info("front-channel logout ended the provider session", metadata: [
                "provider": "\(matching.map(\.name).joined(separator: ","))", "with_cookie": "\(!own.isEmpty)",
            ])
            metrics.loggedOut(.frontChannel)
            return Self.page(200, "You are logged out of this site.", extra: own.isEmpty ? [] : [setCookie.delete(sessionCookie)])
        } catch {
            logger.error("front-channel logout: \(error)")
            return Self.page(503, "Logout could not be completed right now.", extra: [Response.Header(.retryAfter, "5")])
        }
    }

    /// A tiny page for the provider's iframe: never cached, no script, framable.
    static func page(_ status: Int, _ message: String, extra: [Response.Header] = []) -> Response {
        let html = "<!doctype html><meta charset=utf-8><title>Logout</title><p>\(HTMLText.escape(message))</p>\n"
        return Response(status: status, headers: [
            Response.Header(.contentType, "text/html; charset=utf-8"),
            Response.Header(.cacheControl, "no-cache, no-store"),
            Response.Header("Content-Security-Policy", "default-src 'none'"),
        ] + extra, body: Array(html.utf8))
    }
}
