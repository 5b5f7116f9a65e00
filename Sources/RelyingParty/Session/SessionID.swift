import JOSE

/// The 256-bit random session id carried in the cookie, and the store key derived
/// from it. The store never sees the id itself: a leaked store dump cannot be
/// replayed as cookies.
public struct SessionID: Sendable, Equatable {
    public static let byteCount = 32
    public let cookieValue: String

    public init(random: any RandomSource) {
        cookieValue = Base64URL.encode(random.bytes(Self.byteCount))
    }

    /// Nil unless the text is exactly 32 bytes of base64url.
    public init?(cookieValue: String) {
        guard cookieValue.utf8.count == 43, let bytes = Base64URL.decode(cookieValue), bytes.count == Self.byteCount else { return nil }
        self.cookieValue = cookieValue
    }

    /// "session:" + hex SHA-256 of the id.
    public var storeKey: String {
        "session:" + Digest.sha256(cookieValue).hexString
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
