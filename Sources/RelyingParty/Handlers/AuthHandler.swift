import Logging

/// The auth_request answer: 200 with identity headers for a valid session of the
/// location's provider; 401 for no, bad or expired session; 503 when the store
/// cannot be read. Carries no body and no cookie.
struct AuthHandler: Sendable {
    let context: RelyingPartyContext

    func handle(_ request: Request) -> Response {
        let cookies = request.cookies(named: context.settings.cookie.name)
        guard !cookies.isEmpty else { return Response(status: 401) }
        guard let provider = context.provider(for: request) else {
            context.logger.error("OIDC_PROVIDER names no configured provider", metadata: ["provider": "\(request.params["OIDC_PROVIDER"] ?? "")"])
            return Response(status: 500)
        }
        do {
            for cookie in cookies {
                switch try context.sessions.lookup(cookieValue: cookie) {
                case .valid(let session) where session.provider == provider.name:
                    return Response(status: 200, headers: context.identityHeaders.headers(for: session))
                case .valid:
                    context.logger.debug("session belongs to another provider than this location's", metadata: ["provider": "\(provider.name)"])
                case .expired:
                    context.logger.info("session expired")
                case .absent:
                    continue
                }
            }
            return Response(status: 401)
        } catch {
            context.logger.error("cannot read the session store; denying", metadata: ["reason": "\(error)"])
            return Response(status: 503, headers: [Response.Header("Retry-After", "5")])
        }
    }
}
