import CJose

/// One-shot message digests over OpenSSL EVP.
public enum Digest {
    case sha256, sha384, sha512

    var evp: OpaquePointer? {
        switch self {
        case .sha256: return EVP_sha256()
        case .sha384: return EVP_sha384()
        case .sha512: return EVP_sha512()
        }
    }

    public var byteCount: Int {
        switch self {
        case .sha256: return 32
        case .sha384: return 48
        case .sha512: return 64
        }
    }

    public func hash(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let rc = data.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, evp, nil)
            }
        }
        precondition(rc == 1, "OpenSSL EVP_Digest failed")
        return Array(out.prefix(Int(length)))
    }

    public static func sha256(_ data: [UInt8]) -> [UInt8] { Digest.sha256.hash(data) }
    public static func sha256(_ text: String) -> [UInt8] { Digest.sha256.hash(Array(text.utf8)) }

    /// HMAC with this digest.
    public func hmac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                out.withUnsafeMutableBufferPointer { o in
                    HMAC(evp, k.baseAddress, Int32(k.count), d.baseAddress, d.count, o.baseAddress, &length)
                }
            }
        }
        precondition(result != nil, "OpenSSL HMAC failed")
        return Array(out.prefix(Int(length)))
    }
}

/// Constant-time comparison, for MACs and secrets.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
}
