import Testing
import RelyingParty

@Suite struct BearerTokenTests {
    private func parse(_ header: String?, max: Int = 8192) -> BearerToken.Parsed {
        BearerToken.parse(authorization: header, maxBytes: max)
    }

    @Test func noHeaderIsAbsent() {
        #expect(parse(nil) == .absent)
        #expect(parse("") == .absent)
        #expect(parse("   ") == .absent)
    }

    @Test(arguments: ["Bearer abc", "bearer abc", "BEARER abc", "BeArEr abc"])
    func theSchemeIsCaseInsensitive(_ header: String) {
        #expect(parse(header) == .token("abc"))
    }

    @Test func spacesAfterTheSchemeAreTolerated() {
        #expect(parse("Bearer    abc.def-ghi_jkl~") == .token("abc.def-ghi_jkl~"))
        #expect(parse("Bearer \tabc") == .token("abc"))
        #expect(parse("  Bearer abc  ") == .token("abc"))
    }

    @Test func everyB64TokenCharacterIsAccepted() {
        let token = "AZaz09-._~+/abc=="
        #expect(parse("Bearer " + token) == .token(token))
    }

    @Test(arguments: ["Bearer", "Bearer ", "bearer     "])
    func anEmptyTokenIsInvalid(_ header: String) {
        #expect(parse(header) == .invalid(.empty))
    }

    @Test(arguments: ["Bearer a b", "Bearer a\"b", "Bearer ab=c", "Bearer ===", "Bearer tök", "Bearer a;b", "Bearer a\u{0}b", "Bearer a\\b", "Bearer <script>"])
    func charactersOutsideB64TokenAreInvalid(_ header: String) {
        #expect(parse(header) == .invalid(.invalidCharacters))
    }

    @Test(arguments: ["Bearer abc, Bearer def", "Bearer abc,def", "Basic dXNlcjpwYXNz, Bearer abc", "Bearer abc, Basic dXNlcjpwYXNz"])
    func severalAuthorizationValuesAreInvalid(_ header: String) {
        #expect(parse(header) == .invalid(.severalValues))
    }

    @Test(arguments: ["Basic dXNlcjpwYXNz", "Digest username=\"a\", realm=\"b\"", "Bearerish abc", "Token abc"])
    func otherSchemesCarryNoBearerToken(_ header: String) {
        #expect(parse(header) == .otherScheme)
        #expect(!BearerToken.isBearer(parse(header)))
    }

    @Test func aTokenOverTheLimitIsInvalidNotACrash() {
        let token = String(repeating: "a", count: 8193)
        #expect(parse("Bearer " + token) == .invalid(.tooLarge(bytes: 8193, limit: 8192)))
        #expect(parse("Bearer " + String(repeating: "a", count: 8192)) == .token(String(repeating: "a", count: 8192)))
        // A huge header is refused without being scanned further.
        let huge = "Bearer " + String(repeating: "a", count: 1_000_000)
        #expect(parse(huge) == .invalid(.tooLarge(bytes: huge.utf8.count, limit: 8192)))
        #expect(parse("Bearer " + String(repeating: "a", count: 100), max: 64) == .invalid(.tooLarge(bytes: 100, limit: 64)))
    }

    @Test func theRequestsHTTPAuthorizationParameterIsRead() {
        let request = Request(params: ["HTTP_AUTHORIZATION": "Bearer xyz"])
        #expect(BearerToken.parse(request: request, maxBytes: 100) == .token("xyz"))
        #expect(BearerToken.parse(request: Request(params: [:]), maxBytes: 100) == .absent)
    }
}
