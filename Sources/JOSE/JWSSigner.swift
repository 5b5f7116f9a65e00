import CJose
import Foundation

/// Produces JWS compact serializations (RFC 7515 §7.1) with libcjose: HS* with a
/// shared secret, RS*/PS*/ES* with a private JWK.
///
/// libcjose's reference counts are not atomic, so no cjose object outlives a call:
/// the key is imported, used and released on the calling thread each time. Signing
/// happens once per call to the provider, where the cost of an import is noise.
public enum JWSSigner {
    public enum Key: Sendable {
        /// HMAC key bytes (the client secret's UTF-8 bytes for client_secret_jwt).
        case secret([UInt8])
        /// A private JWK (JSON) libcjose can import.
        case privateJWK([UInt8])
    }

    /// `payload` signed with `key` under a protected header of `alg`, `typ` and `kid` (when given).
    public static func compact(payload: [UInt8], algorithm: JWSAlgorithm, keyID: String?, type: String? = "JWT",
                               key: Key) throws(SigningKeyError) -> String {
        var error = cjose_err()
        let jwk: OpaquePointer?
        switch key {
        case .secret(let bytes):
            guard algorithm.isSymmetric else { throw .signingFailed("\(algorithm.rawValue) needs a private key, not a secret") }
            guard !bytes.isEmpty else { throw .signingFailed("the secret is empty") }
            jwk = bytes.withUnsafeBufferPointer { cjose_jwk_create_oct_spec($0.baseAddress, $0.count, &error) }
        case .privateJWK(let json):
            guard !algorithm.isSymmetric, algorithm != .edDSA else { throw .signingFailed("\(algorithm.rawValue) cannot be signed with a private JWK here") }
            jwk = json.withUnsafeBufferPointer {
                $0.withMemoryRebound(to: CChar.self) { cjose_jwk_import($0.baseAddress, $0.count, &error) }
            }
        }
        defer { ERR_clear_error() }
        guard let jwk else { throw .signingFailed("libcjose could not import the key") }
        defer { _ = cjose_jwk_release(jwk) }
        guard let header = cjose_header_new(&error) else { throw .signingFailed("cannot create a header") }
        defer { cjose_header_release(header) }
        var ok = cjose_header_set(header, "alg", algorithm.rawValue, &error)
        if let keyID { ok = ok && cjose_header_set(header, "kid", keyID, &error) }
        if let type { ok = ok && cjose_header_set(header, "typ", type, &error) }
        guard ok else { throw .signingFailed("cannot set the header") }
        let jws = payload.withUnsafeBufferPointer { cjose_jws_sign(jwk, header, $0.baseAddress, $0.count, &error) }
        guard let jws else { throw .signingFailed(error.message.map { String(cString: $0) } ?? "cjose_jws_sign failed") }
        defer { cjose_jws_release(jws) }
        var serialized: UnsafePointer<CChar>? = nil
        guard cjose_jws_export(jws, &serialized, &error), let serialized else { throw .signingFailed("cannot serialize the JWS") }
        return String(cString: serialized)
    }
}
