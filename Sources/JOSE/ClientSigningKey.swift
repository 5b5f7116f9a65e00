import CJose
import Foundation

/// The private key a client signs its `private_key_jwt` assertions with (RFC 7523,
/// OpenID Connect Core §9), read from a PEM file (PKCS#8, PKCS#1 or SEC1, unencrypted)
/// or a private JWK (or a JWK set holding exactly one key).
///
/// RSA keys of at least 2048 bits sign RS*/PS* (RS256 by default), EC keys on
/// P-256/P-384/P-521 sign ES256/ES384/ES512. The `kid` is the JWK's own, else its
/// RFC 7638 thumbprint, so the provider can pick the registered key. The private
/// members never leave this value except into libcjose for one signature.
public struct ClientSigningKey: Sendable {
    public let algorithm: JWSAlgorithm
    public let keyID: String
    /// The public half as a JWK (kty, n/e or crv/x/y, kid, alg, use), for the provider's registration.
    public let publicJWK: [String: String]
    private let privateJWK: [UInt8]

    /// Reads a PEM or JWK document. `algorithm`: the one configured, else the JWK's
    /// `alg`, else the key type's default.
    public init(document: [UInt8], algorithm requested: JWSAlgorithm? = nil) throws(SigningKeyError) {
        let text = String(decoding: document, as: UTF8.self)
        var members = text.contains("-----BEGIN") ? try PEMPrivateKey.members(pem: document) : try Self.jwkMembers(json: document)
        guard let kty = members["kty"] else { throw .unusable("the JWK has no \"kty\"") }
        let family: JWSAlgorithm.KeyFamily
        switch (kty, members["crv"]) {
        case ("RSA", _):
            guard members["n"] != nil, members["e"] != nil else { throw .unusable("the RSA key has no \"n\" and \"e\"") }
            family = .rsa
        case ("EC", "P-256"): family = JWSAlgorithm.es256.keyFamily
        case ("EC", "P-384"): family = JWSAlgorithm.es384.keyFamily
        case ("EC", "P-521"): family = JWSAlgorithm.es512.keyFamily
        case ("EC", let crv): throw .unusable("EC curve \((crv ?? "(none)").quotedForLog) is not supported (use P-256, P-384 or P-521)")
        default: throw .unusable("key type \(kty.quotedForLog) cannot sign client assertions (use an RSA or EC key)")
        }
        guard members["d"] != nil else { throw .unusable("it holds no private key (\"d\" is missing): give the private key, not the public one") }
        for name in ["n", "e", "d", "x", "y", "p", "q", "dp", "dq", "qi"] {
            // libcjose asserts on some malformed base64; only strict base64url reaches it.
            if let value = members[name], Base64URL.decode(value)?.isEmpty != false { throw .unusable("member \"\(name)\" is not base64url") }
        }
        let documentAlgorithm = members["alg"].flatMap(JWSAlgorithm.init(rawValue:))
        let algorithm = requested ?? documentAlgorithm ?? Self.defaultAlgorithm(for: family)
        guard algorithm.keyFamily == family, !algorithm.isSymmetric, algorithm != .edDSA else {
            throw .unusable("\(algorithm.rawValue) does not fit \(family.jwkDescription)")
        }
        let publicNames = family == .rsa ? ["e", "kty", "n"] : ["crv", "kty", "x", "y"]
        guard publicNames.allSatisfy({ members[$0] != nil }) else { throw .unusable("the EC key has no \"x\" and \"y\"") }
        let keyID = members["kid"] ?? Self.thumbprint(members, names: publicNames)
        var publicJWK = Dictionary(uniqueKeysWithValues: publicNames.map { ($0, members[$0]!) })
        publicJWK["kid"] = keyID
        publicJWK["alg"] = algorithm.rawValue
        publicJWK["use"] = "sig"
        members["kid"] = keyID
        members["alg"] = nil
        let privateNames = family == .rsa ? ["kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"] : ["kty", "crv", "x", "y", "d"]
        let privateJWK: [UInt8]
        do {
            privateJWK = Array(try JSONEncoder().encode(members.filter { privateNames.contains($0.key) }))
        } catch {
            throw .unusable("cannot encode the key")
        }
        try Self.checkWithLibcjose(privateJWK, family: family)
        self.algorithm = algorithm
        self.keyID = keyID
        self.publicJWK = publicJWK
        self.privateJWK = privateJWK
    }

    /// `payload` as a compact JWS signed with this key, naming it by `kid`.
    public func sign(payload: [UInt8]) throws(SigningKeyError) -> String {
        try JWSSigner.compact(payload: payload, algorithm: algorithm, keyID: keyID, key: .privateJWK(privateJWK))
    }

    /// `{"keys":[…]}` with the public JWK, members in a stable order.
    public static func publicKeySet(_ keys: [ClientSigningKey]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(["keys": keys.map(\.publicJWK)])) ?? Data("{\"keys\":[]}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func defaultAlgorithm(for family: JWSAlgorithm.KeyFamily) -> JWSAlgorithm {
        switch family {
        case .ec(crv: "P-384", _): return .es384
        case .ec(crv: "P-521", _): return .es512
        case .ec: return .es256
        default: return .rs256
        }
    }

    /// RFC 7638: SHA-256 over the required public members, in lexicographic order, no whitespace.
    static func thumbprint(_ members: [String: String], names: [String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let required = Dictionary(uniqueKeysWithValues: names.map { ($0, members[$0] ?? "") })
        let canonical = (try? encoder.encode(required)).map { Array($0) } ?? []
        return Base64URL.encode(Digest.sha256.hash(canonical))
    }

    /// The string members of a JWK, or of the one key of a JWK set.
    private static func jwkMembers(json: [UInt8]) throws(SigningKeyError) -> [String: String] {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any] else {
            throw .unusable("it is neither a PEM private key nor a JSON JWK")
        }
        if let keys = object["keys"] as? [Any] {
            guard keys.count == 1, let only = keys.first as? [String: Any] else { throw .unusable("a JWK set here must hold exactly one key") }
            object = only
        }
        return object.compactMapValues { $0 as? String }
    }

    /// Imports the key once (and releases it on this thread) so a bad file fails at load, not at login.
    private static func checkWithLibcjose(_ json: [UInt8], family: JWSAlgorithm.KeyFamily) throws(SigningKeyError) {
        var error = cjose_err()
        let imported = json.withUnsafeBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { cjose_jwk_import($0.baseAddress, $0.count, &error) }
        }
        defer { ERR_clear_error() }
        guard let jwk = imported else { throw .unusable("the key's parameters are invalid") }
        defer { _ = cjose_jwk_release(jwk) }
        if family == .rsa {
            let bits = cjose_jwk_get_keysize(jwk, &error)
            if bits < 2048 { throw .unusable("an RSA key of \(bits) bits is too short (at least 2048)") }
        }
    }
}
