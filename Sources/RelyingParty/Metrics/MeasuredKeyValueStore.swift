/// Reports every session store operation and whether it failed. Placement
/// and the known-unavailable shortcut pass through to the store it wraps.
public struct MeasuredKeyValueStore: KeyValueStore {
    private let inner: any KeyValueStore
    private let metrics: any RelyingPartyMetrics

    public init(wrapping inner: any KeyValueStore, metrics: any RelyingPartyMetrics) {
        self.inner = inner
        self.metrics = metrics
    }

    public func get(_ key: String) throws(StoreError) -> [UInt8]? {
        try measured(.get) { () throws(StoreError) in try inner.get(key) }
    }

    public func set(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) {
        try measured(.set) { () throws(StoreError) in try inner.set(key, value: value, ttlSeconds: ttlSeconds) }
    }

    public func add(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) -> Bool {
        try measured(.add) { () throws(StoreError) in try inner.add(key, value: value, ttlSeconds: ttlSeconds) }
    }

    public func delete(_ key: String) throws(StoreError) {
        try measured(.delete) { () throws(StoreError) in try inner.delete(key) }
    }

    public func touch(_ key: String, ttlSeconds: Int) throws(StoreError) -> Bool {
        try measured(.touch) { () throws(StoreError) in try inner.touch(key, ttlSeconds: ttlSeconds) }
    }

    public func getMany(_ keys: [String]) throws(StoreError) -> [[UInt8]?] {
        try measured(.get) { () throws(StoreError) in try inner.getMany(keys) }
    }

    public var isKnownUnavailable: Bool { inner.isKnownUnavailable }

    public func placed(by placement: String) -> any KeyValueStore {
        MeasuredKeyValueStore(wrapping: inner.placed(by: placement), metrics: metrics)
    }

    public func deleteWherever(_ key: String) throws(StoreError) {
        try measured(.delete) { () throws(StoreError) in try inner.deleteWherever(key) }
    }

    public func readinessProblems(probeKey: String) -> [String] { inner.readinessProblems(probeKey: probeKey) }

    private func measured<T>(_ operation: StoreOperation, _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        do {
            let result = try body()
            metrics.storeOperation(operation, failed: false)
            return result
        } catch {
            metrics.storeOperation(operation, failed: true)
            throw error
        }
    }
}
