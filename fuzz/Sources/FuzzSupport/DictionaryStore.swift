import RelyingParty

/// A plain in-memory store for one fuzz input. `@unchecked Sendable`: libFuzzer
/// runs inputs on one thread, and each input gets a store of its own.
public final class DictionaryStore: KeyValueStore, @unchecked Sendable {
    private var values: [String: [UInt8]] = [:]

    public init() {}

    public func get(_ key: String) throws(StoreError) -> [UInt8]? { values[key] }
    public func set(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) { values[key] = value }
    public func add(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) -> Bool {
        guard values[key] == nil else { return false }
        values[key] = value
        return true
    }
    public func delete(_ key: String) throws(StoreError) { values[key] = nil }
    public func touch(_ key: String, ttlSeconds: Int) throws(StoreError) -> Bool { values[key] != nil }
}
