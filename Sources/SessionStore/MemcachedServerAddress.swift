import RelyingParty

/// One memcached server as written in the configuration: `host:port`,
/// `[ipv6]:port`, a bare `host` (port 11211) or an absolute unix socket path.
enum MemcachedServerAddress: Equatable, CustomStringConvertible {
    case tcp(host: String, port: UInt16)
    case unixSocket(path: String)

    static let defaultPort: UInt16 = 11211

    init(parsing text: String) throws(StoreError) {
        let spec = text.trimmingWhitespace()
        guard !spec.isEmpty else { throw .rejected("empty memcached server address") }
        guard !spec.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) else {
            throw .rejected("memcached server address \"\(spec)\" contains a space or control character")
        }
        if spec.hasPrefix("/") {
            self = .unixSocket(path: spec)
            return
        }
        let host: Substring
        let portText: Substring?
        if spec.hasPrefix("[") {
            // [v6-address]:port or [v6-address]
            guard let close = spec.firstIndex(of: "]") else {
                throw .rejected("memcached server address \"\(spec)\" has an unclosed [")
            }
            host = spec[spec.index(after: spec.startIndex)..<close]
            let rest = spec[spec.index(after: close)...]
            if rest.isEmpty {
                portText = nil
            } else if rest.hasPrefix(":") {
                portText = rest.dropFirst()
            } else {
                throw .rejected("memcached server address \"\(spec)\" has text after ]")
            }
        } else if let colon = spec.lastIndex(of: ":") {
            guard spec.firstIndex(of: ":") == colon else {
                throw .rejected("memcached server address \"\(spec)\": write IPv6 addresses as [address]:port")
            }
            host = spec[..<colon]
            portText = spec[spec.index(after: colon)...]
        } else {
            host = spec[...]
            portText = nil
        }
        guard !host.isEmpty else { throw .rejected("memcached server address \"\(spec)\" has no host") }
        var port = Self.defaultPort
        if let portText {
            guard let parsed = UInt16(portText), parsed > 0 else {
                throw .rejected("memcached server address \"\(spec)\" has an invalid port")
            }
            port = parsed
        }
        self = .tcp(host: String(host), port: port)
    }

    var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let path): return path
        }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
