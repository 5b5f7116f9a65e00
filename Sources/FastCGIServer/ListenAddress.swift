/// Where the FastCGI server listens: `tcp:HOST:PORT`, `unix:PATH`, or the socket
/// inherited on file descriptor 0 when a process manager (spawn-fcgi, mod_fcgid) starts us.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)
    case inherited

    /// Parses the configuration form; nil when malformed.
    public init?(_ text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/"), path.utf8.count < 108 else { return nil }
            self = .unix(path: path)
        } else if text.hasPrefix("tcp:") {
            let rest = text.dropFirst(4)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else { return nil }
            var host = String(rest[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self = .tcp(host: host, port: port)
        } else if text == "inherited" {
            self = .inherited
        } else {
            return nil
        }
    }

    /// The path for libfcgi's FCGX_OpenSocket, which opens unix sockets here
    /// (TCP sockets are opened by `TCPListener`: libfcgi mistakes IPv6 hosts).
    var libfcgiPath: String? {
        if case .unix(let path) = self { return path }
        return nil
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
        case .inherited: return "the inherited socket (fd 0)"
        }
    }
}
