import Foundation
import Logging
import Testing
import JOSE
import RelyingParty

/// A provider that rotates its signing key between two logins: the ID token
/// signed with the new key must be accepted right away, with or without `kid`.
/// Tokens are the independently signed fixtures (Tests/fixtures/make_jose_fixtures.py).
@Suite struct RotatingKeyVerifierTests {
    private struct Fixtures {
        let root: [String: Any]
        init() {
            let url = Bundle.module.url(forResource: "id_tokens", withExtension: "json", subdirectory: "Fixtures")!
            root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        }
        var keys: [[String: Any]] { (root["jwks"] as! [String: Any])["keys"] as! [[String: Any]] }
        /// The published set after the rotation: holds "rsa-1", which signed the tokens.
        var rotatedIn: [UInt8] { Self.json(["keys": keys]) }
        /// The set before it: no "rsa-1", and another RSA signing key (that signed nothing).
        var beforeRotation: [UInt8] {
            let old = keys.filter { $0["kid"] as? String != "rsa-1" }.map { key -> [String: Any] in
                var key = key
                if key["kid"] as? String == "rsa-ps" { key.removeValue(forKey: "alg") }
                return key
            }
            return Self.json(["keys": old])
        }
        var withKid: String { ((root["valid"] as! [String: Any])["RS256"] as! [String: Any])["token"] as! String }
        var withoutKid: String { (root["jose_cases"] as! [String: String])["no_kid_rs256"]! }
        var badHMAC: String { (root["jose_cases"] as! [String: String])["tampered_signature_hs256"]! }
        var secret: [UInt8] { Array((root["client_secret"] as! String).utf8) }
        var expecting: IDTokenExpectations {
            IDTokenExpectations(
                issuer: root["issuer"] as! String, clientID: root["client_id"] as! String, nonce: root["nonce"] as? String,
                allowedAlgorithms: Set(JWSAlgorithm.allCases), clockSkewSeconds: (root["clock_skew"] as! NSNumber).int64Value,
                maxIssuedAgeSeconds: (root["max_issued_age"] as! NSNumber).int64Value, now: (root["now"] as! NSNumber).int64Value,
                accessToken: root["access_token"] as? String)
        }
        static func json(_ object: Any) -> [UInt8] { [UInt8](try! JSONSerialization.data(withJSONObject: object)) }
    }

    private let fixtures = Fixtures()
    private let provider = ScriptedProvider()
    private let clock = FakeClock()
    private let directory: ProviderDirectory
    private let verifier: RotatingKeyVerifier

    init() {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        directory = ProviderDirectory(http: provider, clock: clock, logger: logger)
        verifier = RotatingKeyVerifier(directory: directory, logger: logger)
        provider.jwks = fixtures.beforeRotation
    }

    private func login(_ token: String) throws(IDTokenError) -> IDTokenClaims {
        let settings = provider.settings()
        let snapshot = try! directory.snapshot(for: settings)
        return try verifier.verify(token, provider: settings, snapshot: snapshot) { keys throws(IDTokenError) in
            try IDTokenValidator().validate(token, keys: keys, clientSecret: fixtures.secret, expecting: fixtures.expecting)
        }
    }

    @Test(arguments: ["with kid", "without kid"])
    func aTokenSignedWithARotatedInKeyIsAcceptedRightAfterTheKeysWereLoaded(_ variant: String) throws {
        let token = variant == "with kid" ? fixtures.withKid : fixtures.withoutKid
        _ = try directory.snapshot(for: provider.settings())  // keys loaded just now
        #expect(provider.jwksCount == 1)
        provider.jwks = fixtures.rotatedIn  // the provider rotates
        let claims = try login(token)
        #expect(claims.subject == "248289761001")
        #expect(provider.jwksCount == 2, "one refetch")
        // The next login uses the new keys without fetching again.
        _ = try login(token)
        #expect(provider.jwksCount == 2)
    }

    @Test(arguments: ["with kid", "without kid"])
    func withoutRotationTheTokenIsStillRejectedAfterOneRefetch(_ variant: String) {
        let token = variant == "with kid" ? fixtures.withKid : fixtures.withoutKid
        let expected: IDTokenError = variant == "with kid" ? .signature(.noMatchingKey(kid: "rsa-1")) : .signature(.badSignature)
        #expect(throws: expected) { try login(token) }
        #expect(provider.jwksCount == 2)
        // A flood of such tokens does not become a flood of fetches.
        for _ in 0..<5 { #expect(throws: expected) { try login(token) } }
        #expect(provider.jwksCount == 2)
    }

    @Test func aBadClientSecretSignatureFetchesNoKeys() {
        #expect(throws: IDTokenError.signature(.badSignature)) { try login(fixtures.badHMAC) }
        #expect(provider.jwksCount == 1)
    }

    /// The provider's keys cannot be fetched: the login is told the provider is unavailable (503),
    /// not that its token is bad, and the failed fetch does not block the next one for 30 s.
    @Test func aFailingRefetchSaysTheKeysAreUnavailableAndIsRetriedAfterTheBackoff() throws {
        _ = try directory.snapshot(for: provider.settings())
        provider.jwks = fixtures.rotatedIn
        provider.failing = true
        #expect { try login(fixtures.withKid) } throws: { error in
            guard case IDTokenError.keysUnavailable(let cause) = error else { return false }
            return cause.isTemporary
        }
        #expect(provider.jwksCount == 2)
        // Within the backoff: no fetch, still "unavailable" rather than a rejection.
        #expect { try login(fixtures.withKid) } throws: { error in
            guard case IDTokenError.keysUnavailable(.keysRefetching) = error else { return false }
            return true
        }
        #expect(provider.jwksCount == 2)
        // The provider answers again: after the 1 s backoff, not 30 s, the new key is fetched and used.
        provider.failing = false
        clock.advance(1)
        #expect(try login(fixtures.withKid).subject == "248289761001")
        #expect(provider.jwksCount == 3)
    }
}
