import Testing
import RelyingParty

@Suite struct IdentityHeadersTests {
    private func session(user: String, claims: [String: JSONValue]) -> SessionRecord {
        SessionRecord(provider: "p", subject: "s", providerSessionID: nil, user: user, claims: claims, idToken: "t", accessToken: nil,
                      refreshToken: nil, accessTokenExpiresAt: nil, createdAt: 0, lastSeenAt: 0, expiresAt: 1)
    }

    @Test func everyMappedHeaderIsPresentEvenWhenTheClaimIsAbsent() throws {
        let headers = IdentityHeaders(settings: HeaderSettings(claimHeaders: [("X-Email", "email"), ("X-Groups", "groups"), ("X-Dept", "department")]))
        let out = try headers.headers(for: session(user: "alice", claims: [
            "email": .string("alice@example.com"), "groups": .array([.string("admins"), .string("ops")]),
        ]), issuer: "https://idp.example")
        #expect(out.headers == [.init("X-Remote-User", "alice"), .init("X-Remote-Issuer", "https://idp.example"), .init("X-Email", "alice@example.com"), .init("X-Groups", "admins,ops"), .init("X-Dept", "")])
        #expect(out.omitted.isEmpty)
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

    @Test func aClaimOverTheValueLimitIsSentEmptyAndReported() throws {
        let groups = (0..<400).map { JSONValue.string("group-\($0)") }
        let headers = IdentityHeaders(settings: HeaderSettings(claimHeaders: [("X-Email", "email"), ("X-Groups", "groups")], maxValueBytes: 1024, issuerHeader: nil))
        let out = try headers.headers(for: session(user: "alice", claims: ["email": .string("a@example.com"), "groups": .array(groups)]), issuer: "")
        #expect(out.headers.map(\.name.text) == ["X-Remote-User", "X-Email", "X-Groups"])
        #expect(out.headers[1].value == "a@example.com")
        #expect(out.headers[2].value == "")
        #expect(out.omitted.map(\.header.text) == ["X-Groups"])
        #expect(out.omitted[0].bytes > 1024)
    }

    @Test func theLargestClaimsGoFirstUntilTheTotalFits() throws {
        let headers = IdentityHeaders(settings: HeaderSettings(claimHeaders: [("X-A", "a"), ("X-B", "b"), ("X-C", "c")], maxValueBytes: 1000, maxTotalBytes: 1500, issuerHeader: nil))
        let out = try headers.headers(for: session(user: "u", claims: [
            "a": .string(String(repeating: "a", count: 600)), "b": .string(String(repeating: "b", count: 900)), "c": .string(String(repeating: "c", count: 700)),
        ]), issuer: "")
        #expect(out.headers.map(\.value.count) == [1, 600, 0, 700])
        #expect(out.omitted.map(\.header.text) == ["X-B"])
        #expect(out.headers.reduce(0) { $0 + $1.name.text.utf8.count + $1.value.utf8.count + 4 } <= 1500)
    }

    @Test func aUserThatDoesNotFitIsRefusedNotTruncated() {
        let headers = IdentityHeaders(settings: HeaderSettings(maxValueBytes: 100))
        #expect(throws: IdentityHeaders.Refusal.self) {
            _ = try headers.headers(for: session(user: String(repeating: "x", count: 101), claims: [:]), issuer: "")
        }
    }

    @Test func theIssuerHeaderNamesTheSessionsProviderAndCanBeTurnedOff() throws {
        let on = IdentityHeaders(settings: HeaderSettings(issuerHeader: "X-Idp"))
        let out = try on.headers(for: session(user: "alice", claims: [:]), issuer: "https://corp.example/\r\nX-Admin: 1")
        #expect(out.headers == [.init("X-Remote-User", "alice"), .init("X-Idp", "https://corp.example/X-Admin: 1")])
        #expect(on.anonymous.headers == [.init("X-Remote-User", ""), .init("X-Idp", "")])
        let off = IdentityHeaders(settings: HeaderSettings(issuerHeader: nil))
        #expect(try off.headers(for: session(user: "alice", claims: [:]), issuer: "https://corp.example").headers == [.init("X-Remote-User", "alice")])
    }
}
