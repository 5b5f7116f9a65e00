import CJose

/// OpenSSL's CSPRNG (RAND_bytes). Aborts only if the kernel's entropy source is
/// gone, a state in which no secure answer can be given at all.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        let rc = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(rc == 1, "OpenSSL RAND_bytes failed: no secure randomness available")
        return out
    }
}
