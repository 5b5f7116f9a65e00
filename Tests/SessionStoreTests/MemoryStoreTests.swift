import RelyingParty
import Testing

@testable import SessionStore

/// The embedded store, with a clock the tests move.
struct MemoryStoreFixture: KeyValueStoreFixture {
    let clock = FakeClock()
    let capacity = 10_000

    func makeStore(namespace: String) throws -> any KeyValueStore {
        // Separate memory stores share nothing, so each namespace gets its own.
        MemoryStore(capacity: capacity, clock: clock)
    }

    var shortTTL: Int { 2 }

    func letShortTTLPass() async throws { clock.advance(by: Int64(shortTTL)) }
}

@Suite struct MemoryStoreTests {
    @Test(arguments: KeyValueStoreContract.allCases)
    func contract(_ behaviour: KeyValueStoreContract) async throws {
        try await behaviour.verify(MemoryStoreFixture())
    }

    @Test func evictsTheLeastRecentlyUsedEntryWhenFull() throws {
        let store = MemoryStore(capacity: 3, clock: FakeClock())
        try store.set("a", value: [1], ttlSeconds: 60)
        try store.set("b", value: [2], ttlSeconds: 60)
        try store.set("c", value: [3], ttlSeconds: 60)
        #expect(try store.get("a") == [1])  // a is now the most recently used
        try store.set("d", value: [4], ttlSeconds: 60)
        #expect(store.count == 3)
        #expect(try store.get("b") == nil)
        #expect(try store.get("a") == [1])
        #expect(try store.get("c") == [3])
        #expect(try store.get("d") == [4])
        #expect(store.keysByRecency == ["d", "c", "a"])
    }

    @Test func overwritingAKeyDoesNotEvictAndRefreshesRecency() throws {
        let store = MemoryStore(capacity: 2, clock: FakeClock())
        try store.set("a", value: [1], ttlSeconds: 60)
        try store.set("b", value: [2], ttlSeconds: 60)
        try store.set("a", value: [3], ttlSeconds: 60)
        #expect(store.count == 2)
        #expect(store.keysByRecency == ["a", "b"])
        try store.set("c", value: [4], ttlSeconds: 60)
        #expect(try store.get("b") == nil)
        #expect(try store.get("a") == [3])
    }

    @Test func addToAFullStoreEvictsTheLeastRecentlyUsed() throws {
        let store = MemoryStore(capacity: 2, clock: FakeClock())
        try store.set("a", value: [1], ttlSeconds: 60)
        try store.set("b", value: [2], ttlSeconds: 60)
        #expect(try store.add("c", value: [3], ttlSeconds: 60))
        #expect(store.keysByRecency == ["c", "b"])
    }

    @Test func expiredEntriesAreMissesAndAreRemoved() throws {
        let clock = FakeClock()
        let store = MemoryStore(capacity: 10, clock: clock)
        try store.set("short", value: [1], ttlSeconds: 10)
        try store.set("long", value: [2], ttlSeconds: 100)
        clock.advance(by: 9)
        #expect(try store.get("short") == [1])
        clock.advance(by: 1)
        #expect(try store.get("short") == nil)
        #expect(store.count == 1)
        #expect(store.keysByRecency == ["long"])
    }

    @Test func deleteFreesASlotThatIsReused() throws {
        let store = MemoryStore(capacity: 2, clock: FakeClock())
        try store.set("a", value: [1], ttlSeconds: 60)
        try store.set("b", value: [2], ttlSeconds: 60)
        try store.delete("a")
        try store.set("c", value: [3], ttlSeconds: 60)
        #expect(store.count == 2)
        #expect(try store.get("b") == [2])
        #expect(try store.get("c") == [3])
        try store.delete("b")
        try store.delete("c")
        #expect(store.count == 0)
        #expect(store.keysByRecency == [])
        try store.set("d", value: [4], ttlSeconds: 60)
        #expect(store.keysByRecency == ["d"])
    }

    @Test func churnKeepsTheMostRecentEntriesWithinCapacity() throws {
        let store = MemoryStore(capacity: 100, clock: FakeClock())
        for index in 0..<10_000 {
            try store.set("key-\(index)", value: [UInt8(index & 0xFF)], ttlSeconds: 60)
        }
        #expect(store.count == 100)
        #expect(try store.get("key-9899") == nil)
        for index in 9900..<10_000 {
            #expect(try store.get("key-\(index)") == [UInt8(index & 0xFF)])
        }
        #expect(store.keysByRecency.count == 100)
    }
}
