import Foundation
import Synchronization
import RelyingParty
import SessionStore
import Testing

/// `replicas: 1` over three real memcached servers: every key on two of them,
/// readable while either is dead or hung, never resurrected by a stale copy.
@Suite(.timeLimit(.minutes(1)))
struct MemcachedReplicaTests {
    static func store(_ servers: [MemcachedServer], replicas: Int = 1, prefix: String = "r:") throws -> MemcachedStore {
        try MemcachedStore(
            servers: servers.map(\.address), connectTimeoutMs: 300, ioTimeoutMs: 300, poolSize: 2, keyPrefix: prefix,
            retryIntervalMs: 2000, replicas: replicas)
    }

    /// Which servers hold `key`, asked of each one alone.
    static func holders(of key: String, on servers: [MemcachedServer], prefix: String = "r:") throws -> Set<Int> {
        var found: Set<Int> = []
        for (index, server) in servers.enumerated() {
            let alone = try MemcachedStore(servers: [server.address], connectTimeoutMs: 300, ioTimeoutMs: 300, poolSize: 1, keyPrefix: prefix)
            if try alone.get(key) != nil { found.insert(index) }
        }
        return found
    }

    static func startThree() throws -> [MemcachedServer] { try (0..<3).map { _ in try MemcachedServer.start() } }

    @Test func everyKeyHasTwoCopiesOnTheSameServersWhateverOrderTheyAreListedIn() throws {
        let servers = try Self.startThree()
        defer { servers.forEach { $0.stop() } }
        let listed = try Self.store(servers)
        let reordered = try Self.store([servers[2], servers[0], servers[1]])
        var pairs: Set<Set<Int>> = []
        for n in 0..<60 {
            try listed.set("k\(n)", value: [UInt8(n)], ttlSeconds: 60)
            let copies = try Self.holders(of: "k\(n)", on: servers)
            #expect(copies.count == 2, "k\(n) is on \(copies.sorted())")
            try listed.delete("k\(n)")
            try reordered.set("k\(n)", value: [UInt8(n)], ttlSeconds: 60)
            #expect(try Self.holders(of: "k\(n)", on: servers) == copies, "another server order put k\(n) elsewhere")
            pairs.insert(copies)
        }
        #expect(pairs.count == 3, "keys should use every pair of servers, used \(pairs)")
    }

    @Test func keysStayReadableWhenTheirServerIsKilled() throws {
        let servers = try Self.startThree()
        defer { servers.forEach { $0.stop() } }
        let store = try Self.store(servers)
        let keys = (0..<60).map { "kill-\($0)" }
        for key in keys { try store.set(key, value: Array(key.utf8), ttlSeconds: 60) }
        let placed = store.placed(by: "user-7")
        try placed.set("session", value: [1], ttlSeconds: 60)
        try placed.set("group", value: [2], ttlSeconds: 60)

        servers[1].stop()
        for key in keys { #expect(try store.get(key) == Array(key.utf8), "\(key) lost with one server dead") }
        #expect(try store.getMany(keys) == keys.map { Array($0.utf8) })
        #expect(try placed.getMany(["session", "group", "absent"]) == [[1], [2], nil])
        #expect(try store.get("never-written") == nil)

        // Writes while the server is dead land on the copies that answer, and are read back.
        for key in keys { try store.set(key, value: [9], ttlSeconds: 60) }
        for key in keys { #expect(try store.get(key) == [9]) }
        #expect(try store.touch(keys[0], ttlSeconds: 60))
    }

    @Test func keysStayReadableWhenTheirServerHangsAndOnlyTheFirstCallWaits() throws {
        let servers = try Self.startThree()
        defer { servers.forEach { $0.stop() } }
        let store = try Self.store(servers)
        let keys = (0..<60).map { "hang-\($0)" }
        for key in keys { try store.set(key, value: Array(key.utf8), ttlSeconds: 60) }
        let onHung = try keys.filter { try Self.holders(of: $0, on: servers).contains(0) }
        try #require(onHung.count > 10)

        servers[0].pause()
        defer { servers[0].resume() }
        let started = Date()
        for key in keys { #expect(try store.get(key) == Array(key.utf8), "\(key) unreadable with one server hung") }
        // One call waits the 300 ms timeout, then the hung server is skipped for the retry interval.
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 1.5, "reads with one hung server took \(elapsed) s")
    }

    @Test func deleteFailsWhileACopyCannotBeAskedAndNoCopyComesBackAfterwards() throws {
        let servers = try Self.startThree()
        defer { servers.forEach { $0.stop() } }
        let store = try Self.store(servers)
        var key = ""
        for n in 0..<60 {
            try store.set("logout-\(n)", value: [1], ttlSeconds: 60)
            if try Self.holders(of: "logout-\(n)", on: servers).contains(2) { key = "logout-\(n)"; break }
        }
        try #require(!key.isEmpty)

        servers[2].pause()
        #expect(throws: StoreError.self) { try store.delete(key) }
        #expect(try store.get(key) == nil, "the copy that answered must be gone")
        servers[2].resume()
        // The hung server still has its copy: the delete was reported failed, and a retry removes it.
        try deleteOnceAnswering(store, key)
        #expect(try Self.holders(of: key, on: servers).isEmpty)
        #expect(try store.get(key) == nil)

        // deleteWherever removes every copy, whatever the placement.
        try store.placed(by: "user-3").set("group", value: [5], ttlSeconds: 60)
        try store.deleteWherever("group")
        #expect(try Self.holders(of: "group", on: servers).isEmpty)
    }

    @Test func aOneTimeMarkerOnAnyCopyCountsAsUsed() throws {
        let servers = try Self.startThree()
        defer { servers.forEach { $0.stop() } }
        let store = try Self.store(servers)
        #expect(try store.add("state-1", value: [1], ttlSeconds: 60))
        #expect(try Self.holders(of: "state-1", on: servers).count == 2)
        #expect(try store.add("state-1", value: [1], ttlSeconds: 60) == false)

        // A marker recorded only on one copy (its other server was down then) is still seen.
        for n in 0..<20 {
            let key = "state-x\(n)"
            try store.set(key, value: [1], ttlSeconds: 60)
            let copies = try Self.holders(of: key, on: servers).sorted()
            let alone = try MemcachedStore(
                servers: [servers[copies[0]].address], connectTimeoutMs: 300, ioTimeoutMs: 300, poolSize: 1, keyPrefix: "r:")
            try alone.delete(key)
            #expect(try store.add(key, value: [2], ttlSeconds: 60) == false, "\(key): a marker on one copy was ignored")
        }
    }

    @Test func everyCallToEachServerIsReportedWithItsOutcome() throws {
        let servers = try Self.startThree()
        defer { servers.forEach { $0.stop() } }
        let calls = ServerCallLog()
        let store = try MemcachedStore(
            servers: servers.map(\.address), connectTimeoutMs: 300, ioTimeoutMs: 300, poolSize: 2, keyPrefix: "r:",
            retryIntervalMs: 2000, replicas: 1, metrics: calls)
        let keys = (0..<30).map { "m-\($0)" }
        for key in keys { try store.set(key, value: [1], ttlSeconds: 60) }
        #expect(calls.count(.answered) == 60, "each write goes to both copies")
        #expect(calls.count(.failed) == 0 && calls.count(.skipped) == 0)

        servers[1].stop()
        calls.reset()
        for key in keys { #expect(try store.get(key) == [1]) }
        #expect(calls.count(.failed, server: 1) == 1, "the dead server fails once, then is skipped")
        #expect(calls.count(.skipped, server: 1) >= 1)
        #expect(calls.count(.answered, server: 1) == 0)
        #expect(calls.count(.answered) == keys.count, "every read answered by the key's server or its copy")
    }

    @Test func oneFailingServerLeavesTheStoreReadyTwoDoNot() throws {
        let servers = try Self.startThree()
        defer { servers.forEach { $0.stop() } }
        let store = try Self.store(servers)
        #expect(store.readinessProblems(probeKey: "probe").isEmpty)
        servers[0].stop()
        #expect(store.readinessProblems(probeKey: "probe").isEmpty, "every key still has a copy")
        servers[2].stop()
        let problems = store.readinessProblems(probeKey: "probe")
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.allSatisfy { $0.hasPrefix(servers[0].address) || $0.hasPrefix(servers[2].address) })
        // Without replicas, one failing server is already a problem.
        let single = try Self.store(Array(servers[1...1]) + [servers[0]], replicas: 0)
        #expect(single.readinessProblems(probeKey: "probe").count == 1)
    }

    @Test func replicasNeedASeparateServerForEachCopy() throws {
        let servers = try (0..<2).map { _ in try MemcachedServer.start() }
        defer { servers.forEach { $0.stop() } }
        #expect(throws: StoreError.self) { _ = try Self.store(servers, replicas: 2) }
        #expect(throws: StoreError.self) { _ = try Self.store([servers[0]], replicas: 1) }
        #expect(throws: StoreError.self) { _ = try Self.store(servers, replicas: -1) }
        _ = try Self.store(servers, replicas: 1)
    }

    /// Retries `delete` until every copy's server answers again (it is skipped
    /// for the retry interval after failing), for at most 6 s.
    private func deleteOnceAnswering(_ store: MemcachedStore, _ key: String) throws {
        let deadline = Date().addingTimeInterval(6)
        while true {
            do { return try store.delete(key) } catch {
                guard Date() < deadline else { throw error }
                usleep(100_000)
            }
        }
    }
}

/// Records `storeServerCalled` reports; every other report is ignored.
final class ServerCallLog: RelyingPartyMetrics {
    private let calls = Mutex<[(server: Int, outcome: StoreServerOutcome)]>([])

    func reset() { calls.withLock { $0.removeAll() } }
    func count(_ outcome: StoreServerOutcome, server: Int? = nil) -> Int {
        calls.withLock { $0.filter { $0.outcome == outcome && (server == nil || $0.server == server) }.count }
    }

    func storeServerCalled(_ server: Int, outcome: StoreServerOutcome) { calls.withLock { $0.append((server, outcome)) } }
    func requestAnswered(_ action: Responder.Action, outcome: RequestOutcome, nanoseconds: UInt64) {}
    func loginStarted() {}
    func loginCompleted() {}
    func loginFailed(_ reason: LoginFailureReason) {}
    func loggedOut(_ kind: LogoutKind) {}
    func providerCalled(_ endpoint: ProviderEndpoint, outcome: ProviderCallOutcome, nanoseconds: UInt64) {}
    func signingKeysRefetched() {}
    func introspectionCacheLookup(hit: Bool) {}
    func storeOperation(_ operation: StoreOperation, failed: Bool) {}
}
