import CJose
import Foundation

/// The signing keys of one provider, read once from its JWKS document (RFC 7517 §5)
/// and shared read-only between threads afterwards.
///
/// RSA and EC keys are libcjose objects, Ed25519 keys (which libcjose does not know)
/// are OpenSSL `EVP_PKEY`s. libcjose's reference counts are not atomic, so a set
/// never retains or releases a key after `init`: verification only passes the key
/// as a `const cjose_jwk_t *` to `cjose_jws_verify`, which reads it without touching
/// its count (checked against the libcjose 0.6.2 sources), and the keys are released
/// exactly once, in `deinit`, when no thread can use the set any more. Do not hand
/// the key pointers to any libcjose call that retains them.
///
/// Entries that cannot verify signatures are skipped, not fatal: keys for another
/// `use` (encryption) or without `verify` in `key_ops`, unknown key types and curves,
/// keys whose `alg` is not a signature algorithm of their type, RSA keys shorter than
/// 2048 bits, and symmetric (`oct`) keys — a key published in a public document is
/// no secret; HS* tokens are verified with the client secret (`symmetric(secret:)`).
public final class JWKSet: Sendable {
    /// The key ids of the usable keys, in document order (nil where a key has none).
    public var keyIDs: [String?] { keys.map(\.kid) }
    /// The number of usable keys.
    public var count: Int { keys.count }
    /// One line per skipped entry, saying which and why, for the log.
    public let skippedKeys: [String]

    /// True when some usable key can verify signatures made with `algorithm`.
    public func hasKey(for algorithm: JWSAlgorithm) -> Bool {
        keys.contains { $0.fits(algorithm) }
    }

    let keys: [Key]

    private init(keys: [Key], skippedKeys: [String]) {
        self.keys = keys
        self.skippedKeys = skippedKeys
    }

    /// Reads a JWKS document. Throws only when the document itself is unusable
    /// (not JSON, no `keys` array); individual unusable keys are skipped.
    public convenience init(json: [UInt8]) throws(JOSEError) {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(json))
        } catch {
            throw .invalidKeySet("the document is not a JSON object with a \"keys\" array")
        }
        var keys: [Key] = []
        var skipped: [String] = []
        for (index, entry) in document.keys.enumerated() {
            guard let members = entry.members else {
                skipped.append("key #\(index): not a JSON object")
                continue
            }
            switch Self.importKey(members) {
            case .success(let key): keys.append(key)
            case .failure(let reason):
                skipped.append("key #\(index)\(members.kid.map { " (kid \($0.quotedForLog))" } ?? ""): \(reason.text)")
            }
        }
        self.init(keys: keys, skippedKeys: skipped)
    }

    /// A set holding one symmetric key, for HS256/384/512: the client secret's bytes.
    /// It matches tokens whatever `kid` they carry. An empty secret yields an empty set
    /// (HMAC with an empty key proves nothing).
    public static func symmetric(secret: [UInt8]) -> JWKSet {
        guard !secret.isEmpty else {
            return JWKSet(keys: [], skippedKeys: ["the client secret is empty"])
        }
        var error = cjose_err()
        let jwk = secret.withUnsafeBufferPointer { cjose_jwk_create_oct_spec($0.baseAddress, $0.count, &error) }
        guard let jwk else {
            return JWKSet(keys: [], skippedKeys: ["the client secret could not be loaded as an HMAC key"])
        }
        return JWKSet(keys: [Key(kid: nil, family: .oct, algorithm: nil, matchesAnyKid: true, material: .cjose(jwk))], skippedKeys: [])
    }

    deinit {
        for key in keys {
            switch key.material {
            case .cjose(let jwk): _ = cjose_jwk_release(jwk)
            case .ed25519(let pkey): EVP_PKEY_free(pkey)
            }
        }
    }

    // MARK: - Keys

    /// One usable key. `@unchecked Sendable`: the pointers are written once in `init`
    /// and only read afterwards (see the type's documentation), and freed in `deinit`.
    struct Key: @unchecked Sendable {
        enum Material {
            /// A `cjose_jwk_t *` (RSA, EC, oct).
            case cjose(OpaquePointer)
            /// An Ed25519 public `EVP_PKEY *`.
            case ed25519(OpaquePointer)
        }

        let kid: String?
        let family: JWSAlgorithm.KeyFamily
        /// The JWK `alg` member: when present the key may be used with that algorithm only.
        let algorithm: JWSAlgorithm?
        /// True for the client secret, which has no kid of its own.
        let matchesAnyKid: Bool
        let material: Material

        func fits(_ alg: JWSAlgorithm) -> Bool {
            family == alg.keyFamily && (algorithm == nil || algorithm == alg)
        }
    }

    private struct SkipReason: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }

    private static func importKey(_ m: Members) -> Result<Key, SkipReason> {
        if let bad = m.mistyped.first {
            return .failure(SkipReason("member \"\(bad)\" has the wrong JSON type"))
        }
        guard let kty = m.kty else { return .failure(SkipReason("no \"kty\"")) }
        if let use = m.use, use != "sig" {
            return .failure(SkipReason("\"use\" is \(use.quotedForLog), not \"sig\""))
        }
        if let ops = m.keyOps, !ops.contains("verify") {
            return .failure(SkipReason("\"key_ops\" does not include \"verify\""))
        }
        let family: JWSAlgorithm.KeyFamily
        switch (kty, m.crv) {
        case ("RSA", _): family = .rsa
        case ("EC", "P-256"): family = JWSAlgorithm.es256.keyFamily
        case ("EC", "P-384"): family = JWSAlgorithm.es384.keyFamily
        case ("EC", "P-521"): family = JWSAlgorithm.es512.keyFamily
        case ("OKP", "Ed25519"): family = .okpEd25519
        case ("EC", let crv), ("OKP", let crv):
            return .failure(SkipReason("curve \(crv?.quotedForLog ?? "(none)") is not supported for \(kty) signing keys"))
        case ("oct", _):
            return .failure(SkipReason("symmetric keys in a published key set are ignored; HS* tokens are verified with the client secret"))
        default:
            return .failure(SkipReason("key type \(kty.quotedForLog) is not supported"))
        }
        var algorithm: JWSAlgorithm? = nil
        if let name = m.alg {
            guard let alg = JWSAlgorithm(rawValue: name), alg.keyFamily == family else {
                return .failure(SkipReason("\"alg\" is \(name.quotedForLog), not a signature algorithm for this key type"))
            }
            algorithm = alg
        }
        let material: Key.Material
        switch family {
        case .okpEd25519:
            guard let x = m.x, let raw = Base64URL.decode(x), raw.count == 32 else {
                return .failure(SkipReason("Ed25519 \"x\" is not 32 base64url-encoded bytes"))
            }
            let pkey = raw.withUnsafeBufferPointer {
                EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
            }
            guard let pkey else {
                ERR_clear_error()
                return .failure(SkipReason("OpenSSL rejected the Ed25519 public key"))
            }
            material = .ed25519(pkey)
        case .rsa, .ec:
            // Hand libcjose the public members only, so private material in a
            // misconfigured set is never loaded.
            let publicMembers: [String: String?] = family == .rsa
                ? ["kty": "RSA", "n": m.n, "e": m.e]
                : ["kty": "EC", "crv": m.crv, "x": m.x, "y": m.y]
            guard publicMembers.values.allSatisfy({ $0 != nil }),
                  let text = try? JSONEncoder().encode(publicMembers.compactMapValues { $0 })
            else {
                return .failure(SkipReason(family == .rsa ? "RSA key without \"n\" and \"e\"" : "EC key without \"x\" and \"y\""))
            }
            // libcjose aborts the process (an assert in its base64 decoder) on
            // some malformed values, such as a length of 4k+1: only strict
            // base64url ever reaches it.
            for name in family == .rsa ? ["n", "e"] : ["x", "y"] {
                guard let value = publicMembers[name] ?? nil, let bytes = Base64URL.decode(value), !bytes.isEmpty else {
                    return .failure(SkipReason("member \"\(name)\" is not base64url"))
                }
            }
            var error = cjose_err()
            let imported = [UInt8](text).withUnsafeBufferPointer {
                $0.withMemoryRebound(to: CChar.self) { cjose_jwk_import($0.baseAddress, $0.count, &error) }
            }
            guard let jwk = imported else {
                ERR_clear_error()
                return .failure(SkipReason("the key's parameters are invalid"))
            }
            if let reason = checkImported(jwk, family: family) {
                _ = cjose_jwk_release(jwk)
                return .failure(reason)
            }
            material = .cjose(jwk)
        case .oct:
            preconditionFailure("oct keys were skipped above")
        }
        return .success(Key(kid: m.kid, family: family, algorithm: algorithm, matchesAnyKid: false, material: material))
    }

    /// Confirms libcjose read the key as the type and curve the JWK claims.
    private static func checkImported(_ jwk: OpaquePointer, family: JWSAlgorithm.KeyFamily) -> SkipReason? {
        var error = cjose_err()
        switch family {
        case .rsa:
            guard cjose_jwk_get_kty(jwk, &error) == CJOSE_JWK_KTY_RSA else { return SkipReason("not read as an RSA key") }
            let bits = cjose_jwk_get_keysize(jwk, &error)
            if bits < 2048 { return SkipReason("RSA key of \(bits) bits is too short (at least 2048 are required)") }
        case .ec(let crv, _):
            guard cjose_jwk_get_kty(jwk, &error) == CJOSE_JWK_KTY_EC else { return SkipReason("not read as an EC key") }
            let expected: cjose_jwk_ec_curve = switch crv {
            case "P-256": CJOSE_JWK_EC_P_256
            case "P-384": CJOSE_JWK_EC_P_384
            default: CJOSE_JWK_EC_P_521
            }
            guard cjose_jwk_EC_get_curve(jwk, &error) == expected else { return SkipReason("not read as a \(crv) key") }
        case .oct, .okpEd25519:
            break
        }
        return nil
    }

    // MARK: - Document

    private struct Document: Decodable {
        let keys: [Entry]
    }

    /// One element of `keys`; `members` is nil when the element is not an object.
    private struct Entry: Decodable {
        let members: Members?
        init(from decoder: any Decoder) throws {
            members = try? Members(from: decoder)
        }
    }

    /// The JWK members that matter for signature keys. Members of the wrong JSON
    /// type are recorded in `mistyped` rather than failing the whole document.
    private struct Members: Decodable {
        var kty, use, kid, alg, crv, x, y, n, e: String?
        var keyOps: [String]?
        var mistyped: [String] = []

        private enum CodingKeys: String, CodingKey {
            case kty, use, kid, alg, crv, x, y, n, e
            case keyOps = "key_ops"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var mistyped: [String] = []
            func read<T: Decodable>(_ key: CodingKeys, as type: T.Type) -> T? {
                guard c.contains(key) else { return nil }
                if let value = try? c.decode(T.self, forKey: key) { return value }
                mistyped.append(key.rawValue)
                return nil
            }
            kty = read(.kty, as: String.self)
            use = read(.use, as: String.self)
            kid = read(.kid, as: String.self)
            alg = read(.alg, as: String.self)
            crv = read(.crv, as: String.self)
            x = read(.x, as: String.self)
            y = read(.y, as: String.self)
            n = read(.n, as: String.self)
            e = read(.e, as: String.self)
            keyOps = read(.keyOps, as: [String].self)
            self.mistyped = mistyped
        }
    }
}
