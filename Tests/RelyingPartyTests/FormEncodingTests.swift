import Testing
import RelyingParty

@Suite struct FormEncodingTests {
    @Test func onlyUnreservedCharactersPassUnescaped() {
        #expect(FormEncoding.escape("AZaz09-._~") == "AZaz09-._~")
        #expect(FormEncoding.escape("a b+c&d=e/f?g#h%") == "a%20b%2Bc%26d%3De%2Ff%3Fg%23h%25")
        #expect(FormEncoding.escape("https://idp.example.com/cb") == "https%3A%2F%2Fidp.example.com%2Fcb")
        #expect(FormEncoding.escape("é😀\u{0}") == "%C3%A9%F0%9F%98%80%00")
        #expect(FormEncoding.escape("") == "")
    }

    @Test func encodedPairsDecodeBack() {
        let pairs = [("redirect_uri", "https://app.example.com/oidc/callback?x=1&y=2"), ("scope", "openid email"), ("ü", "+%")]
        let decoded = FormEncoding.decode(FormEncoding.encode(pairs))
        #expect(decoded.map(\.name) == pairs.map(\.0) && decoded.map(\.value) == pairs.map(\.1))
    }
}
