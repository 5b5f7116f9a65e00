/// The name of a response header: an RFC 9110 token (letters, digits and
/// ``!#$%&'*+-.^_`|~``), so it can never carry CR, LF, NUL, a colon or a space.
/// Names come from code (string literals) or from the configuration, validated
/// when it is loaded; request data never becomes one.
public struct HeaderName: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let text: String

    /// Nil unless `text` is a non-empty token of at most 256 bytes.
    public init?(validating text: String) {
        guard Self.isToken(text) else { return nil }
        self.text = text
    }

    /// For names written in the code; an invalid literal is a programming error.
    public init(stringLiteral text: String) {
        precondition(Self.isToken(text), "not an HTTP header name: \(text)")
        self.text = text
    }

    public var description: String { text }

    /// Case-insensitive comparison, as HTTP header names compare.
    public func matches(_ other: String) -> Bool {
        text.utf8.count == other.utf8.count && text.lowercased() == other.lowercased()
    }

    public static func isToken(_ text: String) -> Bool {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= 256 else { return false }
        return bytes.allSatisfy(isTokenByte)
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return tokenPunctuation.contains(byte)
        }
    }

    private static let tokenPunctuation: Set<UInt8> = Set("!#$%&'*+-.^_`|~".utf8)

    public static let location: HeaderName = "Location"
    public static let setCookie: HeaderName = "Set-Cookie"
    public static let cacheControl: HeaderName = "Cache-Control"
    public static let contentType: HeaderName = "Content-Type"
    public static let contentLength: HeaderName = "Content-Length"
    public static let retryAfter: HeaderName = "Retry-After"
    public static let contentSecurityPolicy: HeaderName = "Content-Security-Policy"
    public static let allow: HeaderName = "Allow"
    public static let wwwAuthenticate: HeaderName = "WWW-Authenticate"
}
