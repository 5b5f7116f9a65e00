/// Percent-encoding of UTF-8 bytes (RFC 3986 §2.1, upper-case hex): every
/// byte `keeping` refuses becomes "%XX". Shared by query strings and the
/// `percent` identity header encoding, which keep different bytes.
enum PercentEncoding {
    static func encode<Bytes: Collection>(_ bytes: Bytes, keeping: (UInt8) -> Bool) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3)
        append(bytes, keeping: keeping, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The encoding of `bytes`, added to `out` (several values, one buffer).
    static func append<Bytes: Collection>(_ bytes: Bytes, keeping: (UInt8) -> Bool, to out: inout [UInt8]) where Bytes.Element == UInt8 {
        let digits: StaticString = "0123456789ABCDEF"
        for byte in bytes {
            if keeping(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(digits.utf8Start[Int(byte >> 4)])
                out.append(digits.utf8Start[Int(byte & 0x0F)])
            }
        }
    }
}
