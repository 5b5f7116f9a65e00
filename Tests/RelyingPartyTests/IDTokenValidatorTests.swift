import Foundation
import Testing
import JOSE
import RelyingParty

/// ID tokens made by an independent JOSE implementation
/// (Tests/fixtures/make_jose_fixtures.py), with a fixed "now".
private struct IDTokenFixtures: Sendable {
    let now: Int64
    let issuer: String
    let clientID: String
    let trustedAudience: String
    let nonce: String
    let accessToken: String
    let clientSecret: String
    let clockSkew: Int64
    let maxIssuedAge: Int64
    let jwks: [UInt8]
    let valid: [String: String]
    let cases: [String: String]
    let joseCases: [String: String]

    static let shared: IDTokenFixtures = {
        let url = Bundle.module.url(forResource: "id_tokens", withExtension: "json", subdirectory: "Fixtures")!
        let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let valid = (root["valid"] as! [String: [String: Any]]).mapValues { $0["token"] as! String }
        return IDTokenFixtures(
            now: (root["now"] as! NSNumber).int64Value,
            issuer: root["issuer"] as! String,
            clientID: root["client_id"] as! String,
            trustedAudience: root["trusted_audience"] as! String,
            nonce: root["nonce"] as! String,
            accessToken: root["access_token"] as! String,
            clientSecret: root["client_secret"] as! String,
            clockSkew: (root["clock_skew"] as! NSNumber).int64Value,
            maxIssuedAge: (root["max_issued_age"] as! NSNumber).int64Value,
            jwks: [UInt8](try! JSONSerialization.data(withJSONObject: root["jwks"]!)),
            valid: valid,
            cases: root["claim_cases"] as! [String: String],
            joseCases: root["jose_cases"] as! [String: String]
        )
    }()

    /// The expectations of the login the fixtures were made for.
    var expecting: IDTokenExpectations {
        IDTokenExpectations(
            issuer: issuer,
            clientID: clientID,
            nonce: nonce,
            allowedAlgorithms: Set(JWSAlgorithm.allCases),
            clockSkewSeconds: clockSkew,
            maxIssuedAgeSeconds: maxIssuedAge,
            now: now,
            accessToken: accessToken
        )
    }

    var secret: [UInt8] { Array(clientSecret.utf8) }
}

private let f = IDTokenFixtures.shared
private let keys = try! JWKSet(json: f.jwks)
private let validator = IDTokenValidator()

private func validate(
    _ token: String,
    clientSecret: [UInt8]? = f.secret,
    _ adjust: (inout IDTokenExpectations) -> Void = { _ in }
) throws(IDTokenError) -> IDTokenClaims {
    var expecting = f.expecting
    adjust(&expecting)
    return try validator.validate(token, keys: keys, clientSecret: clientSecret, expecting: expecting)
}

/// The error validation throws, or nil when the token is accepted.
private func rejection(
    _ token: String,
    clientSecret: [UInt8]? = f.secret,
    _ adjust: (inout IDTokenExpectations) -> Void = { _ in }
) -> IDTokenError? {
    do {
        _ = try validate(token, clientSecret: clientSecret, adjust)
        return nil
    } catch {
        return error
    }
}

@Suite struct IDTokenValidatorTests {
    // MARK: per algorithm

    @Test(arguments: JWSAlgorithm.allCases)
    func validTokenOfEveryAlgorithmIsAccepted(_ alg: JWSAlgorithm) throws {
        let claims = try validate(f.valid[alg.rawValue]!)
        #expect(claims.subject == "248289761001")
        #expect(claims.issuer == f.issuer)
        #expect(claims.audiences == [f.clientID])
        #expect(claims.expiresAt == f.now + 600)
        #expect(claims.issuedAt == f.now - 10)
        #expect(claims.authTime == f.now - 20)
        #expect(claims.nonce == f.nonce)
        #expect(claims.sessionID == "08a5019c-17e1-4977-8f42-65a12843ea02")
        #expect(claims.all["email"] == .string("janedoe@example.com"))
        #expect(claims.all["groups"] == .array([.string("staff"), .string("ops")]))
    }

    /// at_hash is computed with the hash of each algorithm (SHA-512 for EdDSA):
    /// another access token must not match.
    @Test(arguments: JWSAlgorithm.allCases)
    func atHashIsCheckedWithTheAlgorithmsHash(_ alg: JWSAlgorithm) {
        #expect(rejection(f.valid[alg.rawValue]!) { $0.accessToken = "another-access-token" } == .atHashMismatch)
    }

    @Test(arguments: JWSAlgorithm.allCases)
    func algorithmOutsideTheAllowListIsRefused(_ alg: JWSAlgorithm) {
        let error = rejection(f.valid[alg.rawValue]!) { $0.allowedAlgorithms = Set(JWSAlgorithm.allCases).subtracting([alg]) }
        #expect(error == .signature(.algorithmNotAllowed(alg.rawValue)))
    }

    @Test(arguments: [JWSAlgorithm.hs256, .hs384, .hs512])
    func hmacNeedsTheClientSecret(_ alg: JWSAlgorithm) {
        let token = f.valid[alg.rawValue]!
        #expect(rejection(token, clientSecret: nil) == .signature(.algorithmNotAllowed(alg.rawValue)))
        #expect(rejection(token, clientSecret: []) == .signature(.algorithmNotAllowed(alg.rawValue)))
        #expect(rejection(token, clientSecret: Array("not the client secret".utf8)) == .signature(.badSignature))
    }

    @Test func asymmetricTokensNeedNoClientSecret() throws {
        #expect(try validate(f.valid["RS256"]!, clientSecret: nil).subject == "248289761001")
        #expect(try validate(f.valid["EdDSA"]!, clientSecret: nil).subject == "248289761001")
    }

    // MARK: 3.1.3.7 rules that pass

    @Test(arguments: ["expired_within_skew", "issued_in_future_within_skew", "single_audience_array",
                      "azp_equals_client", "no_at_hash", "times_as_integral_floats", "nbf_in_past"])
    func acceptedVariants(_ name: String) throws {
        let claims = try validate(f.cases[name]!)
        #expect(claims.subject == "248289761001")
    }

    @Test func integralFloatTimesAreReadAsIntegers() throws {
        let claims = try validate(f.cases["times_as_integral_floats"]!)
        #expect(claims.expiresAt == f.now + 600)
        #expect(claims.issuedAt == f.now - 10)
    }

    @Test func trustedExtraAudienceWithAzpIsAccepted() throws {
        let claims = try validate(f.cases["multi_audience_trusted_with_azp"]!) { $0.trustedAudiences = [f.trustedAudience] }
        #expect(claims.audiences == [f.clientID, f.trustedAudience])
    }

    @Test func nonceIsNotRequiredWhenNoneWasSent() throws {
        let claims = try validate(f.cases["no_nonce_none_expected"]!) { $0.nonce = nil }
        #expect(claims.nonce == nil)
    }

    @Test func oldTokenIsAcceptedWithoutAMaximumAge() throws {
        #expect(try validate(f.cases["iat_too_old"]!) { $0.maxIssuedAgeSeconds = nil }.issuedAt == f.now - 3600)
    }

    @Test func atHashIsNotCheckedWithoutAnAccessToken() throws {
        #expect(try validate(f.cases["bad_at_hash"]!) { $0.accessToken = nil }.subject == "248289761001")
    }

    // MARK: 3.1.3.7 rules that fail

    @Test(arguments: [
        ("wrong_iss", IDTokenError.wrongIssuer(expected: "https://idp.example.com/realms/main", got: "https://evil.example.com/realms/main")),
        ("iss_trailing_slash", .wrongIssuer(expected: "https://idp.example.com/realms/main", got: "https://idp.example.com/realms/main/")),
        ("missing_iss", .missingClaim("iss")),
        ("wrong_aud", .wrongAudience),
        ("wrong_aud_array", .wrongAudience),
        ("missing_aud", .missingClaim("aud")),
        ("aud_not_string", .invalidClaim("aud")),
        ("multi_audience_without_azp", .missingClaim("azp")),
        ("untrusted_extra_audience", .untrustedAudience("https://untrusted.example.net")),
        ("azp_mismatch", .azpMismatch),
        ("multi_audience_azp_mismatch", .azpMismatch),
        ("expired", .expired),
        ("expired_exactly_at_skew", .expired),
        ("missing_exp", .missingClaim("exp")),
        ("exp_not_number", .invalidClaim("exp")),
        ("exp_fractional", .invalidClaim("exp")),
        ("iat_in_future", .issuedInFuture),
        ("iat_too_old", .issuedTooLongAgo),
        ("missing_iat", .missingClaim("iat")),
        ("missing_sub", .missingClaim("sub")),
        ("empty_sub", .missingClaim("sub")),
        ("sub_not_string", .invalidClaim("sub")),
        ("nonce_mismatch", .nonceMismatch),
        ("missing_nonce", .nonceMissing),
        ("bad_at_hash", .atHashMismatch),
        ("at_hash_of_wrong_hash", .atHashMismatch),
        ("nbf_in_future", .notYetValid),
    ] as [(String, IDTokenError)])
    func rejectedClaims(_ name: String, _ expected: IDTokenError) {
        #expect(rejection(f.cases[name]!) == expected)
    }

    /// The multi-audience rule holds even for audiences the client trusts: azp is required.
    @Test func trustedExtraAudienceStillNeedsAzp() {
        #expect(rejection(f.cases["multi_audience_without_azp"]!) { $0.trustedAudiences = [f.trustedAudience] } == .missingClaim("azp"))
    }

    @Test func anotherClientIsNotThisClient() {
        #expect(rejection(f.valid["RS256"]!) { $0.clientID = "another-client" } == .wrongAudience)
    }

    @Test func anotherIssuerIsNotThisIssuer() {
        let error = rejection(f.valid["ES256"]!) { $0.issuer = "https://idp.example.com/realms/other" }
        #expect(error == .wrongIssuer(expected: "https://idp.example.com/realms/other", got: f.issuer))
    }

    @Test func clockSkewBoundsAreApplied() {
        // exp = now + 600: expired once now passes exp + skew.
        #expect(rejection(f.valid["RS256"]!) { $0.now = f.now + 600 + 59; $0.maxIssuedAgeSeconds = nil } == nil)
        #expect(rejection(f.valid["RS256"]!) { $0.now = f.now + 600 + 60; $0.maxIssuedAgeSeconds = nil } == .expired)
        // iat = now - 10: in the future when now is more than skew before it.
        #expect(rejection(f.valid["RS256"]!) { $0.now = f.now - 10 - 60 } == nil)
        #expect(rejection(f.valid["RS256"]!) { $0.now = f.now - 10 - 61 } == .issuedInFuture)
        // Without skew, a token 30 s past exp is expired.
        #expect(rejection(f.cases["expired_within_skew"]!) { $0.clockSkewSeconds = 0 } == .expired)
    }

    @Test func maximumIssuedAgeIsApplied() {
        // iat = now - 10, skew 60: too old once maxAge + skew < 10.
        #expect(rejection(f.valid["RS256"]!) { $0.maxIssuedAgeSeconds = 0 } == nil)
        #expect(rejection(f.valid["RS256"]!) { $0.maxIssuedAgeSeconds = 0; $0.clockSkewSeconds = 9 } == .issuedTooLongAgo)
        #expect(rejection(f.valid["RS256"]!) { $0.maxIssuedAgeSeconds = .max } == nil)
    }

    @Test func nonceOfAnotherLoginIsRefused() {
        #expect(rejection(f.valid["PS256"]!) { $0.nonce = "nonce-of-another-login" } == .nonceMismatch)
    }

    // MARK: signature failures reach the caller

    @Test func unknownKidIsReportedForARefetch() {
        #expect(rejection(joseCase("unknown_kid")) == .signature(.noMatchingKey(kid: "rotated-in-2")))
    }

    @Test func unsignedTokenIsRefused() {
        #expect(rejection(joseCase("alg_none")) == .signature(.unsupportedAlgorithm("none")))
    }

    @Test func wrongKeyTypeIsRefused() {
        guard case .signature(.keyTypeMismatch) = rejection(joseCase("kid_of_ec_key_for_rs256")) else {
            Issue.record("expected a key type mismatch")
            return
        }
    }

    @Test func tamperedTokenIsRefused() {
        #expect(rejection(joseCase("tampered_payload")) == .signature(.badSignature))
        #expect(rejection(joseCase("tampered_signature_eddsa")) == .signature(.badSignature))
    }

    @Test func critHeaderIsRefused() {
        guard case .signature(.malformed) = rejection(joseCase("crit_header")) else {
            Issue.record("expected malformed")
            return
        }
    }

    @Test func payloadThatIsNotAJSONObjectIsRefused() {
        #expect(rejection(joseCase("payload_not_json")) == .notJSON)
        #expect(rejection(joseCase("payload_json_array")) == .notJSON)
    }

    @Test func errorDescriptionsAreActionableAndCarryNoSecrets() {
        let errors: [IDTokenError] = [
            .signature(.badSignature), .notJSON, .missingClaim("sub"), .missingClaim("iat"), .invalidClaim("exp"),
            .wrongIssuer(expected: f.issuer, got: "https://evil.example.com"), .wrongAudience, .untrustedAudience("x"),
            .azpMismatch, .expired, .issuedInFuture, .issuedTooLongAgo, .notYetValid, .nonceMismatch, .nonceMissing, .atHashMismatch,
        ]
        #expect(Set(errors.map(\.description)).count == errors.count)
        for error in errors {
            #expect(!error.description.contains(f.nonce))
            #expect(!error.description.contains(f.clientSecret))
            #expect(!error.description.contains(f.accessToken))
        }
    }
}

/// A signature-level token from the same fixture file.
private func joseCase(_ name: String) -> String { f.joseCases[name]! }
