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

    /// Values sealed by earlier releases (recorded once, with a fixed nonce) must
    /// still open: the key derivation may change its implementation, never its output.
    @Test func valuesSealedByEarlierReleasesStillOpen() {
        let recorded: [(purpose: String, context: String, sealed: String)] = [
            ("session", "oidc-fcgi:session-key",
             "012a8e503a000102030405060708090a0bb1f7b4047546d41ec092e971cbe8df8d4e6699c28e2ae44899b8a34d94"),
            ("login-state", "oidc_state_abc",
             "0175384696000102030405060708090a0ba446da7333bc1728e1002a3d7cbf5566a40d0ab5c4eda6ff1c976df4f7"),
        ]
        for value in recorded {
            let sealer = Sealer(secrets: [current], purpose: value.purpose, random: SystemRandomSource())
            #expect(sealer.open(bytes(hex: value.sealed), context: value.context) == Array("{\"u\":\"alice\"}".utf8), "\(value.purpose)")
        }
    }

    @Test func wrongSecretIsRejected() {
        let a = Sealer(secrets: [current], purpose: "session", random: SystemRandomSource())
        let b = Sealer(secrets: [previous], purpose: "session", random: SystemRandomSource())
        #expect(b.open(a.seal(Array("x".utf8), context: "k"), context: "k") == nil)
    }
}

private func bytes(hex text: String) -> [UInt8] {
    stride(from: 0, to: text.utf8.count, by: 2).map { offset in
        let start = text.index(text.startIndex, offsetBy: offset)
        return UInt8(text[start..<text.index(start, offsetBy: 2)], radix: 16)!
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard !subsequence.isEmpty, subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
