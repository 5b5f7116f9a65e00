import RelyingParty

/// `MemcachedStore.placed(by:)`: the same store, with every key placed by one
/// placement, so the keys of one session live on one server and one
/// multi-get reads them all.
struct PlacedMemcachedStore: KeyValueStore {
    let store: MemcachedStore
    let placement: String

    func get(_ key: String) throws(StoreError) -> [UInt8]? { try store.get(key, placement: placement) }
    func set(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) {
        try store.set(key, value: value, ttlSeconds: ttlSeconds, placement: placement)
    }
    func add(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) -> Bool {
        try store.add(key, value: value, ttlSeconds: ttlSeconds, placement: placement)
    }
    func delete(_ key: String) throws(StoreError) { _ = try store.delete(key, placement: placement) }
    func touch(_ key: String, ttlSeconds: Int) throws(StoreError) -> Bool {
        try store.touch(key, ttlSeconds: ttlSeconds, placement: placement)
    }
    func getMany(_ keys: [String]) throws(StoreError) -> [[UInt8]?] { try store.getMany(keys, placement: placement) }
    var isKnownUnavailable: Bool { store.isKnownUnavailable }
    func placed(by placement: String) -> any KeyValueStore { store.placed(by: placement) }
    func deleteWherever(_ key: String) throws(StoreError) { try store.deleteWherever(key) }
}
