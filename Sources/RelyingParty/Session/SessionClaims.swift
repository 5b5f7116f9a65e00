/// The ID-token and userinfo claims of a session. A record read from the
/// store keeps them encoded (`CompactJSON`): the auth answer decodes only the
/// claims it maps to headers, and only a claim rule decodes them all.
public struct SessionClaims: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    private enum Storage: Sendable {
        case decoded([String: JSONValue])
        /// An encoded object, as read from the store.
        case encoded(ArraySlice<UInt8>)
    }

    private var storage: Storage

    public init(_ claims: [String: JSONValue]) { storage = .decoded(claims) }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        storage = .decoded(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// Nil when the bytes are not an encoded object (checked when read, so a
    /// damaged record is refused, not half used).
    init?(encoded bytes: ArraySlice<UInt8>) {
        guard CompactJSON.isObject(bytes) else { return nil }
        storage = .encoded(bytes)
    }

    /// One claim, decoding nothing else.
    public subscript(name: String) -> JSONValue? {
        switch storage {
        case .decoded(let claims): return claims[name]
        case .encoded(let bytes): return CompactJSON.member(name, inObject: bytes)
        }
    }

    /// Every claim (decodes them all).
    public var all: [String: JSONValue] {
        switch storage {
        case .decoded(let claims): return claims
        case .encoded(let bytes): return CompactJSON.members(ofObject: bytes) ?? [:]
        }
    }

    /// The encoded object, as stored (copied as it is when it was never decoded).
    var encoded: ArraySlice<UInt8> {
        switch storage {
        case .decoded(let claims): return ArraySlice(CompactJSON.encode(.object(claims)))
        case .encoded(let bytes): return bytes
        }
    }

    public static func == (a: SessionClaims, b: SessionClaims) -> Bool { a.all == b.all }
}
