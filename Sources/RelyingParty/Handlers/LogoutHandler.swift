import Logging

/// RP-initiated logout: ends the local session, clears the cookie, and sends the
/// browser to the provider's end_session_endpoint (with id_token_hint) when it
/// has one, else to the return URL.
struct LogoutHandler: Sendable {
    let context: RelyingPartyContext

    func handle(_ request: Request) -> Response {
        let query = FormEncoding.decode(request.queryString)
        let requested = FormEncoding.single("return_to", in: query) ?? "/"
        guard let returnTo = context.returnURLs.resolve(requested) else {
            return ErrorPage.response(status: 400, title: "Logout refused", message: "The address to return to after logout is not on this site.", for: request)
        }
        var session: SessionRecord?
        do {
            for cookie in request.cookies(named: context.sessionCookie.text) {
                if case .valid(let found) = try context.sessions.lookup(cookieValue: cookie) { session = found }
                try context.sessions.destroy(cookieValue: cookie)
            }
        } catch {
            context.logger.error("cannot end the session: store unavailable", metadata: ["reason": "\(error)"])
            return ErrorPage.response(status: 503, title: "Logout unavailable", message: "Your session could not be ended right now. Please try again in a moment.", for: request)
        }
        var location = returnTo
        // The cached metadata only (a stale copy is fine): logout never waits on the provider.
        if let session, let provider = context.settings.provider(named: session.provider),
           let endSession = try? context.providers.snapshot(for: provider).metadata.endSessionEndpoint {
            location = FormEncoding.append([
                ("id_token_hint", session.idToken), ("post_logout_redirect_uri", returnTo), ("client_id", provider.clientID),
            ], to: endSession)
        }
        context.logger.info("logged out", metadata: ["user": "\(session?.user ?? "-")"])
        return Response(status: 302, headers: [
            context.setCookie.delete(context.sessionCookie),
            Response.Header(.location, location),
            Response.Header(.cacheControl, "no-store"),
        ])
    }
}
