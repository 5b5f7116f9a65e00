import CMemcached
import Glibc
import RelyingParty

/// Sessions in one or more memcached servers, shared by every process that
/// points at them. Keys are spread with ketama consistent hashing over the
/// text protocol. A server that is down or too slow makes the calls whose
/// keys live on it throw `StoreError.unavailable` — never "absent". After one
/// call to a server times out or cannot connect, that server is skipped for
/// the retry interval (calls for its keys fail at once, whether it is dead or
/// hung), then one call probes it; service resumes by itself when it answers
/// again. Keys on the other servers are not affected, and a server's keys are
/// never moved to another server. A miss is reported only when a server
/// answered "not found"; a reply that cannot be read is an error, not a miss.
///
/// With replicas (`ReplicaRing`), every key is also written to the next
/// servers of the ring, and a read whose server is down or hung is answered
/// by a replica instead (see `ReplicaRing` for what each operation does).
public final class MemcachedStore: KeyValueStore {
    private let connections: MemcachedConnectionPool
    private let breakers: ServerBreakers
    private let keyPrefix: String
    private let ring: ReplicaRing
    /// Told how each call to each server went (`oidc_fcgi_store_server_calls_total`).
    private let metrics: (any RelyingPartyMetrics)?
    /// The servers as configured, for readiness reports.
    private let serverNames: [String]

    /// memcached treats expirations beyond 30 days as absolute Unix times.
    private static let longestRelativeExpiration = 60 * 60 * 24 * 30

    /// - Parameters:
    ///   - servers: `host:port`, `[ipv6]:port`, `host` (port 11211) or `/path/to.sock`.
    ///   - connectTimeoutMs: the longest wait for a TCP connection.
    ///   - ioTimeoutMs: the longest wait for a server to accept a request or answer it.
    ///   - poolSize: the most connections per server, one per concurrent caller;
    ///     use the number of worker threads.
    ///   - keyPrefix: prepended to every key, so several sites can share servers.
    ///   - retryIntervalMs: how long a server that failed is skipped before one call probes it.
    ///   - replicas: how many other servers also hold each key (0: each key on one server only).
    ///   - metrics: told the outcome of every call to every server.
    /// - Throws: `.rejected` for an invalid configuration. Servers are not
    ///   contacted until the first call, so a server that is down does not fail this.
    public convenience init(
        servers: [String], connectTimeoutMs: Int, ioTimeoutMs: Int, poolSize: Int, keyPrefix: String,
        retryIntervalMs: Int = 2000, replicas: Int = 0, metrics: (any RelyingPartyMetrics)? = nil
    ) throws(StoreError) {
        try self.init(
            servers: servers, connectTimeoutMs: connectTimeoutMs, ioTimeoutMs: ioTimeoutMs, poolSize: poolSize,
            keyPrefix: keyPrefix, retryIntervalMs: retryIntervalMs, replicas: replicas, metrics: metrics, clock: SystemMonotonicClock())
    }

    init(
        servers: [String], connectTimeoutMs: Int, ioTimeoutMs: Int, poolSize: Int, keyPrefix: String,
        retryIntervalMs: Int, replicas: Int = 0, metrics: (any RelyingPartyMetrics)? = nil, clock: any MonotonicClock
    ) throws(StoreError) {
        self.metrics = metrics
        guard retryIntervalMs > 0 else { throw .rejected("memcached retry interval must be positive") }
        var addresses: [MemcachedServerAddress] = []
        for server in servers {
            addresses.append(try MemcachedServerAddress(parsing: server))
        }
        ring = try ReplicaRing(servers: addresses.map(\.description), replicas: replicas)
        if !keyPrefix.isEmpty {
            do throws(StoreError) {
                try StoreKeyRules.validate(keyPrefix)
            } catch {
                guard case .rejected(let why) = error else { throw error }
                throw .rejected("memcached key prefix: \(why)")
            }
        }
        self.keyPrefix = keyPrefix
        serverNames = addresses.map(\.description)
        connections = try MemcachedConnectionPool(
            .init(servers: addresses, connectTimeoutMs: connectTimeoutMs, ioTimeoutMs: ioTimeoutMs, poolSize: poolSize)
        )
        breakers = ServerBreakers(servers: addresses.map(\.description), retryIntervalMs: Int64(retryIntervalMs), clock: clock)
        everyServer = Self.placements(reaching: addresses.count, router: connections)
    }

    /// One placement per server, in configuration order: a call placed by
    /// `everyServer[i]` goes to server i. Found by hashing, once.
    private let everyServer: [String]

    private static func placements(reaching count: Int, router: MemcachedConnectionPool) -> [String] {
        var found = [String?](repeating: nil, count: count)
        var missing = count
        var n = 0
        while missing > 0 && n < 100_000 {
            let candidate = "placement-\(n)"
            let index = router.serverIndex(for: candidate)
            if found[index] == nil {
                found[index] = candidate
                missing -= 1
            }
            n += 1
        }
        // Ketama gives every server many points; a server never hit would be a libmemcached bug.
        return found.compactMap { $0 }
    }

    /// True while every server failed moments ago and is being skipped: any
    /// call would fail at once. Judged from past calls, without any I/O.
    public var isKnownUnavailable: Bool { breakers.allKnownDown }

    /// A server's copy of a key is reached by a routing key that hashes to
    /// that server: the key's own routing on its first server, a placement of
    /// the replica's server otherwise.
    private typealias Operation<T> = (UnsafeMutablePointer<memcached_st>, _ routing: String) throws(StoreError) -> T

    /// Runs `operation` on a pooled connection against `server`, unless that
    /// server is being skipped after a failure.
    private func call<T>(server: Int, routing: String, _ operation: Operation<T>) throws(StoreError) -> T {
        do { try breakers.admit(server: server) } catch {
            metrics?.storeServerCalled(server, outcome: .skipped)
            throw error
        }
        var contacted = false
        do {
            let result = try connections.withConnection { (handle) throws(StoreError) -> T in
                contacted = true
                return try operation(handle, routing)
            }
            breakers.record(server: server, .reachable)
            metrics?.storeServerCalled(server, outcome: .answered)
            return result
        } catch {
            // A rejection (a value too large…) is an answer from the server.
            let outcome: CircuitBreaker.Outcome
            if !contacted { outcome = .notTried } else if case .unavailable = error { outcome = .unreachable } else { outcome = .reachable }
            breakers.record(server: server, outcome)
            metrics?.storeServerCalled(server, outcome: outcome == .reachable ? .answered : .failed)
            throw error
        }
    }

    /// A read: asked of the key's first server; when that one cannot be asked
    /// (down, hung, being skipped), of each replica in turn. A miss is an
    /// answer and final.
    private func read<T>(_ routing: String, _ operation: Operation<T>) throws(StoreError) -> T {
        let first = connections.serverIndex(for: routing)
        var failure: StoreError
        do { return try call(server: first, routing: routing, operation) } catch {
            guard case .unavailable = error else { throw error }
            failure = error
        }
        for server in ring.replicaServers(of: first) {
            do { return try call(server: server, routing: everyServer[server], operation) } catch {
                guard case .unavailable = error else { throw error }
                failure = error
            }
        }
        throw failure
    }

    /// A write: made on every server holding the key (its first server, then
    /// its replicas). Returns the answers of those that could be asked, and the
    /// failure of those that could not. A rejection (an answer) is thrown at once.
    private func writeEverywhere<T>(
        _ routing: String, _ operation: Operation<T>
    ) throws(StoreError) -> (answers: [T], unreachable: StoreError?) {
        let first = connections.serverIndex(for: routing)
        var answers: [T] = []
        var unreachable: StoreError?
        for server in [first] + ring.replicaServers(of: first) {
            do {
                answers.append(try call(server: server, routing: server == first ? routing : everyServer[server], operation))
            } catch {
                guard case .unavailable = error else { throw error }
                unreachable = unreachable ?? error
            }
        }
        return (answers, unreachable)
    }

    public func get(_ key: String) throws(StoreError) -> [UInt8]? { try get(key, placement: nil) }
    public func set(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) {
        try set(key, value: value, ttlSeconds: ttlSeconds, placement: nil)
    }
    public func add(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) -> Bool {
        try add(key, value: value, ttlSeconds: ttlSeconds, placement: nil)
    }
    public func delete(_ key: String) throws(StoreError) { _ = try delete(key, placement: nil) }
    public func touch(_ key: String, ttlSeconds: Int) throws(StoreError) -> Bool {
        try touch(key, ttlSeconds: ttlSeconds, placement: nil)
    }
    public func getMany(_ keys: [String]) throws(StoreError) -> [[UInt8]?] { try getMany(keys, placement: nil) }

    /// Keys placed by `placement` all live on the server it hashes to.
    public func placed(by placement: String) -> any KeyValueStore { PlacedMemcachedStore(store: self, placement: placement) }

    /// Deletes the key on every server: the caller does not know its
    /// placement. Without replicas it is on at most one server, so this fails
    /// only when no server deleted it and some server could not be asked; with
    /// replicas it may be on several, so any server that could not be asked
    /// fails it (the key may still be there).
    public func deleteWherever(_ key: String) throws(StoreError) {
        let fullKey = try prefixed(key)
        var failure: StoreError?
        for (server, placement) in everyServer.enumerated() {
            do {
                let deleted = try call(server: server, routing: placement) { (handle, routing) throws(StoreError) -> Bool in
                    try Self.delete(handle, routing: routing, fullKey)
                }
                if deleted && ring.replicas == 0 { return }
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
    }

    /// One read on each server, asked of that server alone (no replica answers for it).
    public func readinessProblems(probeKey: String) -> [String] {
        let fullKey: String
        do { fullKey = try prefixed(probeKey) } catch { return ["\(error)"] }
        var problems: [Int: String] = [:]
        for (index, placement) in everyServer.enumerated() {
            do {
                _ = try call(server: index, routing: placement) { (handle, routing) throws(StoreError) -> [[UInt8]?] in
                    try Self.multiGet(handle, routing: routing, [fullKey])
                }
            } catch {
                problems[index] = "\(index < serverNames.count ? serverNames[index] : "server \(index + 1)"): \(error)"
            }
        }
        // With replicas, a failing server is a problem only when some keys have no copy left:
        // it and every server holding its keys' copies fail.
        let keysLost = problems.keys.contains { server in ring.replicaServers(of: server).allSatisfy { problems[$0] != nil } }
        guard keysLost else { return [] }
        return problems.sorted { $0.key < $1.key }.map(\.value)
    }

    /// The routing key of a call: the placement when there is one, else the key.
    private func routing(_ fullKey: String, _ placement: String?) throws(StoreError) -> String {
        guard let placement else { return fullKey }
        try StoreKeyRules.validate(placement)
        return placement
    }

    func get(_ key: String, placement: String?) throws(StoreError) -> [UInt8]? {
        let fullKey = try prefixed(key)
        let group = try routing(fullKey, placement)
        return try read(group) { (handle, group) throws(StoreError) -> [UInt8]? in
            var length = 0
            var flags: UInt32 = 0
            var rc = MEMCACHED_SUCCESS
            let data = Self.withKeys(group, fullKey) { memcached_get_by_key(handle, $0, $1, $2, $3, &length, &flags, &rc) }
            defer { free(data) }
            switch rc {
            case MEMCACHED_SUCCESS:
                // An empty value comes back as a NULL pointer with SUCCESS.
                guard let data, length > 0 else { return [] }
                return [UInt8](UnsafeRawBufferPointer(start: data, count: length))
            case MEMCACHED_NOTFOUND:
                if let failure = MemcachedFailure.hiddenFailure(in: handle) {
                    throw MemcachedFailure.error(failure, operation: "get", handle: handle)
                }
                return nil
            default:
                throw MemcachedFailure.error(rc, operation: "get", handle: handle)
            }
        }
    }

    func set(_ key: String, value: [UInt8], ttlSeconds: Int, placement: String?) throws(StoreError) {
        let fullKey = try prefixed(key)
        let group = try routing(fullKey, placement)
        let expiration = try Self.expiration(ttlSeconds)
        // Stored when at least one server holding the key stored it: reads fall
        // back to a replica only while the first server cannot be asked.
        let written = try writeEverywhere(group) { (handle, group) throws(StoreError) in
            let rc = Self.store(memcached_set_by_key, handle, group, fullKey, value, expiration)
            guard rc == MEMCACHED_SUCCESS else {
                throw MemcachedFailure.error(rc, operation: "set", handle: handle)
            }
        }
        if written.answers.isEmpty, let failure = written.unreachable { throw failure }
    }

    func add(_ key: String, value: [UInt8], ttlSeconds: Int, placement: String?) throws(StoreError) -> Bool {
        let fullKey = try prefixed(key)
        let group = try routing(fullKey, placement)
        let expiration = try Self.expiration(ttlSeconds)
        // Added only when no server that answered already had it: a one-time
        // marker found on any copy counts as used.
        let added = try writeEverywhere(group) { (handle, group) throws(StoreError) -> Bool in
            let rc = Self.store(memcached_add_by_key, handle, group, fullKey, value, expiration)
            switch rc {
            case MEMCACHED_SUCCESS: return true
            case MEMCACHED_NOTSTORED, MEMCACHED_DATA_EXISTS:
                if let failure = MemcachedFailure.hiddenFailure(in: handle) {
                    throw MemcachedFailure.error(failure, operation: "add", handle: handle)
                }
                return false
            default: throw MemcachedFailure.error(rc, operation: "add", handle: handle)
            }
        }
        if added.answers.isEmpty, let failure = added.unreachable { throw failure }
        return !added.answers.contains(false)
    }

    /// True when the key was there. With replicas, deleted on every server
    /// holding it, and failed when any of them could not be asked: a copy left
    /// behind could answer a later read.
    func delete(_ key: String, placement: String?) throws(StoreError) -> Bool {
        let fullKey = try prefixed(key)
        let group = try routing(fullKey, placement)
        let deleted = try writeEverywhere(group) { (handle, group) throws(StoreError) -> Bool in
            try Self.delete(handle, routing: group, fullKey)
        }
        if let failure = deleted.unreachable { throw failure }
        return deleted.answers.contains(true)
    }

    private static func delete(
        _ handle: UnsafeMutablePointer<memcached_st>, routing: String, _ fullKey: String
    ) throws(StoreError) -> Bool {
        try present(withKeys(routing, fullKey) { memcached_delete_by_key(handle, $0, $1, $2, $3, 0) }, operation: "delete", handle)
    }

    /// The answer of a call on one present key: SUCCESS is true, NOTFOUND false
    /// (unless the handle hides a failure behind it), anything else throws.
    private static func present(
        _ rc: memcached_return_t, operation: String, _ handle: UnsafeMutablePointer<memcached_st>
    ) throws(StoreError) -> Bool {
        switch rc {
        case MEMCACHED_SUCCESS:
            return true
        case MEMCACHED_NOTFOUND:
            if let failure = MemcachedFailure.hiddenFailure(in: handle) {
                throw MemcachedFailure.error(failure, operation: operation, handle: handle)
            }
            return false
        default:
            throw MemcachedFailure.error(rc, operation: operation, handle: handle)
        }
    }

    func touch(_ key: String, ttlSeconds: Int, placement: String?) throws(StoreError) -> Bool {
        let fullKey = try prefixed(key)
        let group = try routing(fullKey, placement)
        let expiration = try Self.expiration(ttlSeconds)
        let touched = try writeEverywhere(group) { (handle, group) throws(StoreError) -> Bool in
            try Self.present(
                Self.withKeys(group, fullKey) { memcached_touch_by_key(handle, $0, $1, $2, $3, expiration) }, operation: "touch", handle)
        }
        if touched.answers.isEmpty, let failure = touched.unreachable { throw failure }
        return touched.answers.contains(true)
    }

    /// One multi-get per server holding some of the keys (with one server, or
    /// with a placement, one round trip for all of them).
    func getMany(_ keys: [String], placement: String?) throws(StoreError) -> [[UInt8]?] {
        var fullKeys: [String] = []
        fullKeys.reserveCapacity(keys.count)
        for key in keys { fullKeys.append(try prefixed(key)) }
        if let placement {
            // The session check: every key on one server, one multi-get.
            try StoreKeyRules.validate(placement)
            return try read(placement) { (handle, routing) throws(StoreError) -> [[UInt8]?] in
                try Self.multiGet(handle, routing: routing, fullKeys)
            }
        }
        // Unplaced keys: one multi-get per server, each key routed by itself.
        var byServer: [Int: [String]] = [:]
        for fullKey in fullKeys { byServer[connections.serverIndex(for: fullKey), default: []].append(fullKey) }
        var found: [String: [UInt8]] = [:]
        for (_, group) in byServer.sorted(by: { $0.key < $1.key }) {
            let distinct = Array(Set(group))
            let values = try read(group[0]) { (handle, routing) throws(StoreError) -> [[UInt8]?] in
                try Self.multiGet(handle, routing: routing, distinct)
            }
            for (key, value) in zip(distinct, values) { found[key] = value }
        }
        return fullKeys.map { found[$0] }
    }

    /// The values of `keys` (nil: a miss), in their order, from one multi-get
    /// on the connection. The keys and their lengths go to libmemcached from
    /// scratch space on the stack, and one result is reused for every value.
    private static func multiGet(
        _ handle: UnsafeMutablePointer<memcached_st>, routing: String, _ keys: [String]
    ) throws(StoreError) -> [[UInt8]?] {
        var values = [[UInt8]?](repeating: nil, count: keys.count)
        let keyBytes = keys.reduce(0) { $0 + $1.utf8.count }
        let sent = withUnsafeTemporaryAllocation(of: CChar.self, capacity: keyBytes) { text in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: keys.count) { pointers in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: keys.count) { lengths in
                    var at = 0
                    for (index, key) in keys.enumerated() {
                        let start = text.baseAddress! + at
                        for byte in key.utf8 {
                            text[at] = CChar(bitPattern: byte)
                            at += 1
                        }
                        pointers[index] = UnsafePointer(start)
                        lengths[index] = key.utf8.count
                    }
                    return routing.withCString { group in
                        memcached_mget_by_key(handle, group, routing.utf8.count, pointers.baseAddress, lengths.baseAddress, keys.count)
                    }
                }
            }
        }
        guard sent == MEMCACHED_SUCCESS else { throw MemcachedFailure.error(sent, operation: "get", handle: handle) }
        return try withUnsafeTemporaryAllocation(of: memcached_result_st.self, capacity: 1) { (space) throws(StoreError) in
            let result = space.baseAddress!
            guard memcached_result_create(handle, result) != nil else {
                throw .unavailable("memcached get: cannot set up a result")
            }
            defer { memcached_result_free(result) }
            while true {
                var rc = MEMCACHED_SUCCESS
                guard memcached_fetch_result(handle, result, &rc) != nil else {
                    guard rc == MEMCACHED_END || rc == MEMCACHED_NOTFOUND || rc == MEMCACHED_SUCCESS else {
                        throw MemcachedFailure.error(rc, operation: "get", handle: handle)
                    }
                    if let failure = MemcachedFailure.hiddenFailure(in: handle) {
                        throw MemcachedFailure.error(failure, operation: "get", handle: handle)
                    }
                    return values
                }
                guard rc == MEMCACHED_SUCCESS else { throw MemcachedFailure.error(rc, operation: "get", handle: handle) }
                let key = UnsafeRawBufferPointer(start: memcached_result_key_value(result), count: memcached_result_key_length(result))
                let length = memcached_result_length(result)
                let value = length > 0 ? memcached_result_value(result).map { [UInt8](UnsafeRawBufferPointer(start: $0, count: length)) } ?? [] : []
                // Every place the key was asked for; a key not asked for is ignored, as libmemcached's own get does.
                for index in keys.indices where Self.sameBytes(keys[index], key) { values[index] = value }
            }
        }
    }

    private func prefixed(_ key: String) throws(StoreError) -> String {
        guard !key.isEmpty else { throw .rejected("empty key") }
        // One check of the whole key: the prefix counts towards memcached's
        // limit, and every byte of the key is in it.
        let fullKey = keyPrefix + key
        try StoreKeyRules.validate(fullKey)
        return fullKey
    }

    /// `key` and the key memcached answered with: the lengths first, then one memcmp.
    private static func sameBytes(_ key: String, _ answered: UnsafeRawBufferPointer) -> Bool {
        var key = key
        return key.withUTF8 { utf8 in
            utf8.count == answered.count
                && (utf8.isEmpty || memcmp(utf8.baseAddress!, answered.baseAddress!, utf8.count) == 0)
        }
    }

    private static func expiration(_ ttlSeconds: Int) throws(StoreError) -> time_t {
        try StoreKeyRules.validate(ttlSeconds: ttlSeconds)
        if ttlSeconds <= longestRelativeExpiration { return time_t(ttlSeconds) }
        return time(nil) + time_t(ttlSeconds)
    }

    /// Calls `body` with the routing key and the key, each as a C string and its length.
    private static func withKeys<T>(
        _ routing: String, _ key: String, _ body: (UnsafePointer<CChar>, Int, UnsafePointer<CChar>, Int) -> T
    ) -> T {
        routing.withCString { group in key.withCString { name in body(group, routing.utf8.count, name, key.utf8.count) } }
    }

    private typealias StorageCommand = (
        UnsafeMutablePointer<memcached_st>?, UnsafePointer<CChar>?, Int, UnsafePointer<CChar>?, Int, UnsafePointer<CChar>?, Int,
        time_t, UInt32
    ) -> memcached_return_t

    private static func store(
        _ command: StorageCommand, _ handle: UnsafeMutablePointer<memcached_st>, _ routing: String, _ key: String,
        _ value: [UInt8], _ expiration: time_t
    ) -> memcached_return_t {
        withKeys(routing, key) { group, groupLength, name, nameLength in
            value.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    command(handle, group, groupLength, name, nameLength, chars.baseAddress, chars.count, expiration, 0)
                }
            }
        }
    }
}
