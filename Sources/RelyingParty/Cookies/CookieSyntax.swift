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
        // Sealed login states and session ids are hundreds of bytes: one table
        // test per byte on the contiguous storage instead of a generic closure.
        if let verdict = utf8.withContiguousStorageIfAvailable({ bytes in bytes.allSatisfy(isValueByteByTable) }) {
            return verdict
        }
        return utf8.allSatisfy(isValueByte)
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

    /// `isValueByte` as two bit masks: bit n of `low` is byte n, bit n of
    /// `high` is byte 64 + n; no byte from 0x80 up is a cookie-octet.
    private static let valueBytesLow: UInt64 = 0xF7FF_EFFA_0000_0000
    private static let valueBytesHigh: UInt64 = 0x7FFF_FFFF_EFFF_FFFF

    @inline(__always)
    static func isValueByteByTable(_ byte: UInt8) -> Bool {
        if byte < 64 { return (valueBytesLow >> UInt64(byte)) & 1 == 1 }
        if byte < 128 { return (valueBytesHigh >> UInt64(byte &- 64)) & 1 == 1 }
        return false
    }

    static func isValueByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x2B, 0x2D...0x3A, 0x3C...0x5B, 0x5D...0x7E: return true
        default: return false
        }
    }
}
