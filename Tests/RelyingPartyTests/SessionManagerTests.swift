import Testing
import RelyingParty

@Suite struct SessionManagerTests {
    private let secret = Array("session-secret-of-at-least-32-bytes-long".utf8)

    private func record(_ clock: FakeClock, lifetime: Int64 = 8 * 3600) -> SessionRecord {
        SessionRecord(provider: "corp", subject: "alice-sub", providerSessionID: "sid-1", user: "alice", claims: ["email": .string("a@example.com")],
                      idToken: "id.token.value", accessToken: "access-token-value", refreshToken: nil, accessTokenExpiresAt: nil,
                      createdAt: clock.now(), lastSeenAt: clock.now(), expiresAt: clock.now() + lifetime)
    }

    private func manager(_ store: FakeStore, _ clock: FakeClock, inactivity: Int64 = 600, secrets: [[UInt8]]? = nil) -> SessionManager {
        SessionManager(store: store, settings: SessionSettings(secrets: secrets ?? [secret], inactivityTimeoutSeconds: inactivity, maxLifetimeSeconds: 3600),
                       clock: clock, random: SystemRandomSource())
    }

    @Test func createdSessionIsFoundAndStoredEncryptedUnderADerivedKey() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let id = try sessions.create(record(clock))
        #expect(id.cookieValue.count == 43)  // 256 bits, base64url
        #expect(store.keys == [id.storeKey])
        #expect(!id.storeKey.contains(id.cookieValue))
        let raw = store.rawValue(id.storeKey)!
        #expect(!raw.contains(subsequence: Array("alice".utf8)))
        #expect(!raw.contains(subsequence: Array("access-token-value".utf8)))
        #expect(try sessions.lookup(cookieValue: id.cookieValue) == .valid(record(clock)))
    }

    @Test func idsAreUnique() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let ids = try (0..<50).map { _ in try sessions.create(record(clock)).cookieValue }
        #expect(Set(ids).count == 50)
    }

    @Test(arguments: ["", "short", String(repeating: "A", count: 43), String(repeating: "A", count: 200), "not base64!!"])
    func malformedOrUnknownCookieIsAbsent(cookie: String) throws {
        let store = FakeStore(), clock = FakeClock()
        _ = try manager(store, clock).create(record(clock))
        #expect(try manager(store, clock).lookup(cookieValue: cookie) == .absent)
    }

    @Test func tamperedStoredValueIsAbsent() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let id = try sessions.create(record(clock))
        var raw = store.rawValue(id.storeKey)!
        raw[raw.count / 2] ^= 0x40
        store.overwrite(id.storeKey, raw)
        #expect(try sessions.lookup(cookieValue: id.cookieValue) == .absent)
    }

    @Test func valueCopiedToAnotherKeyIsAbsent() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let victim = try sessions.create(record(clock))
        let attacker = try sessions.create(record(clock))
        store.overwrite(attacker.storeKey, store.rawValue(victim.storeKey)!)
        #expect(try sessions.lookup(cookieValue: attacker.cookieValue) == .absent)
    }

    @Test func inactivityTimeoutEndsTheSession() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock, inactivity: 600)
        let id = try sessions.create(record(clock))
        clock.advance(599)
        guard case .valid = try sessions.lookup(cookieValue: id.cookieValue) else { Issue.record("should still be valid"); return }
        clock.advance(599)  // activity moved lastSeenAt forward
        guard case .valid = try sessions.lookup(cookieValue: id.cookieValue) else { Issue.record("activity should extend"); return }
        clock.advance(600)
        #expect(try sessions.lookup(cookieValue: id.cookieValue) == .expired)
        #expect(store.keys.isEmpty)
    }

    @Test func maximumLifetimeEndsEvenAnActiveSession() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock, inactivity: 600)
        let id = try sessions.create(record(clock, lifetime: 1000))
        for _ in 0..<3 {
            clock.advance(300)
            guard case .valid = try sessions.lookup(cookieValue: id.cookieValue) else { Issue.record("should be valid"); return }
        }
        clock.advance(100)
        #expect(try sessions.lookup(cookieValue: id.cookieValue) == .expired)
    }

    @Test func storeFailureIsThrownNotTreatedAsNoSession() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let id = try sessions.create(record(clock))
        store.failing = true
        #expect(throws: StoreError.self) { try sessions.lookup(cookieValue: id.cookieValue) }
        #expect(throws: StoreError.self) { try sessions.create(record(clock)) }
    }

    @Test func secretRotationKeepsSessionsAndRemovedSecretEndsThem() throws {
        let store = FakeStore(), clock = FakeClock()
        let next = Array("the-next-secret-that-is-32-bytes-or-more".utf8)
        let id = try manager(store, clock).create(record(clock))
        guard case .valid = try manager(store, clock, secrets: [next, secret]).lookup(cookieValue: id.cookieValue) else {
            Issue.record("rotated secrets must still open old sessions"); return
        }
        #expect(try manager(store, clock, secrets: [next]).lookup(cookieValue: id.cookieValue) == .absent)
    }

    @Test func destroyRemovesTheSession() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let id = try sessions.create(record(clock))
        try sessions.destroy(cookieValue: id.cookieValue)
        #expect(try sessions.lookup(cookieValue: id.cookieValue) == .absent)
    }
}
