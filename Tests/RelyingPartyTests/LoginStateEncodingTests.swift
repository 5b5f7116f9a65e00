import Foundation
import Testing
@testable import RelyingParty

/// The login state is written without Foundation's encoder and read back with
/// its decoder: every field, every optional and any return URL must survive.
@Suite struct LoginStateEncodingTests {
    static let returnURLs = [
        "/", "/app?x=1&y=2#frag", #"/quote"and\backslash"#, "/ctl\u{0}\u{1}\u{1F}\t\r\n/end", "/ünïcödé/路径?q=✓",
        "/slash/\\/\u{7F}", String(repeating: "/long", count: 300),
    ]

    @Test(arguments: returnURLs)
    func aLoginRoundTripsWhateverItsReturnURL(_ returnTo: String) throws {
        let state = LoginState(state: WellFormedState.named("a"), nonce: "n-1", codeVerifier: "v-1", returnTo: returnTo, provider: "corp",
                               createdAt: 1_700_000_000)
        let decoded = try JSONDecoder().decode(LoginState.self, from: Data(state.encodedJSON))
        #expect(decoded == state)
        #expect(decoded.returnTo.utf8.elementsEqual(returnTo.utf8), "byte for byte")
    }

    @Test func everyOptionalFieldRoundTripsAndAbsentOnesStayOut() throws {
        let full = LoginState(state: WellFormedState.named("b"), nonce: "n", codeVerifier: "v", returnTo: "/r", provider: "p\"q",
                              createdAt: -5, isRecheck: true, maxAge: 0, requiredACRValues: ["urn:a", "urn:b"], followsNewRegistration: true)
        #expect(try JSONDecoder().decode(LoginState.self, from: Data(full.encodedJSON)) == full)
        let plain = LoginState(state: WellFormedState.named("c"), nonce: "n", codeVerifier: "v", returnTo: "/r", provider: "p", createdAt: 9)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plain.encodedJSON)) as? [String: Any])
        #expect(Set(object.keys) == ["s", "n", "v", "r", "p", "t"], "a login's cookie carries only what is set")
        #expect(try JSONDecoder().decode(LoginState.self, from: Data(plain.encodedJSON)) == plain)
    }

    @Test func theWrittenFormReadsAsWhatFoundationsEncoderWrites() throws {
        let state = LoginState(state: WellFormedState.named("d"), nonce: "n", codeVerifier: "v", returnTo: #"/a"b\c/d"#, provider: "corp",
                               createdAt: Int64.max, maxAge: 300, requiredACRValues: ["gold"])
        let ours = try #require(try JSONSerialization.jsonObject(with: Data(state.encodedJSON)) as? NSDictionary)
        let foundations = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(state)) as? NSDictionary)
        #expect(ours == foundations)
    }
}
