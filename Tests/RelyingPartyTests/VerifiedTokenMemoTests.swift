import Testing
@testable import RelyingParty

@Suite struct VerifiedTokenMemoTests {
    private let now: Int64 = 1_800_000_000

    private func identity(exp: Int64?) -> AccessTokenIdentity {
        AccessTokenIdentity(subject: "svc", clientID: "client", scopes: ["read"], audiences: ["api"], expiresAt: exp, claims: ["email": .string("svc@example.com")])
    }

    @Test func aRememberedTokenIsFoundOnlyForItsProviderAndKeySet() {
        let memo = VerifiedTokenMemo()
        memo.remember(identity(exp: now + 600), for: "token-a", provider: "corp", keysVersion: 7, now: now, maxSeconds: 300)
        #expect(memo.identity(for: "token-a", provider: "corp", keysVersion: 7, now: now + 1) == identity(exp: now + 600))
        #expect(memo.identity(for: "token-b", provider: "corp", keysVersion: 7, now: now + 1) == nil)
        #expect(memo.identity(for: "token-a", provider: "partner", keysVersion: 7, now: now + 1) == nil)
        // The keys were fetched again (a rotation): verified anew, and the stale entry is gone.
        #expect(memo.identity(for: "token-a", provider: "corp", keysVersion: 8, now: now + 1) == nil)
        #expect(memo.identity(for: "token-a", provider: "corp", keysVersion: 7, now: now + 1) == nil)
    }

    @Test func anEntryEndsWithTheWindowTheTokensExpiryOrTheCacheMaximum() {
        let memo = VerifiedTokenMemo()
        memo.remember(identity(exp: now + 600), for: "long", provider: "p", keysVersion: 1, now: now, maxSeconds: 300)
        #expect(memo.identity(for: "long", provider: "p", keysVersion: 1, now: now + VerifiedTokenMemo.windowSeconds - 1) != nil)
        #expect(memo.identity(for: "long", provider: "p", keysVersion: 1, now: now + VerifiedTokenMemo.windowSeconds) == nil)
        memo.remember(identity(exp: now + 10), for: "short", provider: "p", keysVersion: 1, now: now, maxSeconds: 300)
        #expect(memo.identity(for: "short", provider: "p", keysVersion: 1, now: now + 9) != nil)
        #expect(memo.identity(for: "short", provider: "p", keysVersion: 1, now: now + 10) == nil)
        memo.remember(identity(exp: nil), for: "capped", provider: "p", keysVersion: 1, now: now, maxSeconds: 5)
        #expect(memo.identity(for: "capped", provider: "p", keysVersion: 1, now: now + 5) == nil)
        memo.remember(identity(exp: now - 1), for: "expired", provider: "p", keysVersion: 1, now: now, maxSeconds: 300)
        #expect(memo.identity(for: "expired", provider: "p", keysVersion: 1, now: now) == nil)
    }

    @Test func theMemoNeverHoldsMoreThanItsCapacity() {
        let memo = VerifiedTokenMemo(capacity: 64)
        for index in 0..<1000 {
            memo.remember(identity(exp: now + 600), for: "token-\(index)", provider: "p", keysVersion: 1, now: now, maxSeconds: 300)
            #expect(memo.count <= 64)
        }
        #expect(memo.identity(for: "token-999", provider: "p", keysVersion: 1, now: now) != nil, "the newest entry is kept")
    }
}
