import CJose
import Foundation

/// A JWS whose signature verified.
public struct VerifiedJWS: Sendable {
    public let algorithm: JWSAlgorithm
    /// The kid of the key that verified the signature (nil when that key has none,
    /// as for the client secret).
    public let keyID: String?
    /// The decoded protected header (JSON).
    public let header: [UInt8]
    /// The decoded payload; its meaning is the caller's business.
    public let payload: [UInt8]
}

/// Verifies JWS compact serializations (RFC 7515 §7.1) against a key set.
///
/// RS*, PS*, ES* and HS* are verified by libcjose; EdDSA (Ed25519, RFC 8037),
/// which libcjose lacks, by OpenSSL's `EVP_DigestVerify`. Before any signature is
/// checked: the token must have exactly three base64url parts and a JSON object
/// header without `crit`; `alg` must be a supported algorithm (never `none`) in the
/// allow-list; the key is chosen by `kid` when the token names one, and must be of
/// the type (and curve) the algorithm needs.
public enum JWSVerifier {
    public static func verify(compact: String, keys: JWKSet, allowedAlgorithms: Set<JWSAlgorithm>) throws(JOSEError) -> VerifiedJWS {
        try verify(compact: compact, allowedAlgorithms: allowedAlgorithms, keysFor: { _ in keys })
    }

    /// As `verify(compact:keys:allowedAlgorithms:)`, with the key set chosen by the
    /// token's algorithm once it has passed the allow-list — e.g. the client secret
    /// for HS*, the provider's published keys for everything else.
    public static func verify(
        compact: String,
        allowedAlgorithms: Set<JWSAlgorithm>,
        keysFor: (JWSAlgorithm) -> JWKSet
    ) throws(JOSEError) -> VerifiedJWS {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformed("a compact JWS has 3 dot-separated parts, this token has \(parts.count)")
        }
        guard !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .malformed(parts[0].isEmpty ? "the header part is empty" : "the payload part is empty")
        }
        guard let headerBytes = Base64URL.decode(String(parts[0])) else { throw .malformed("the header is not base64url") }
        guard let payloadBytes = Base64URL.decode(String(parts[1])) else { throw .malformed("the payload is not base64url") }
        guard let signature = Base64URL.decode(String(parts[2])) else { throw .malformed("the signature is not base64url") }

        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(headerBytes))
        } catch let error as Header.Problem {
            throw .malformed(error.text)
        } catch {
            throw .malformed("the header is not a JSON object")
        }
        if header.hasCrit {
            throw .malformed("the header has \"crit\" (critical extensions), and none are supported")
        }
        guard let algorithm = JWSAlgorithm(rawValue: header.alg) else {
            throw .unsupportedAlgorithm(header.alg)
        }
        guard allowedAlgorithms.contains(algorithm) else {
            throw .algorithmNotAllowed(algorithm.rawValue)
        }

        let keySet = keysFor(algorithm)
        let candidates = try candidateKeys(in: keySet, kid: header.kid, algorithm: algorithm)

        // Signature shapes libcjose does not check: an ECDSA signature is r ‖ s of the
        // curve's size exactly (libcjose would read a longer one by its first bytes).
        switch algorithm.keyFamily {
        case .ec(_, let coordinateBytes) where signature.count != 2 * coordinateBytes:
            throw .badSignature
        case .okpEd25519 where signature.count != 64:
            throw .badSignature
        default:
            break
        }

        let signingInputCount = parts[0].utf8.count + 1 + parts[1].utf8.count
        let verifiedKey: JWKSet.Key?
        let payload: [UInt8]
        if algorithm == .edDSA {
            let signingInput = Array(compact.utf8.prefix(signingInputCount))
            verifiedKey = candidates.first { key in
                guard case .ed25519(let pkey) = key.material else { return false }
                return verifyEd25519(pkey, signature: signature, message: signingInput)
            }
            payload = payloadBytes
        } else {
            (verifiedKey, payload) = try verifyWithCjose(compact, algorithm: algorithm, candidates: candidates)
        }
        // Keep this thread's OpenSSL error queue clean for whoever uses it next.
        ERR_clear_error()
        guard let verifiedKey else { throw .badSignature }
        return VerifiedJWS(algorithm: algorithm, keyID: verifiedKey.kid, header: headerBytes, payload: payload)
    }

    /// The `alg` a compact JWS's protected header names, without verifying anything; nil when
    /// the header cannot be read or names no supported algorithm. For deciding, after a failed
    /// verification, whether the provider's published keys were the ones tried (not HS*).
    public static func claimedAlgorithm(ofCompact compact: String) -> JWSAlgorithm? {
        guard let first = compact.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first,
              let bytes = Base64URL.decode(String(first)),
              let header = try? JSONDecoder().decode(Header.self, from: Data(bytes))
        else { return nil }
        return JWSAlgorithm(rawValue: header.alg)
    }

    // MARK: - Key selection

    private static func candidateKeys(in keySet: JWKSet, kid: String?, algorithm: JWSAlgorithm) throws(JOSEError) -> [JWKSet.Key] {
        let needed = algorithm.keyFamily.jwkDescription
        if let kid {
            let named = keySet.keys.filter { $0.kid == kid || $0.matchesAnyKid }
            guard !named.isEmpty else { throw .noMatchingKey(kid: kid) }
            let fitting = named.filter { $0.fits(algorithm) }
            guard fitting.isEmpty else { return fitting }
            let key = named[0]
            if key.family == algorithm.keyFamily, let only = key.algorithm {
                throw .keyTypeMismatch("key \(kid.quotedForLog) is published for \(only.rawValue) only, the token uses \(algorithm.rawValue)")
            }
            throw .keyTypeMismatch("key \(kid.quotedForLog) is \(key.family.jwkDescription), \(algorithm.rawValue) needs \(needed)")
        }
        guard !keySet.keys.isEmpty else { throw .noMatchingKey(kid: nil) }
        let fitting = keySet.keys.filter { $0.fits(algorithm) }
        guard !fitting.isEmpty else {
            throw .keyTypeMismatch("the token names no kid and the key set has no key for \(algorithm.rawValue) (\(needed))")
        }
        return fitting
    }

    // MARK: - Signatures

    /// RS*, PS*, ES*, HS* through libcjose. The keys are passed as `const` and
    /// libcjose does not retain them, so shared keys stay untouched.
    private static func verifyWithCjose(
        _ compact: String, algorithm: JWSAlgorithm, candidates: [JWKSet.Key]
    ) throws(JOSEError) -> (JWKSet.Key?, [UInt8]) {
        var error = cjose_err()
        let imported = compact.withCString { cjose_jws_import($0, compact.utf8.count, &error) }
        guard let jws = imported else {
            ERR_clear_error()
            throw .malformed("the token is not a JWS the signature library can read")
        }
        defer { cjose_jws_release(jws) }
        // libcjose parses the header again, with its own JSON parser; it must read the
        // same "alg" (a header with duplicate members could otherwise mean two things).
        guard let cjoseAlg = cjose_header_get(cjose_jws_get_protected(jws), "alg", &error),
              String(cString: cjoseAlg) == algorithm.rawValue
        else {
            throw .malformed("the header is ambiguous (duplicate \"alg\" members?)")
        }

        let verified = candidates.first { key in
            guard case .cjose(let jwk) = key.material else { return false }
            return cjose_jws_verify(jws, jwk, &error)
        }
        guard verified != nil else { return (nil, []) }

        var plaintext: UnsafeMutablePointer<UInt8>? = nil
        var plaintextCount = 0
        guard cjose_jws_get_plaintext(jws, &plaintext, &plaintextCount, &error), let plaintext else {
            throw .malformed("the payload cannot be read")
        }
        // The buffer belongs to the JWS object; copy it before the release above.
        return (verified, Array(UnsafeBufferPointer(start: plaintext, count: plaintextCount)))
    }

    private static func verifyEd25519(_ pkey: OpaquePointer, signature: [UInt8], message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, pkey) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }

    // MARK: - Header

    /// The protected header members the verifier acts on.
    private struct Header: Decodable {
        struct Problem: Error { let text: String }

        let alg: String
        let kid: String?
        let hasCrit: Bool

        private enum CodingKeys: String, CodingKey { case alg, kid, crit }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            guard c.contains(.alg) else { throw Problem(text: "the header has no \"alg\"") }
            guard let alg = try? c.decode(String.self, forKey: .alg) else { throw Problem(text: "the header's \"alg\" is not a string") }
            self.alg = alg
            if c.contains(.kid) {
                guard let kid = try? c.decode(String.self, forKey: .kid) else { throw Problem(text: "the header's \"kid\" is not a string") }
                self.kid = kid
            } else {
                self.kid = nil
            }
            hasCrit = c.contains(.crit)
        }
    }
}
