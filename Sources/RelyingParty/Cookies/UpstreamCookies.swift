/// The Cookie header the application should see: the client's, without every
/// cookie that belongs to oidc-fcgi (the session cookie, however often it is
/// repeated, and the login-state cookies). The auth answer hands it to the web
/// server, which sends it upstream in place of the original header; the site's
/// own cookies pass unchanged, byte for byte.
public struct UpstreamCookies: Sendable {
    /// The longest Cookie header passed on (nginx's default limit for one request header line).
    public static let maxBytes = 8192

    private let sessionCookie: String
    private let statePrefix: String

    public init(settings: CookieSettings) {
        sessionCookie = settings.name
        statePrefix = settings.statePrefix
    }

    /// The filtered header ("" when nothing is left), or nil when it exceeds `maxBytes`.
    public func filter(_ header: String) -> String? {
        guard !header.isEmpty else { return "" }
        var kept: [Substring] = []
        var removed = false
        for part in header.split(separator: ";", omittingEmptySubsequences: true) {
            let trimmed = part.drop { $0 == " " || $0 == "\t" }
            guard !trimmed.isEmpty else { continue }
            let name = trimmed.prefix { $0 != "=" }.trimmingSuffix { $0 == " " || $0 == "\t" }
            if name == sessionCookie || name.hasPrefix(statePrefix) {
                removed = true
            } else {
                kept.append(trimmed)
            }
        }
        let result = removed ? kept.joined(separator: "; ") : header
        return result.utf8.count <= Self.maxBytes ? result : nil
    }
}

extension Substring {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
