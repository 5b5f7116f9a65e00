import JOSE

/// What the session cookie carries: a 256-bit random id, then the tags of the
/// logout groups the session belongs to (its user, and its provider session
/// when the provider gave a `sid`), so one multi-key read fetches the session
/// and the group entries that keep it alive. The store key is a hash of the
/// whole value: the store never sees the id, a leaked store dump cannot be
/// replayed as cookies, and a cookie with altered tags names no session.
public struct SessionID: Sendable, Equatable {
    public static let byteCount = 32
    static let randomLength = 43
    public let cookieValue: String
    public let groups: [SessionGroup]

    public init(random: any RandomSource, groups: [SessionGroup]) {
        self.groups = groups
        cookieValue = ([Base64URL.encode(random.bytes(Self.byteCount))] + groups.map(\.tag)).joined(separator: ".")
    }

    /// Nil unless the text is 32 bytes of base64url followed by one user tag
    /// and at most one provider-session tag. Checked on the bytes, without
    /// decoding: only the two tags are copied out.
    public init?(cookieValue: String) {
        let utf8 = cookieValue.utf8
        guard let firstDot = utf8.firstIndex(of: UInt8(ascii: ".")),
              Base64URL.isWellFormed(utf8[..<firstDot], byteCount: Self.byteCount)
        else { return nil }
        var groups: [SessionGroup] = []
        var start = utf8.index(after: firstDot)
        while true {
            guard groups.count < 2 else { return nil }
            let end = utf8[start...].firstIndex(of: UInt8(ascii: ".")) ?? utf8.endIndex
            let tag = utf8[start..<end]
            guard SessionGroup.isWellFormedTag(tag) else { return nil }
            groups.append(SessionGroup(kind: groups.isEmpty ? .user : .providerSession, tag: String(Substring(tag))))
            guard end != utf8.endIndex else { break }
            start = utf8.index(after: end)
        }
        self.cookieValue = cookieValue
        self.groups = groups
    }

    /// "session:" + hex SHA-256 of the cookie value.
    public var storeKey: String { Digest.sha256.hexKey("session:", cookieValue) }

    /// The session's refreshed tokens (`SessionTokenStore`), under the same hash.
    public var tokensKey: String { Digest.sha256.hexKey("session-tokens:", cookieValue) }

    /// The session's refresh lock, under the same hash.
    public var refreshLockKey: String { Digest.sha256.hexKey("refresh-lock:", cookieValue) }
}

extension Array where Element == UInt8 {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
