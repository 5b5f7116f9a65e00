/// The identity as Apache request environment: on a 200 from a FastCGI
/// authorizer, mod_authnz_fcgi turns each `Variable-NAME: value` header into
/// the environment variable NAME (and sends every other header of a 200 to the
/// client, so an allow carries nothing else). The names:
///
/// - `REMOTE_USER`: the user (`user_claim`), what `UserExpr "%{reqenv:REMOTE_USER}"` reads;
/// - `OIDC_CLAIM_<claim>`: one per claim mapped in `headers.claims`, as
///   mod_auth_openidc names them, the claim name with every character other
///   than a letter, digit or `_` replaced by `_`; the first mapping of a name wins;
/// - `OIDC_ISSUER`: the issuer of the provider that authenticated the user
///   (with `headers.issuer` set, as by default);
/// - `OIDC_CLIENT_ID`, `OIDC_SCOPE`: a bearer token's client and scopes (empty for a session);
/// - `OIDC_UPSTREAM_COOKIE`: the request's Cookie header without oidc-fcgi's cookies;
/// - `OIDC_ANONYMOUS`: `1` for the allow of a `pass` location without a session,
///   whose `REMOTE_USER` is then `-` (mod_authnz_fcgi refuses an empty user);
///   the include files hand the application an empty user header for it.
///
/// Every variable is always set (empty when the value is unknown), because
/// mod_headers writes an unset variable as "(null)". Values are those of the
/// identity headers: encoded, bounded and free of control characters. Names
/// come from the configuration only, never from the request.
public struct AuthorizerVariables: Sendable {
    public static let prefix = "Variable-"
    public static let userVariable = "REMOTE_USER"
    public static let claimPrefix = "OIDC_CLAIM_"
    public static let issuerVariable = "OIDC_ISSUER"
    public static let clientIDVariable = "OIDC_CLIENT_ID"
    public static let scopeVariable = "OIDC_SCOPE"
    public static let upstreamCookieVariable = "OIDC_UPSTREAM_COOKIE"
    public static let anonymousVariable = "OIDC_ANONYMOUS"
    /// `REMOTE_USER` of an anonymous allow: mod_authnz_fcgi needs some user.
    public static let anonymousUser = "-"

    /// (identity header, `Variable-` header) for every value an allow carries, in order, without repeats.
    private let mapping: [(header: HeaderName, variable: HeaderName)]
    private let upstreamCookie: HeaderName = "Variable-OIDC_UPSTREAM_COOKIE"
    private let anonymous: HeaderName = "Variable-OIDC_ANONYMOUS"
    private let user: HeaderName = "Variable-REMOTE_USER"

    public init(settings: HeaderSettings) {
        var seen: Set<String> = [Self.upstreamCookieVariable, Self.anonymousVariable]
        var mapping: [(header: HeaderName, variable: HeaderName)] = []
        func add(_ header: HeaderName, _ name: String) {
            guard seen.insert(name).inserted, let variable = HeaderName(validating: Self.prefix + name) else { return }
            mapping.append((header, variable))
        }
        add(settings.userHeader, Self.userVariable)
        if let issuerHeader = settings.issuerHeader { add(issuerHeader, Self.issuerVariable) }
        add(settings.clientIDHeader, Self.clientIDVariable)
        add(settings.scopeHeader, Self.scopeVariable)
        for claim in settings.claimHeaders {
            add(claim.header, Self.claimPrefix + Self.variableName(forClaim: claim.claim))
        }
        self.mapping = mapping
    }

    /// The environment variable names an allow sets, in order.
    public var names: [String] {
        mapping.map { String($0.variable.text.dropFirst(Self.prefix.count)) } + [Self.upstreamCookieVariable, Self.anonymousVariable]
    }

    /// `OIDC_CLAIM_` + this: the claim name with characters outside `[A-Za-z0-9_]` as `_`.
    public static func variableName(forClaim claim: String) -> String {
        String(String.UnicodeScalarView(claim.unicodeScalars.map { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": return scalar
            default: return "_"
            }
        }))
    }

    /// The `Variable-` headers for an allow, from the identity headers already
    /// made (and bounded) for a session or a bearer token.
    public func headers(from identity: [Response.Header], upstreamCookie cookie: String) -> [Response.Header] {
        var out: [Response.Header] = []
        out.reserveCapacity(mapping.count + 2)
        var isAnonymous = false
        for (header, variable) in mapping {
            var value = identity.first { $0.name == header }?.value ?? ""
            // Sessions and tokens always name a user; only a `pass` allow has none.
            if variable == user && value.isEmpty {
                value = Self.anonymousUser
                isAnonymous = true
            }
            out.append(Response.Header(variable, value))
        }
        out.append(Response.Header(upstreamCookie, cookie))
        out.append(Response.Header(anonymous, isAnonymous ? "1" : ""))
        return out
    }
}
