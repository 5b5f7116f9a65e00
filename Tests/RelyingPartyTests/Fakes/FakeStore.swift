import RelyingParty
import Synchronization

/// A dictionary store for core tests; `failing` makes every call throw, like a
/// dead memcached; `knownDown` is what a store reports once it has seen that.
final class FakeStore: KeyValueStore {
    private let entries = Mutex<[String: [UInt8]]>([:])
    private let broken = Atomic<Bool>(false)
    private let reportsDown = Atomic<Bool>(false)
    private let reads = Atomic<Int>(0)

    /// How many read calls (`get` or `getMany`) reached the store.
    var readCalls: Int { reads.load(ordering: .relaxed) }

    var knownDown: Bool {
        get { reportsDown.load(ordering: .relaxed) }
        set { reportsDown.store(newValue, ordering: .relaxed) }
    }

    var isKnownUnavailable: Bool { knownDown }

    var failing: Bool {
        get { broken.load(ordering: .relaxed) }
        set { broken.store(newValue, ordering: .relaxed) }
    }

    var keys: [String] { entries.withLock { Array($0.keys) } }

    func rawValue(_ key: String) -> [UInt8]? { entries.withLock { $0[key] } }
    func overwrite(_ key: String, _ value: [UInt8]) { entries.withLock { $0[key] = value } }

    func get(_ key: String) throws(StoreError) -> [UInt8]? {
        reads.add(1, ordering: .relaxed)
        if failing { throw .unavailable("fake outage") }
        return entries.withLock { $0[key] }
    }

    func getMany(_ keys: [String]) throws(StoreError) -> [[UInt8]?] {
        reads.add(1, ordering: .relaxed)
        if failing { throw .unavailable("fake outage") }
        return entries.withLock { entries in keys.map { entries[$0] } }
    }

    func set(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) {
        if failing { throw .unavailable("fake outage") }
        entries.withLock { $0[key] = value }
    }

    func add(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) -> Bool {
        if failing { throw .unavailable("fake outage") }
        return entries.withLock {
            if $0[key] != nil { return false }
            $0[key] = value
            return true
        }
    }

    func delete(_ key: String) throws(StoreError) {
        if failing { throw .unavailable("fake outage") }
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    func touch(_ key: String, ttlSeconds: Int) throws(StoreError) -> Bool {
        if failing { throw .unavailable("fake outage") }
        return entries.withLock { $0[key] != nil }
    }

    private let placements = Mutex<[String: String]>([:])
    private let everywhereDeletes = Mutex<[String]>([])

    /// The placement each key was last written or read with ("" for none).
    func placement(of key: String) -> String? { placements.withLock { $0[key] } }
    /// Keys deleted with `deleteWherever`, in order.
    var deletedWherever: [String] { everywhereDeletes.withLock { $0 } }

    func placed(by placement: String) -> any KeyValueStore { PlacedFakeStore(base: self, placement: placement) }

    func deleteWherever(_ key: String) throws(StoreError) {
        everywhereDeletes.withLock { $0.append(key) }
        try delete(key)
    }

    fileprivate func note(_ keys: [String], _ placement: String) {
        placements.withLock { for key in keys { $0[key] = placement } }
    }

    /// Removes a key behind the code's back, as an eviction would.
    func evict(_ key: String) { _ = entries.withLock { $0.removeValue(forKey: key) } }
}

/// `FakeStore.placed(by:)`: one dictionary (one "server"), remembering placements.
private struct PlacedFakeStore: KeyValueStore {
    let base: FakeStore
    let placement: String

    func get(_ key: String) throws(StoreError) -> [UInt8]? { base.note([key], placement); return try base.get(key) }
    func getMany(_ keys: [String]) throws(StoreError) -> [[UInt8]?] { base.note(keys, placement); return try base.getMany(keys) }
    func set(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) {
        base.note([key], placement)
        try base.set(key, value: value, ttlSeconds: ttlSeconds)
    }
    func add(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) -> Bool {
        base.note([key], placement)
        return try base.add(key, value: value, ttlSeconds: ttlSeconds)
    }
    func delete(_ key: String) throws(StoreError) { base.note([key], placement); try base.delete(key) }
    func touch(_ key: String, ttlSeconds: Int) throws(StoreError) -> Bool {
        base.note([key], placement)
        return try base.touch(key, ttlSeconds: ttlSeconds)
    }
    var isKnownUnavailable: Bool { base.isKnownUnavailable }
    func placed(by placement: String) -> any KeyValueStore { base.placed(by: placement) }
    func deleteWherever(_ key: String) throws(StoreError) { try base.deleteWherever(key) }
}

/// A clock the test moves by hand.
final class FakeClock: WallClock {
    private let current: Atomic<Int64>
    init(_ start: Int64 = 1_800_000_000) { current = Atomic(start) }
    func now() -> Int64 { current.load(ordering: .relaxed) }
    func advance(_ seconds: Int64) { current.add(seconds, ordering: .relaxed) }
}
