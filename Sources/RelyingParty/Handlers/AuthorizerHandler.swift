import Logging

/// The answer to Apache mod_authnz_fcgi (`FCGI_ROLE=AUTHORIZER`,
/// `AuthnzFcgiCheckAuthnProvider … Authoritative On`), which sends the
/// authorizer's non-200 answers (status, headers, body) to the client: so the
/// authorizer is both the auth answer and the login start.
///
/// - browser mode, valid session: 200 with `Variable-` headers only (`AuthorizerVariables`);
/// - browser mode, no valid session: what the login action answers (a 302 to the
///   provider with its login-state cookie for navigations, 401 for other requests);
/// - api mode (and either mode with `Authorization: Bearer`, which Apache passes
///   only with `CGIPassAuth On`): the bearer answer as the client gets it,
///   401/403/503 with `WWW-Authenticate` and a JSON body, never a redirect;
/// - store down: a 503 page, never an allow; identity too large: 403.
///
/// Bodies never begin with `/` or a URL, which Apache would take for an
/// ErrorDocument to redirect to.
struct AuthorizerHandler: Sendable {
    let auth: AuthHandler
    let bearer: BearerHandler
    let login: LoginHandler
    let variables: AuthorizerVariables
    let upstreamCookies: UpstreamCookies
    let returnURLs: ReturnURLPolicy
    let pages: ErrorPages
    let logger: Logger

    init(context: RelyingPartyContext, auth: AuthHandler, bearer: BearerHandler, login: LoginHandler) {
        self.auth = auth
        self.bearer = bearer
        self.login = login
        variables = AuthorizerVariables(settings: context.settings.headers)
        upstreamCookies = context.upstreamCookies
        returnURLs = context.returnURLs
        pages = context.pages
        logger = context.logger
    }

    func handle(_ request: Request, mode: LocationMode) -> Response {
        mode.takesBearer(request) ? bearerAnswer(request) : sessionAnswer(request)
    }

    private func bearerAnswer(_ request: Request) -> Response {
        let answer = bearer.handle(request, delivery: .direct)
        guard answer.status == 200 else { return answer }
        // An API client's own cookies pass on as they are, minus oidc-fcgi's; a
        // header too large to hand on is dropped rather than refusing a valid token.
        let cookie = upstreamCookies.filter(request.header("Cookie") ?? "") ?? ""
        return Response(status: 200, headers: variables.headers(from: answer.headers, upstreamCookie: cookie))
    }

    private func sessionAnswer(_ request: Request) -> Response {
        switch auth.decide(request) {
        case .allow(let answer, let upstreamCookie):
            return Response(status: 200, headers: variables.headers(from: answer.headers, upstreamCookie: upstreamCookie))
        case .unauthenticated, .stepUp:
            return login.handle(request)
        case .recheck(let provider):
            return login.handle(request, recheck: provider ?? "1")
        case .forbidden:
            return pages.response(status: 403, title: "Access denied", message: "Your identity cannot be handed on to this site.", for: request)
        case .denied:
            return pages.response(status: 403, title: "Access denied", message: ForbiddenHandler.deniedMessage, for: request)
        case .unavailable:
            return pages.response(ErrorPage(status: 503, title: "Sign-in unavailable", message: "Sign-in is temporarily unavailable. Please try again in a moment.",
                                            error: "temporarily_unavailable", tryAgainURL: returnURLs.resolve(request.requestURI)),
                                  for: request, headers: [Response.Header(.retryAfter, "5")])
        case .misconfigured:
            return pages.response(status: 500, title: "Server misconfigured", message: "This location's sign-in settings are wrong; the site's operators can find the cause in their log.", for: request)
        }
    }
}
