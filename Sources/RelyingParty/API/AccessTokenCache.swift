import Foundation
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
    /// maximum holds whatever the store's own expiry precision.
    private struct Record: Codable {
        let entry: Entry
        let until: Int64
        enum CodingKeys: String, CodingKey { case entry = "e", until = "u" }
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
        guard let sealed = try store.get(key), let plain = sealer.open(sealed, context: key),
              let record = try? JSONDecoder().decode(Record.self, from: Data(plain))
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
        let encoded: Data
        do { encoded = try JSONEncoder().encode(Record(entry: entry, until: clock.now() + ttl)) } catch { throw .rejected("introspection result could not be encoded: \(error)") }
        try store.set(key, value: sealer.seal(Array(encoded), context: key), ttlSeconds: Int(min(ttl, Int64(Int32.max))))
    }
}
