import Testing
import RelyingParty

@Suite struct IdentityHeadersTests {
    private func session(user: String, claims: [String: JSONValue]) -> SessionRecord {
        SessionRecord(provider: "p", subject: "s", providerSessionID: nil, user: user, claims: claims, idToken: "t", accessToken: nil,
                      refreshToken: nil, accessTokenExpiresAt: nil, createdAt: 0, lastSeenAt: 0, expiresAt: 1)
    }

    @Test func everyMappedHeaderIsPresentEvenWhenTheClaimIsAbsent() {
        let headers = IdentityHeaders(settings: HeaderSettings(claimHeaders: [("X-Email", "email"), ("X-Groups", "groups"), ("X-Dept", "department")]))
        let out = headers.headers(for: session(user: "alice", claims: [
            "email": .string("alice@example.com"), "groups": .array([.string("admins"), .string("ops")]),
        ]))
        #expect(out == [.init("X-Remote-User", "alice"), .init("X-Email", "alice@example.com"), .init("X-Groups", "admins,ops"), .init("X-Dept", "")])
    }

    @Test func controlCharactersAreStripped() {
        let headers = IdentityHeaders(settings: HeaderSettings())
        #expect(headers.encode("ali\r\nX-Admin: 1\u{0}ce") == "aliX-Admin: 1ce")
        #expect(headers.encode("tab\there\u{7F}") == "tabhere")
    }

    @Test func nonASCIIIsPercentEncodedPredictably() {
        let headers = IdentityHeaders(settings: HeaderSettings(encoding: .percent))
        #expect(headers.encode("Zoë 100%") == "Zo%C3%AB 100%25")
        #expect(headers.encode("plain ascii") == "plain ascii")
    }

    @Test func otherEncodings() {
        #expect(IdentityHeaders(settings: HeaderSettings(encoding: .base64url)).encode("Zoë") == "Wm_Dqw")
        #expect(IdentityHeaders(settings: HeaderSettings(encoding: .raw)).encode("Zoë\n") == "Zoë")
    }
}
