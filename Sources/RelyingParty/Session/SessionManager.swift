import Foundation

/// Creates, finds, refreshes and ends sessions in a `KeyValueStore`.
/// A store failure is thrown, never read as "no session".
public struct SessionManager: Sendable {
    public enum LookupResult: Sendable, Equatable {
        case valid(SessionRecord)
        /// Unknown id, undecryptable value or a cookie that is not a session id.
        case absent
        case expired
    }

    private let store: any KeyValueStore
    private let sealer: Sealer
    private let clock: any WallClock
    private let random: any RandomSource
    private let settings: SessionSettings

    public init(store: any KeyValueStore, settings: SessionSettings, clock: any WallClock, random: any RandomSource) {
        self.store = store
        self.settings = settings
        self.clock = clock
        self.random = random
        sealer = Sealer(secrets: settings.secrets, purpose: "session", random: random)
    }

    /// Seconds between two writes that only move `lastSeenAt` forward: keeps the
    /// hot path to one read while bounding the inactivity error.
    var touchInterval: Int64 { max(1, min(60, settings.inactivityTimeoutSeconds / 10)) }

    public func create(_ record: SessionRecord) throws(StoreError) -> SessionID {
        let id = SessionID(random: random)
        try write(record, key: id.storeKey)
        return id
    }

    public func lookup(cookieValue: String) throws(StoreError) -> LookupResult {
        guard let id = SessionID(cookieValue: cookieValue) else { return .absent }
        let key = id.storeKey
        guard let sealed = try store.get(key) else { return .absent }
        guard let plain = sealer.open(sealed, context: key),
              var record = try? JSONDecoder().decode(SessionRecord.self, from: Data(plain))
        else { return .absent }
        let now = clock.now()
        if now >= record.expiresAt || now - record.lastSeenAt >= settings.inactivityTimeoutSeconds {
            try store.delete(key)
            return .expired
        }
        if now - record.lastSeenAt >= touchInterval {
            record.lastSeenAt = now
            try write(record, key: key)
        }
        return .valid(record)
    }

    public func destroy(cookieValue: String) throws(StoreError) {
        guard let id = SessionID(cookieValue: cookieValue) else { return }
        try store.delete(id.storeKey)
    }

    private func write(_ record: SessionRecord, key: String) throws(StoreError) {
        let now = clock.now()
        let ttl = max(1, min(settings.inactivityTimeoutSeconds, record.expiresAt - now))
        let encoded: Data
        do { encoded = try JSONEncoder().encode(record) } catch { throw .rejected("session could not be encoded: \(error)") }
        try store.set(key, value: sealer.seal(Array(encoded), context: key), ttlSeconds: Int(ttl))
    }
}
