/// The login redirect carried in nginx's 401 auth answer. Without it a browser
/// without a session costs two FastCGI requests: the auth subrequest says 401,
/// then `@oidc_login` asks again and gets the 302. When the auth location says
/// it hands over everything the login needs (`OIDC_LOGIN_IN_AUTH_ANSWER`, as
/// the shipped `oidc-fcgi-server.conf` sends it), the auth answer starts the
/// login itself and puts the redirect in headers; `@oidc_login` sends it with
/// nginx's own `return 302` and `add_header`, without asking oidc-fcgi again.
/// (Those `add_header` lines keep nginx from adding a server's own
/// `add_header` headers to that 302, hence the opt-out.)
///
/// The answer is the login handler's own, so both routes redirect alike. It
/// is made only when starting the login cannot wait on a provider (every
/// provider the location may use has its metadata at hand, none registers its
/// client dynamically) and only for a plain 302; everything else (the
/// provider choice page, the 401 for scripts, error pages) is left to
/// `@oidc_login`, as before. The cookies travel as separate headers because
/// nginx hands on only the first `Set-Cookie` of an auth answer.
struct LoginInAuthAnswer: Sendable {
    /// The auth location's parameter saying `@oidc_login` can send the redirect
    /// itself: `on`, or empty (a location that did not choose); `off` for a site
    /// that set `$oidc_login_in_auth_answer off`. Absent from include files older
    /// than it, which do not read the carried redirect.
    static let parameter = "OIDC_LOGIN_IN_AUTH_ANSWER"
    static let locationHeader: HeaderName = "OIDC-Login-Location"
    /// One per cookie the redirect sets: the stale login states it deletes and the new one.
    static let cookieHeaders: [HeaderName] = [
        "OIDC-Login-Cookie-1", "OIDC-Login-Cookie-2", "OIDC-Login-Cookie-3", "OIDC-Login-Cookie-4", "OIDC-Login-Cookie-5",
    ]
    /// The 401 carries neither the upstream Cookie header nor an access token, so
    /// their room in the web server's buffer for the auth answer holds the redirect.
    static let maxBytes = AuthAnswerLimits.loginRedirectBytes

    let login: LoginHandler
    let providers: ProviderDirectory
    let settings: Settings

    /// The 401 auth answer with the login redirect in it, or nil: the login is
    /// left to `@oidc_login`. `recheck` is what `OIDC-Recheck` would carry.
    func answer(for request: Request, recheck: String?) -> Response? {
        guard let wanted = request.params[Self.parameter], wanted.isEmpty || wanted == "on", startsWithoutWaiting(request) else { return nil }
        return carried(login.handle(request, recheck: recheck))
    }

    /// Only navigations of redirect locations get a 302 at all; and the
    /// providers must be ready, so the auth answer never waits on one.
    private func startsWithoutWaiting(_ request: Request) -> Bool {
        guard UnauthenticatedAction.of(request) == .redirect, RequestClassifier.isNavigation(request),
              let location = try? LocationProviders.of(request, in: settings) else { return false }
        return location.providers.allSatisfy { $0.registration == nil && providers.hasMetadata(for: $0) }
    }

    /// The redirect as auth answer headers; nil for anything but a plain 302 that fits.
    private func carried(_ redirect: Response) -> Response? {
        guard redirect.status == 302, redirect.body.isEmpty else { return nil }
        var headers: [Response.Header] = []
        var cookies = 0
        var bytes = 0
        var hasLocation = false
        for header in redirect.headers {
            bytes += header.value.utf8.count
            if header.name == .location {
                headers.append(Response.Header(Self.locationHeader, header.value))
                hasLocation = true
            } else if header.name == .setCookie {
                guard cookies < Self.cookieHeaders.count else { return nil }
                headers.append(Response.Header(Self.cookieHeaders[cookies], header.value))
                cookies += 1
            } else if header.name == .cacheControl, header.value == "no-store" {
                continue  // `@oidc_login` sends it itself
            } else {
                return nil
            }
        }
        guard hasLocation, bytes <= Self.maxBytes else { return nil }
        return Response(status: 401, headers: headers)
    }
}
