import Foundation
import Synchronization
import RelyingParty
import SessionStore
import Testing

/// Stores over one real memcached; namespaces are key prefixes.
struct MemcachedStoreFixture: KeyValueStoreFixture {
    let server: MemcachedServer

    func makeStore(namespace: String) throws -> any KeyValueStore {
        try MemcachedStore(
            servers: [server.address], connectTimeoutMs: 500, ioTimeoutMs: 500, poolSize: 4,
            keyPrefix: "\(namespace):"
        )
    }

    // memcached's clock ticks once a second, so a 1 s TTL may already have
    // passed when it is read back; 2 s is the shortest reliable one.
    var shortTTL: Int { 2 }

    func letShortTTLPass() async throws { try await Task.sleep(for: .milliseconds(3500)) }
}

@Suite(.timeLimit(.minutes(1)))
struct MemcachedStoreTests {
    static func store(_ servers: [String], prefix: String = "t:", poolSize: Int = 4) throws -> MemcachedStore {
        try MemcachedStore(servers: servers, connectTimeoutMs: 500, ioTimeoutMs: 500, poolSize: poolSize, keyPrefix: prefix)
    }

    @Test(arguments: KeyValueStoreContract.allCases)
    func contract(_ behaviour: KeyValueStoreContract) async throws {
        let server = try MemcachedServer.start()
        defer { server.stop() }
        try await behaviour.verify(MemcachedStoreFixture(server: server))
    }

    @Test func worksOverAUnixSocket() throws {
        let server = try MemcachedServer.startOnUnixSocket()
        defer { server.stop() }
        let store = try Self.store([server.address])
        try store.set("k", value: [0, 1, 2], ttlSeconds: 60)
        #expect(try store.get("k") == [0, 1, 2])
        #expect(try store.add("k", value: [3], ttlSeconds: 60) == false)
    }

    @Test func stoppedServerMakesEveryCallUnavailableQuicklyAndRecoveryNeedsNoRestart() throws {
        let server = try MemcachedServer.start()
        defer { server.stop() }
        let store = try Self.store([server.address])
        try store.set("session", value: [1], ttlSeconds: 60)
        #expect(try store.get("session") == [1])

        server.stop()
        // Several rounds: the first finds the connection closed, later ones hit
        // "connection refused" or the server's retry timeout.
        for _ in 0..<3 {
            try expectUnavailable(store, within: 2)
        }

        try server.start()  // the same port, a fresh memcached
        let recovered = Date()
        var result: Result<[UInt8]?, StoreError> = .failure(.unavailable("not tried"))
        while Date().timeIntervalSince(recovered) < 10 {
            result = Result { () throws(StoreError) in try store.get("session") }
            if case .success = result { break }
            usleep(100_000)
        }
        // The restarted memcached is empty: the key is absent, and the store works.
        #expect(try result.get() == nil, "store did not recover within 10 s of the server's restart")
        #expect(Date().timeIntervalSince(recovered) < 4, "recovery took longer than the retry interval allows")
        try store.set("session", value: [2], ttlSeconds: 60)
        #expect(try store.get("session") == [2])
        #expect(try store.add("lock", value: [1], ttlSeconds: 60) == true)
        try store.delete("session")
    }

    @Test func neverStartedServerIsUnavailableNotAbsent() throws {
        let store = try Self.store(["127.0.0.1:\(try FreePort.pick())"])
        for _ in 0..<3 {
            try expectUnavailable(store, within: 2)
        }
    }

    @Test func aPeerThatIsNotMemcachedIsUnavailableNotAbsent() throws {
        // libmemcached's get answers NOTFOUND here; the store must not.
        let impostor = try ImpostorServer()
        defer { impostor.stop() }
        let store = try Self.store([impostor.address])
        for _ in 0..<2 {
            try expectUnavailable(store, within: 2)
        }
    }

    @Test func errorMessagesAreTidyAndNameTheServer() throws {
        let port = try FreePort.pick()
        let store = try Self.store(["127.0.0.1:\(port)"])
        do {
            _ = try store.get("k")
            Issue.record("get succeeded without a server")
        } catch {
            let text = "\(error)"
            #expect(text.contains("127.0.0.1:\(port)"), "\(text)")
            #expect(!text.contains("(0x") && !text.contains(".cc:"), "\(text)")
        }
    }

    @Test func frozenServerTimesOutAndAnswersCorrectlyAfterwards() throws {
        let server = try MemcachedServer.start()
        defer { server.stop() }
        let store = try Self.store([server.address], poolSize: 1)
        try store.set("a", value: [0xA], ttlSeconds: 60)
        try store.set("b", value: [0xB], ttlSeconds: 60)

        server.pause()
        let started = Date()
        #expect(throws: StoreError.self) { try store.get("a") }
        #expect(Date().timeIntervalSince(started) < 2, "a frozen server held the call beyond the I/O timeout")
        server.resume()

        // No stale reply to the timed-out request may be read as another key's value.
        let deadline = Date().addingTimeInterval(10)
        var answer: [UInt8]?? = nil
        while Date() < deadline {
            if let value = try? store.get("b") {
                answer = .some(value)
                break
            }
            usleep(100_000)
        }
        #expect(answer == .some([0xB]))
        #expect(try store.get("a") == [0xA])
        #expect(try store.get("b") == [0xB])
    }

    @Test func hungServerFailsCallsAtOnceAfterOneTimeoutAndRecoversByItself() throws {
        let server = try MemcachedServer.start()
        defer { server.stop() }
        let store = try MemcachedStore(
            servers: [server.address], connectTimeoutMs: 500, ioTimeoutMs: 500, poolSize: 4, keyPrefix: "t:",
            retryIntervalMs: 1000)
        try store.set("session", value: [1], ttlSeconds: 60)
        #expect(!store.isKnownUnavailable)

        server.pause()  // accepts connections, never answers
        #expect(throws: StoreError.self) { try store.get("session") }  // waits for the I/O timeout
        #expect(store.isKnownUnavailable)

        // Every other call, from many threads at once, fails at once: together
        // they take less than one I/O timeout instead of one each.
        let failures = Atomic<Int>(0)
        let started = Date()
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            do throws(StoreError) {
                _ = try store.get("session")
            } catch {
                if case .unavailable = error { failures.add(1, ordering: .relaxed) }
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(failures.load(ordering: .relaxed) == 64, "every call fails (none reads as absent)")
        #expect(elapsed < 0.4, "64 calls took \(elapsed) s against a server already known to hang")

        server.resume()
        let resumed = Date()
        var value: [UInt8]?
        while Date().timeIntervalSince(resumed) < 10 {
            if let answer = try? store.get("session") {
                value = answer
                break
            }
            usleep(50_000)
        }
        #expect(value == [1], "no recovery within 10 s of the server resuming")
        #expect(Date().timeIntervalSince(resumed) < 5, "recovery took longer than a retry interval or two")
        #expect(!store.isKnownUnavailable)
    }

    @Test func oneHungServerDoesNotFailTheKeysOfAnother() throws {
        let first = try MemcachedServer.start()
        defer { first.stop() }
        let second = try MemcachedServer.start()
        defer { second.stop() }
        let both = try Self.store([first.address, second.address])
        let keys = (0..<60).map { "hung-\($0)" }
        for key in keys { try both.set(key, value: Array(key.utf8), ttlSeconds: 60) }
        let onSecond = try keys.filter { try Self.store([second.address]).get($0) != nil }
        let onFirst = keys.filter { !onSecond.contains($0) }
        try #require(onFirst.count >= 5 && onSecond.count >= 5)

        second.pause()
        #expect(throws: StoreError.self) { try both.get(onSecond[0]) }  // one I/O timeout
        let started = Date()
        for key in onSecond.prefix(10) {
            #expect(throws: StoreError.self) { try both.get(key) }
        }
        for key in onFirst.prefix(10) { #expect(try both.get(key) == Array(key.utf8)) }
        #expect(Date().timeIntervalSince(started) < 0.4, "calls waited on a server already known to hang")
        #expect(!both.isKnownUnavailable, "one server of two still answers")
    }

    @Test func keysSpreadOverTwoServers() throws {
        let first = try MemcachedServer.start()
        defer { first.stop() }
        let second = try MemcachedServer.start()
        defer { second.stop() }
        let both = try Self.store([first.address, second.address])
        let keys = (0..<200).map { "spread-\($0)" }
        for key in keys { try both.set(key, value: Array(key.utf8), ttlSeconds: 60) }
        for key in keys { #expect(try both.get(key) == Array(key.utf8)) }

        let onFirst = try keys.filter { try Self.store([first.address]).get($0) != nil }
        let onSecond = try keys.filter { try Self.store([second.address]).get($0) != nil }
        #expect(onFirst.count + onSecond.count == keys.count)
        #expect(Set(onFirst).isDisjoint(with: onSecond))
        #expect(onFirst.count > 40 && onSecond.count > 40, "uneven spread: \(onFirst.count) / \(onSecond.count)")

        // With one server gone, its keys are unavailable (not absent, not moved);
        // the other server's keys still work.
        second.stop()
        for key in onFirst.prefix(20) { #expect(try both.get(key) == Array(key.utf8)) }
        for key in onSecond.prefix(5) {
            #expect(throws: StoreError.self) { try both.get(key) }
        }
    }

    @Test func getManyReadsKeysOfEveryServerAndFailsWholeWhenOneHangs() throws {
        let first = try MemcachedServer.start()
        defer { first.stop() }
        let second = try MemcachedServer.start()
        defer { second.stop() }
        let both = try Self.store([first.address, second.address])
        let keys = (0..<30).map { "many-\($0)" }
        for key in keys where key != "many-7" { try both.set(key, value: Array(key.utf8), ttlSeconds: 60) }
        let values = try both.getMany(keys)
        #expect(values == keys.map { $0 == "many-7" ? nil : Array($0.utf8) })
        let onSecond = try keys.filter { try Self.store([second.address]).get($0) != nil }
        try #require(!onSecond.isEmpty && onSecond.count < keys.count - 1)

        // A session check must never read "absent" for a key whose server did not answer.
        second.pause()
        let started = Date()
        #expect(throws: StoreError.self) { _ = try both.getMany(keys) }
        #expect(Date().timeIntervalSince(started) < 2, "getMany waited beyond the I/O timeout")
        second.resume()
    }

    @Test func keysWithOnePlacementLiveOnOneServerAndStayReadableWhenAnotherHangs() throws {
        let first = try MemcachedServer.start()
        defer { first.stop() }
        let second = try MemcachedServer.start()
        defer { second.stop() }
        let both = try Self.store([first.address, second.address])
        let onlySecond = try Self.store([second.address])
        // Placements on each server, and keys of each placement spread by name alone.
        var placements: [String: Bool] = [:]  // placement -> on the second server
        for n in 0..<40 {
            let placement = "user-\(n)"
            let keys = (0..<6).map { "p\(n)-\($0)" }
            let placed = both.placed(by: placement)
            for key in keys { try placed.set(key, value: Array(key.utf8), ttlSeconds: 60) }
            let onSecond = try keys.map { try onlySecond.get($0) != nil }
            #expect(Set(onSecond).count == 1, "keys of one placement were spread over both servers")
            placements[placement] = onSecond[0]
            #expect(try placed.getMany(keys + ["p\(n)-absent", keys[0]]) == keys.map { Array($0.utf8) } + [nil, Array(keys[0].utf8)])
            #expect(try placed.touch(keys[0], ttlSeconds: 60))
            #expect(try placed.add(keys[1], value: [0], ttlSeconds: 60) == false)
        }
        try #require(placements.values.contains(true) && placements.values.contains(false))

        second.pause()
        defer { second.resume() }
        for (placement, onSecond) in placements.prefix(12) {
            let n = placement.dropFirst("user-".count)
            let keys = (0..<6).map { "p\(n)-\($0)" }
            if onSecond {
                #expect(throws: StoreError.self) { _ = try both.placed(by: placement).getMany(keys) }
            } else {
                #expect(try both.placed(by: placement).getMany(keys) == keys.map { Array($0.utf8) })
            }
        }
    }

    @Test func deleteWhereverFindsAKeyWithoutItsPlacementAndFailsOnlyWhenItMayRemain() throws {
        let first = try MemcachedServer.start()
        defer { first.stop() }
        let second = try MemcachedServer.start()
        defer { second.stop() }
        let both = try Self.store([first.address, second.address], poolSize: 2)
        let onlySecond = try Self.store([second.address])
        // A placement on each server, holding the same key name.
        var byServer: [Bool: String] = [:]
        for n in 0..<40 where byServer.count < 2 {
            try both.placed(by: "u\(n)").set("probe", value: [1], ttlSeconds: 60)
            let onSecond = try onlySecond.get("probe") != nil
            if byServer[onSecond] == nil { byServer[onSecond] = "u\(n)" }
            try both.placed(by: "u\(n)").delete("probe")
        }
        let onFirst = try #require(byServer[false]), onSecondPlacement = try #require(byServer[true])
        try both.placed(by: onSecondPlacement).set("group", value: [7], ttlSeconds: 60)
        try both.deleteWherever("group")
        #expect(try both.placed(by: onSecondPlacement).get("group") == nil)
        try both.deleteWherever("never-written")  // absent everywhere: not an error

        // The key is on the healthy server: deleted, whatever the hung one does.
        try both.placed(by: onFirst).set("group", value: [7], ttlSeconds: 60)
        second.pause()
        try both.deleteWherever("group")
        #expect(try both.placed(by: onFirst).get("group") == nil)
        // Absent from the healthy server: it may be on the hung one.
        #expect(throws: StoreError.self) { try both.deleteWherever("group") }
        second.resume()
    }

    @Test func getManyOnAFrozenServerLeavesNoStaleReplyBehind() throws {
        let server = try MemcachedServer.start()
        defer { server.stop() }
        let store = try Self.store([server.address], poolSize: 1)
        try store.set("x", value: [1], ttlSeconds: 60)
        try store.set("y", value: [2], ttlSeconds: 60)
        server.pause()
        #expect(throws: StoreError.self) { _ = try store.getMany(["x", "y"]) }
        server.resume()
        let deadline = Date().addingTimeInterval(10)
        var answer: [[UInt8]?]?
        while Date() < deadline, answer == nil {
            answer = try? store.getMany(["y", "x"])
            if answer == nil { usleep(100_000) }
        }
        #expect(answer == [[2], [1]])
        #expect(try store.getMany(["x", "nope", "y"]) == [[1], nil, [2]])
    }

    @Test func valueLargerThanTheServerAcceptsIsRejected() throws {
        let server = try MemcachedServer.start()
        defer { server.stop() }
        let store = try Self.store([server.address])
        let tooLarge = [UInt8](repeating: 1, count: 2 << 20)
        do {
            try store.set("huge", value: tooLarge, ttlSeconds: 60)
            Issue.record("a 2 MiB value was accepted")
        } catch {
            #expect(!"\(error)".contains("\u{1}\u{1}\u{1}"), "the error message must not carry the value")
        }
        // The connection is still usable afterwards.
        try store.set("small", value: [1], ttlSeconds: 60)
        #expect(try store.get("small") == [1])
    }

    @Test func invalidConfigurationIsRejected() {
        #expect(throws: StoreError.rejected("no memcached servers configured")) {
            _ = try Self.store([])
        }
        for bad in ["", "host:notaport", "host:0", "host:70000", "a b:11211", "::1:11211", "[::1", ":11211"] {
            #expect(throws: StoreError.self, "\(bad.debugDescription)") { _ = try Self.store([bad]) }
        }
        #expect(throws: StoreError.self) { _ = try Self.store(["127.0.0.1:11211"], prefix: "has space") }
        #expect(throws: StoreError.self) { _ = try Self.store(["127.0.0.1:11211"], poolSize: 0) }
        #expect(throws: Never.self) { _ = try Self.store(["localhost", "[::1]:11212", "/run/memcached.sock"]) }
    }

    @Test func prefixCountsTowardsTheKeyLengthLimit() throws {
        let store = try Self.store(["127.0.0.1:1"], prefix: String(repeating: "p", count: 60))
        #expect(throws: StoreError.self) { try store.get(String(repeating: "k", count: 200)) }
    }

    /// Every operation throws `.unavailable` (never nil/false) within `seconds`.
    private func expectUnavailable(_ store: MemcachedStore, within seconds: Double) throws {
        let operations: [(String, () throws(StoreError) -> Void)] = [
            ("get", { () throws(StoreError) in _ = try store.get("session") }),
            ("set", { () throws(StoreError) in try store.set("session", value: [1], ttlSeconds: 60) }),
            ("add", { () throws(StoreError) in _ = try store.add("lock", value: [1], ttlSeconds: 60) }),
            ("delete", { () throws(StoreError) in try store.delete("session") }),
        ]
        for (name, operation) in operations {
            let started = Date()
            do {
                try operation()
                Issue.record("\(name) succeeded with the server down")
            } catch {
                guard case .unavailable(let why) = error else {
                    Issue.record("\(name): expected .unavailable, got \(error)")
                    continue
                }
                #expect(!why.isEmpty)
            }
            let elapsed = Date().timeIntervalSince(started)
            #expect(elapsed < seconds, "\(name) took \(elapsed) s with the server down")
        }
    }
}
