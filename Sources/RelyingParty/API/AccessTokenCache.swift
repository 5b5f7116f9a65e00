import JOSE

/// Introspection results in the configured store (memory, or memcached shared by
/// every instance), so a token is not sent to the provider on every request.
///
/// The key is a hash of the token, never the token; the value is sealed with the
/// session secrets (bound to its key), so whoever can write to memcached cannot
/// forge an "active" result, and a copy moved to another key does not open.
/// A store failure is thrown: the caller checks the token live instead.
public struct AccessTokenCache: Sendable {
    public enum Entry: Sendable, Equatable, Codable {
        case active(AccessTokenIdentity)
        case inactive
    }

    /// What the store holds: the result and until when it may be used, so the cache
    /// maximum holds whatever the store's own expiry precision. Stored in the
    /// compact binary form of a JSON object (`CompactJSON`), read without a
    /// JSON parse; an entry of another form (an earlier version's) is a miss.
    private struct Record {
        let entry: Entry
        let until: Int64

        var encoded: [UInt8] {
            var object: [String: JSONValue] = ["u": .integer(until)]
            switch entry {
            case .inactive:
                object["e"] = .string("inactive")
            case .active(let identity):
                object["e"] = .string("active")
                object["s"] = identity.subject.map(JSONValue.string)
                object["c"] = identity.clientID.map(JSONValue.string)
                object["sc"] = .array(identity.scopes.map(JSONValue.string))
                object["a"] = .array(identity.audiences.map(JSONValue.string))
                object["x"] = identity.expiresAt.map(JSONValue.integer)
                object["cl"] = .object(identity.claims)
            }
            return CompactJSON.encode(.object(object))
        }

        init(entry: Entry, until: Int64) {
            self.entry = entry
            self.until = until
        }

        init?(encoded: [UInt8]) {
            guard case .object(let object)? = CompactJSON.decode(encoded[...]), case .integer(let until)? = object["u"] else { return nil }
            func strings(_ name: String) -> [String]? {
                guard case .array(let items)? = object[name] else { return nil }
                let texts = items.compactMap(\.stringValue)
                return texts.count == items.count ? texts : nil
            }
            switch object["e"]?.stringValue {
            case "inactive":
                entry = .inactive
            case "active":
                guard let scopes = strings("sc"), let audiences = strings("a"), case .object(let claims)? = object["cl"] else { return nil }
                entry = .active(AccessTokenIdentity(subject: object["s"]?.stringValue, clientID: object["c"]?.stringValue, scopes: scopes,
                                                    audiences: audiences, expiresAt: object["x"]?.integerValue, claims: claims))
            default:
                return nil
            }
            self.until = until
        }
    }

    private let store: any KeyValueStore
    private let sealer: Sealer
    private let clock: any WallClock

    public init(store: any KeyValueStore, secrets: [[UInt8]], clock: any WallClock, random: any RandomSource) {
        self.store = store
        self.clock = clock
        sealer = Sealer(secrets: secrets, purpose: "access-token-cache", random: random)
    }

    /// The store key of a token: a prefix and the base64url SHA-256 of the token, per provider.
    public static func key(for token: String, provider: String) -> String {
        "at:" + provider + ":" + Base64URL.encode(Digest.sha256(token))
    }

    /// The cached result; nil when absent, unreadable, or an active result whose token has expired since.
    public func lookup(_ key: String) throws(StoreError) -> Entry? {
        guard let sealed = try store.get(key), let plain = sealer.open(sealed, context: key), let record = Record(encoded: plain)
        else { return nil }
        let now = clock.now()
        guard record.until > now else { return nil }
        if case .active(let identity) = record.entry, let expiresAt = identity.expiresAt, expiresAt <= now { return nil }
        return record.entry
    }

    /// Caches an active result until the earlier of the token's `exp` and `maxSeconds`,
    /// an inactive one for `inactiveSeconds`.
    public func save(_ entry: Entry, key: String, maxSeconds: Int64, inactiveSeconds: Int64) throws(StoreError) {
        let ttl: Int64
        switch entry {
        case .active(let identity):
            let untilExpiry = identity.expiresAt.map { $0 - clock.now() } ?? maxSeconds
            ttl = min(maxSeconds, untilExpiry)
        case .inactive:
            ttl = inactiveSeconds
        }
        guard ttl >= 1 else { return }
        let encoded = Record(entry: entry, until: clock.now() + ttl).encoded
        try store.set(key, value: sealer.seal(encoded, context: key), ttlSeconds: Int(min(ttl, Int64(Int32.max))))
    }
}
