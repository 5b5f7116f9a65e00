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
    /// and at most one provider-session tag.
    public init?(cookieValue: String) {
        let parts = cookieValue.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map { Substring($0) }
        guard parts.count == 2 || parts.count == 3, parts[0].utf8.count == Self.randomLength,
              let bytes = Base64URL.decode(String(parts[0])), bytes.count == Self.byteCount
        else { return nil }
        var groups: [SessionGroup] = []
        for (index, part) in parts.dropFirst().enumerated() {
            guard SessionGroup.isWellFormedTag(part) else { return nil }
            groups.append(SessionGroup(kind: index == 0 ? .user : .providerSession, tag: String(part)))
        }
        self.cookieValue = cookieValue
        self.groups = groups
    }

    /// "session:" + hex SHA-256 of the cookie value.
    public var storeKey: String {
        "session:" + Digest.sha256(cookieValue).hexString
    }

    /// The session's refreshed tokens (`SessionTokenStore`), under the same hash.
    public var tokensKey: String {
        "session-tokens:" + Digest.sha256(cookieValue).hexString
    }

    /// The session's refresh lock, under the same hash.
    public var refreshLockKey: String {
        "refresh-lock:" + Digest.sha256(cookieValue).hexString
    }
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
