import Logging

/// A login started from a link on the site or by a third party (OpenID Connect
/// Core §4, the client's `initiate_login_uri`):
/// `…/login?iss=…&target_link_uri=…&login_hint=…`, by GET or by a POSTed form.
/// `iss` (or `provider`, a configured name) picks the provider, the first one
/// without either; `target_link_uri` passes the same return-URL policy as every
/// other return target. Anything it cannot honour is a 400 that says why, never
/// a login somewhere else.
struct LoginLinkHandler: Sendable {
    let providers: [ProviderSettings]
    let returnURLs: ReturnURLPolicy
    let defaultReturnURL: String
    let starter: LoginStarter
    let pages: ErrorPages

    /// Longer hints are not e-mail addresses or user names; providers cap them too.
    static let maxLoginHintBytes = 256

    func handle(_ request: Request) -> Response {
        let form: [(name: String, value: String)]
        switch request.method {
        case "GET", "HEAD": form = FormEncoding.decode(request.queryString)
        case "POST":
            let type = request.params["CONTENT_TYPE"]?.lowercased() ?? ""
            guard type.hasPrefix("application/x-www-form-urlencoded") else {
                return refuse("a POST without a form body", message: "Send the login link's parameters as an application/x-www-form-urlencoded form.", for: request)
            }
            form = FormEncoding.decode(String(decoding: request.body, as: UTF8.self)) + FormEncoding.decode(request.queryString)
        default:
            return pages.response(status: 405, title: "Method not allowed", message: "A login link is opened with GET or POST.", for: request,
                                  headers: [Response.Header(.allow, "GET, HEAD, POST")])
        }
        for name in ["iss", "provider", "target_link_uri", "login_hint", "max_age", "acr_values"] where form.filter({ $0.name == name }).count > 1 {
            return refuse("parameter \(name) repeated", message: "The login link repeats a parameter.", for: request)
        }
        let provider: ProviderSettings
        switch chooseProvider(issuer: FormEncoding.single("iss", in: form), name: FormEncoding.single("provider", in: form)) {
        case .success(let chosen): provider = chosen
        case .failure(let why): return refuse(why, message: "The login link names an identity provider this site does not use.", for: request)
        }
        var returnTo = defaultReturnURL
        if let target = FormEncoding.single("target_link_uri", in: form), !target.isEmpty {
            guard let allowed = returnURLs.resolve(target) else {
                return refuse("target_link_uri not allowed by the return-URL policy", message: "The login link would return to an address outside this site.", for: request,
                              metadata: ["target_link_uri": "\(target.prefix(200))"])
            }
            returnTo = allowed
        }
        var extra: [(String, String)] = []
        if let hint = FormEncoding.single("login_hint", in: form), !hint.isEmpty {
            guard hint.utf8.count <= Self.maxLoginHintBytes, !hint.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                return refuse("login_hint too long or with control characters", message: "The login link's login hint is not a user name or e-mail address.", for: request)
            }
            extra.append(("login_hint", hint))
        }
        // A stricter sign-in than the provider's usual (the choice page of a step-up location
        // asks for it): only ever stricter, so a link cannot weaken any location's demand.
        let stepUp: StepUpRequirement
        do { stepUp = try StepUpRequirement.parse(maxAge: FormEncoding.single("max_age", in: form), acrValues: FormEncoding.single("acr_values", in: form)) } catch {
            return refuse("\(error)", message: "The login link's max_age or acr_values is not usable.", for: request)
        }
        return starter.start(with: provider, returnTo: returnTo, extraParameters: extra, stepUp: stepUp, for: request)
    }

    private enum Choice { case success(ProviderSettings), failure(String) }

    private func chooseProvider(issuer: String?, name: String?) -> Choice {
        let byIssuer: ProviderSettings?
        if let issuer, !issuer.isEmpty {
            guard let found = providers.first(where: { Self.sameIssuer($0.issuer, issuer) }) else { return .failure("iss names no configured provider") }
            byIssuer = found
        } else {
            byIssuer = nil
        }
        if let name, !name.isEmpty {
            guard let found = providers.first(where: { $0.name == name }) else { return .failure("provider names no configured provider") }
            if let byIssuer, byIssuer.name != found.name { return .failure("iss and provider name different providers") }
            return .success(found)
        }
        if let byIssuer { return .success(byIssuer) }
        guard let first = providers.first else { return .failure("no provider configured") }
        return .success(first)
    }

    /// Issuers written with and without a trailing slash name the same provider
    /// here; the ID token's `iss` is still checked exactly at the callback.
    private static func sameIssuer(_ configured: String, _ given: String) -> Bool {
        func trimmed(_ s: String) -> Substring { s.hasSuffix("/") ? s.dropLast() : s[...] }
        return trimmed(configured) == trimmed(given)
    }

    private func refuse(_ why: String, message: String, for request: Request, metadata: Logger.Metadata = [:]) -> Response {
        var fields = metadata
        fields["reason"] = "\(why)"
        return pages.response(ErrorPage(status: 400, title: "Login link not accepted", message: message, log: "login link refused", logMetadata: fields), for: request)
    }
}
