/// Reads a bearer token from the request's `Authorization` header (RFC 6750 §2.1):
/// `Bearer` (any case), one or more spaces, then a b64token
/// (`1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`).
///
/// The web server hands over one `HTTP_AUTHORIZATION` value; when a client sent
/// several `Authorization` headers it may arrive as a comma-joined list, which is
/// refused rather than guessed at. The size limit is checked before anything else
/// looks at the value.
public enum BearerToken {
    public enum Parsed: Sendable, Equatable {
        /// No `Authorization` header.
        case absent
        /// An `Authorization` header of another scheme (Basic, Digest…): no bearer token.
        case otherScheme
        case token(String)
        case invalid(Problem)
    }

    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        case empty
        /// A character outside RFC 6750's b64token, or `=` before the end.
        case invalidCharacters
        case tooLarge(bytes: Int, limit: Int)
        /// Several `Authorization` values joined into one.
        case severalValues

        public var description: String {
            switch self {
            case .empty: return "the Authorization header says Bearer but carries no token"
            case .invalidCharacters: return "the bearer token has characters outside RFC 6750's b64token"
            case .tooLarge(let bytes, let limit): return "the bearer token is \(bytes) bytes, over the limit of \(limit) (api.max_token_bytes)"
            case .severalValues: return "the request carries several Authorization values"
            }
        }
    }

    /// The request's `Authorization` header as the web server passed it.
    public static func parse(request: Request, maxBytes: Int) -> Parsed {
        parse(authorization: request.params["HTTP_AUTHORIZATION"], maxBytes: maxBytes)
    }

    public static func parse(authorization header: String?, maxBytes: Int) -> Parsed {
        guard let header else { return .absent }
        let bytes = header.utf8
        // Room for the scheme and spaces; a larger header is not looked at any further.
        guard bytes.count <= maxBytes + 64 else {
            return startsWithBearer(bytes) || bytes.contains(UInt8(ascii: ",")) ? .invalid(.tooLarge(bytes: bytes.count, limit: maxBytes)) : .otherScheme
        }
        var rest = bytes[...]
        while let first = rest.first, isSpace(first) { rest = rest.dropFirst() }
        while let last = rest.last, isSpace(last) { rest = rest.dropLast() }
        guard !rest.isEmpty else { return .absent }
        let schemeEnd = rest.firstIndex(where: isSpace) ?? rest.endIndex
        let scheme = rest[..<schemeEnd]
        guard equalsBearer(scheme) else {
            // "Basic …, Bearer …": another scheme first, a bearer token joined after it.
            return containsJoinedBearer(rest) ? .invalid(.severalValues) : .otherScheme
        }
        var token = rest[schemeEnd...]
        while let first = token.first, isSpace(first) { token = token.dropFirst() }
        guard !token.isEmpty else { return .invalid(.empty) }
        if token.contains(UInt8(ascii: ",")) { return .invalid(.severalValues) }
        guard token.count <= maxBytes else { return .invalid(.tooLarge(bytes: token.count, limit: maxBytes)) }
        guard isB64Token(token) else { return .invalid(.invalidCharacters) }
        return .token(String(decoding: token, as: UTF8.self))
    }

    /// True when the header is a `Bearer` one (whatever its token): such a request is an API request.
    public static func isBearer(_ parsed: Parsed) -> Bool {
        switch parsed {
        case .absent, .otherScheme: return false
        case .token, .invalid: return true
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    private static func equalsBearer<C: Collection>(_ scheme: C) -> Bool where C.Element == UInt8 {
        let word = Array("bearer".utf8)
        guard scheme.count == word.count else { return false }
        return zip(scheme, word).allSatisfy { a, b in a | 0x20 == b }
    }

    private static func startsWithBearer(_ bytes: String.UTF8View) -> Bool {
        var rest = bytes[...]
        while let first = rest.first, isSpace(first) { rest = rest.dropFirst() }
        return equalsBearer(rest.prefix(6))
    }

    private static func containsJoinedBearer(_ value: Substring.UTF8View.SubSequence) -> Bool {
        value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true).dropFirst().contains { part in
            var element = part[...]
            while let first = element.first, isSpace(first) { element = element.dropFirst() }
            let end = element.firstIndex(where: isSpace) ?? element.endIndex
            return equalsBearer(element[..<end])
        }
    }

    private static func isB64Token<C: BidirectionalCollection>(_ token: C) -> Bool where C.Element == UInt8 {
        var body = token[...]
        while let last = body.last, last == UInt8(ascii: "=") { body = body.dropLast() }
        guard !body.isEmpty else { return false }
        return body.allSatisfy { c in
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                return true
            default:
                return false
            }
        }
    }
}
