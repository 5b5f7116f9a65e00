import Testing
import RelyingParty

@Suite struct SessionManagerTests {
    private let secret = Array("session-secret-of-at-least-32-bytes-long".utf8)

    private func record(_ clock: FakeClock, lifetime: Int64 = 8 * 3600, subject: String = "alice-sub", sid: String? = "sid-1") -> SessionRecord {
        SessionRecord(provider: "corp", subject: subject, providerSessionID: sid, user: "alice", claims: ["email": .string("a@example.com")],
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
        #expect(id.cookieValue.count == 43 + 1 + 22 + 1 + 22)  // 256 random bits, then the user and sid group tags
        #expect(Set(store.keys) == Set([id.storeKey] + id.groups.map(\.storeKey)))
        #expect(!id.storeKey.contains(id.cookieValue))
        let raw = store.rawValue(id.storeKey)!
        #expect(!raw.contains(subsequence: Array("alice".utf8)))
        #expect(!raw.contains(subsequence: Array("access-token-value".utf8)))
        #expect(!store.keys.contains { $0.contains("alice") || $0.contains("sid-1") }, "group keys are keyed hashes")
        let before = store.readCalls
        guard case .valid(let found) = try sessions.lookup(cookieValue: id.cookieValue) else { Issue.record("not found"); return }
        #expect(store.readCalls - before == 1, "a session check is one store read")
        var expected = record(clock)
        expected.groupGenerations = found.groupGenerations
        #expect(found == expected)
        #expect(found.groupGenerations.count == 2)
    }

    @Test func everyKeyOfASessionIsPlacedByItsUserSoOneServerHoldsThemAll() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let id = try sessions.create(record(clock))
        let userTag = id.groups[0].tag
        #expect(id.groups[0] == SessionGroup(.user, provider: "corp", value: "alice-sub", secret: secret))
        for key in [id.storeKey] + id.groups.map(\.storeKey) { #expect(store.placement(of: key) == userTag, "\(key)") }
        // A logout by sub finds the user's entry by its placement; by sid, the
        // placement (a user tag) is unknown, so the entry is deleted wherever it is.
        try sessions.endSessions(provider: "corp", providerSessionID: "sid-1")
        #expect(store.deletedWherever == [id.groups[1].storeKey])
        #expect(try sessions.lookup(cookieValue: id.cookieValue) == .absent)
    }

    @Test func aSessionWithoutProviderSessionIDJoinsOnlyItsUsersGroup() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let id = try sessions.create(record(clock, sid: nil))
        #expect(id.cookieValue.count == 43 + 1 + 22)
        guard case .valid = try sessions.lookup(cookieValue: id.cookieValue) else { Issue.record("not found"); return }
        try sessions.endSessions(provider: "corp", subject: "alice-sub")
        #expect(try sessions.lookup(cookieValue: id.cookieValue) == .absent)
    }

    @Test func logoutBySubjectEndsEverySessionOfThatUserAndNoOther() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let laptop = try sessions.create(record(clock, sid: "sid-laptop"))
        let phone = try sessions.create(record(clock, sid: "sid-phone"))
        let bob = try sessions.create(record(clock, subject: "bob-sub", sid: "sid-bob"))
        try sessions.endSessions(provider: "corp", subject: "alice-sub")
        #expect(try sessions.lookup(cookieValue: laptop.cookieValue) == .absent)
        #expect(try sessions.lookup(cookieValue: phone.cookieValue) == .absent)
        #expect(store.rawValue(laptop.storeKey) == nil, "an ended session is deleted when next seen")
        guard case .valid = try sessions.lookup(cookieValue: bob.cookieValue) else { Issue.record("bob was logged out"); return }
        // The same subject at another provider is another user.
        let other = SessionManager(store: store, settings: SessionSettings(secrets: [secret], inactivityTimeoutSeconds: 600, maxLifetimeSeconds: 3600),
                                   clock: clock, random: SystemRandomSource())
        try other.endSessions(provider: "partner", subject: "bob-sub")
        guard case .valid = try sessions.lookup(cookieValue: bob.cookieValue) else { Issue.record("wrong provider ended bob"); return }
    }

    @Test func logoutByProviderSessionEndsOnlyThatSession() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let laptop = try sessions.create(record(clock, sid: "sid-laptop"))
        let phone = try sessions.create(record(clock, sid: "sid-phone"))
        try sessions.endSessions(provider: "corp", providerSessionID: "sid-laptop")
        #expect(try sessions.lookup(cookieValue: laptop.cookieValue) == .absent)
        guard case .valid = try sessions.lookup(cookieValue: phone.cookieValue) else { Issue.record("phone was logged out"); return }
        try sessions.endSessions(provider: "other", providerSessionID: "sid-phone")
        guard case .valid = try sessions.lookup(cookieValue: phone.cookieValue) else { Issue.record("another provider's sid matched"); return }
    }

    @Test func aLoginAfterLogoutStartsANewGenerationAndTheOldSessionStaysDead() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let old = try sessions.create(record(clock, sid: "sid-1"))
        try sessions.endSessions(provider: "corp", subject: "alice-sub")
        let fresh = try sessions.create(record(clock, sid: "sid-1"))
        guard case .valid = try sessions.lookup(cookieValue: fresh.cookieValue) else { Issue.record("new login failed"); return }
        #expect(try sessions.lookup(cookieValue: old.cookieValue) == .absent)
        // A second session of the user joins the current generation.
        let second = try sessions.create(record(clock, sid: "sid-2"))
        guard case .valid = try sessions.lookup(cookieValue: second.cookieValue) else { Issue.record("second login failed"); return }
        guard case .valid = try sessions.lookup(cookieValue: fresh.cookieValue) else { Issue.record("second login ended the first"); return }
    }

    @Test(arguments: [SessionGroup.Kind.user, .providerSession])
    func aLostGroupEntryEndsItsSessionsInsteadOfKeepingThemAlive(kind: SessionGroup.Kind) throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let id = try sessions.create(record(clock))
        let group = try #require(id.groups.first { $0.kind == kind })
        store.evict(group.storeKey)
        #expect(try sessions.lookup(cookieValue: id.cookieValue) == .absent)
    }

    @Test func alteredTagsOrAnOldStyleCookieNameNoSession() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let alice = try sessions.create(record(clock))
        let bob = try sessions.create(record(clock, subject: "bob-sub", sid: "sid-bob"))
        let parts = alice.cookieValue.split(separator: ".")
        let bobParts = bob.cookieValue.split(separator: ".")
        // Alice's id with Bob's tags: a different store key, so nothing.
        #expect(try sessions.lookup(cookieValue: [parts[0], bobParts[1], bobParts[2]].joined(separator: ".")) == .absent)
        // Dropping the sid tag: nothing either.
        #expect(try sessions.lookup(cookieValue: [parts[0], parts[1]].joined(separator: ".")) == .absent)
        #expect(try sessions.lookup(cookieValue: String(parts[0])) == .absent)
        #expect(try sessions.lookup(cookieValue: alice.cookieValue + "." + String(parts[2])) == .absent)
        guard case .valid = try sessions.lookup(cookieValue: alice.cookieValue) else { Issue.record("alice lost"); return }
    }

    @Test func logoutReachesSessionsMadeBeforeASecretRotation() throws {
        let store = FakeStore(), clock = FakeClock()
        let next = Array("the-next-secret-that-is-32-bytes-or-more".utf8)
        let old = try manager(store, clock).create(record(clock, sid: "sid-old"))
        let rotated = manager(store, clock, secrets: [next, secret])
        let fresh = try rotated.create(record(clock, sid: "sid-new"))
        try rotated.endSessions(provider: "corp", providerSessionID: "sid-old")
        #expect(try rotated.lookup(cookieValue: old.cookieValue) == .absent)
        guard case .valid = try rotated.lookup(cookieValue: fresh.cookieValue) else { Issue.record("fresh lost"); return }
        try rotated.endSessions(provider: "corp", subject: "alice-sub")
        #expect(try rotated.lookup(cookieValue: fresh.cookieValue) == .absent)
    }

    @Test func idsAreUnique() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = manager(store, clock)
        let ids = try (0..<50).map { _ in try sessions.create(record(clock)).cookieValue }
        #expect(Set(ids).count == 50)
    }

    @Test(arguments: [
        "", "short", String(repeating: "A", count: 43), String(repeating: "A", count: 200), "not base64!!",
        // The id's length and alphabet, then tags that are empty, short, of another alphabet or one too many.
        String(repeating: "A", count: 43) + ".", String(repeating: "A", count: 43) + ".." + String(repeating: "B", count: 22),
        String(repeating: "A", count: 43) + "." + String(repeating: "B", count: 21),
        String(repeating: "A", count: 43) + "." + String(repeating: "+", count: 22),
        String(repeating: "A", count: 42) + "/." + String(repeating: "B", count: 22),
        String(repeating: "A", count: 43) + "." + [String](repeating: String(repeating: "B", count: 22), count: 3).joined(separator: "."),
    ])
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
        #expect(!store.keys.contains(id.storeKey))
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
