import Logging

/// The whole relying party as one function: a request from the web server in,
/// the answer out. The action comes from the `OIDC_ACTION` parameter the web
/// server sets per location.
public final class Responder: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case auth, login, callback, logout
    }

    private let context: RelyingPartyContext
    private let auth: AuthHandler
    private let login: LoginHandler
    private let callback: CallbackHandler
    private let logout: LogoutHandler

    public init(context: RelyingPartyContext) {
        self.context = context
        auth = AuthHandler(context: context)
        login = LoginHandler(context: context)
        callback = CallbackHandler(context: context)
        logout = LogoutHandler(context: context)
    }

    public func respond(_ request: Request) -> Response {
        switch action(of: request) {
        case .auth?: return auth.handle(request)
        case .login?: return login.handle(request)
        case .callback?: return callback.handle(request)
        case .logout?: return logout.handle(request)
        case nil:
            let given = request.params["OIDC_ACTION"] ?? "(not set)"
            context.logger.error("request without a known OIDC_ACTION; set `fastcgi_param OIDC_ACTION auth|login|callback|logout;` in the web server location", metadata: ["given": "\(given)", "uri": "\(request.requestURI)"])
            return ErrorPage.response(status: 500, title: "Server misconfigured", message: "The web server did not say which oidc-fcgi action to run.", for: request)
        }
    }

    func action(of request: Request) -> Action? {
        if let name = request.params["OIDC_ACTION"], !name.isEmpty { return Action(rawValue: name.lowercased()) }
        // Without an explicit action, the redirect URI is still recognised by its path.
        let path = request.requestURI.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        return path == context.settings.redirectPath ? .callback : nil
    }
}
