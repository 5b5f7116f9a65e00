import Glibc

/// Opens a listening TCP socket for `tcp:HOST:PORT`. libfcgi's
/// FCGX_OpenSocket splits "HOST:PORT" at the first colon, so an IPv6 address
/// would silently become a unix socket named after it; this resolves the
/// host itself (IPv4 or IPv6, numeric or a name) and binds the first address.
public enum TCPListener {
    /// The listening descriptor, or the reason it could not be opened.
    public static func open(host: String, port: Int, backlog: Int32) -> Result<Int32, TCPListenerError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let first = found else {
            return .failure(.resolve(String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(found) }
        var lastError = EADDRNOTAVAIL
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = errno; continue }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if info.pointee.ai_family == AF_INET6 {
                // `tcp:[::]:9000` means IPv6 only, as written; list an IPv4 address for IPv4.
                setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, backlog) == 0 {
                return .success(fd)
            }
            lastError = errno
            close(fd)
        }
        return .failure(.system(String(cString: strerror(lastError))))
    }
}

public enum TCPListenerError: Error {
    case resolve(String)
    case system(String)

    public var reason: String {
        switch self {
        case .resolve(let text): return "cannot resolve the host: \(text)"
        case .system(let text): return text
        }
    }
}
