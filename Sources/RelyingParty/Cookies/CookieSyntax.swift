/// The RFC 6265 §4.1.1 grammar for what oidc-fcgi puts in a Set-Cookie header:
/// a cookie name is a token, a value is cookie-octets (no space, quote, comma,
/// semicolon, backslash or control character). Names and values that fail it
/// are never written, so nothing read from a request can reshape a header.
public enum CookieSyntax {
    public static func isName(_ text: String) -> Bool {
        HeaderName.isToken(text)
    }

    public static func isValue(_ text: String) -> Bool {
        text.utf8.count <= 4096 && text.utf8.allSatisfy(isValueByte)
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

    static func isValueByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x2B, 0x2D...0x3A, 0x3C...0x5B, 0x5D...0x7E: return true
        default: return false
        }
    }
}
