import Glibc

/// The FastCGI convention `FCGI_WEB_SERVER_ADDRS`: a comma-separated list of
/// the web servers' IP addresses allowed to connect over TCP. Empty or unset
/// means any. libfcgi checks only IPv4 peers; this checks IPv6 peers too (an
/// IPv4-mapped IPv6 peer matches its IPv4 entry), and unix-socket peers are
/// always allowed (the socket's file mode guards them).
public struct WebServerAddresses: Sendable, Equatable {
    /// Canonical numeric forms (inet_ntop output) of the allowed addresses.
    public let allowed: Set<String>
    /// Entries that are not numeric IP addresses; reported at start-up.
    public let rejected: [String]

    public init(_ list: String?) {
        var allowed = Set<String>()
        var rejected: [String] = []
        for entry in (list ?? "").split(separator: ",") {
            let text = entry.trimmingCharacters(in: " \t")
            guard !text.isEmpty else { continue }
            if let canonical = Self.canonical(text) { allowed.insert(canonical) } else { rejected.append(text) }
        }
        self.allowed = allowed
        self.rejected = rejected
    }

    /// True when every peer is allowed (no list given, or only bad entries:
    /// those refuse everyone rather than silently allowing all).
    public var allowsAll: Bool { allowed.isEmpty && rejected.isEmpty }

    /// Whether a TCP peer with this numeric address may talk to us.
    public func allows(peer: String) -> Bool {
        if allowsAll { return true }
        return allowed.contains(peer)
    }

    /// The peer's numeric address for `allows`, nil for non-IP (unix) peers.
    static func numericPeer(_ address: UnsafePointer<sockaddr_storage>) -> String? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.ss_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var raw = v4.pointee.sin_addr
                guard inet_ntop(AF_INET, &raw, &text, socklen_t(text.count)) != nil else { return nil }
                return Self.string(text)
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var raw = v6.pointee.sin6_addr
                // ::ffff:a.b.c.d is an IPv4 peer on a dual-stack socket.
                let bytes = withUnsafeBytes(of: &raw) { Array($0) }
                if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
                    return bytes[12..<16].map(String.init).joined(separator: ".")
                }
                guard inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)) != nil else { return nil }
                return Self.string(text)
            }
        default:
            return nil
        }
    }

    private static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The inet_ntop form of a textual address, nil when it is not one.
    static func canonical(_ text: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            var out = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN) + 1)
            return inet_ntop(AF_INET, &v4, &out, socklen_t(out.count)).map { _ in Self.string(out) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            var storage = sockaddr_storage()
            return withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    $0.pointee.sin6_family = sa_family_t(AF_INET6)
                    $0.pointee.sin6_addr = v6
                }
                return numericPeer(pointer)
            }
        }
        return nil
    }
}

private extension Substring {
    func trimmingCharacters(in characters: String) -> String {
        var slice = self
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
