import Testing
import RelyingParty

@Suite struct ReturnURLPolicyTests {
    private let policy = ReturnURLPolicy(publicOrigin: Origin("https://app.example.com")!, allowedOrigins: [Origin("https://docs.example.com")!])

    @Test(arguments: [
        ("/", "https://app.example.com/"),
        ("/reports?year=2026&q=a%20b", "https://app.example.com/reports?year=2026&q=a%20b"),
        ("https://app.example.com/x", "https://app.example.com/x"),
        ("https://APP.example.com:443/x", "https://APP.example.com:443/x"),
        ("https://docs.example.com/guide", "https://docs.example.com/guide"),
    ])
    func sameOriginAndAllowedTargetsPass(candidate: String, expected: String) {
        #expect(policy.resolve(candidate) == expected)
    }

    @Test(arguments: [
        "//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/", "http://app.example.com/",
        "https://app.example.com:8443/", "javascript:alert(1)", "data:text/html,x", "ftp://app.example.com/",
        "https://user@app.example.com/", "https://app.example.com.evil.example/", "/ok\r\nSet-Cookie: x=1",
        "/tab\there", "", "evil.example", "https:evil.example", "///evil.example",
    ])
    func unsafeTargetsAreRejected(candidate: String) {
        #expect(policy.resolve(candidate) == nil)
    }
}
