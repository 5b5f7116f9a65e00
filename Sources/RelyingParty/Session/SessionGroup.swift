import JOSE

/// Sessions that one provider-initiated logout ends together: every session of
/// one user at one provider (`sub`), or every session born of one provider
/// session (`sid`). Each group is one store entry holding a random generation;
/// a session remembers the generations it joined and is valid only while the
/// entries still hold them. Deleting the entry ends the whole group on every
/// instance that shares the store; losing it (eviction, a restarted memcached)
/// ends the group too, so a lost entry can never keep a logged-out session alive.
public struct SessionGroup: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case user = "u"
        case providerSession = "s"
    }

    public static let tagByteCount = 16
    /// The base64url length of a tag: it travels in the session cookie.
    public static let tagLength = 22

    public let kind: Kind
    /// A keyed hash of the provider and the `sub` or `sid`: stable across
    /// instances that share the secrets, meaningless without them.
    public let tag: String

    init(kind: Kind, tag: String) {
        self.kind = kind
        self.tag = tag
    }

    /// The group of `value` (a `sub` or a `sid`) at `provider`, under one secret.
    public init(_ kind: Kind, provider: String, value: String, secret: [UInt8]) {
        let key = HKDF.sha256(secret: secret, salt: Array("oidc-fcgi".utf8), info: Array("oidc-fcgi session-group v1".utf8), length: 32)
        let message = Array("\(kind.rawValue)\u{0}\(provider)\u{0}\(value)".utf8)
        self.kind = kind
        tag = Base64URL.encode(Array(Digest.sha256.hmac(key: key, data: message).prefix(Self.tagByteCount)))
    }

    public var storeKey: String { (kind == .user ? "session-group:u:" : "session-group:s:") + tag }

    static func isWellFormedTag(_ utf8: Substring.UTF8View) -> Bool {
        Base64URL.isWellFormed(utf8, byteCount: tagByteCount)
    }
}
