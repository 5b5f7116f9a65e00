import Testing
import RelyingParty

@Suite struct SealerTests {
    private let current = Array("a-current-secret-of-at-least-32-bytes!!".utf8)
    private let previous = Array("the-previous-secret-of-32-bytes-or-more".utf8)

    @Test func roundTripAndFreshNonceEachTime() {
        let sealer = Sealer(secrets: [current], purpose: "session", random: SystemRandomSource())
        let plain = Array("{\"u\":\"alice\"}".utf8)
        let first = sealer.seal(plain, context: "k1")
        let second = sealer.seal(plain, context: "k1")
        #expect(first != second)
        #expect(!first.contains(subsequence: plain))
        #expect(sealer.open(first, context: "k1") == plain)
        #expect(sealer.open(second, context: "k1") == plain)
    }

    @Test func everyFlippedByteIsDetected() {
        let sealer = Sealer(secrets: [current], purpose: "session", random: SystemRandomSource())
        let sealed = sealer.seal(Array("payload".utf8), context: "k")
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(sealer.open(tampered, context: "k") == nil, "byte \(index) altered but accepted")
        }
        #expect(sealer.open(Array(sealed.dropLast()), context: "k") == nil)
        #expect(sealer.open([], context: "k") == nil)
    }

    @Test func valueCannotMoveToAnotherContextOrPurpose() {
        let sessions = Sealer(secrets: [current], purpose: "session", random: SystemRandomSource())
        let states = Sealer(secrets: [current], purpose: "login-state", random: SystemRandomSource())
        let sealed = sessions.seal(Array("x".utf8), context: "key-a")
        #expect(sessions.open(sealed, context: "key-b") == nil)
        #expect(states.open(sealed, context: "key-a") == nil)
    }

    @Test func rotationOpensOldValuesAndSealsWithTheFirstSecret() {
        let old = Sealer(secrets: [previous], purpose: "session", random: SystemRandomSource())
        let rotated = Sealer(secrets: [current, previous], purpose: "session", random: SystemRandomSource())
        let newOnly = Sealer(secrets: [current], purpose: "session", random: SystemRandomSource())
        let byOld = old.seal(Array("old".utf8), context: "k")
        #expect(rotated.open(byOld, context: "k") == Array("old".utf8))
        #expect(newOnly.open(byOld, context: "k") == nil)
        let byRotated = rotated.seal(Array("new".utf8), context: "k")
        #expect(newOnly.open(byRotated, context: "k") == Array("new".utf8))
        #expect(old.open(byRotated, context: "k") == nil)
    }

    @Test func wrongSecretIsRejected() {
        let a = Sealer(secrets: [current], purpose: "session", random: SystemRandomSource())
        let b = Sealer(secrets: [previous], purpose: "session", random: SystemRandomSource())
        #expect(b.open(a.seal(Array("x".utf8), context: "k"), context: "k") == nil)
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard !subsequence.isEmpty, subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
