import CJose

/// AES-256-GCM over OpenSSL EVP: the AEAD that seals sessions and login state.
public enum AESGCM {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    public enum OpenError: Error, Equatable {
        /// Wrong key, altered ciphertext, altered associated data or truncated input.
        case authenticationFailed
    }

    /// Returns ciphertext followed by the 16-byte tag.
    public static func seal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8], associatedData: [UInt8]) -> [UInt8] {
        precondition(key.count == keyByteCount && nonce.count == nonceByteCount, "AES-256-GCM needs a 32-byte key and 12-byte nonce")
        guard let ctx = EVP_CIPHER_CTX_new() else { preconditionFailure("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        var length: Int32 = 0
        var ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1
        if !associatedData.isEmpty {
            ok = ok && EVP_EncryptUpdate(ctx, nil, &length, associatedData, Int32(associatedData.count)) == 1
        }
        var written = 0
        out.withUnsafeMutableBufferPointer { buffer in
            if !plaintext.isEmpty {
                ok = ok && EVP_EncryptUpdate(ctx, buffer.baseAddress, &length, plaintext, Int32(plaintext.count)) == 1
                written = Int(length)
            }
            ok = ok && EVP_EncryptFinal_ex(ctx, buffer.baseAddress! + written, &length) == 1
            written += Int(length)
            ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), buffer.baseAddress! + written) == 1
        }
        precondition(ok && written == plaintext.count, "OpenSSL AES-256-GCM encryption failed")
        return out
    }

    /// Opens what `seal` produced; throws when anything was altered.
    public static func open(key: [UInt8], nonce: [UInt8], sealed: [UInt8], associatedData: [UInt8]) throws(OpenError) -> [UInt8] {
        guard key.count == keyByteCount, nonce.count == nonceByteCount, sealed.count >= tagByteCount else {
            throw .authenticationFailed
        }
        guard let ctx = EVP_CIPHER_CTX_new() else { preconditionFailure("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let cipherCount = sealed.count - tagByteCount
        var tag = Array(sealed[cipherCount...])
        var out = [UInt8](repeating: 0, count: cipherCount + 16)
        var length: Int32 = 0
        var ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1
        if !associatedData.isEmpty {
            ok = ok && EVP_DecryptUpdate(ctx, nil, &length, associatedData, Int32(associatedData.count)) == 1
        }
        var written = 0
        out.withUnsafeMutableBufferPointer { buffer in
            if cipherCount > 0 {
                ok = ok && sealed.withUnsafeBufferPointer {
                    EVP_DecryptUpdate(ctx, buffer.baseAddress, &length, $0.baseAddress, Int32(cipherCount))
                } == 1
                written = Int(length)
            }
            ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag) == 1
            ok = ok && EVP_DecryptFinal_ex(ctx, buffer.baseAddress! + written, &length) == 1
            written += Int(length)
        }
        guard ok else { throw .authenticationFailed }
        return Array(out.prefix(written))
    }
}
