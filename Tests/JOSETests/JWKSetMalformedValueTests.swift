import JOSE
import Testing

/// Key values that are not strict base64url are skipped before libcjose sees
/// them: its decoder aborts the whole process on some of them (an assert,
/// `shift != 1`, on a '=' inside the value). Found by fuzz/fuzz-jwk-set.
@Suite struct JWKSetMalformedValueTests {
    /// The key of the crashing input fuzz-jwk-set found, as it was.
    private let crashingKey = #"""
    {"e": "AQAB", "kid": "rsa-1024", "kty": "RSA", "n": "47q0UaP8MwLnUwOkBluL3NJ4h=uTrB7krtlnwRpceXAgseXh3PhMKYLuQr6ags_IXflLICftCLYIfcfX1g5bcNp3iUBj_EzzcbAvshD2L0kZs6MKfpgfkoiYUlQ-vgGE7F_bTXXYuRqasvRkmu_Ui9hYHO-GXjsNrXyv5ekGhRjk", "use": "sig"}
    """#

    @Test func paddingInsideAnRSAModulusIsSkippedNotFatal() throws {
        let keys = try JWKSet(json: Array(#"{"keys": [\#(crashingKey)]}"#.utf8))
        #expect(keys.count == 0)
        #expect(keys.skippedKeys == [#"key #0 (kid "rsa-1024"): member "n" is not base64url"#])
    }

    @Test(arguments: [
        #"{"kty": "RSA", "n": "AQAB", "e": "AQ=B"}"#,
        #"{"kty": "RSA", "n": "A", "e": "AQAB"}"#,
        #"{"kty": "RSA", "n": "", "e": "AQAB"}"#,
        #"{"kty": "RSA", "n": "AQ+/", "e": "AQAB"}"#,
        #"{"kty": "EC", "crv": "P-256", "x": "AQ=B", "y": "AQAB"}"#,
        #"{"kty": "EC", "crv": "P-256", "x": "AQAB", "y": "AQAB="}"#,
    ])
    func valuesThatAreNotStrictBase64URLAreSkipped(key: String) throws {
        let keys = try JWKSet(json: Array(#"{"keys": [\#(key)]}"#.utf8))
        #expect(keys.count == 0)
        #expect(keys.skippedKeys.count == 1)
        #expect(keys.skippedKeys.first?.contains("is not base64url") == true)
    }
}
