import CJose

/// HKDF (RFC 5869) with SHA-256, OpenSSL's own (`EVP_KDF` "HKDF"). Derives
/// independent keys (session sealing, login state sealing) from one configured secret.
public enum HKDF {
    public static func sha256(secret: [UInt8], salt: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        precondition(length > 0 && length <= 255 * 32, "HKDF length out of range")
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { preconditionFailure("OpenSSL provides no HKDF (EVP_KDF_fetch failed)") }
        defer { EVP_KDF_free(kdf) }
        guard let context = EVP_KDF_CTX_new(kdf) else { preconditionFailure("EVP_KDF_CTX_new failed") }
        defer { EVP_KDF_CTX_free(context) }

        // OpenSSL copies each parameter when it is set, so each can be set on its own
        // while its buffers are alive. An absent salt is RFC 5869's HashLen zero bytes.
        var ok = setText(context, name: "digest", value: "SHA256")
        ok = ok && setBytes(context, name: "key", value: secret)
        if !salt.isEmpty { ok = ok && setBytes(context, name: "salt", value: salt) }
        if !info.isEmpty { ok = ok && setBytes(context, name: "info", value: info) }
        var output = [UInt8](repeating: 0, count: length)
        ok = ok && output.withUnsafeMutableBufferPointer { EVP_KDF_derive(context, $0.baseAddress, length, nil) } == 1
        precondition(ok, "OpenSSL HKDF failed")
        return output
    }

    private static func setText(_ context: OpaquePointer, name: String, value: String) -> Bool {
        name.withCString { name in
            var text = Array(value.utf8CString)
            return text.withUnsafeMutableBufferPointer { buffer in
                var params = [OSSL_PARAM_construct_utf8_string(name, buffer.baseAddress, 0), OSSL_PARAM_construct_end()]
                return EVP_KDF_CTX_set_params(context, &params) == 1
            }
        }
    }

    private static func setBytes(_ context: OpaquePointer, name: String, value: [UInt8]) -> Bool {
        name.withCString { name in
            // A one-byte buffer behind an empty value, so OpenSSL never sees a null pointer.
            var bytes = value.isEmpty ? [0] : value
            return bytes.withUnsafeMutableBytes { buffer in
                var params = [OSSL_PARAM_construct_octet_string(name, buffer.baseAddress, value.count), OSSL_PARAM_construct_end()]
                return EVP_KDF_CTX_set_params(context, &params) == 1
            }
        }
    }
}
