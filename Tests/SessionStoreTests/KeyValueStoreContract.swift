import Foundation
import RelyingParty
import Synchronization
import Testing

/// What a backend provides to the contract suite: stores over one shared
/// backend, and a way to let time pass for them.
protocol KeyValueStoreFixture: Sendable {
    /// A store whose keys live in `namespace`; stores of different namespaces
    /// must not see each other's keys.
    func makeStore(namespace: String) throws -> any KeyValueStore
    /// The TTL used for expiry checks: long enough to read the value back at once.
    var shortTTL: Int { get }
    /// Lets enough time pass for an entry set with `shortTTL` to expire.
    func letShortTTLPass() async throws
}

/// The behaviours every `KeyValueStore` must have, run against each backend
/// (`MemoryStoreTests`, `MemcachedStoreTests`). Session handling relies on
/// exactly these and nothing backend-specific.
enum KeyValueStoreContract: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case binaryValuesRoundTrip
    case largeValueRoundTrips
    case emptyValueRoundTrips
    case absentKeyIsNil
    case setOverwrites
    case deleteRemoves
    case deleteOfAbsentKeyIsFine
    case addOnlyWhenAbsent
    case entriesExpire
    case keysAreIsolatedByNamespace
    case invalidKeysAreRejected
    case nonPositiveTTLIsRejected
    case concurrentCallersSeeTheirOwnValues
    case touchExtendsWithoutChanging
    case touchNeverRevives
    case getManyAnswersInOrder

    var testDescription: String { rawValue }

    func verify(_ fixture: some KeyValueStoreFixture) async throws {
        let store = try fixture.makeStore(namespace: "contract")
        switch self {
        case .binaryValuesRoundTrip:
            let everyByte = (0...255).map { UInt8($0) } + (0...255).reversed().map { UInt8($0) }
            try store.set("every-byte", value: everyByte, ttlSeconds: 60)
            #expect(try store.get("every-byte") == everyByte)
            let zeros = [UInt8](repeating: 0, count: 100)
            try store.set("zeros", value: zeros, ttlSeconds: 60)
            #expect(try store.get("zeros") == zeros)
            let crlf = Array("END\r\nVALUE x 0 3\r\n".utf8)
            try store.set("protocol-lookalike", value: crlf, ttlSeconds: 60)
            #expect(try store.get("protocol-lookalike") == crlf)

        case .largeValueRoundTrips:
            var generator = SystemRandomNumberGenerator()
            let large = (0..<(64 * 1024)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try store.set("large", value: large, ttlSeconds: 60)
            #expect(try store.get("large") == large)

        case .emptyValueRoundTrips:
            try store.set("empty", value: [], ttlSeconds: 60)
            #expect(try store.get("empty") == [])

        case .absentKeyIsNil:
            #expect(try store.get("never-set") == nil)

        case .setOverwrites:
            try store.set("k", value: [1, 2, 3], ttlSeconds: 60)
            try store.set("k", value: [9], ttlSeconds: 60)
            #expect(try store.get("k") == [9])

        case .deleteRemoves:
            try store.set("k", value: [1], ttlSeconds: 60)
            try store.set("other", value: [2], ttlSeconds: 60)
            try store.delete("k")
            #expect(try store.get("k") == nil)
            #expect(try store.get("other") == [2])

        case .deleteOfAbsentKeyIsFine:
            try store.delete("never-set")
            try store.delete("never-set")
            #expect(try store.get("never-set") == nil)

        case .addOnlyWhenAbsent:
            #expect(try store.add("lock", value: [1], ttlSeconds: 60) == true)
            #expect(try store.add("lock", value: [2], ttlSeconds: 60) == false)
            #expect(try store.get("lock") == [1])
            try store.delete("lock")
            #expect(try store.add("lock", value: [3], ttlSeconds: 60) == true)
            #expect(try store.get("lock") == [3])
            try store.set("set-first", value: [4], ttlSeconds: 60)
            #expect(try store.add("set-first", value: [5], ttlSeconds: 60) == false)
            #expect(try store.get("set-first") == [4])

        case .entriesExpire:
            try store.set("short", value: [1], ttlSeconds: fixture.shortTTL)
            #expect(try store.add("short-lock", value: [1], ttlSeconds: fixture.shortTTL) == true)
            try store.set("long", value: [2], ttlSeconds: 3600)
            #expect(try store.get("short") == [1])
            try await fixture.letShortTTLPass()
            #expect(try store.get("short") == nil)
            #expect(try store.get("long") == [2])
            #expect(try store.add("short-lock", value: [2], ttlSeconds: 60) == true, "an expired key is absent for add")
            #expect(try store.get("short-lock") == [2])

        case .keysAreIsolatedByNamespace:
            let other = try fixture.makeStore(namespace: "other")
            try store.set("shared-name", value: [1], ttlSeconds: 60)
            #expect(try other.get("shared-name") == nil)
            try other.set("shared-name", value: [2], ttlSeconds: 60)
            #expect(try store.get("shared-name") == [1])
            #expect(try other.add("only-here", value: [3], ttlSeconds: 60) == true)
            #expect(try store.add("only-here", value: [4], ttlSeconds: 60) == true)
            try other.delete("shared-name")
            #expect(try store.get("shared-name") == [1])

        case .invalidKeysAreRejected:
            let invalid = ["", "with space", "tab\there", "line\nbreak", "nul\0byte", "caf\u{e9}",
                           String(repeating: "a", count: 251)]
            for key in invalid {
                #expect(throws: StoreError.self) { try store.get(key) }
                #expect(throws: StoreError.self) { try store.set(key, value: [1], ttlSeconds: 60) }
                #expect(throws: StoreError.self) { _ = try store.add(key, value: [1], ttlSeconds: 60) }
                #expect(throws: StoreError.self) { try store.delete(key) }
                do {
                    _ = try store.get(key)
                } catch {
                    guard case .rejected = error else {
                        Issue.record("key \(key.debugDescription): expected .rejected, got \(error)")
                        continue
                    }
                }
            }
            // The longest key the core may use (200 printable characters) is fine.
            let longest = String(repeating: "k", count: 200)
            try store.set(longest, value: [7], ttlSeconds: 60)
            #expect(try store.get(longest) == [7])

        case .nonPositiveTTLIsRejected:
            #expect(throws: StoreError.rejected("TTL must be at least one second, got 0")) {
                try store.set("k", value: [1], ttlSeconds: 0)
            }
            #expect(throws: StoreError.self) { _ = try store.add("k", value: [1], ttlSeconds: -5) }
            #expect(try store.get("k") == nil)

        case .concurrentCallersSeeTheirOwnValues:
            let failures = Mutex<[String]>([])
            let group = DispatchGroup()
            for worker in 0..<8 {
                group.enter()
                let thread = Thread {
                    defer { group.leave() }
                    do {
                        for round in 0..<50 {
                            let key = "worker-\(worker)-\(round % 5)"
                            let value = [UInt8(worker), UInt8(round)] + Array(repeating: UInt8(worker), count: round * 40)
                            try store.set(key, value: value, ttlSeconds: 60)
                            let read = try store.get(key)
                            if read != value { failures.withLock { $0.append("\(key): read back a different value") } }
                            _ = try store.add("shared-lock", value: [UInt8(worker)], ttlSeconds: 60)
                        }
                    } catch {
                        failures.withLock { $0.append("worker \(worker): \(error)") }
                    }
                }
                thread.start()
            }
            #expect(group.wait(timeout: .now() + 30) == .success, "workers did not finish within 30 s")
            #expect(failures.withLock { $0 } == [])
            #expect(try store.get("shared-lock")?.count == 1)

        case .touchExtendsWithoutChanging:
            try store.set("extended", value: [1, 2], ttlSeconds: fixture.shortTTL)
            try store.set("not-extended", value: [3], ttlSeconds: fixture.shortTTL)
            #expect(try store.touch("extended", ttlSeconds: 3600) == true)
            try await fixture.letShortTTLPass()
            #expect(try store.get("extended") == [1, 2], "a touched key lives on with its value")
            #expect(try store.get("not-extended") == nil)

        case .touchNeverRevives:
            #expect(try store.touch("never-set", ttlSeconds: 60) == false)
            #expect(try store.get("never-set") == nil)
            try store.set("deleted", value: [1], ttlSeconds: 60)
            try store.delete("deleted")
            #expect(try store.touch("deleted", ttlSeconds: 60) == false)
            #expect(try store.get("deleted") == nil)
            try store.set("expired", value: [1], ttlSeconds: fixture.shortTTL)
            try await fixture.letShortTTLPass()
            #expect(try store.touch("expired", ttlSeconds: 60) == false)
            #expect(try store.get("expired") == nil)
            #expect(throws: StoreError.self) { _ = try store.touch("with space", ttlSeconds: 60) }
            #expect(throws: StoreError.self) { _ = try store.touch("k", ttlSeconds: 0) }

        case .getManyAnswersInOrder:
            try store.set("a", value: [1], ttlSeconds: 60)
            try store.set("c", value: [], ttlSeconds: 60)
            try store.set("d", value: Array(repeating: 7, count: 5000), ttlSeconds: 60)
            let values = try store.getMany(["d", "missing", "a", "c", "a"])
            #expect(values == [Array(repeating: 7, count: 5000), nil, [1], [], [1]])
            #expect(try store.getMany([]) == [])
            #expect(try store.getMany(["missing", "also-missing"]) == [nil, nil])
            #expect(throws: StoreError.self) { _ = try store.getMany(["a", "with space"]) }
        }
    }
}
