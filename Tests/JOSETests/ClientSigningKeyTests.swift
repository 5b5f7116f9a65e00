import Foundation
import Testing
import JOSE

/// Keys made by Python's cryptography and thumbprints by joserfc
/// (Tests/fixtures/make_client_key_fixtures.py).
private struct KeyFixtures: @unchecked Sendable {
    let root: [String: Any]

    static let shared: KeyFixtures = {
        let url = Bundle.module.url(forResource: "client_keys", withExtension: "json", subdirectory: "Fixtures")!
        return KeyFixtures(root: try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any])
    }()

    func text(_ name: String) -> String { root[name] as! String }
    func bytes(_ name: String) -> [UInt8] {
        if let text = root[name] as? String { return Array(text.utf8) }
        return Array(try! JSONSerialization.data(withJSONObject: root[name]!))
    }
    func refused(_ name: String) -> [UInt8] { Array(((root["refused"] as! [String: String])[name]!).utf8) }
}

private let fixtures = KeyFixtures.shared

/// The header and payload of a compact JWS, decoded.
private func parts(_ compact: String) -> (header: [String: Any], payload: [UInt8]) {
    let pieces = compact.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    let header = try! JSONSerialization.jsonObject(with: Data(Base64URL.decode(pieces[0])!)) as! [String: Any]
    return (header, Base64URL.decode(pieces[1])!)
}

/// Verifies `compact` with the key's own published JWK set, as the provider would.
private func verifiesWithPublishedKey(_ compact: String, _ key: ClientSigningKey) throws -> Bool {
    let set = try JWKSet(json: Array(ClientSigningKey.publicKeySet([key]).utf8))
    return (try? JWSVerifier.verify(compact: compact, keys: set, allowedAlgorithms: [key.algorithm])) != nil
}

@Suite struct ClientSigningKeyTests {
    @Test(arguments: ["rsa_pkcs8", "rsa_pkcs1"])
    func rsaPEMSignsRS256NamedByItsThumbprint(_ name: String) throws {
        let key = try ClientSigningKey(document: fixtures.bytes(name))
        #expect(key.algorithm == .rs256)
        #expect(key.keyID == fixtures.text("rsa_thumbprint"))
        let jws = try key.sign(payload: Array("{\"a\":1}".utf8))
        let (header, payload) = parts(jws)
        #expect(header["alg"] as? String == "RS256")
        #expect(header["kid"] as? String == key.keyID)
        #expect(payload == Array("{\"a\":1}".utf8))
        #expect(try verifiesWithPublishedKey(jws, key))
    }

    @Test func rsaKeyCanSignPS256() throws {
        let key = try ClientSigningKey(document: fixtures.bytes("rsa_pkcs8"), algorithm: .ps256)
        let jws = try key.sign(payload: [0x7B, 0x7D])
        #expect(parts(jws).header["alg"] as? String == "PS256")
        #expect(try verifiesWithPublishedKey(jws, key))
    }

    @Test func ecPEMSignsES256() throws {
        let key = try ClientSigningKey(document: fixtures.bytes("ec_sec1"))
        #expect(key.algorithm == .es256)
        #expect(key.keyID == fixtures.text("ec_thumbprint"))
        let jws = try key.sign(payload: [0x7B, 0x7D])
        #expect(parts(jws).header["alg"] as? String == "ES256")
        #expect(try verifiesWithPublishedKey(jws, key))
    }

    @Test func p384KeySignsES384() throws {
        let key = try ClientSigningKey(document: fixtures.bytes("p384_pkcs8"))
        #expect(key.algorithm == .es384)
        #expect(try verifiesWithPublishedKey(try key.sign(payload: [0x7B, 0x7D]), key))
    }

    @Test func privateJWKWithoutKidIsNamedByItsThumbprint() throws {
        let key = try ClientSigningKey(document: fixtures.bytes("ec_jwk"))
        #expect(key.keyID == fixtures.text("ec_thumbprint"))
        #expect(try verifiesWithPublishedKey(try key.sign(payload: [0x7B, 0x7D]), key))
    }

    @Test func aJWKsOwnKidIsKept() throws {
        let key = try ClientSigningKey(document: fixtures.bytes("ec_jwk_with_kid"))
        #expect(key.keyID == "my-key-1")
        #expect(parts(try key.sign(payload: [0x7B, 0x7D])).header["kid"] as? String == "my-key-1")
    }

    @Test func thePublishedSetHoldsNoPrivateMember() throws {
        for name in ["rsa_pkcs8", "ec_sec1"] {
            let key = try ClientSigningKey(document: fixtures.bytes(name))
            let printed = ClientSigningKey.publicKeySet([key])
            let set = try JSONSerialization.jsonObject(with: Data(printed.utf8)) as! [String: [[String: String]]]
            let jwk = try #require(set["keys"]?.first)
            for member in ["d", "p", "q", "dp", "dq", "qi"] { #expect(jwk[member] == nil, "\(member) in \(name)") }
            #expect(jwk["use"] == "sig")
            #expect(jwk["kid"] == key.keyID)
        }
    }

    @Test(arguments: ["rsa_1024", "encrypted", "public_pem", "public_jwk", "not_a_key"])
    func unusableKeysAreRefused(_ name: String) {
        #expect(throws: SigningKeyError.self) { try ClientSigningKey(document: fixtures.refused(name)) }
    }

    @Test func anAlgorithmThatDoesNotFitTheKeyIsRefused() {
        #expect(throws: SigningKeyError.self) { try ClientSigningKey(document: fixtures.bytes("ec_sec1"), algorithm: .rs256) }
        #expect(throws: SigningKeyError.self) { try ClientSigningKey(document: fixtures.bytes("rsa_pkcs8"), algorithm: .hs256) }
    }

    @Test func errorsNeverCarryKeyMaterial() {
        let document = fixtures.bytes("ec_sec1")
        do {
            _ = try ClientSigningKey(document: document, algorithm: .rs256)
        } catch {
            #expect(!error.description.contains("BEGIN"))
            let d = (fixtures.root["ec_jwk"] as! [String: String])["d"]!
            #expect(!error.description.contains(d))
        }
    }

    @Test func hmacSignaturesVerifyWithTheSecret() throws {
        let secret = Array("a-client-secret-long-enough-000000".utf8)
        let jws = try JWSSigner.compact(payload: [0x7B, 0x7D], algorithm: .hs256, keyID: nil, key: .secret(secret))
        #expect(parts(jws).header["kid"] == nil)
        #expect((try? JWSVerifier.verify(compact: jws, keys: .symmetric(secret: secret), allowedAlgorithms: [.hs256])) != nil)
        #expect((try? JWSVerifier.verify(compact: jws, keys: .symmetric(secret: Array("another".utf8)), allowedAlgorithms: [.hs256])) == nil)
    }
}

@Suite struct UnsecuredJWTTests {
    @Test func readsOnlyExactlyUnsecuredTokens() {
        let header = Base64URL.encode(Array("{\"alg\":\"none\"}".utf8))
        let payload = Base64URL.encode(Array("{\"sub\":\"a\"}".utf8))
        #expect(UnsecuredJWT.payload(ofCompact: "\(header).\(payload).") == Array("{\"sub\":\"a\"}".utf8))
        #expect(UnsecuredJWT.payload(ofCompact: "\(header).\(payload).c2ln") == nil, "a signature part makes it no unsecured JWT")
        let rs = Base64URL.encode(Array("{\"alg\":\"RS256\"}".utf8))
        #expect(UnsecuredJWT.payload(ofCompact: "\(rs).\(payload).") == nil)
        let crit = Base64URL.encode(Array("{\"alg\":\"none\",\"crit\":[\"x\"]}".utf8))
        #expect(UnsecuredJWT.payload(ofCompact: "\(crit).\(payload).") == nil)
        #expect(UnsecuredJWT.claimsNone("\(header).\(payload)."))
        #expect(!UnsecuredJWT.claimsNone("\(rs).\(payload)."))
    }
}
