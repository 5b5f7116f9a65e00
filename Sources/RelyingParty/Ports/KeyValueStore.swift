/// Why the store could not answer. Never treated as "no session": callers fail closed.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case unavailable(String)
    case rejected(String)

    public var description: String {
        switch self {
        case .unavailable(let why): return "session store unavailable: \(why)"
        case .rejected(let why): return "session store rejected the operation: \(why)"
        }
    }
}

/// The small key-value contract every session backend fulfils (memory, memcached).
/// Keys are at most 200 printable ASCII characters without spaces. TTLs are seconds (> 0).
/// Implementations are safe to call from any worker thread at once.
public protocol KeyValueStore: Sendable {
    /// The value, or nil when absent or expired.
    func get(_ key: String) throws(StoreError) -> [UInt8]?
    /// Stores unconditionally.
    func set(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError)
    /// Stores only when the key is absent; returns false when it was present.
    /// Used for one-time markers (replayed login state) and short locks.
    func add(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) -> Bool
    /// Removes the key; absent keys are not an error.
    func delete(_ key: String) throws(StoreError)
    /// Gives a present key a new TTL without changing its value; returns false
    /// when the key is absent (a touch never brings a deleted key back).
    func touch(_ key: String, ttlSeconds: Int) throws(StoreError) -> Bool
    /// The values of several keys, in the order asked, nil where absent: one
    /// round trip per server holding them, so a session check that needs a few
    /// keys still costs one wait. Any failure throws; there are no partial answers.
    func getMany(_ keys: [String]) throws(StoreError) -> [[UInt8]?]
    /// True while the store already knows, without a network call, that calls
    /// would fail now (every server failed moments ago). Lets a login answer
    /// 503 at once rather than fail at the callback.
    var isKnownUnavailable: Bool { get }
    /// The same store with every key placed by `placement`: keys given the
    /// same placement live on the same server, so reading them together costs
    /// one round trip and depends on that one server only. A key must always be
    /// used with the placement it was written with. Single-server stores
    /// return themselves.
    func placed(by placement: String) -> any KeyValueStore
    /// Removes `key` whatever placement it was written with (for a caller that
    /// cannot know it). Throws only when the key may still be somewhere.
    func deleteWherever(_ key: String) throws(StoreError)
    /// Why the store cannot serve now, one line per failing server, from one
    /// read of `probeKey` on each (a miss is the healthy answer); empty when it can.
    func readinessProblems(probeKey: String) -> [String]
}

extension KeyValueStore {
    public var isKnownUnavailable: Bool { false }

    public func placed(by placement: String) -> any KeyValueStore { self }

    public func deleteWherever(_ key: String) throws(StoreError) { try delete(key) }

    public func readinessProblems(probeKey: String) -> [String] {
        do { _ = try get(probeKey) } catch { return ["\(error)"] }
        return []
    }

    public func getMany(_ keys: [String]) throws(StoreError) -> [[UInt8]?] {
        var values: [[UInt8]?] = []
        values.reserveCapacity(keys.count)
        for key in keys { values.append(try get(key)) }
        return values
    }
}
