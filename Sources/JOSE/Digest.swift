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

    /// `prefix` followed by the lowercase hex digest of `text`'s UTF-8, built
    /// in place: the store keys of the hot path cost one allocation each.
    public func hexKey(_ prefix: String, _ text: String) -> String {
        var text = text
        var prefix = prefix
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(EVP_MAX_MD_SIZE)) { md in
            var length: UInt32 = 0
            let rc = text.withUTF8 { input in EVP_Digest(input.baseAddress, input.count, md.baseAddress, &length, evp, nil) }
            precondition(rc == 1, "OpenSSL EVP_Digest failed")
            return prefix.withUTF8 { head in
                String(unsafeUninitializedCapacity: head.count + Int(length) * 2) { out in
                    let digits: StaticString = "0123456789abcdef"
                    var at = 0
                    for byte in head {
                        out[at] = byte
                        at += 1
                    }
                    digits.withUTF8Buffer { hex in
                        for index in 0..<Int(length) {
                            out[at] = hex[Int(md[index] >> 4)]
                            out[at + 1] = hex[Int(md[index] & 0x0F)]
                            at += 2
                        }
                    }
                    return at
                }
            }
        }
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
