import Foundation

/// Where a session's refreshed tokens and its refresh lock live: two store
/// entries next to the session (same placement, so one server), keyed by the
/// same hash of the cookie. The tokens are an entry of their own, sealed like
/// the session, so the session record's routine `lastSeenAt` writes — which
/// any request of the session may make from a copy it read a moment earlier —
/// can never put back a refresh token the provider has already rotated away.
/// Only the holder of the refresh lock writes the tokens entry.
public struct SessionTokenStore: Sendable {
    /// What a request waiting for another one's refresh sees, in one round trip.
    public struct Look: Sendable, Equatable {
        /// The refreshed tokens; nil while there are none (the login's are in the record).
        public var tokens: SessionTokens?
        /// False once the session was ended (a refused refresh, a logout).
        public var sessionExists: Bool
        /// True while some request holds the refresh lock.
        public var locked: Bool
    }

    private let store: any KeyValueStore
    private let sealer: Sealer
    private let clock: any WallClock

    public init(store: any KeyValueStore, secrets: [[UInt8]], clock: any WallClock, random: any RandomSource) {
        self.store = store
        self.clock = clock
        sealer = Sealer(secrets: secrets, purpose: "session-tokens", random: random)
    }

    /// The refreshed tokens of the session, nil when it was never refreshed (or
    /// the entry cannot be opened: then the login's tokens are used, and a
    /// refresh token the provider no longer knows ends the session, failing safe).
    public func current(_ id: SessionID) throws(StoreError) -> SessionTokens? {
        let key = id.tokensKey
        return open(try placed(id).get(key), key: key)
    }

    public func look(_ id: SessionID) throws(StoreError) -> Look {
        let key = id.tokensKey
        let values = try placed(id).getMany([key, id.storeKey, id.refreshLockKey])
        return Look(tokens: open(values[0], key: key), sessionExists: values[1] != nil, locked: values[2] != nil)
    }

    /// Kept until the session's absolute end: the session record's own TTL is
    /// renewed by use, this entry's is not, and it must not go before the session.
    public func save(_ tokens: SessionTokens, for id: SessionID, sessionExpiresAt: Int64) throws(StoreError) {
        let key = id.tokensKey
        let encoded: Data
        do { encoded = try JSONEncoder().encode(tokens) } catch { throw .rejected("session tokens could not be encoded: \(error)") }
        let ttl = max(1, sessionExpiresAt - clock.now())
        try placed(id).set(key, value: sealer.seal(Array(encoded), context: key), ttlSeconds: Int(ttl))
    }

    /// True when this caller now holds the session's refresh lock (memcached
    /// `add`: one winner across every instance sharing the store).
    public func lock(_ id: SessionID, ttlSeconds: Int) throws(StoreError) -> Bool {
        try placed(id).add(id.refreshLockKey, value: [1], ttlSeconds: max(1, ttlSeconds))
    }

    public func unlock(_ id: SessionID) throws(StoreError) {
        try placed(id).delete(id.refreshLockKey)
    }

    private func open(_ sealed: [UInt8]?, key: String) -> SessionTokens? {
        guard let sealed, let plain = sealer.open(sealed, context: key) else { return nil }
        return try? JSONDecoder().decode(SessionTokens.self, from: Data(plain))
    }

    /// Placed with the session (by its user group), as `SessionManager` places it.
    private func placed(_ id: SessionID) -> any KeyValueStore {
        id.groups.first.map { store.placed(by: $0.tag) } ?? store
    }
}
