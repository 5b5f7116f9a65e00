import Logging

/// The whole relying party as one function: a request from the web server in,
/// the answer out. The action comes from the `OIDC_ACTION` parameter the web
/// server sets per location; a FastCGI authorizer request (Apache
/// mod_authnz_fcgi, `FCGI_ROLE=AUTHORIZER`) is the authorizer answer, which
/// needs no action (or `auth`).
public final class Responder: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case auth, login, callback, logout
        case backchannelLogout = "backchannel-logout"
        case frontchannelLogout = "frontchannel-logout"
        /// nginx's 403 location: the refusal the auth answer decided, for the client.
        case forbidden
        /// A login link or third-party-initiated login (`/oidc/login?iss=…&target_link_uri=…`).
        case loginLink = "login-link"
        /// nginx's 503 page (`@oidc_unavailable`): the auth answer could not be given.
        case unavailable
    }

    private let context: RelyingPartyContext
    private let auth: AuthHandler
    private let bearer: BearerHandler
    private let login: LoginHandler
    private let callback: CallbackHandler
    private let logout: LogoutHandler
    private let backchannelLogout: BackchannelLogoutHandler
    private let frontchannelLogout: FrontchannelLogoutHandler
    private let authorizer: AuthorizerHandler
    private let forbidden: ForbiddenHandler
    private let loginLink: LoginLinkHandler

    public init(context: RelyingPartyContext) {
        self.context = context
        login = LoginHandler(context: context)
        auth = AuthHandler(context: context, login: login)
        bearer = BearerHandler(context: context)
        callback = CallbackHandler(context: context)
        logout = LogoutHandler(context: context)
        backchannelLogout = BackchannelLogoutHandler(context: context)
        frontchannelLogout = FrontchannelLogoutHandler(context: context)
        authorizer = AuthorizerHandler(context: context, auth: auth, bearer: bearer, login: login)
        forbidden = ForbiddenHandler(pages: context.pages)
        loginLink = LoginLinkHandler(providers: context.settings.providers, returnURLs: context.returnURLs,
                                     defaultReturnURL: context.settings.publicOrigin.serialized + "/",
                                     starter: context.loginStarter, pages: context.pages)
    }

    public func respond(_ request: Request) -> Response {
        let started = ContinuousClock.now
        let (action, response) = answer(request)
        context.metrics.requestAnswered(action, outcome: RequestOutcome(status: response.status), nanoseconds: started.nanosecondsElapsed)
        return response
    }

    /// The action the request was counted under (an authorizer request, or one
    /// without a known action, under `auth`) and its answer.
    private func answer(_ request: Request) -> (Action, Response) {
        let action = action(of: request)
        return (action ?? .auth, answer(request, action: action))
    }

    private func answer(_ request: Request, action: Action?) -> Response {
        guard let mode = LocationMode.of(request) else {
            return misconfigured("The web server asked for an oidc-fcgi mode that does not exist.", request,
                                 log: "request with an unknown OIDC_MODE; set `browser`, `api` or `either` in the web server location",
                                 metadata: ["given": "\(request.params["OIDC_MODE"]?.prefix(40) ?? "")", "uri": "\(request.requestURI.prefix(200))"])
        }
        guard UnauthenticatedAction.of(request) != nil else {
            return misconfigured("The web server asked for an unauthenticated action that does not exist.", request,
                                 log: "request with an unknown OIDC_UNAUTHENTICATED; set `redirect`, `401` or `pass` in the web server location",
                                 metadata: ["given": "\(request.params["OIDC_UNAUTHENTICATED"]?.prefix(40) ?? "")", "uri": "\(request.requestURI.prefix(200))"])
        }
        if request.params["FCGI_ROLE"] == "AUTHORIZER" {
            let given = request.params["OIDC_ACTION"] ?? ""
            guard given.isEmpty || given.lowercased() == Action.auth.rawValue else {
                return misconfigured("The web server asked the authorizer for another oidc-fcgi action.", request,
                                     log: "a FastCGI authorizer request names an action other than auth; remove OIDC_ACTION from the protected location",
                                     metadata: ["given": "\(given.prefix(40))", "uri": "\(request.requestURI.prefix(200))"])
            }
            return authorizer.handle(request, mode: mode)
        }
        switch action {
        case .auth?:
            guard mode.takesBearer(request) else { return auth.handle(request) }
            var answer = bearer.handle(request, delivery: .authAnswer)
            if answer.status == 200, AccessTokenPassing.of(request) == true,
               case .token(let token) = BearerToken.parse(request: request, maxBytes: AuthHandler.maxAccessTokenBytes) {
                // An `either` location that hands the token on: a request with its own
                // (just validated) bearer token passes that one, as a session passes its own.
                answer.headers.append(Response.Header(AuthHandler.accessTokenHeader, token))
            }
            // In `either` mode a 401 goes on to the login location, which answers it
            // with the challenge; nginx would copy this one too, and send it twice.
            return mode == .either && answer.status == 401 ? answer.removingHeaders(named: .wwwAuthenticate) : answer
        case .login?:
            // No session and no redirect for API clients: an `either` location sends a
            // refused bearer token here with the 401; give it its challenge.
            return mode.takesBearer(request) ? bearer.handle(request, delivery: .direct).refusalOnly : login.handle(request)
        case .callback?: return callback.handle(request)
        case .logout?: return logout.handle(request)
        case .backchannelLogout?: return backchannelLogout.handle(request)
        case .frontchannelLogout?: return frontchannelLogout.handle(request)
        case .forbidden?: return forbidden.handle(request, mode: mode)
        case .loginLink?: return loginLink.handle(request)
        case .unavailable?: return UnavailablePage.response(for: request, mode: mode, returnURLs: context.returnURLs, pages: context.pages)
        case nil:
            let given = request.params["OIDC_ACTION"] ?? "(not set)"
            return misconfigured("The web server did not say which oidc-fcgi action to run.", request,
                                 log: "request without a known OIDC_ACTION; set `fastcgi_param OIDC_ACTION auth|login|callback|logout|login-link|unavailable|backchannel-logout|frontchannel-logout;` in the web server location",
                                 metadata: ["given": "\(given.prefix(40))", "uri": "\(request.requestURI.prefix(200))"])
        }
    }

    private func misconfigured(_ message: String, _ request: Request, log: String, metadata: Logger.Metadata) -> Response {
        context.pages.response(ErrorPage(status: 500, title: "Server misconfigured", message: message, log: log, logLevel: .error, logMetadata: metadata), for: request)
    }

    func action(of request: Request) -> Action? {
        if let name = request.params["OIDC_ACTION"], !name.isEmpty { return Action(rawValue: name.lowercased()) }
        // Without an explicit action, the redirect URI is still recognised by its path.
        let path = request.requestURI.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        switch path {
        case context.settings.redirectPath: return .callback
        case context.settings.logout.backchannelPath: return .backchannelLogout
        case context.settings.logout.frontchannelPath: return .frontchannelLogout
        default: return nil
        }
    }
}
