import Foundation

/// A web origin: scheme, host and port (RFC 6454). Used for the public base URL
/// and to decide whether a return URL stays on this site.
public struct Origin: Sendable, Equatable, Hashable {
    public let scheme: String
    public let host: String
    public let port: Int

    /// Parses "https://app.example.com[:port]" (a path of "/" or nothing is allowed).
    public init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host?.lowercased(), !host.isEmpty,
              components.user == nil, components.password == nil, components.query == nil, components.fragment == nil,
              components.path.isEmpty || components.path == "/"
        else { return nil }
        self.init(scheme: scheme, host: host, port: components.port ?? (scheme == "https" ? 443 : 80))
    }

    public init(scheme: String, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
        let hostPart = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        let isDefaultPort = (scheme == "https" && port == 443) || (scheme == "http" && port == 80)
        serialized = isDefaultPort ? "\(scheme)://\(hostPart)" : "\(scheme)://\(hostPart):\(port)"
    }

    public var isDefaultPort: Bool { (scheme == "https" && port == 443) || (scheme == "http" && port == 80) }

    /// "https://host" or "https://host:port", no trailing slash. Made once:
    /// every login and logout answer starts its URLs with it.
    public let serialized: String
}
