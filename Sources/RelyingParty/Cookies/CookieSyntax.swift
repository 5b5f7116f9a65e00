/// The RFC 6265 §4.1.1 grammar for what oidc-fcgi puts in a Set-Cookie header:
/// a cookie name is a token, a value is cookie-octets (no space, quote, comma,
/// semicolon, backslash or control character). Names and values that fail it
/// are never written, so nothing read from a request can reshape a header.
public enum CookieSyntax {
    public static func isName(_ text: String) -> Bool {
        HeaderName.isToken(text)
    }

    public static func isValue(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count <= 4096 else { return false }
        // Sealed login states and session ids are hundreds of bytes: checked
        // on the contiguous storage where there is one.
        return utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isValueByte) } ?? utf8.allSatisfy(isValueByte)
    }

    /// A `Domain` attribute: a host name of letters, digits, '-' and '.', optionally with a leading '.'.
    public static func isDomain(_ text: String) -> Bool {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
    }

    /// A cookie-octet (0x21, 0x23-2B, 0x2D-3A, 0x3C-5B, 0x5D-7E) as two bit
    /// masks: bit n of `low` is byte n, bit n of `high` is byte 64 + n; no
    /// byte from 0x80 up is one.
    private static let valueBytesLow: UInt64 = 0xF7FF_EFFA_0000_0000
    private static let valueBytesHigh: UInt64 = 0x7FFF_FFFF_EFFF_FFFF

    @inline(__always)
    static func isValueByte(_ byte: UInt8) -> Bool {
        if byte < 64 { return (valueBytesLow >> UInt64(byte)) & 1 == 1 }
        if byte < 128 { return (valueBytesHigh >> UInt64(byte &- 64)) & 1 == 1 }
        return false
    }
}
