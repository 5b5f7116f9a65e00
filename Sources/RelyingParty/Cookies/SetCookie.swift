/// Builds Set-Cookie header values with the attributes every oidc-fcgi cookie
/// carries: HttpOnly, Path=/, SameSite, Secure (unless disabled for plain-http tests).
public struct SetCookie: Sendable {
    private let settings: CookieSettings

    public init(settings: CookieSettings) { self.settings = settings }

    public func set(name: String, value: String, maxAge: Int64?) -> String {
        var parts = ["\(name)=\(value)", "Path=/", "HttpOnly"]
        if let domain = settings.domain, !name.hasPrefix("__Host-") { parts.append("Domain=\(domain)") }
        if settings.secure || name.hasPrefix("__Host-") || name.hasPrefix("__Secure-") || settings.sameSite == .none {
            parts.append("Secure")
        }
        parts.append("SameSite=\(settings.sameSite.rawValue)")
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        return parts.joined(separator: "; ")
    }

    public func delete(name: String) -> String {
        set(name: name, value: "", maxAge: 0)
    }
}
