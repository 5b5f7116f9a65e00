/// One request as the web server hands it over: the FastCGI/CGI parameters
/// (REQUEST_METHOD, REQUEST_URI, HTTP_COOKIE, OIDC_ACTION…) and the body.
public struct Request: Sendable {
    public var params: [String: String]
    public var body: [UInt8]

    public init(params: [String: String], body: [UInt8] = []) {
        self.params = params
        self.body = body
    }

    public var method: String { params["REQUEST_METHOD"] ?? "GET" }

    /// The original URI with query, as the client sent it (nginx $request_uri).
    public var requestURI: String { params["REQUEST_URI"] ?? "/" }

    /// The query string of the request URI, without '?'.
    public var queryString: String {
        if let q = params["QUERY_STRING"], !q.isEmpty { return q }
        guard let i = requestURI.firstIndex(of: "?") else { return "" }
        return String(requestURI[requestURI.index(after: i)...])
    }

    /// A request header by its HTTP name ("Accept", "X-Requested-With").
    public func header(_ name: String) -> String? {
        let key = String(unsafeUninitializedCapacity: 5 + name.utf8.count) { out in
            var at = 0
            for c in "HTTP_".utf8 {
                out[at] = c
                at += 1
            }
            for c in name.utf8 {
                switch c {
                case UInt8(ascii: "-"): out[at] = UInt8(ascii: "_")
                case UInt8(ascii: "a")...UInt8(ascii: "z"): out[at] = c - 32
                default: out[at] = c
                }
                at += 1
            }
            return at
        }
        return params[key]
    }

    /// Values of one cookie name, in the order the client sent them.
    public func cookies(named name: String) -> [String] {
        CookieHeader.values(named: name, in: header("Cookie") ?? "")
    }

    /// All cookies as (name, value) pairs.
    public var allCookies: [(name: String, value: String)] {
        CookieHeader.parse(header("Cookie") ?? "")
    }
}

/// Parsing of the Cookie request header (RFC 6265 §5.4 shape: "a=b; c=d"),
/// on its bytes: every request with a session passes through it.
public enum CookieHeader {
    public static func parse(_ header: String) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        forEachCookie(in: header) { bytes, name, value in
            result.append((String(decoding: bytes[name], as: UTF8.self), String(decoding: bytes[value], as: UTF8.self)))
        }
        return result
    }

    public static func values(named name: String, in header: String) -> [String] {
        var result: [String] = []
        var wanted = name
        wanted.withUTF8 { wanted in
            forEachCookie(in: header) { bytes, name, value in
                if bytes[name].elementsEqual(wanted) { result.append(String(decoding: bytes[value], as: UTF8.self)) }
            }
        }
        return result
    }

    /// Each "name=value" part with a non-empty name: the byte ranges of the
    /// name and the value, both without surrounding spaces and tabs, the value
    /// without one pair of enclosing double quotes. Parts without '=' are skipped.
    static func forEachCookie(in header: String, _ body: (UnsafeBufferPointer<UInt8>, Range<Int>, Range<Int>) -> Void) {
        var header = header
        header.withUTF8 { bytes in
            forEachPart(of: bytes) { part in
                guard let equals = bytes[part].firstIndex(of: UInt8(ascii: "=")) else { return }
                let name = trimmed(bytes, part.lowerBound..<equals)
                var value = trimmed(bytes, (equals + 1)..<part.upperBound)
                if value.count >= 2, bytes[value.lowerBound] == UInt8(ascii: "\""), bytes[value.upperBound - 1] == UInt8(ascii: "\"") {
                    value = (value.lowerBound + 1)..<(value.upperBound - 1)
                }
                if !name.isEmpty { body(bytes, name, value) }
            }
        }
    }

    /// The parts between semicolons, without leading spaces and tabs; empty parts skipped.
    static func forEachPart(of bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: ";") { end += 1 }
            var first = start
            while first < end, isBlank(bytes[first]) { first += 1 }
            if first < end { body(first..<end) }
            start = end + 1
        }
    }

    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, isBlank(bytes[lower]) { lower += 1 }
        while upper > lower, isBlank(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
}
