import Foundation
import Testing
import JOSE

/// Keys and tokens made by an independent JOSE implementation
/// (Tests/fixtures/make_jose_fixtures.py).
private struct Fixtures: Sendable {
    let jwks: [UInt8]
    let usableKids: [String]
    let clientSecret: String
    let valid: [String: (token: String, kid: String?)]
    let cases: [String: String]

    static let shared: Fixtures = {
        let url = Bundle.module.url(forResource: "jose_fixtures", withExtension: "json", subdirectory: "Fixtures")!
        let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var valid: [String: (String, String?)] = [:]
        for (alg, entry) in root["valid"] as! [String: [String: Any]] {
            valid[alg] = (entry["token"] as! String, entry["kid"] as? String)
        }
        return Fixtures(
            jwks: [UInt8](try! JSONSerialization.data(withJSONObject: root["jwks"]!)),
            usableKids: root["usable_kids"] as! [String],
            clientSecret: root["client_secret"] as! String,
            valid: valid,
            cases: root["jose_cases"] as! [String: String]
        )
    }()

    func keySet() throws -> JWKSet { try JWKSet(json: jwks) }
    var secretKeySet: JWKSet { .symmetric(secret: Array(clientSecret.utf8)) }

    func token(_ alg: JWSAlgorithm) -> String { valid[alg.rawValue]!.token }
    func keys(for alg: JWSAlgorithm) throws -> JWKSet { alg.isSymmetric ? secretKeySet : try keySet() }
    func callAsFunction(_ name: String) -> String { cases[name]! }
}

private let all = Set(JWSAlgorithm.allCases)

/// The error `body` throws, or nil when it does not throw.
private func joseError(_ body: () throws(JOSEError) -> VerifiedJWS) -> JOSEError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

private func flipSignatureByte(_ token: String) -> String {
    var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    var signature = Base64URL.decode(parts[2])!
    signature[signature.count / 2] ^= 0x01
    parts[2] = Base64URL.encode(signature)
    return parts.joined(separator: ".")
}

@Suite struct JWKSetTests {
    private let f = Fixtures.shared

    @Test func readsSigningKeysOfKnownTypesAndSkipsTheRest() throws {
        let keys = try f.keySet()
        #expect(keys.count == 6)
        #expect(keys.keyIDs == f.usableKids)
        // enc key, X25519, 1024-bit RSA, published oct key, unknown kty
        #expect(keys.skippedKeys.count == 5)
        #expect(keys.skippedKeys.contains { $0.contains("rsa-enc") && $0.contains("\"use\" is \"enc\"") })
        #expect(keys.skippedKeys.contains { $0.contains("rsa-1024") && $0.contains("1024 bits") })
        #expect(keys.skippedKeys.contains { $0.contains("published-secret") && $0.contains("symmetric") })
        #expect(keys.skippedKeys.contains { $0.contains("unknown-type") && $0.contains("FUTURE") })
        #expect(keys.skippedKeys.contains { $0.contains("x25519-1") && $0.contains("X25519") })
    }

    @Test(arguments: ["", "not json", "[]", "{}", "{\"keys\": 5}", "{\"keys\": {\"kty\": \"RSA\"}}"])
    func unusableDocumentsAreRejected(_ text: String) {
        let error = #expect(throws: JOSEError.self) { try JWKSet(json: Array(text.utf8)) }
        guard case .invalidKeySet = error else {
            Issue.record("expected invalidKeySet, got \(String(describing: error))")
            return
        }
    }

    @Test func malformedEntriesAreSkippedNotFatal() throws {
        let text = """
        {"keys": [
          7,
          {"kid": "no-type", "n": "AQAB", "e": "AQAB"},
          {"kty": "RSA", "kid": "n-is-number", "n": 5, "e": "AQAB"},
          {"kty": "RSA", "kid": "no-modulus", "e": "AQAB"},
          {"kty": "EC", "kid": "bad-point", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
          {"kty": "EC", "kid": "secp256k1", "crv": "secp256k1", "x": "AAAA", "y": "AAAA"},
          {"kty": "OKP", "kid": "short-ed", "crv": "Ed25519", "x": "AAAA"},
          {"kty": "RSA", "kid": "verify-not-allowed", "key_ops": ["encrypt"], "n": "AQAB", "e": "AQAB"},
          {"kty": "RSA", "kid": "alg-for-encryption", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB"}
        ]}
        """
        let keys = try JWKSet(json: Array(text.utf8))
        #expect(keys.count == 0)
        #expect(keys.skippedKeys.count == 9)
    }

    @Test func emptySecretGivesEmptySet() {
        #expect(JWKSet.symmetric(secret: []).count == 0)
        #expect(JWKSet.symmetric(secret: Array("s3cret".utf8)).count == 1)
        #expect(JWKSet.symmetric(secret: Array("s3cret".utf8)).keyIDs == [nil])
    }
}

@Suite struct JWSVerifierTests {
    private let f = Fixtures.shared

    // MARK: every algorithm

    @Test(arguments: JWSAlgorithm.allCases)
    func everyAlgorithmVerifies(_ alg: JWSAlgorithm) throws {
        let verified = try JWSVerifier.verify(compact: f.token(alg), keys: f.keys(for: alg), allowedAlgorithms: [alg])
        #expect(verified.algorithm == alg)
        #expect(verified.keyID == f.valid[alg.rawValue]!.kid)
        let header = try JSONSerialization.jsonObject(with: Data(verified.header)) as! [String: Any]
        #expect(header["alg"] as? String == alg.rawValue)
        let payload = try JSONSerialization.jsonObject(with: Data(verified.payload)) as! [String: Any]
        #expect(payload["sub"] as? String == "248289761001")
    }

    @Test(arguments: JWSAlgorithm.allCases)
    func everyAlgorithmIsRefusedWhenNotAllowed(_ alg: JWSAlgorithm) throws {
        let keys = try f.keys(for: alg)
        let error = joseError { () throws(JOSEError) in
            try JWSVerifier.verify(compact: f.token(alg), keys: keys, allowedAlgorithms: all.subtracting([alg]))
        }
        #expect(error == .algorithmNotAllowed(alg.rawValue))
    }

    @Test(arguments: JWSAlgorithm.allCases)
    func everyAlgorithmRejectsAnAlteredSignature(_ alg: JWSAlgorithm) throws {
        let keys = try f.keys(for: alg)
        let error = joseError { () throws(JOSEError) in
            try JWSVerifier.verify(compact: flipSignatureByte(f.token(alg)), keys: keys, allowedAlgorithms: all)
        }
        #expect(error == .badSignature)
    }

    @Test(arguments: ["tampered_signature_rs256", "tampered_signature_ps256", "tampered_signature_es256",
                      "tampered_signature_es512", "tampered_signature_eddsa", "tampered_payload",
                      "tampered_payload_eddsa", "impostor_key_with_published_kid", "empty_signature_rs256"])
    func alteredTokensFailTheSignature(_ name: String) throws {
        let keys = try f.keySet()
        let error = joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: f(name), keys: keys, allowedAlgorithms: all) }
        #expect(error == .badSignature)
    }

    @Test func alteredHMACTokenFails() {
        let error = joseError { () throws(JOSEError) in
            try JWSVerifier.verify(compact: f("tampered_signature_hs256"), keys: f.secretKeySet, allowedAlgorithms: all)
        }
        #expect(error == .badSignature)
    }

    @Test func hmacWithAnotherSecretFails() {
        let error = joseError { () throws(JOSEError) in
            try JWSVerifier.verify(compact: f.token(.hs256), keys: .symmetric(secret: Array("another secret".utf8)), allowedAlgorithms: all)
        }
        #expect(error == .badSignature)
    }

    /// libcjose reads an ECDSA signature as two halves of `length / 2` bytes and would
    /// accept a valid signature with a byte appended; the verifier must not.
    @Test func ecdsaSignatureOfTheWrongLengthFails() throws {
        let keys = try f.keySet()
        let error = joseError { () throws(JOSEError) in
            try JWSVerifier.verify(compact: f("es256_signature_wrong_length"), keys: keys, allowedAlgorithms: all)
        }
        #expect(error == .badSignature)
    }

    // MARK: key selection

    @Test func withoutKidTheKeysOfTheRightTypeAreTried() throws {
        let keys = try f.keySet()
        #expect(try JWSVerifier.verify(compact: f("no_kid_rs256"), keys: keys, allowedAlgorithms: [.rs256]).keyID == "rsa-1")
        #expect(try JWSVerifier.verify(compact: f("no_kid_es256"), keys: keys, allowedAlgorithms: [.es256]).keyID == "ec-p256")
    }

    @Test func keyRestrictedToAnAlgorithmVerifiesThatAlgorithm() throws {
        let verified = try JWSVerifier.verify(compact: f("ps256_restricted_key"), keys: f.keySet(), allowedAlgorithms: [.ps256])
        #expect(verified.keyID == "rsa-ps")
    }

    @Test func unknownKidAsksForARefetch() throws {
        let keys = try f.keySet()
        let error = joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: f("unknown_kid"), keys: keys, allowedAlgorithms: all) }
        #expect(error == .noMatchingKey(kid: "rotated-in-2"))
    }

    @Test(arguments: [("kid_of_encryption_key", "rsa-enc"), ("kid_of_short_rsa_key", "rsa-1024"),
                      ("kid_of_skipped_oct_key_for_hs256", "published-secret")])
    func kidOfASkippedKeyMatchesNothing(_ name: String, _ kid: String) throws {
        let keys = try f.keySet()
        let error = joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: f(name), keys: keys, allowedAlgorithms: all) }
        #expect(error == .noMatchingKey(kid: kid))
    }

    @Test func emptyKeySetMatchesNothing() throws {
        let empty = try JWKSet(json: Array(#"{"keys": []}"#.utf8))
        #expect(joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: f.token(.rs256), keys: empty, allowedAlgorithms: all) }
            == .noMatchingKey(kid: "rsa-1"))
        #expect(joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: f("no_kid_rs256"), keys: empty, allowedAlgorithms: all) }
            == .noMatchingKey(kid: nil))
    }

    @Test(arguments: ["kid_of_ec_key_for_rs256", "kid_of_p384_key_for_es256", "kid_of_rsa_key_for_eddsa",
                      "kid_of_ps256_only_key_for_rs256"])
    func keyOfTheWrongTypeIsRefused(_ name: String) throws {
        let keys = try f.keySet()
        let error = joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: f(name), keys: keys, allowedAlgorithms: all) }
        guard case .keyTypeMismatch = error else {
            Issue.record("expected keyTypeMismatch, got \(String(describing: error))")
            return
        }
    }

    @Test func hmacTokenIsNeverCheckedAgainstPublishedKeys() throws {
        let keys = try f.keySet()
        let error = joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: f.token(.hs256), keys: keys, allowedAlgorithms: all) }
        guard case .keyTypeMismatch = error else {
            Issue.record("expected keyTypeMismatch, got \(String(describing: error))")
            return
        }
    }

    /// HS256 keyed with the provider's RSA public key: refused by the allow-list,
    /// by key type, and by the signature when the key set is the client secret.
    @Test func algorithmConfusionIsRefused() throws {
        let token = f("hs256_keyed_with_rsa_public_key")
        let keys = try f.keySet()
        #expect(joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: token, keys: keys, allowedAlgorithms: [.rs256]) }
            == .algorithmNotAllowed("HS256"))
        let mismatch = joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: token, keys: keys, allowedAlgorithms: all) }
        guard case .keyTypeMismatch = mismatch else {
            Issue.record("expected keyTypeMismatch, got \(String(describing: mismatch))")
            return
        }
        let secret = f.secretKeySet
        let bySecret = joseError { () throws(JOSEError) in
            try JWSVerifier.verify(compact: token, allowedAlgorithms: all) { $0.isSymmetric ? secret : keys }
        }
        #expect(bySecret == .badSignature)
    }

    @Test func keySetCanBeChosenByAlgorithm() throws {
        let keys = try f.keySet()
        let secret = f.secretKeySet
        for alg in JWSAlgorithm.allCases {
            let verified = try JWSVerifier.verify(compact: f.token(alg), allowedAlgorithms: all) { $0.isSymmetric ? secret : keys }
            #expect(verified.algorithm == alg)
        }
    }

    // MARK: algorithms

    @Test(arguments: [("alg_none", "none"), ("alg_none_mixed_case", "nOnE"), ("alg_unsupported", "RS1")])
    func unsupportedAlgorithmsAreRefusedEvenWithEverythingAllowed(_ name: String, _ alg: String) throws {
        let keys = try f.keySet()
        let error = joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: f(name), keys: keys, allowedAlgorithms: all) }
        #expect(error == .unsupportedAlgorithm(alg))
    }

    @Test func noneIsNotAnAlgorithm() {
        #expect(JWSAlgorithm(rawValue: "none") == nil)
        #expect(!JWSAlgorithm.allCases.map(\.rawValue).contains { $0.lowercased() == "none" })
        #expect(JWSAlgorithm.allCases.count == 13)
    }

    @Test func emptyAllowListRefusesEverything() throws {
        let keys = try f.keySet()
        #expect(joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: f.token(.rs256), keys: keys, allowedAlgorithms: []) }
            == .algorithmNotAllowed("RS256"))
    }

    // MARK: structure

    @Test(arguments: ["malformed_two_parts", "malformed_four_parts", "malformed_bad_base64_header",
                      "malformed_bad_base64_payload", "malformed_bad_base64_signature", "malformed_header_not_json",
                      "malformed_header_not_object", "malformed_header_no_alg", "malformed_empty", "crit_header"])
    func malformedTokensAreRefused(_ name: String) throws {
        let keys = try f.keySet()
        let error = joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: f(name), keys: keys, allowedAlgorithms: all) }
        guard case .malformed = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
    }

    /// One JSON parser reads the first of two "alg" members, another the last: the
    /// token must not pass as RS256 while being verified as PS256.
    @Test func duplicateAlgHeaderIsRefused() throws {
        let keys = try f.keySet()
        let error = joseError { () throws(JOSEError) in
            try JWSVerifier.verify(compact: f("duplicate_alg_header"), keys: keys, allowedAlgorithms: [.rs256])
        }
        guard case .malformed = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
    }

    @Test func critHeaderIsNamedInTheError() throws {
        let keys = try f.keySet()
        let error = joseError { () throws(JOSEError) in try JWSVerifier.verify(compact: f("crit_header"), keys: keys, allowedAlgorithms: all) }
        #expect(error?.description.contains("crit") == true)
    }

    @Test func payloadIsReturnedAsIs() throws {
        let keys = try f.keySet()
        let verified = try JWSVerifier.verify(compact: f("payload_not_json"), keys: keys, allowedAlgorithms: [.rs256])
        #expect(verified.payload == Array("this is not JSON".utf8))
        #expect(verified.keyID == "rsa-1")
    }

    @Test func errorDescriptionsCarryNoTokenOrKeyMaterial() throws {
        let keys = try f.keySet()
        let token = f("kid_of_ec_key_for_rs256")
        let parts = token.split(separator: ".").map(String.init)
        var errors: [JOSEError] = []
        for name in ["kid_of_ec_key_for_rs256", "tampered_payload", "crit_header", "alg_none", "malformed_header_not_json"] {
            if let error = joseError({ () throws(JOSEError) in try JWSVerifier.verify(compact: f(name), keys: keys, allowedAlgorithms: all) }) {
                errors.append(error)
            }
        }
        #expect(errors.count == 5)
        for error in errors {
            let text = error.description
            #expect(!text.isEmpty)
            for part in parts { #expect(!text.contains(part)) }
            #expect(!text.contains(f.clientSecret))
        }
    }

    /// alg and kid come from the token: in the log they are quoted, escaped and bounded.
    @Test func tokenTextInDescriptionsIsEscapedAndBounded() {
        let hostile = "RS1\nlevel=info msg=\"login ok\" " + String(repeating: "A", count: 500)
        for error in [JOSEError.unsupportedAlgorithm(hostile), .noMatchingKey(kid: hostile)] {
            #expect(!error.description.contains("\n"))
            #expect(!error.description.contains(String(repeating: "A", count: 65)))
        }
    }

    // MARK: sharing

    /// Many threads verify with one shared set at once (the set's keys are never
    /// retained or released by verification).
    @Test func sharedKeySetVerifiesConcurrently() async throws {
        let keys = try f.keySet()
        let secret = f.secretKeySet
        let tokens = JWSAlgorithm.allCases.map { ($0, f.token($0)) }
        let failures = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var failures = 0
                    for round in 0..<40 {
                        let (alg, token) = tokens[(worker + round) % tokens.count]
                        let set = alg.isSymmetric ? secret : keys
                        if (try? JWSVerifier.verify(compact: token, keys: set, allowedAlgorithms: all))?.algorithm != alg {
                            failures += 1
                        }
                        if (try? JWSVerifier.verify(compact: flipSignatureByte(token), keys: set, allowedAlgorithms: all)) != nil {
                            failures += 1
                        }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
        #expect(keys.count == 6)
    }
}
