import CJose

/// Reads an unencrypted PEM private key (RSA or EC) with OpenSSL and returns it
/// as JWK members (RFC 7518 §6), base64url-encoded.
enum PEMPrivateKey {
    static func members(pem: [UInt8]) throws(SigningKeyError) -> [String: String] {
        defer { ERR_clear_error() }
        // A memory BIO reads the buffer in place, so it lives only inside this closure. The
        // passphrase callback gives none: an encrypted key fails instead of prompting on a terminal.
        let read: OpaquePointer? = pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        guard let pkey = read else {
            throw .unusable("no unencrypted PEM private key found (encrypted keys are not supported)")
        }
        defer { EVP_PKEY_free(pkey) }
        switch EVP_PKEY_get_base_id(pkey) {
        case EVP_PKEY_RSA:
            var members = ["kty": "RSA"]
            let names = ["n": "n", "e": "e", "d": "d", "p": "rsa-factor1", "q": "rsa-factor2",
                         "dp": "rsa-exponent1", "dq": "rsa-exponent2", "qi": "rsa-coefficient1"]
            for (member, parameter) in names {
                if let value = number(pkey, parameter, padTo: 0) { members[member] = value }
            }
            return members
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_utf8_string_param(pkey, "group", &name, name.count, &length) == 1 else {
                throw .unusable("the EC key names no curve")
            }
            let group = String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let (crv, size): (String, Int32) = switch group {
            case "prime256v1", "P-256": ("P-256", 32)
            case "secp384r1", "P-384": ("P-384", 48)
            case "secp521r1", "P-521": ("P-521", 66)
            default: throw .unusable("EC curve \(group.quotedForLog) is not supported (use P-256, P-384 or P-521)")
            }
            guard let x = number(pkey, "qx", padTo: size), let y = number(pkey, "qy", padTo: size),
                  let d = number(pkey, "priv", padTo: size) else { throw .unusable("cannot read the EC key's parameters") }
            return ["kty": "EC", "crv": crv, "x": x, "y": y, "d": d]
        default:
            throw .unusable("only RSA and EC keys can sign client assertions")
        }
    }

    /// One big-number parameter, base64url, left-padded to `padTo` bytes when that is not 0.
    private static func number(_ pkey: OpaquePointer, _ name: String, padTo: Int32) -> String? {
        var bn: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(pkey, name, &bn) == 1, let bn else { return nil }
        defer { BN_clear_free(bn) }
        let length = padTo > 0 ? padTo : (BN_num_bits(bn) + 7) / 8
        var bytes = [UInt8](repeating: 0, count: Int(max(length, 1)))
        guard BN_bn2binpad(bn, &bytes, Int32(bytes.count)) > 0 else { return nil }
        defer { OPENSSL_cleanse(&bytes, bytes.count) }
        return Base64URL.encode(bytes)
    }
}
