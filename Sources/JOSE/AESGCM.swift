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
        var ok = EVP_EncryptInit_ex(ctx, cipher.pointer, nil, key, nonce) == 1
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
        let opened = nonce.withUnsafeBytes { nonce in
            sealed.withUnsafeBytes { sealed in
                associatedData.withUnsafeBytes { associatedData in
                    Result { () throws(OpenError) in try open(key: key, nonce: nonce, sealed: sealed, associatedData: associatedData) }
                }
            }
        }
        return try opened.get()
    }

    /// The same on borrowed bytes (ciphertext followed by its tag in `sealed`):
    /// the plaintext is the only allocation.
    public static func open(
        key: [UInt8], nonce: UnsafeRawBufferPointer, sealed: UnsafeRawBufferPointer, associatedData: UnsafeRawBufferPointer
    ) throws(OpenError) -> [UInt8] {
        guard key.count == keyByteCount, nonce.count == nonceByteCount, sealed.count >= tagByteCount else {
            throw .authenticationFailed
        }
        guard let ctx = EVP_CIPHER_CTX_new() else { preconditionFailure("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let cipherCount = sealed.count - tagByteCount
        var length: Int32 = 0
        var ok = EVP_DecryptInit_ex(ctx, cipher.pointer, nil, key, nonce.baseAddress) == 1
        if ok && !associatedData.isEmpty {
            ok = EVP_DecryptUpdate(ctx, nil, &length, associatedData.baseAddress, Int32(associatedData.count)) == 1
        }
        // OpenSSL copies the tag; it never writes through this pointer.
        let tag = UnsafeMutableRawPointer(mutating: sealed.baseAddress! + cipherCount)
        let plaintext = [UInt8](unsafeUninitializedCapacity: cipherCount + tagByteCount) { buffer, count in
            var written = 0
            if ok && cipherCount > 0 {
                ok = EVP_DecryptUpdate(ctx, buffer.baseAddress, &length, sealed.baseAddress, Int32(cipherCount)) == 1
                written = Int(length)
            }
            ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), tag) == 1
            ok = ok && EVP_DecryptFinal_ex(ctx, buffer.baseAddress! + written, &length) == 1
            written += Int(length)
            // Nothing of a value that failed its tag is handed out.
            count = ok ? written : 0
        }
        guard ok else { throw .authenticationFailed }
        return plaintext
    }

    /// AES-256-GCM fetched from OpenSSL once: `EVP_aes_256_gcm()` makes OpenSSL 3
    /// look the implementation up again (under a lock) at every init.
    private static let cipher = FetchedCipher()
}

/// A fetched cipher is immutable and may be shared by every thread (OpenSSL 3's
/// multithreading rules); it lives as long as the process.
private struct FetchedCipher: @unchecked Sendable {
    let pointer: OpaquePointer

    init() {
        pointer = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) ?? EVP_aes_256_gcm()
    }
}
