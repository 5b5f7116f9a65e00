import RelyingParty
import Synchronization

/// The embedded session store: a bounded, in-process LRU table with a TTL per
/// entry. Every operation is O(1) under one lock. Sessions live only as long as
/// the process and are not shared between processes; use `MemcachedStore` when
/// several processes (or CGI mode) must see the same sessions.
public final class MemoryStore: KeyValueStore {
    private let table: Mutex<LRUTable<[UInt8]>>
    private let clock: any WallClock

    /// - Parameters:
    ///   - capacity: the most entries kept; beyond it the least recently used is evicted.
    ///   - clock: the source of "now" for expiry.
    public init(capacity: Int, clock: any WallClock = SystemClock()) {
        precondition(capacity > 0, "MemoryStore capacity must be positive")
        table = Mutex(LRUTable(capacity: capacity))
        self.clock = clock
    }

    /// The number of entries held, expired ones not yet swept included.
    public var count: Int { table.withLock { $0.count } }

    public func get(_ key: String) throws(StoreError) -> [UInt8]? {
        try StoreKeyRules.validate(key)
        let now = clock.now()
        return table.withLock { $0.value(for: key, now: now) }
    }

    public func set(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) {
        try StoreKeyRules.validate(key)
        try StoreKeyRules.validate(ttlSeconds: ttlSeconds)
        let now = clock.now()
        let expiresAt = now + Int64(ttlSeconds)
        table.withLock { $0.set(key, value: value, expiresAt: expiresAt) }
    }

    public func add(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) -> Bool {
        try StoreKeyRules.validate(key)
        try StoreKeyRules.validate(ttlSeconds: ttlSeconds)
        let now = clock.now()
        let expiresAt = now + Int64(ttlSeconds)
        return table.withLock { table in
            if table.containsLive(key, now: now) { return false }
            table.set(key, value: value, expiresAt: expiresAt)
            return true
        }
    }

    public func delete(_ key: String) throws(StoreError) {
        try StoreKeyRules.validate(key)
        _ = table.withLock { $0.removeValue(for: key) }
    }

    public func touch(_ key: String, ttlSeconds: Int) throws(StoreError) -> Bool {
        try StoreKeyRules.validate(key)
        try StoreKeyRules.validate(ttlSeconds: ttlSeconds)
        let now = clock.now()
        return table.withLock { $0.touch(key, expiresAt: now + Int64(ttlSeconds), now: now) }
    }

    /// Every key read under one lock, so the answer is one consistent moment.
    public func getMany(_ keys: [String]) throws(StoreError) -> [[UInt8]?] {
        for key in keys { try StoreKeyRules.validate(key) }
        let now = clock.now()
        return table.withLock { table in keys.map { table.value(for: $0, now: now) } }
    }

    /// Keys from most to least recently used; for tests and diagnostics.
    var keysByRecency: [String] { table.withLock { $0.keysByRecency } }
}
