import Foundation

/// Decides where a browser may be sent back to after login or logout: a path on
/// this site, or an absolute URL on this origin or an allowed one. Never a
/// protocol-relative `//host`, a `/\host`, another scheme, or anything with
/// control characters.
public struct ReturnURLPolicy: Sendable {
    private let publicOrigin: Origin
    private let allowedOrigins: [Origin]

    public init(publicOrigin: Origin, allowedOrigins: [Origin] = []) {
        self.publicOrigin = publicOrigin
        self.allowedOrigins = allowedOrigins
    }

    /// The absolute URL to redirect to, or nil when `candidate` is not safe.
    public func resolve(_ candidate: String) -> String? {
        if candidate.isEmpty || candidate.utf8.count > 4096 { return nil }
        for byte in candidate.utf8 where byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\\") {
            return nil
        }
        if candidate.hasPrefix("/") {
            if candidate.hasPrefix("//") { return nil }
            return publicOrigin.serialized + candidate
        }
        guard let components = URLComponents(string: candidate), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host?.lowercased(), !host.isEmpty,
              components.user == nil, components.password == nil
        else { return nil }
        let origin = Origin(scheme: scheme, host: host, port: components.port ?? (scheme == "https" ? 443 : 80))
        guard origin == publicOrigin || allowedOrigins.contains(origin) else { return nil }
        return candidate
    }
}
