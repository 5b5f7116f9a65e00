/// Builds the Set-Cookie headers of every oidc-fcgi cookie, with the attributes
/// they all carry: HttpOnly, Path=/, SameSite, Secure (unless disabled for
/// plain-http tests). The name is a validated `CookieName`; a value outside
/// RFC 6265's cookie-octets is never written (the cookie is cleared instead —
/// a programming error, since every value oidc-fcgi sets is base64url).
public struct SetCookie: Sendable {
    private let settings: CookieSettings
    private let domain: String?

    public init(settings: CookieSettings) {
        self.settings = settings
        domain = settings.domain.flatMap { CookieSyntax.isDomain($0) ? $0 : nil }
    }

    public func set(_ name: CookieName, value: String, maxAge: Int64?) -> Response.Header {
        var value = value
        var maxAge = maxAge
        if !value.isEmpty && !CookieSyntax.isValue(value) {
            assertionFailure("refusing to write a malformed cookie value")
            value = ""
            maxAge = 0
        }
        var text = name.text + "=" + value + "; Path=/; HttpOnly"
        if let domain, !name.text.hasPrefix("__Host-") { text += "; Domain=" + domain }
        if settings.secure || name.text.hasPrefix("__Host-") || name.text.hasPrefix("__Secure-") || settings.sameSite == .none {
            text += "; Secure"
        }
        text += "; SameSite=" + settings.sameSite.rawValue
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        return Response.Header(.setCookie, text)
    }

    public func delete(_ name: CookieName) -> Response.Header {
        set(name, value: "", maxAge: 0)
    }
}
